/**
 * Load `.hcl`, `.yaml`/`.yml` and `.json` configuration (one file or a directory) into one
 * intermediate form with Terraform JSON-syntax semantics, keeping the `file:line:col` of every
 * resource block and attribute so that later errors can point at the source.
 *
 * @example
 * const doc = await loadConfig(["examples/vlans.hcl"]);
 * doc.resources[0].position; // { file: "examples/vlans.hcl", line: 3, column: 1 }
 * @throws {ConfigError} malformed input, with file:line:col
 */
import { ConfigError, type SourcePosition } from "../errors.ts";
import type { Attributes, ConfigDocument, ResourceBlock } from "./types.ts";
import { closest } from "../util/suggest.ts";

const EXTENSIONS = [".hcl", ".tf", ".yaml", ".yml", ".json"];
const TOP_LEVEL = ["resource"];

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
  const resources: ResourceBlock[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    resources.push(...await parseConfigText(file, text));
  }
  const seen = new Map<string, ResourceBlock>();
  for (const r of resources) {
    const addr = `${r.type}.${r.name}`;
    const first = seen.get(addr);
    if (first) {
      throw new ConfigError(
        `Duplicate resource ${addr}: already declared at ${fmtPos(first.position)}`,
        { position: r.position, hint: "Give each resource block a unique name" },
      );
    }
    seen.set(addr, r);
  }
  return { files, resources };
}

/** Parse one file's text according to its extension. */
export async function parseConfigText(file: string, text: string): Promise<ResourceBlock[]> {
  if (file.endsWith(".yaml") || file.endsWith(".yml")) return await parseYaml(file, text);
  if (file.endsWith(".json")) return parseJson(file, text);
  return await parseHcl(file, text);
}

function fmtPos(p: SourcePosition): string {
  return [p.file, p.line, p.column].filter((x) => x !== undefined).join(":");
}

// ---------------------------------------------------------------------------------------------
// HCL

async function parseHcl(file: string, text: string): Promise<ResourceBlock[]> {
  const { parse } = await import("@cdktf/hcl2json");
  let json: Record<string, unknown>;
  try {
    json = await parse(file, text) as Record<string, unknown>;
  } catch (e) {
    throw hclError(file, String((e as Error)?.message ?? e));
  }
  const headers = scanHclHeaders(text);
  checkTopLevel(json, (key) => {
    const re = new RegExp(`^\\s*${key}\\b`, "m");
    const idx = text.search(re);
    return { file, line: idx < 0 ? undefined : text.slice(0, idx).split("\n").length, column: 1 };
  });
  const out: ResourceBlock[] = [];
  const res = (json.resource ?? {}) as Record<string, Record<string, Attributes[]>>;
  for (const [type, byName] of Object.entries(res)) {
    for (const [name, bodies] of Object.entries(byName)) {
      const body = Array.isArray(bodies) ? bodies[0] ?? {} : bodies as Attributes;
      const h = headers.get(`${type}.${name}`);
      out.push({
        type,
        name,
        body,
        position: { file, line: h?.line, column: h?.column },
        attributePositions: Object.fromEntries(
          Object.entries(h?.attributes ?? {}).map(([k, v]) => [k, { file, ...v }]),
        ),
      });
    }
  }
  return out;
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
 * hcl2json gives no positions for valid documents: recover them by locating each
 * `resource "type" "name" {` header and the `key =` lines at depth 1 of its body.
 */
function scanHclHeaders(text: string): Map<string, HclHeader> {
  const out = new Map<string, HclHeader>();
  const lines = text.split("\n");
  const header = /^(\s*)resource\s+"([^"]+)"\s+"([^"]+)"\s*\{/;
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i].match(header);
    if (!m) continue;
    const h: HclHeader = { line: i + 1, column: m[1].length + 1, attributes: {} };
    out.set(`${m[2]}.${m[3]}`, h);
    let depth = 1;
    for (let j = i + 1; j < lines.length && depth > 0; j++) {
      const line = lines[j];
      if (depth === 1) {
        const a = line.match(/^(\s*)([A-Za-z_][\w-]*)\s*=/);
        if (a) h.attributes[a[2]] = { line: j + 1, column: a[1].length + 1 };
      }
      for (const ch of line.replace(/"(?:[^"\\]|\\.)*"/g, "").replace(/#.*$|\/\/.*$/, "")) {
        if (ch === "{") depth++;
        else if (ch === "}") depth--;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// YAML and JSON

async function parseYaml(file: string, text: string): Promise<ResourceBlock[]> {
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
  return fromTerraformJson(file, value, posOf);
}

function parseJson(file: string, text: string): ResourceBlock[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // V8's messages carry no line numbers: find the offset of the first error ourselves.
    const offset = jsonErrorOffset(text);
    const before = text.slice(0, offset);
    throw new ConfigError(`Invalid JSON: ${firstLine(String((e as Error).message))}`, {
      position: {
        file,
        line: before.split("\n").length,
        column: offset - before.lastIndexOf("\n"),
      },
      hint: "Fix the JSON syntax at that position",
    });
  }
  const posOf = (path: (string | number)[]): SourcePosition => {
    // Best effort: find the quoted key of the last path element.
    const key = JSON.stringify(String(path[path.length - 1]));
    const idx = (text as string).indexOf(key);
    if (idx < 0) return { file };
    const before = text.slice(0, idx);
    return { file, line: before.split("\n").length, column: idx - before.lastIndexOf("\n") };
  };
  return fromTerraformJson(file, value, posOf);
}

function fromTerraformJson(
  file: string,
  value: unknown,
  posOf: (path: (string | number)[]) => SourcePosition,
): ResourceBlock[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError("The configuration must be a mapping with a `resource` key", {
      position: { file, line: 1, column: 1 },
      hint: 'Start the file with `resource:` (YAML) or {"resource": ...} (JSON)',
    });
  }
  checkTopLevel(value as Record<string, unknown>, (k) => posOf([k]));
  const res = (value as Record<string, unknown>).resource ?? {};
  if (typeof res !== "object" || Array.isArray(res)) {
    throw new ConfigError("`resource` must map resource types to named blocks", {
      position: posOf(["resource"]),
    });
  }
  const out: ResourceBlock[] = [];
  for (const [type, byName] of Object.entries(res as Record<string, unknown>)) {
    if (byName === null || typeof byName !== "object" || Array.isArray(byName)) {
      throw new ConfigError(`resource.${type} must map block names to attributes`, {
        position: posOf(["resource", type]),
      });
    }
    for (const [name, body] of Object.entries(byName as Record<string, unknown>)) {
      const b = Array.isArray(body) ? body[0] : body;
      if (b === null || typeof b !== "object") {
        throw new ConfigError(`resource.${type}.${name} must be a mapping of attributes`, {
          position: posOf(["resource", type, name]),
        });
      }
      const attributePositions: Record<string, SourcePosition> = {};
      for (const k of Object.keys(b as object)) {
        attributePositions[k] = posOf(["resource", type, name, k]);
      }
      out.push({
        type,
        name,
        body: b as Attributes,
        position: posOf(["resource", type, name]),
        attributePositions,
      });
    }
  }
  return out;
}

function checkTopLevel(
  value: Record<string, unknown>,
  posOf: (key: string) => SourcePosition,
): void {
  for (const key of Object.keys(value)) {
    if (TOP_LEVEL.includes(key)) continue;
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
