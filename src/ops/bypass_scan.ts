/**
 * Static scan for mutations that bypass the change envelope.
 *
 * 1. Collect the SDK's write functions: every method or function declared in `src/chassis`
 *    whose name starts with create/update/delete/set/save/apply/insert/eject/reset/power
 *    followed by an upper-case letter or digit (`createVlan`, `powerOn`), or is exactly `save`,
 *    `apply`, `insert`, `eject`, `reset` or `power` (bare `set`/`delete`/`create`/`update` would match
 *    every `Map` in the tree; SDK methods are named after their object).
 * 2. Find every call site of those names in `src/`, `scripts/`, `bench/` and `examples/`
 *    (tests, the SDK itself, the drivers and the simulator excluded; comments stripped).
 * 3. A call site is allowed only in `src/resources/**` (resource create/update/delete, which the
 *    engine runs inside `runChange` through `engineWrap`) or in `src/ops/**` files that call
 *    `runChange` or implement a `ScopeCollector` (whose `restore` only the envelope and
 *    `vessel restore` call, both inside `runChange`), or when an {@link AllowEntry} says why.
 * 4. Every `applyPlan(` call outside `src/engine` must pass a `wrap` (the envelope adapter).
 *
 * @example
 * const v = await scanForBypasses("."); // [] when clean
 *
 * @module
 */
import { join, relative } from "node:path";

/** An explicit exception, with the reason it is safe. */
export interface AllowEntry {
  /** Path relative to the root, e.g. `src/cmd/sim.ts`. */
  file: string;
  /** Method name, or `*` for every write method in that file. */
  method: string;
  reason: string;
}

/** One call site that bypasses the envelope. */
export interface Violation {
  file: string;
  line: number;
  method: string;
  text: string;
  rule: string;
}

/** Exceptions for the real tree. Keep it short; each entry needs a reason. */
export const ALLOW_LIST: AllowEntry[] = [];

/** Names treated as SDK writes. */
export const WRITE_NAME =
  /^(?:(?:create|update|delete|set|save|apply|insert|eject|reset|power)[A-Z0-9_][A-Za-z0-9_]*|save|apply|insert|eject|reset|power)$/;

/** Read-only names that match {@link WRITE_NAME} by prefix but do not mutate. */
const READ_LIKE =
  /^(?:power(?:State|Status|Info|Reading|Readings|Consumption|Metrics|Supplies|Supply|From)\w*|reset(?:Trace|Cache|Stats|Metrics)\w*)$/;

/** `.redfish(target, "PATCH" | "POST" | "PUT" | "DELETE", ...)`: a write through the device hub. */
const TRANSPORT_WRITE =
  /\.redfish\s*(?:<[^>()]*>)?\s*\(\s*[^,()]+,\s*["'`](PATCH|POST|PUT|DELETE)["'`]/g;

/** Directories scanned for call sites (relative to the root). */
const SCAN_DIRS = ["src", "scripts", "bench", "examples"];

/** Directories never scanned for call sites: the SDK, its transports, the simulator. */
const EXEMPT = ["src/chassis/", "src/drivers/", "src/sim/"];

async function* tsFiles(root: string, dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = [];
    for await (const e of Deno.readDir(join(root, dir))) entries.push(e);
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory) {
      if (e.name === "node_modules" || e.name.startsWith(".")) continue;
      yield* tsFiles(root, rel);
    } else if (/\.(ts|tsx|mts|js|mjs)$/.test(e.name) && !/\.d\.ts$/.test(e.name)) {
      yield rel;
    }
  }
}

function isTestFile(rel: string): boolean {
  return /_test\.(ts|tsx|js)$/.test(rel) || /(^|\/)testing\//.test(rel) ||
    /(^|\/)testdata\//.test(rel);
}

