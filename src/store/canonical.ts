/**
 * Canonical JSON and SHA-256 helpers shared by the audit chain and the snapshot manifests.
 *
 * Canonical form: object keys sorted by UTF-16 code unit order at every depth, no whitespace,
 * `undefined` members dropped, arrays kept in order. Two equal values always give the same text,
 * so a hash over it is stable across processes and versions.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 *
 * @module
 */
import { createHash } from "node:crypto";

/** The canonical JSON text of `value` (see the module description). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : sortDeep(x)));
  if (v instanceof Date) return v.toISOString();
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as Record<string, unknown>).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = sortDeep(x);
  }
  return out;
}

/** Lower-case hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}
