/**
 * Diffs used by `vessel snapshot diff`, restore previews and the envelope's evidence.
 *
 * - {@link diffText}: line diff (longest common subsequence), lines `- old` / `+ new`.
 * - {@link diffJson}: structural diff in the upstream drift format (dotted key paths):
 *   `- a.b: removed (was X)`, `+ a.b: added (Y)`, `a.b: type object -> array`,
 *   `a.b: list changed (3 -> 4 items)`, `a.b: "old" -> "new"`; lists compared as whole values.
 * - {@link diffCaptures}: per file of two scope captures, picking JSON or text by extension,
 *   after dropping volatile keys ({@link VOLATILE_JSON_KEYS}) and volatile lines.
 *
 * @example
 * diffText("vlan 1\nvlan 10", "vlan 1\nvlan 20"); // ["- vlan 10", "+ vlan 20"]
 *
 * @module
 */
import type { ScopeCapture } from "../scope.ts";

/** Keys ignored at any depth when comparing JSON (Redfish volatile keys, redfish.md §1.5). */
export const VOLATILE_JSON_KEYS: readonly string[] = [
  "@odata.context",
  "@odata.etag",
  "Modified",
  "ModifiedDate",
  "Time",
  "DateTime",
  "DateTimeLocalOffset",
  "PowerConsumedWatts",
  "ReadingCelsius",
  "ReadingVolts",
  "ReadingRPM",
  "Reading",
  "MinReadingRange",
  "MaxReadingRange",
  "LowerThresholdNonCritical",
  "UpperThresholdNonCritical",
];

/** Text lines ignored when comparing configurations (VRP time stamps, Vessel's own headers). */
export const VOLATILE_LINE_PATTERNS: readonly RegExp[] = [
  /^\s*!\s*(Software Version|Last configuration was (updated|saved)|Time of)\b.*$/i,
  /^\s*#\s*vessel:(captured|time)\b.*$/i,
];

/** Line diff of two texts; `context` unchanged lines are not shown. */
export function diffText(
  a: string,
  b: string,
  options: { ignore?: readonly RegExp[] } = {},
): string[] {
  const ignore = options.ignore ?? VOLATILE_LINE_PATTERNS;
  const keep = (l: string) => !ignore.some((re) => re.test(l));
  const x = splitLines(a).filter(keep);
  const y = splitLines(b).filter(keep);
  // Trim common head and tail, then LCS on the middle.
  let s = 0;
  while (s < x.length && s < y.length && x[s] === y[s]) s++;
  let ex = x.length, ey = y.length;
  while (ex > s && ey > s && x[ex - 1] === y[ey - 1]) {
    ex--;
    ey--;
  }
  const xm = x.slice(s, ex), ym = y.slice(s, ey);
  if (xm.length * ym.length > 4_000_000) {
    // Too large for LCS: fall back to multiset difference (order-insensitive).
    const count = new Map<string, number>();
    ym.forEach((l) => count.set(l, (count.get(l) ?? 0) + 1));
    const removed: string[] = [];
    for (const l of xm) {
      const c = count.get(l) ?? 0;
      if (c > 0) count.set(l, c - 1);
      else removed.push(`- ${l}`);
    }
    const added: string[] = [];
    for (const [l, c] of count) for (let i = 0; i < c; i++) added.push(`+ ${l}`);
    return [...removed, ...added];
  }
  const n = xm.length, m = ym.length;
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i][j] = xm[i] === ym[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (xm[i] === ym[j]) {
      i++;
      j++;
    } else if (dp[i + 1][j] >= dp[i][j + 1]) out.push(`- ${xm[i++]}`);
    else out.push(`+ ${ym[j++]}`);
  }
  while (i < n) out.push(`- ${xm[i++]}`);
  while (j < m) out.push(`+ ${ym[j++]}`);
  return out;
}

function splitLines(t: string): string[] {
  const lines = t.replace(/\r\n?/g, "\n").split("\n");
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function render(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? "undefined";
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** Structural diff of two JSON values (see the module description). */
export function diffJson(
  a: unknown,
  b: unknown,
  options: { volatile?: readonly string[]; path?: string } = {},
): string[] {
  const volatile = new Set(options.volatile ?? VOLATILE_JSON_KEYS);
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    const p = path || "(root)";
    if (typeName(x) !== typeName(y)) {
      out.push(`${p}: type ${typeName(x)} -> ${typeName(y)}`);
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      const strip = (v: unknown[]) =>
        JSON.stringify(v, (k, val) => (volatile.has(k) ? undefined : val));
      if (strip(x) !== strip(y)) {
        out.push(
          x.length === y.length
            ? `${p}: list changed (${x.length} items)`
            : `${p}: list changed (${x.length} -> ${y.length} items)`,
        );
      }
      return;
    }
    if (x !== null && typeof x === "object") {
      const xo = x as Record<string, unknown>, yo = y as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(xo), ...Object.keys(yo)])].sort();
      for (const k of keys) {
        if (volatile.has(k)) continue;
        const kp = path ? `${path}.${k}` : k;
        if (!(k in yo)) out.push(`- ${kp}: removed (was ${render(xo[k])})`);
        else if (!(k in xo)) out.push(`+ ${kp}: added (${render(yo[k])})`);
        else walk(xo[k], yo[k], kp);
      }
      return;
    }
    if (x !== y) out.push(`${p}: ${render(x)} -> ${render(y)}`);
  };
  walk(a, b, options.path ?? "");
  return out;
}

/**
 * Differences between two captures of the same scope, file by file; lines are prefixed with
 * the file path when the capture has several files.
 */
export function diffCaptures(before: ScopeCapture, after: ScopeCapture): string[] {
  const paths = [...new Set([...Object.keys(before.files), ...Object.keys(after.files)])].sort();
  const out: string[] = [];
  for (const path of paths) {
    const a = before.files[path], b = after.files[path];
    if (a === undefined) {
      out.push(`+ ${path}: file added`);
      continue;
    }
    if (b === undefined) {
      out.push(`- ${path}: file removed`);
      continue;
    }
    let lines: string[];
    if (path.endsWith(".json")) {
      try {
        lines = diffJson(JSON.parse(a), JSON.parse(b));
      } catch {
        lines = diffText(a, b);
      }
    } else lines = diffText(a, b);
    out.push(...(paths.length > 1 ? lines.map((l) => `${path}: ${l}`) : lines));
  }
  return out;
}