/** Replace comments and the content of string literals by spaces, keeping line numbers. */
export function stripCommentsAndStrings(src: string): string {
  let out = "";
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i], d = src[i + 1];
    if (c === "/" && d === "/") {
      while (i < n && src[i] !== "\n") {
        out += " ";
        i++;
      }
    } else if (c === "/" && d === "*") {
      while (i < n && !(src[i] === "*" && src[i + 1] === "/")) {
        out += src[i] === "\n" ? "\n" : " ";
        i++;
      }
      out += "  ";
      i += 2;
    } else if (c === '"' || c === "'") {
      out += c;
      i++;
      while (i < n && src[i] !== c && src[i] !== "\n") {
        if (src[i] === "\\") {
          out += " ";
          i++;
        }
        out += " ";
        i++;
      }
      out += src[i] ?? "";
      i++;
    } else if (c === "`") {
      // Template literal: blank the text, keep `${ ... }` expressions (calls can hide there).
      out += c;
      i++;
      while (i < n && src[i] !== "`") {
        if (src[i] === "\\") {
          out += "  ";
          i += 2;
          continue;
        }
        if (src[i] === "$" && src[i + 1] === "{") {
          let depth = 0;
          while (i < n) {
            if (src[i] === "{") depth++;
            if (src[i] === "}") {
              depth--;
              if (depth === 0) {
                out += "}";
                i++;
                break;
              }
            }
            out += src[i];
            i++;
          }
          continue;
        }
        out += src[i] === "\n" ? "\n" : " ";
        i++;
      }
      out += "`";
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Write-method names declared by the SDK under `<root>/src/chassis`. */
export async function findSdkWriteMethods(root: string): Promise<Set<string>> {
  const names = new Set<string>();
  const decl = [
    // methods in classes, interfaces and object literals: `async createVlan(`, `createVlan<T>(`
    /^\s*(?:(?:public|protected|static|readonly|async|override|abstract|get|set)\s+)*([A-Za-z_]\w*)\s*(?:<[^>()]*>)?\s*\(/gm,
    // function-typed properties: `createVlan: (`, `createVlan?(`, `createVlan: async (`
    /^\s*(?:readonly\s+)?([A-Za-z_]\w*)\??\s*:\s*(?:async\s*)?(?:<[^>()]*>)?\s*\(/gm,
    /^\s*(?:readonly\s+)?([A-Za-z_]\w*)\??\s*:\s*(?:async\s+)?function\b/gm,
    // functions: `export async function createVlan(`, `const createVlan = async (`
    /\bfunction\s+([A-Za-z_]\w*)\s*(?:<[^>()]*>)?\s*\(/g,
    /\b(?:const|let)\s+([A-Za-z_]\w*)\s*=\s*(?:async\s*)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>)/g,
  ];
  for await (const rel of tsFiles(root, "src/chassis")) {
    if (isTestFile(rel)) continue;
    const text = stripCommentsAndStrings(await Deno.readTextFile(join(root, rel)));
    for (const re of decl) {
      for (const m of text.matchAll(re)) {
        const name = m[1];
        if (
          WRITE_NAME.test(name) && !READ_LIKE.test(name) &&
          !["if", "for", "while", "switch"].includes(name)
        ) {
          names.add(name);
        }
      }
    }
  }
  return names;
}

/**
 * Scan the tree at `root` (a Vessel checkout) for envelope bypasses.
 *
 * @param methods write-method names; default {@link findSdkWriteMethods}
 */
export async function scanForBypasses(
  root: string,
  options: { methods?: Set<string>; allow?: AllowEntry[] } = {},
): Promise<Violation[]> {
  const methods = options.methods ?? (await findSdkWriteMethods(root));
  const allow = options.allow ?? ALLOW_LIST;
  const violations: Violation[] = [];
  const names = [...methods].sort((a, b) => b.length - a.length);
  const alt = names.join("|");
  const callRe = names.length
    ? new RegExp(`(?:\\.\\s*|\\?\\.\\s*)(${alt})\\s*(?:<[^>()]*>)?\\s*\\(`, "g")
    : null;
  // `sw["createVlan"](...)`: matched on the raw text (string contents are blanked in `code`),
  // kept only when the bracket itself is code, not inside a comment or string.
  const bracketRe = names.length
    ? new RegExp(`\\[\\s*["'\`](${alt})["'\`]\\s*\\]\\s*\\(`, "g")
    : null;
  for (const dir of SCAN_DIRS) {
    for await (const rel of tsFiles(root, dir)) {
      if (isTestFile(rel) || EXEMPT.some((p) => rel.startsWith(p))) continue;
      const raw = await Deno.readTextFile(join(root, rel));
      const code = stripCommentsAndStrings(raw);
      const rawLines = raw.split("\n");
      const lineOf = (idx: number) => code.slice(0, idx).split("\n").length;
      const isOps = rel.startsWith("src/ops/");
      const isResource = rel.startsWith("src/resources/");
      const opsOk = isOps && (/\brunChange\s*\(/.test(code) || /\bScopeCollector\b/.test(code));
      {
        const hits: { index: number; method: string }[] = [
          ...(callRe ? [...code.matchAll(callRe)] : []).map((m) => ({
            index: m.index!,
            method: m[1],
          })),
          ...(bracketRe ? [...raw.matchAll(bracketRe)] : []).filter((m) => code[m.index!] === "[")
            .map((m) => ({ index: m.index!, method: m[1] })),
        ];
        // Generic transport writes through the SDK's device hub: hub.redfish(target, "PATCH", ...).
        for (const m of raw.matchAll(TRANSPORT_WRITE)) {
          if (code[m.index!] === ".") hits.push({ index: m.index!, method: `redfish ${m[1]}` });
        }
        for (const m of hits) {
          const method = m.method;
          if (isResource || opsOk) continue;
          if (allow.some((a) => a.file === rel && (a.method === "*" || a.method === method))) {
            continue;
          }
          const line = lineOf(m.index);
          violations.push({
            file: rel,
            line,
            method,
            text: rawLines[line - 1]?.trim() ?? "",
            rule: isOps
              ? "SDK write in src/ops outside a runChange or scope collector file"
              : "SDK write outside src/ops and src/resources",
          });
        }
      }
      if (!rel.startsWith("src/engine/")) {
        for (const m of code.matchAll(/\bapplyPlan\s*\(/g)) {
          // The call's argument list: up to the matching parenthesis.
          let depth = 0, j = m.index! + m[0].length - 1;
          for (; j < code.length; j++) {
            if (code[j] === "(") depth++;
            else if (code[j] === ")" && --depth === 0) break;
          }
          const args = code.slice(m.index!, j);
          if (
            /\bfunction\s+applyPlan\b/.test(code.slice(Math.max(0, m.index! - 20), m.index! + 12))
          ) continue;
          if (!/\bwrap\b/.test(args)) {
            if (
              allow.some((a) => a.file === rel && (a.method === "*" || a.method === "applyPlan"))
            ) continue;
            const line = lineOf(m.index!);
            violations.push({
              file: rel,
              line,
              method: "applyPlan",
              text: rawLines[line - 1]?.trim() ?? "",
              rule: "applyPlan without wrap: resource writes would run outside the envelope",
            });
          }
        }
      }
    }
  }
  return violations;
}

/** Human-readable list of violations. */
export function formatViolations(root: string, v: Violation[]): string {
  return v.map((x) =>
    `${relative(".", join(root, x.file))}:${x.line}: ${x.method}: ${x.rule}\n    ${x.text}`
  )
    .join("\n");
}
