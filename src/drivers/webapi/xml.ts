/**
 * A small non-validating XML reader for HMM dispatcher replies (`<result>`/`<upgrade>` envelopes,
 * flat elements, a few attributes). No DTDs, no namespaces: the HMM sends neither.
 */

/** An element. */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Concatenated, entity-decoded text directly inside this element. */
  text: string;
}

/** Decodes the five XML entities and numeric character references, once. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    switch (e) {
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "amp":
        return "&";
      case "quot":
        return '"';
      case "apos":
        return "'";
    }
    const code = e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) ? String.fromCodePoint(code) : _m;
  });
}

/**
 * Parses an XML document and returns its root element, or undefined when the text is not XML.
 *
 * @example
 * parseXml("<result><retcode>0</retcode></result>")?.children[0].text // "0"
 */
export function parseXml(text: string): XmlNode | undefined {
  const src = text.replace(/^\uFEFF/, "");
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  const re =
    /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/\s*([A-Za-z_][\w.:-]*)\s*>|<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let sawElement = false;
  while ((m = re.exec(src))) {
    if (m[1] !== undefined) {
      if (stack.length) stack[stack.length - 1].text += m[1];
    } else if (m[2] !== undefined) {
      const top = stack.pop();
      if (!top || top.name !== m[2]) return undefined; // mismatched: not well-formed
      if (!stack.length) root = top;
    } else if (m[3] !== undefined) {
      sawElement = true;
      const node: XmlNode = { name: m[3], attrs: parseAttrs(m[4] ?? ""), children: [], text: "" };
      if (stack.length) stack[stack.length - 1].children.push(node);
      if (m[5] === "/") {
        if (!stack.length) root = node;
      } else stack.push(node);
    } else if (m[6] !== undefined) {
      if (stack.length) stack[stack.length - 1].text += decodeEntities(m[6]);
      else if (m[6].trim()) return undefined; // text outside the root
    }
  }
  if (!sawElement || stack.length) return undefined;
  return root;
}

function parseAttrs(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    out[m[1]] = decodeEntities(m[2] ?? m[3] ?? "");
  }
  return out;
}

/** First child element with this name (case-insensitive). */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  const n = name.toLowerCase();
  return node?.children.find((c) => c.name.toLowerCase() === n);
}

/** All child elements with this name (case-insensitive). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const n = name.toLowerCase();
  return node?.children.filter((c) => c.name.toLowerCase() === n) ?? [];
}

/** Trimmed text of a child element, or undefined. */
export function childText(node: XmlNode | undefined, name: string): string | undefined {
  const c = child(node, name);
  return c === undefined ? undefined : c.text.trim();
}

/** Every element of the tree, depth first (search by name anywhere). */
export function* walk(node: XmlNode): Generator<XmlNode> {
  yield node;
  for (const c of node.children) yield* walk(c);
}
