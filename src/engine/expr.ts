/**
 * HCL's expression language: a tokenizer and a Pratt parser producing an AST with the offset of
 * every node, so that evaluation errors point at `file:line:col`.
 *
 * hcl2json (and the YAML/JSON forms, which follow Terraform's JSON syntax) hand over every value
 * as a JSON value whose strings are *templates*: `"${var.n}"`, `"vlan-${each.key}"`. A template
 * that is exactly one interpolation yields the expression's own value (not a string).
 *
 * Supported: literals, strings with `${}` interpolation and `%{if}`/`%{for}` directives, tuples,
 * objects, variables and traversals (`a.b`, `a["k"]`, `a[0]`, `a[*].b`, `a.*.b`), function calls
 * (with `...` expansion), unary `! -`, binary `* / % + - < <= > >= == != && ||`, conditionals
 * `c ? a : b`, and `for` expressions (`[for k, v in x : v if c]`, `{for k, v in x : k => v...}`).
 *
 * @example
 * const ast = parseTemplate("vlan-${each.key}");
 * @throws {ExprSyntaxError} with the offset of the problem
 */

/** A syntax error at `offset` in the expression text. */
export class ExprSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** One node of the expression AST; `pos` is the offset in the source text. */
export type Expr =
  | { k: "lit"; pos: number; value: unknown }
  | { k: "tmpl"; pos: number; parts: TemplatePart[] }
  | { k: "var"; pos: number; name: string }
  | { k: "attr"; pos: number; obj: Expr; name: string }
  | { k: "index"; pos: number; obj: Expr; key: Expr }
  | { k: "splat"; pos: number; obj: Expr; each: Expr }
  | { k: "splatItem"; pos: number }
  | { k: "call"; pos: number; name: string; args: Expr[]; expand: boolean }
  | { k: "tuple"; pos: number; items: Expr[] }
  | { k: "object"; pos: number; items: { key: Expr; value: Expr }[] }
  | { k: "unary"; pos: number; op: "!" | "-"; e: Expr }
  | { k: "binary"; pos: number; op: string; l: Expr; r: Expr }
  | { k: "cond"; pos: number; c: Expr; t: Expr; f: Expr }
  | {
    k: "for";
    pos: number;
    keyVar?: string;
    valVar: string;
    coll: Expr;
    keyExpr?: Expr;
    valExpr: Expr;
    cond?: Expr;
    group: boolean;
    object: boolean;
  };

/** A template is literal text, interpolations and directives. */
export type TemplatePart =
  | string
  | { k: "interp"; e: Expr }
  | { k: "if"; c: Expr; then: TemplatePart[]; else: TemplatePart[] }
  | { k: "for"; keyVar?: string; valVar: string; coll: Expr; body: TemplatePart[] };

type TokKind = "num" | "str" | "ident" | "punct" | "eof";
interface Token {
  kind: TokKind;
  pos: number;
  end: number;
  text: string;
  /** For `str`: the template parts. */
  parts?: TemplatePart[];
  /** For `num`. */
  value?: number;
}

const PUNCT = [
  "...",
  "=>",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ".",
  ":",
  "?",
  "+",
  "-",
  "*",
  "/",
  "%",
  "<",
  ">",
  "!",
  "=",
];

const BINARY_PRECEDENCE: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
  "%": 6,
};

/** Parser over `src` starting at `offset`. Tokens are read lazily (strings recurse). */
class Parser {
  #look: Token | undefined;
  constructor(readonly src: string, public pos: number) {}

