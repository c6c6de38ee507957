/**
 * HMM dispatcher reply envelopes (../shared/docs/hardware/hmm-web-api.md §3, §4.2, §4.4).
 *
 * - root is normally `<result>`, but the upgrade progress call answers `<upgrade>`
 * - `<retcode>` 0 = success; missing or non-numeric = "no code" (neither success nor failure)
 * - `<desp>` is the human message
 * - version text is double-escaped HTML (`&lt;br&gt;` line breaks, `&amp;#40;` parentheses)
 */
import { child, children, childText, parseXml, type XmlNode } from "./xml.ts";

/** A parsed dispatcher reply. */
export interface Envelope {
  /** Root element name (`result`, `upgrade`), undefined when the body is not XML. */
  root?: string;
  /** `<retcode>` as a number, undefined when missing or not a number. */
  retcode?: number;
  desp?: string;
  /** The root element (for typed readers). */
  doc?: XmlNode;
}

/** Parses a dispatcher body (XML, or tolerated non-XML). */
export function parseEnvelope(body: string): Envelope {
  const doc = parseXml(body);
  if (!doc) return {};
  const rc = childText(doc, "retcode");
  const retcode = rc !== undefined && /^-?\d+$/.test(rc) ? Number(rc) : undefined;
  return { root: doc.name, retcode, desp: childText(doc, "desp"), doc };
}

/**
 * Undoes the double escaping of `versionhandler.php` text: the escaped `<br>` becomes a newline,
 * `&#40;`/`&#41;` (possibly double-escaped) become parentheses, then one round of HTML unescaping.
 * Input is the element text after XML decoding.
 */
export function decodeVersionText(text: string): string {
  return text
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/&lt;br\s*\/?&gt;/gi, "\n")
    .replace(/&amp;#(\d+);|&#(\d+);/g, (_m, a, b) => String.fromCharCode(Number(a ?? b)))
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}

/** Keys of decoded version lines: `IPMC CPU`, `BIOS Version`, `Active iMana Version`, … */
const VERSION_KINDS = ["Version", "Ver", "Software", "Built", "CPU", "BoardID", "PCB", "Address"];

/**
 * Parses decoded version text (`BIOS           Version:           (U41)V501`) into a map.
 *
 * @example
 * parseVersionLines("BIOS   Version:   (U41)V501") // { "BIOS Version": "(U41)V501" }
 */
export function parseVersionLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*(.+?)\s*:\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const words = m[1].split(/\s+/);
    if (!VERSION_KINDS.includes(words[words.length - 1])) continue;
    out[words.join(" ")] = m[2];
  }
  return out;
}

/** One target of an upgrade (`<upgrade><blade name="…">`). */
export interface UpgradeTarget {
  name: string;
  retcode: number;
  desp?: string;
  progress: number;
  progressDesp?: string;
  /** progress >= 100 or a non-zero retcode (a missing retcode counts as -1, as upstream did). */
  finished: boolean;
  failed: boolean;
}

/** Reads the upgrade progress reply (`smmupgradehandler.php` `get`). */
export function parseUpgradeProgress(doc: XmlNode | undefined): {
  targets: UpgradeTarget[];
  done: boolean;
  failed: boolean;
} {
  const targets = children(doc, "blade").map((b) => {
    const rc = childText(b, "retcode");
    const pr = childText(b, "progress");
    const retcode = rc !== undefined && /^-?\d+$/.test(rc) ? Number(rc) : -1;
    const progress = pr !== undefined && /^\d+$/.test(pr) ? Number(pr) : 0;
    return {
      name: b.attrs.name ?? "",
      retcode,
      desp: childText(b, "desp"),
      progress,
      progressDesp: childText(b, "progressdesp"),
      finished: progress >= 100 || retcode !== 0,
      failed: retcode !== 0,
    };
  });
  return {
    targets,
    done: targets.length > 0 && targets.every((t) => t.finished),
    failed: targets.some((t) => t.failed),
  };
}

export { child, children, childText };
