/**
 * Load `.hcl`, `.yaml`/`.yml` and `.json` configuration (one file or a directory) into one
 * intermediate form with Terraform JSON-syntax semantics, keeping the `file:line:col` of every
 * block and attribute so that later errors can point at the source. Blocks: `resource`, `data`,
 * `variable`, `locals`, `output`. String values stay templates (`"${...}"`), evaluated later.
 *
 * @example
 * const doc = await loadConfig(["examples/vlans.hcl"]);
 * doc.resources[0].position; // { file: "examples/vlans.hcl", line: 4, column: 1 }
 * @throws {ConfigError} malformed input, with file:line:col
 */
import { ConfigError, type SourcePosition } from "../errors.ts";
import type {
  Attributes,
  BlockSource,
  ConfigDocument,
  LocalValue,
  NamedBlock,
  ResourceBlock,
} from "./types.ts";
import { closest } from "../util/suggest.ts";

const EXTENSIONS = [".hcl", ".tf", ".yaml", ".yml", ".json"];
/** Top-level block kinds of a configuration. */
export const TOP_LEVEL = ["resource", "data", "variable", "locals", "output"];

/** Load every path (files, or directories whose config files are read in name order). */
export async function loadConfig(paths: string[]): Promise<ConfigDocument> {
  const files: string[] = [];
  for (const p of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(p);
    } catch {
      throw new ConfigError(`Configuration file ${p} does not exist`, {
        position: { file: p },
        hint: "Pass an existing .hcl, .yaml or .json file or a directory with -f",
      });
    }
    if (info.isDirectory) {
      const names: string[] = [];
      for await (const e of Deno.readDir(p)) {
        if (e.isFile && EXTENSIONS.some((x) => e.name.endsWith(x))) names.push(e.name);
      }
      names.sort();
      files.push(...names.map((n) => `${p.replace(/\/$/, "")}/${n}`));
    } else files.push(p);
  }
  if (files.length === 0) {
    throw new ConfigError(`No configuration files found in ${paths.join(", ")}`, {
      hint: `Configuration files end in ${EXTENSIONS.join(", ")}`,
    });
  }
  const doc: ConfigDocument = {
    files,
    resources: [],
    data: [],
    variables: [],
    locals: [],
    outputs: [],
  };
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    const part = await parseConfigDocument(file, text);
    doc.resources.push(...part.resources);
    doc.data!.push(...part.data!);
    doc.variables!.push(...part.variables!);
    doc.locals!.push(...part.locals!);
    doc.outputs!.push(...part.outputs!);
  }
  const seen = new Map<string, SourcePosition>();
  const unique = (addr: string, what: string, pos: SourcePosition) => {
    const first = seen.get(addr);
    if (first) {
      throw new ConfigError(`Duplicate ${what} ${addr}: already declared at ${fmtPos(first)}`, {
        position: pos,
        hint: `Give each ${what} a unique name`,
      });
    }
    seen.set(addr, pos);
  };
  for (const r of doc.resources) unique(`${r.type}.${r.name}`, "resource", r.position);
  for (const r of doc.data!) unique(`data.${r.type}.${r.name}`, "data source", r.position);
  for (const v of doc.variables!) unique(`var.${v.name}`, "variable", v.position);
  for (const l of doc.locals!) unique(`local.${l.name}`, "local value", l.position);
  for (const o of doc.outputs!) unique(`output.${o.name}`, "output", o.position);
  return doc;
}

/** Parse one file's resource blocks (kept for callers that only need resources). */
export async function parseConfigText(file: string, text: string): Promise<ResourceBlock[]> {
  return (await parseConfigDocument(file, text)).resources;
}

/** Parse one file's text according to its extension. */
export async function parseConfigDocument(file: string, text: string): Promise<ConfigDocument> {
  if (file.endsWith(".yaml") || file.endsWith(".yml")) return await parseYaml(file, text);
  if (file.endsWith(".json")) return parseJson(file, text);
  return await parseHcl(file, text);
}