  #skipSpace(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const ch = s[this.pos];
      if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") this.pos++;
      else if (ch === "#" || (ch === "/" && s[this.pos + 1] === "/")) {
        while (this.pos < s.length && s[this.pos] !== "\n") this.pos++;
      } else if (ch === "/" && s[this.pos + 1] === "*") {
        const end = s.indexOf("*/", this.pos + 2);
        if (end < 0) throw new ExprSyntaxError("Unterminated comment", this.pos);
        this.pos = end + 2;
      } else break;
    }
  }

  #lex(): Token {
    this.#skipSpace();
    const s = this.src;
    const start = this.pos;
    if (start >= s.length) return { kind: "eof", pos: start, end: start, text: "" };
    const ch = s[start];
    if (/[0-9]/.test(ch)) {
      const m = s.slice(start).match(/^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/)!;
      this.pos += m[0].length;
      return { kind: "num", pos: start, end: this.pos, text: m[0], value: Number(m[0]) };
    }
    if (/[A-Za-z_]/.test(ch)) {
      const m = s.slice(start).match(/^[A-Za-z_][A-Za-z0-9_-]*/)!;
      this.pos += m[0].length;
      return { kind: "ident", pos: start, end: this.pos, text: m[0] };
    }
    if (ch === '"') {
      const { parts, end } = scanTemplate(s, start + 1, "quoted");
      this.pos = end;
      return { kind: "str", pos: start, end, text: s.slice(start, end), parts };
    }
    if (ch === "<" && s[start + 1] === "<") {
      // Heredoc inside an expression: <<EOT or <<-EOT.
      const m = s.slice(start).match(/^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/);
      if (m) {
        const bodyStart = start + m[0].length;
        const re = new RegExp(`^[ \\t]*${m[2]}\\s*$`, "m");
        const rest = s.slice(bodyStart);
        const mm = rest.match(re);
        if (!mm || mm.index === undefined) {
          throw new ExprSyntaxError(`Unterminated heredoc ${m[2]}`, start);
        }
        let body = rest.slice(0, mm.index);
        if (m[1] === "-") {
          const lines = body.split("\n");
          const indent = Math.min(
            ...lines.filter((l) => l.trim()).map((l) => l.match(/^[ \t]*/)![0].length),
          );
          body = lines.map((l) => l.slice(indent)).join("\n");
        }
        const { parts } = scanTemplate(body, 0, "bare");
        this.pos = bodyStart + mm.index + mm[0].length;
        return { kind: "str", pos: start, end: this.pos, text: s.slice(start, this.pos), parts };
      }
    }
    for (const p of PUNCT) {
      if (s.startsWith(p, start)) {
        this.pos += p.length;
        return { kind: "punct", pos: start, end: this.pos, text: p };
      }
    }
    throw new ExprSyntaxError(`Unexpected character "${ch}"`, start);
  }

  peek(): Token {
    if (!this.#look) this.#look = this.#lex();
    return this.#look;
  }

  next(): Token {
    const t = this.peek();
    this.#look = undefined;
    return t;
  }

  is(text: string): boolean {
    const t = this.peek();
    return (t.kind === "punct" || t.kind === "ident") && t.text === text;
  }

  accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.next();
    return true;
  }

  expect(text: string, what?: string): Token {
    const t = this.peek();
    if (!this.is(text)) {
      throw new ExprSyntaxError(
        `Expected ${what ?? `"${text}"`} but found ${describe(t)}`,
        t.pos,
      );
    }
    return this.next();
  }

  ident(what: string): Token {
    const t = this.next();
    if (t.kind !== "ident") {
      throw new ExprSyntaxError(`Expected ${what} but found ${describe(t)}`, t.pos);
    }
    return t;
  }

  /** Where the parser stands after the last consumed token. */
  offset(): number {
    return this.#look ? this.#look.pos : this.pos;
  }

  parseExpr(): Expr {
    const c = this.parseBinary(0);
    if (this.is("?")) {
      const q = this.next();
      const t = this.parseExpr();
      this.expect(":", '":" of the conditional expression');
      const f = this.parseExpr();
      return { k: "cond", pos: q.pos, c, t, f };
    }
    return c;
  }

  parseBinary(minPrec: number): Expr {
    let left = this.parseUnary();
    while (true) {
      const t = this.peek();
      const prec = t.kind === "punct" ? BINARY_PRECEDENCE[t.text] : undefined;
      if (prec === undefined || prec <= minPrec) return left;
      this.next();
      const right = this.parseBinary(prec);
      left = { k: "binary", pos: t.pos, op: t.text, l: left, r: right };
    }
  }

  parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === "punct" && (t.text === "!" || t.text === "-")) {
      this.next();
      // Unary binds tighter than every binary operator.
      return { k: "unary", pos: t.pos, op: t.text, e: this.parseUnary() };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  parsePostfix(e: Expr): Expr {
    while (true) {
      if (this.is(".")) {
        const dot = this.next();
        const t = this.peek();
        if (t.kind === "punct" && t.text === "*") {
          this.next();
          return { k: "splat", pos: dot.pos, obj: e, each: this.#splatRest(true) };
        }
        if (t.kind === "num") {
          this.next();
          e = { k: "index", pos: t.pos, obj: e, key: { k: "lit", pos: t.pos, value: t.value } };
          continue;
        }
        const name = this.ident('an attribute name after "."');
        e = { k: "attr", pos: name.pos, obj: e, name: name.text };
      } else if (this.is("[")) {
        const open = this.next();
        if (this.is("*")) {
          this.next();
          this.expect("]");
          return { k: "splat", pos: open.pos, obj: e, each: this.#splatRest(false) };
        }
        const key = this.parseExpr();
        this.expect("]", '"]" to close the index');
        e = { k: "index", pos: open.pos, obj: e, key };
      } else return e;
    }
  }

  /** The traversal applied to each element of a splat. Attribute-only splats stop at `[`. */
  #splatRest(attrOnly: boolean): Expr {
    let e: Expr = { k: "splatItem", pos: this.offset() };
    while (true) {
      if (this.is(".")) {
        this.next();
        const name = this.ident("an attribute name");
        e = { k: "attr", pos: name.pos, obj: e, name: name.text };
      } else if (!attrOnly && this.is("[")) {
        const open = this.next();
        const key = this.parseExpr();
        this.expect("]");
        e = { k: "index", pos: open.pos, obj: e, key };
      } else return e;
    }
  }

  parsePrimary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case "num":
        return { k: "lit", pos: t.pos, value: t.value };
      case "str":
        return templateExpr(t.parts!, t.pos);
      case "ident": {
        if (t.text === "true") return { k: "lit", pos: t.pos, value: true };
        if (t.text === "false") return { k: "lit", pos: t.pos, value: false };
        if (t.text === "null") return { k: "lit", pos: t.pos, value: null };
        if (this.is("(")) {
          this.next();
          const args: Expr[] = [];
          let expand = false;
          while (!this.is(")")) {
            args.push(this.parseExpr());
            if (this.accept("...")) {
              expand = true;
              break;
            }
            if (!this.accept(",")) break;
          }
          this.expect(")", `")" to close the call of ${t.text}`);
          return { k: "call", pos: t.pos, name: t.text, args, expand };
        }
        return { k: "var", pos: t.pos, name: t.text };
      }
      case "punct":
        if (t.text === "(") {
          const e = this.parseExpr();
          this.expect(")", '")"');
          return e;
        }
        if (t.text === "[") return this.#tupleOrFor(t.pos);
        if (t.text === "{") return this.#objectOrFor(t.pos);
        break;
    }
    throw new ExprSyntaxError(`Expected an expression but found ${describe(t)}`, t.pos);
  }

  #forHead(): { keyVar?: string; valVar: string; coll: Expr } {
    this.expect("for");
    const a = this.ident('a variable name after "for"').text;
    let keyVar: string | undefined;
    let valVar = a;
    if (this.accept(",")) {
      keyVar = a;
      valVar = this.ident("a value variable name").text;
    }
    this.expect("in", '"in"');
    const coll = this.parseExpr();
    this.expect(":", '":" after the collection of the for expression');
    return { keyVar, valVar, coll };
  }

  #tupleOrFor(pos: number): Expr {
    if (this.is("for")) {
      const head = this.#forHead();
      const valExpr = this.parseExpr();
      const cond = this.accept("if") ? this.parseExpr() : undefined;
      this.expect("]", '"]" to close the for expression');
      return { k: "for", pos, ...head, valExpr, cond, group: false, object: false };
    }
    const items: Expr[] = [];
    while (!this.is("]")) {
      items.push(this.parseExpr());
      if (!this.accept(",")) break;
    }
    this.expect("]", '"," or "]" in the list');
    return { k: "tuple", pos, items };
  }

  #objectOrFor(pos: number): Expr {
    if (this.is("for")) {
      const head = this.#forHead();
      const keyExpr = this.parseExpr();
      this.expect("=>", '"=>" between key and value of the for expression');
      const valExpr = this.parseExpr();
      const group = this.accept("...");
      const cond = this.accept("if") ? this.parseExpr() : undefined;
      this.expect("}", '"}" to close the for expression');
      return { k: "for", pos, ...head, keyExpr, valExpr, cond, group, object: true };
    }
    const items: { key: Expr; value: Expr }[] = [];
    while (!this.is("}")) {
      const kt = this.peek();
      let key: Expr;
      if (kt.kind === "ident" && !["true", "false", "null"].includes(kt.text)) {
        // A bare identifier key is a literal string, unless it is a call or traversal.
        this.next();
        if (this.is("=") || this.is(":")) key = { k: "lit", pos: kt.pos, value: kt.text };
        else key = this.parsePostfix({ k: "var", pos: kt.pos, name: kt.text });
      } else key = this.parseExpr();
      if (!this.accept("=") && !this.accept(":")) {
        const t = this.peek();
        throw new ExprSyntaxError(
          `Expected "=" after the object key but found ${describe(t)}`,
          t.pos,
        );
      }
      const value = this.parseExpr();
      items.push({ key, value });
      this.accept(",");
    }
    this.expect("}", '"}" to close the object');
    return { k: "object", pos, items };
  }
}

function describe(t: Token): string {
  if (t.kind === "eof") return "the end of the expression";
  return `"${t.text.length > 20 ? t.text.slice(0, 20) + "…" : t.text}"`;
}

function templateExpr(parts: TemplatePart[], pos: number): Expr {
  if (parts.length === 0) return { k: "lit", pos, value: "" };
  if (parts.length === 1 && typeof parts[0] === "string") return { k: "lit", pos, value: parts[0] };
  return { k: "tmpl", pos, parts };
}

const ESCAPES: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  '"': '"',
  "\\": "\\",
};

/**
 * Scan a template starting at `start`. `quoted`: stops at the closing `"` and decodes escapes;
 * `bare`: the whole rest of the text is the template (JSON/YAML strings, heredocs).
 */
function scanTemplate(
  s: string,
  start: number,
  mode: "quoted" | "bare",
): { parts: TemplatePart[]; end: number } {
  // First pass: a flat list of literal text, interpolations and directive markers.
  type Flat =
    | string
    | { k: "interp"; e: Expr }
    | {
      k: "dir";
      word: string;
      pos: number;
      p?: Parser;
      c?: Expr;
      head?: ReturnType<typeof forHead>;
    };
  const flat: Flat[] = [];
  let buf = "";
  let i = start;
  const push = () => {
    if (buf) flat.push(buf);
    buf = "";
  };
  while (true) {
    if (i >= s.length) {
      if (mode === "quoted") throw new ExprSyntaxError("Unterminated string", start - 1);
      break;
    }
    const ch = s[i];
    if (mode === "quoted" && ch === '"') {
      i++;
      break;
    }
    if (mode === "quoted" && ch === "\n") {
      throw new ExprSyntaxError(
        "Unterminated string (newline before the closing quote)",
        start - 1,
      );
    }
    if (mode === "quoted" && ch === "\\") {
      const n = s[i + 1];
      if (n === "u" || n === "U") {
        const len = n === "u" ? 4 : 8;
        const hex = s.slice(i + 2, i + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) {
          throw new ExprSyntaxError("Invalid unicode escape", i);
        }
        buf += String.fromCodePoint(parseInt(hex, 16));
        i += 2 + len;
        continue;
      }
      if (!(n in ESCAPES)) throw new ExprSyntaxError(`Invalid escape "\\${n}"`, i);
      buf += ESCAPES[n];
      i += 2;
      continue;
    }
    if ((ch === "$" || ch === "%") && s[i + 1] === ch && s[i + 2] === "{") {
      buf += ch + "{";
      i += 3;
      continue;
    }
    if (ch === "$" && s[i + 1] === "{") {
      push();
      let p = new Parser(s, i + 2);
      if (s[i + 2] === "~") p = new Parser(s, i + 3);
      const e = p.parseExpr();
      p.accept("~");
      const close = p.peek();
      if (!(close.kind === "punct" && close.text === "}")) {
        throw new ExprSyntaxError(
          `Expected "}" to close the interpolation but found ${describe(close)}`,
          close.pos,
        );
      }
      p.next();
      flat.push({ k: "interp", e });
      i = p.pos;
      continue;
    }
    if (ch === "%" && s[i + 1] === "{") {
      push();
      const p = new Parser(s, s[i + 2] === "~" ? i + 3 : i + 2);
      const word = p.ident('a template directive ("if", "else", "endif", "for", "endfor")');
      const d: Flat = { k: "dir", word: word.text, pos: i };
      if (word.text === "if") d.c = p.parseExpr();
      else if (word.text === "for") d.head = forHead(p);
      else if (!["else", "endif", "endfor"].includes(word.text)) {
        throw new ExprSyntaxError(`Unknown template directive "${word.text}"`, word.pos);
      }
      p.accept("~");
      p.expect("}", '"}" to close the directive');
      flat.push(d);
      i = p.pos;
      continue;
    }
    buf += ch;
    i++;
  }
  push();
  // Second pass: nest directives.
  let k = 0;
  const build = (stop: string[]): { parts: TemplatePart[]; stoppedAt?: string } => {
    const parts: TemplatePart[] = [];
    while (k < flat.length) {
      const f = flat[k];
      if (typeof f === "string" || f.k === "interp") {
        parts.push(f as TemplatePart);
        k++;
        continue;
      }
      if (stop.includes(f.word)) return { parts, stoppedAt: f.word };
      k++;
      if (f.word === "if") {
        const a = build(["else", "endif"]);
        let b: TemplatePart[] = [];
        if (a.stoppedAt === "else") {
          k++;
          const r = build(["endif"]);
          if (r.stoppedAt !== "endif") throw new ExprSyntaxError("Missing %{endif}", f.pos);
          b = r.parts;
        } else if (a.stoppedAt !== "endif") throw new ExprSyntaxError("Missing %{endif}", f.pos);
        k++;
        parts.push({ k: "if", c: f.c!, then: a.parts, else: b });
      } else if (f.word === "for") {
        const a = build(["endfor"]);
        if (a.stoppedAt !== "endfor") throw new ExprSyntaxError("Missing %{endfor}", f.pos);
        k++;
        parts.push({ k: "for", ...f.head!, body: a.parts });
      } else {
        throw new ExprSyntaxError(`Unexpected %{${f.word}}`, f.pos);
      }
    }
    return { parts };
  };
  const { parts, stoppedAt } = build([]);
  if (stoppedAt) throw new ExprSyntaxError(`Unexpected %{${stoppedAt}}`, start);
  return { parts, end: i };
}