/** Parse a YAML, JSON or HCL file into a plain value (used for -var-file). */
export async function parsePlainFile(file: string, text: string): Promise<Record<string, unknown>> {
  if (file.endsWith(".yaml") || file.endsWith(".yml")) {
    const YAML = await import("yaml");
    const doc = YAML.parseDocument(text, { prettyErrors: false });
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      throw new ConfigError(firstLine(e.message), {
        position: { file, line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col },
      });
    }
    return (doc.toJS() ?? {}) as Record<string, unknown>;
  }
  if (file.endsWith(".json")) {
    try {
      return JSON.parse(text);
    } catch (e) {
      const offset = jsonErrorOffset(text);
      throw new ConfigError(`Invalid JSON: ${firstLine(String((e as Error).message))}`, {
        position: offsetPosition(file, text, offset),
      });
    }
  }
  const { parse } = await import("@cdktf/hcl2json");
  try {
    return await parse(file, text) as Record<string, unknown>;
  } catch (e) {
    throw hclError(file, String((e as Error)?.message ?? e));
  }
}

function fmtPos(p: SourcePosition): string {
  return [p.file, p.line, p.column].filter((x) => x !== undefined).join(":");
}

/** Line/column of a character offset. */
export function offsetPosition(file: string, text: string, offset: number): SourcePosition {
  const before = text.slice(0, offset);
  return { file, line: before.split("\n").length, column: offset - before.lastIndexOf("\n") };
}

/** Character offset of a line/column (1-based). */
export function positionOffset(text: string, line: number, column: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return off + column - 1;
}

// ---------------------------------------------------------------------------------------------
// HCL

async function parseHcl(file: string, text: string): Promise<ConfigDocument> {
  const { parse } = await import("@cdktf/hcl2json");
  let json: Record<string, unknown>;
  try {
    json = await parse(file, text) as Record<string, unknown>;
  } catch (e) {
    throw hclError(file, String((e as Error)?.message ?? e));
  }
  const headers = scanHclHeaders(text);
  const source: BlockSource = { file, text };
  const posOf = (path: (string | number)[]): SourcePosition => {
    const [kind] = path;
    if (path.length === 1) {
      const re = new RegExp(`^\\s*${kind}\\b`, "m");
      const idx = text.search(re);
      return { file, line: idx < 0 ? undefined : text.slice(0, idx).split("\n").length, column: 1 };
    }
    let key: string;
    let attr: string | undefined;
    if (kind === "resource" || kind === "data") {
      key = `${kind}.${path[1]}.${path[2] ?? ""}`;
      attr = path[3] as string | undefined;
      if (path[2] === undefined) {
        const h = [...headers.entries()].find(([k]) => k.startsWith(`${kind}.${path[1]}.`));
        return h ? { file, line: h[1].line, column: h[1].column } : { file };
      }
    } else if (kind === "locals") {
      const h = [...headers.entries()].find(([k, v]) =>
        k.startsWith("locals#") && v.attributes[path[1]]
      );
      const a = h?.[1].attributes[path[1] as string];
      return a ? { file, ...a } : { file };
    } else {
      key = `${kind}.${path[1]}`;
      attr = path[2] as string | undefined;
    }
    const h = headers.get(key);
    if (!h) return { file };
    if (attr !== undefined && h.attributes[attr]) return { file, ...h.attributes[attr] };
    return { file, line: h.line, column: h.column };
  };
  return fromTerraformJson(file, json, posOf, source);
}

/** `main.hcl:2,7-3,1: Invalid expression; Expected ...` → ConfigError at file:2:7. */
function hclError(file: string, raw: string): ConfigError {
  const m = raw.match(/([^\s\[]+):(\d+),(\d+)(?:-\d+(?:,\d+)?)?: ([^\]]*)/);
  if (!m) return new ConfigError(`Cannot parse ${file}: ${raw}`, { position: { file } });
  const [, , line, col, msg] = m;
  const [summary, ...detail] = msg.split("; ");
  return new ConfigError(`${summary.trim()}: ${detail.join("; ").trim()}`.replace(/: $/, ""), {
    position: { file, line: Number(line), column: Number(col) },
    hint: "Fix the HCL syntax at that position",
  });
}

interface HclHeader {
  line: number;
  column: number;
  attributes: Record<string, { line: number; column: number }>;
}