function forHead(p: Parser): { keyVar?: string; valVar: string; coll: Expr } {
  const a = p.ident('a variable name after "for"').text;
  let keyVar: string | undefined;
  let valVar = a;
  if (p.accept(",")) {
    keyVar = a;
    valVar = p.ident("a value variable name").text;
  }
  p.expect("in", '"in"');
  return { keyVar, valVar, coll: p.parseExpr() };
}

/** Parse one expression (the text between `${` and `}`, or a `-var` value). */
export function parseExpression(src: string): Expr {
  const p = new Parser(src, 0);
  const e = p.parseExpr();
  const t = p.peek();
  if (t.kind !== "eof") {
    throw new ExprSyntaxError(`Unexpected ${describe(t)} after the expression`, t.pos);
  }
  return e;
}

/**
 * Parse a JSON/YAML string value as a template. `"${x}"` alone becomes the expression `x`
 * itself (its value is not converted to a string), as in Terraform's JSON syntax.
 */
export function parseTemplate(src: string): Expr {
  const { parts } = scanTemplate(src, 0, "bare");
  if (parts.length === 1 && typeof parts[0] === "object" && parts[0].k === "interp") {
    return parts[0].e;
  }
  return templateExpr(parts, 0);
}

/** True when a string holds an interpolation or directive (otherwise it is plain text). */
export function isTemplate(s: string): boolean {
  return /(^|[^$%])[$%]\{/.test(s);
}

/** A reference found in an expression: its root and the traversal names that follow. */
export interface Reference {
  /** Traversal path, e.g. `["vessel_vlan", "a", "vlan_id"]` or `["var", "n"]`. */
  path: string[];
  pos: number;
}

/** Every reference rooted at a free variable (for-expression variables excluded). */
export function references(e: Expr, bound: ReadonlySet<string> = new Set()): Reference[] {
  const out: Reference[] = [];
  const walk = (x: Expr, b: ReadonlySet<string>): void => {
    switch (x.k) {
      case "lit":
      case "splatItem":
        return;
      case "tmpl":
        return walkParts(x.parts, b);
      case "var":
        if (!b.has(x.name)) out.push({ path: [x.name], pos: x.pos });
        return;
      case "attr":
      case "index": {
        // Collect the static traversal from the root.
        const chain: string[] = [];
        let cur: Expr = x;
        while (cur.k === "attr" || cur.k === "index") {
          if (cur.k === "attr") chain.unshift(cur.name);
          else {
            if (cur.key.k === "lit") chain.unshift(String(cur.key.value));
            else {
              chain.length = 0; // dynamic index: keep the root part only
              walk(cur.key, b);
            }
          }
          cur = cur.obj;
        }
        if (cur.k === "var") {
          if (!b.has(cur.name)) out.push({ path: [cur.name, ...chain], pos: cur.pos });
        } else walk(cur, b);
        // Dynamic keys further up were walked only when they reset the chain; walk all keys.
        let c2: Expr = x;
        while (c2.k === "attr" || c2.k === "index") {
          if (c2.k === "index" && c2.key.k !== "lit") walk(c2.key, b);
          c2 = c2.obj;
        }
        return;
      }
      case "splat":
        walk(x.obj, b);
        return walk(x.each, b);
      case "call":
        return x.args.forEach((a) => walk(a, b));
      case "tuple":
        return x.items.forEach((a) => walk(a, b));
      case "object":
        return x.items.forEach((i) => (walk(i.key, b), walk(i.value, b)));
      case "unary":
        return walk(x.e, b);
      case "binary":
        walk(x.l, b);
        return walk(x.r, b);
      case "cond":
        walk(x.c, b);
        walk(x.t, b);
        return walk(x.f, b);
      case "for": {
        walk(x.coll, b);
        const inner = new Set(b);
        inner.add(x.valVar);
        if (x.keyVar) inner.add(x.keyVar);
        if (x.keyExpr) walk(x.keyExpr, inner);
        walk(x.valExpr, inner);
        if (x.cond) walk(x.cond, inner);
        return;
      }
    }
  };
  const walkParts = (parts: TemplatePart[], b: ReadonlySet<string>): void => {
    for (const p of parts) {
      if (typeof p === "string") continue;
      if (p.k === "interp") walk(p.e, b);
      else if (p.k === "if") {
        walk(p.c, b);
        walkParts(p.then, b);
        walkParts(p.else, b);
      } else {
        walk(p.coll, b);
        const inner = new Set(b);
        inner.add(p.valVar);
        if (p.keyVar) inner.add(p.keyVar);
        walkParts(p.body, inner);
      }
    }
  };
  walk(e, bound);
  // Deduplicate (the dynamic-key double walk can repeat).
  const seen = new Set<string>();
  return out.filter((r) => {
    const key = `${r.pos}:${r.path.join(".")}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