/**
 * hcl2json gives no positions for valid documents: recover them by locating each block header
 * (`resource "type" "name" {`, `data ...`, `variable "x" {`, `output "x" {`, `locals {`) and the
 * `key =` lines at depth 1 of its body. Keys: `resource.type.name`, `data.type.name`,
 * `variable.x`, `output.x`, `locals#N`.
 */
function scanHclHeaders(text: string): Map<string, HclHeader> {
  const out = new Map<string, HclHeader>();
  const lines = text.split("\n");
  const header =
    /^(\s*)(?:(resource|data)\s+"([^"]+)"\s+"([^"]+)"|(variable|output)\s+"([^"]+)"|(locals))\s*\{/;
  let localsCount = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(header);
    if (!m) continue;
    const h: HclHeader = { line: i + 1, column: m[1].length + 1, attributes: {} };
    const key = m[2]
      ? `${m[2]}.${m[3]}.${m[4]}`
      : m[5]
      ? `${m[5]}.${m[6]}`
      : `locals#${localsCount++}`;
    out.set(key, h);
    let depth = 0;
    for (let j = i; j < lines.length; j++) {
      const line = j === i ? lines[j].slice(lines[j].indexOf("{")) : lines[j];
      if (depth === 1 && j > i) {
        const a = line.match(/^(\s*)([A-Za-z_][\w-]*)\s*=(?!=)/);
        if (a) h.attributes[a[2]] = { line: j + 1, column: a[1].length + 1 };
        const b = line.match(/^(\s*)([A-Za-z_][\w-]*)\s*\{/);
        if (b && !h.attributes[b[2]]) h.attributes[b[2]] = { line: j + 1, column: b[1].length + 1 };
      }
      for (const ch of line.replace(/"(?:[^"\\]|\\.)*"/g, "").replace(/#.*$|\/\/.*$/, "")) {
        if (ch === "{") depth++;
        else if (ch === "}") depth--;
      }
      if (depth <= 0) break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// YAML and JSON

async function parseYaml(file: string, text: string): Promise<ConfigDocument> {
  const YAML = await import("yaml");
  const lc = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    throw new ConfigError(firstLine(e.message), {
      position: { file, line: pos?.line, column: pos?.col },
      hint: "Fix the YAML syntax at that position",
    });
  }
  const value = doc.toJS() ?? {};
  const posOf = (path: (string | number)[]): SourcePosition => {
    // deno-lint-ignore no-explicit-any
    const node = doc.getIn(path, true) as any;
    // For a map entry the key position is more helpful than the value's: find the pair.
    // deno-lint-ignore no-explicit-any
    const parent = doc.getIn(path.slice(0, -1), true) as any;
    // deno-lint-ignore no-explicit-any
    const pair = parent?.items?.find?.((p: any) => p?.key?.value === path[path.length - 1]);
    const range = pair?.key?.range ?? node?.range;
    if (!range) return { file };
    const lp = lc.linePos(range[0]);
    return { file, line: lp.line, column: lp.col };
  };
  return fromTerraformJson(file, value, posOf, { file, text });
}

function parseJson(file: string, text: string): ConfigDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // V8's messages carry no line numbers: find the offset of the first error ourselves.
    const offset = jsonErrorOffset(text);
    throw new ConfigError(`Invalid JSON: ${firstLine(String((e as Error).message))}`, {
      position: offsetPosition(file, text, offset),
      hint: "Fix the JSON syntax at that position",
    });
  }
  const posOf = (path: (string | number)[]): SourcePosition => {
    // Best effort: find the quoted keys of the path in order.
    let from = 0;
    let idx = -1;
    for (const p of path) {
      const at = text.indexOf(JSON.stringify(String(p)), from);
      if (at < 0) break;
      idx = at;
      from = at + 1;
    }
    if (idx < 0) return { file };
    return offsetPosition(file, text, idx);
  };
  return fromTerraformJson(file, value, posOf, { file, text });
}

function asMapping(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? v as Record<string, unknown>
    : undefined;
}

/** hcl2json wraps every block body in a list; the JSON syntax may too. */
function unwrap(v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

function fromTerraformJson(
  file: string,
  value: unknown,
  posOf: (path: (string | number)[]) => SourcePosition,
  source: BlockSource,
): ConfigDocument {
  const root = asMapping(value);
  if (!root) {
    throw new ConfigError("The configuration must be a mapping with a `resource` key", {
      position: { file, line: 1, column: 1 },
      hint: 'Start the file with `resource:` (YAML) or {"resource": ...} (JSON)',
    });
  }
  checkTopLevel(root, (k) => posOf([k]));
  const doc: ConfigDocument = {
    files: [file],
    resources: [],
    data: [],
    variables: [],
    locals: [],
    outputs: [],
  };
  const attrPositions = (path: (string | number)[], body: Attributes) =>
    Object.fromEntries(Object.keys(body).map((k) => [k, posOf([...path, k])]));
  for (const kind of ["resource", "data"] as const) {
    const res = root[kind] ?? {};
    if (!asMapping(res)) {
      throw new ConfigError(`\`${kind}\` must map resource types to named blocks`, {
        position: posOf([kind]),
      });
    }
    for (const [type, byName] of Object.entries(res as Record<string, unknown>)) {
      const names = asMapping(unwrap(byName));
      if (!names) {
        throw new ConfigError(`${kind}.${type} must map block names to attributes`, {
          position: posOf([kind, type]),
        });
      }
      for (const [name, body] of Object.entries(names)) {
        const b = asMapping(unwrap(body ?? {}));
        if (!b) {
          throw new ConfigError(`${kind}.${type}.${name} must be a mapping of attributes`, {
            position: posOf([kind, type, name]),
          });
        }
        const block: ResourceBlock = {
          type,
          name,
          body: b,
          position: posOf([kind, type, name]),
          attributePositions: attrPositions([kind, type, name], b),
          source,
        };
        if (kind === "data") {
          block.mode = "data";
          doc.data!.push(block);
        } else doc.resources.push(block);
      }
    }
  }
  for (const kind of ["variable", "output"] as const) {
    const all = root[kind];
    if (all === undefined) continue;
    const m = asMapping(all);
    if (!m) {
      throw new ConfigError(`\`${kind}\` must map names to blocks`, { position: posOf([kind]) });
    }
    for (const [name, body] of Object.entries(m)) {
      const b = asMapping(unwrap(body ?? {}));
      if (!b) {
        throw new ConfigError(`${kind} "${name}" must be a mapping`, {
          position: posOf([kind, name]),
        });
      }
      const block: NamedBlock = {
        name,
        body: b,
        position: posOf([kind, name]),
        attributePositions: attrPositions([kind, name], b),
        source,
      };
      (kind === "variable" ? doc.variables! : doc.outputs!).push(block);
    }
  }
  if (root.locals !== undefined) {
    const blocks = Array.isArray(root.locals) ? root.locals : [root.locals];
    for (const lb of blocks) {
      const m = asMapping(lb);
      if (!m) throw new ConfigError("`locals` must be a mapping", { position: posOf(["locals"]) });
      for (const [name, v] of Object.entries(m)) {
        const l: LocalValue = { name, value: v, position: posOf(["locals", name]), source };
        doc.locals!.push(l);
      }
    }
  }
  return doc;
}

function checkTopLevel(
  value: Record<string, unknown>,
  posOf: (key: string) => SourcePosition,
): void {
  for (const key of Object.keys(value)) {
    if (TOP_LEVEL.includes(key) || key === "$schema") continue;
    const guess = closest(key, TOP_LEVEL);
    throw new ConfigError(`Unsupported top-level block "${key}"`, {
      position: posOf(key),
      hint: guess ? `Did you mean "${guess}"?` : `Supported blocks: ${TOP_LEVEL.join(", ")}`,
    });
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0].trim();
}

/** Offset of the first syntax error in `text` (a minimal JSON scanner), or its length. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const str = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const val = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      while (true) {
        ws();
        str();
        ws();
        if (text[i] !== ":") fail();
        i++;
        val();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else fail();
      }
    } else if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      while (true) {
        val();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    } else if (ch === '"') str();
    else {
      const m = text.slice(i).match(
        /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/,
      );
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    val();
    ws();
    if (i < text.length) fail();
  } catch (at) {
    if (typeof at === "number") return Math.min(at, text.length);
    throw at;
  }
  return text.length;
}
