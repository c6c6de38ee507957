/**
 * Validation of every piece of text that Vessel's switch operations put on a VRP command line
 * (VLAN names and descriptions, interface names, VLAN lists, trial timers), and a last gate
 * ({@link assertSafeLine}) that every line passes before it is written to the switch.
 *
 * Why: a VRP CLI session is a terminal. A newline or carriage return ends the command and runs
 * the rest as a new one; Ctrl-Z (`\x1a`) returns to user view, Ctrl-C cancels, Tab completes,
 * ESC starts a terminal sequence, `?` prints help and keeps the half-typed line; a `|` turns a
 * display into a filter. Text that would be read as another command is therefore refused, never
 * cleaned: nothing is sent when one value is bad.
 *
 * @example
 * vlanName("prod-a");              // "prod-a"
 * vlanName("a\nsave");             // throws ValidationError (field "name")
 * assertSafeLine("vlan 10");       // ok
 *
 * @module
 */
import { ValidationError } from "../../errors.ts";

/** Longest VLAN name VRP accepts (VLAN view `name`, 1–31 characters). */
export const VLAN_NAME_MAX = 31;
/** Longest VLAN description VRP accepts (VLAN view `description`, 1–80 characters). */
export const VLAN_DESCRIPTION_MAX = 80;
/** Longest interface description (interface view `description`, 1–242 characters). */
export const IFACE_DESCRIPTION_MAX = 242;

function fail(field: string, rule: string, value: unknown): never {
  throw new ValidationError(
    `Invalid ${field} ${JSON.stringify(value)}: ${rule}`,
    {
      field,
      details: { rule },
      hint: "Nothing was sent to the switch; fix the value and run again",
    },
  );
}

/**
 * Check free text for a VRP command argument (name, description).
 *
 * Refused: non-strings, newline/CR, any control character (Ctrl-Z, Ctrl-C, Tab, ESC, NUL, DEL),
 * `?` (help), `|` (display filter), non-ASCII, leading/trailing spaces (VRP trims them, the
 * read-back would differ), a double quote at either end (VRP strips it), more than `max`
 * characters, and spaces when `spaces` is false.
 *
 * @throws {ValidationError} naming the field and the rule
 */
export function cliText(
  field: string,
  value: unknown,
  opts: { max: number; spaces: boolean },
): string {
  if (typeof value !== "string") fail(field, "must be a string", value);
  const v = value as string;
  if (v === "") fail(field, "must not be empty (omit it instead)", v);
  if (/[\r\n]/.test(v)) {
    fail(field, "must not contain a line break (it would end the VRP command)", v);
  }
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(v)) {
    fail(field, "must not contain control characters (Ctrl-Z, Ctrl-C, Tab, ESC ...)", v);
  }
  if (v.includes("?")) fail(field, "must not contain '?' (VRP answers it with command help)", v);
  if (v.includes("|")) fail(field, "must not contain '|' (VRP reads it as an output filter)", v);
  if (/[^\x20-\x7e]/.test(v)) fail(field, "must be printable ASCII", v);
  if (v.length > opts.max) {
    fail(field, `must be at most ${opts.max} characters (got ${v.length})`, v);
  }
  if (v !== v.trim()) fail(field, "must not start or end with a space (VRP trims it)", v);
  if (v.startsWith('"') || v.endsWith('"')) {
    fail(field, "must not start or end with a double quote (VRP strips it)", v);
  }
  if (!opts.spaces && /\s/.test(v)) fail(field, "must not contain spaces", v);
  return v;
}

/** A VLAN name (1–31 printable characters, no spaces). */
export function vlanName(value: unknown, field = "name"): string {
  return cliText(field, value, { max: VLAN_NAME_MAX, spaces: false });
}

/** A VLAN description (1–80 printable characters). */
export function vlanDescription(value: unknown, field = "description"): string {
  return cliText(field, value, { max: VLAN_DESCRIPTION_MAX, spaces: true });
}

/** An interface description (1–242 printable characters). */
export function ifaceDescription(value: unknown, field = "description"): string {
  return cliText(field, value, { max: IFACE_DESCRIPTION_MAX, spaces: true });
}

/** A VLAN id 1–4094 (numbers or digit strings). */
export function vlanId(value: unknown, field = "vlan"): number {
  const n = typeof value === "string" && /^\d{1,4}$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 4094) {
    fail(field, "must be a whole number from 1 to 4094", value);
  }
  return n as number;
}

/**
 * A VLAN list: `10,20,30-35` or `10 20 30 to 35` or an array of ids. Sorted, de-duplicated.
 *
 * @throws {ValidationError} any element that is not an id or a range `a-b` with a <= b
 */
export function vlanList(value: unknown, field = "allow"): number[] {
  const out = new Set<number>();
  if (Array.isArray(value)) {
    for (const v of value) out.add(vlanId(v, field));
    return [...out].sort((a, b) => a - b);
  }
  if (typeof value !== "string") fail(field, "must be a list like 10,20,30-35", value);
  const text = (value as string).trim();
  if (text === "") return [];
  cliText(field, text, { max: 4000, spaces: true });
  const norm = text.replace(/\s+to\s+/gi, "-");
  for (const part of norm.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
    if (!m) fail(field, "must be VLAN ids and ranges like 10,20,30-35", value);
    const a = vlanId(m![1], field);
    const b = m![2] !== undefined ? vlanId(m![2], field) : a;
    if (b < a) fail(field, `range ${part} runs backwards`, value);
    if (b - a > 4094) fail(field, "range too large", value);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** VRP's compact range form: `[1,2,3,5]` -> `1 to 3 5`. */
export function vlanRanges(ids: number[]): string {
  const s = [...new Set(ids)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    out.push(j > i ? `${s[i]} to ${s[j]}` : `${s[i]}`);
    i = j;
  }
  return out.join(" ");
}

/**
 * A switch port name as VRP prints it: `10GE2/1/1`, `GE0/0/1`, `40GE1/0/1`, `Eth-Trunk1`.
 * Letters/digits then slot/port groups; nothing else (spaces, `;`, quotes) gets through.
 *
 * @throws {ValidationError}
 */
export function portName(value: unknown, field = "port"): string {
  if (typeof value !== "string") fail(field, "must be a string like 10GE2/1/1", value);
  const v = value as string;
  if (/^Eth-Trunk(\d{1,3})$/i.test(v)) {
    const n = Number(v.slice(9));
    if (n > 127) fail(field, "Eth-Trunk number must be 0-127", v);
    return `Eth-Trunk${n}`;
  }
  if (!/^(?:\d{1,3}GE|GE|XGE|[A-Za-z]{2,24})\d{1,2}(?:\/\d{1,3}){1,3}$/.test(v)) {
    fail(field, "must be an interface name like 10GE2/1/1, GE0/0/1 or Eth-Trunk1", v);
  }
  return v;
}

/** A LAG (Eth-Trunk) number 0–127. */
export function lagId(value: unknown, field = "lag"): number {
  const n = typeof value === "string" && /^\d{1,3}$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 127) {
    fail(field, "must be an Eth-Trunk number from 0 to 127", value);
  }
  return n as number;
}

/** A switch name `swi1`..`swi4`. */
export function switchName(value: unknown, field = "switch"): string {
  if (typeof value !== "string" || !/^swi[1-4]$/i.test(value)) {
    fail(field, "must be swi1, swi2, swi3 or swi4", value);
  }
  return (value as string).toLowerCase();
}

/** An IPv4 address (for `ping`). */
export function ipv4(value: unknown, field = "ip"): string {
  const m = typeof value === "string"
    ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value)
    : null;
  if (!m || m.slice(1).some((x) => Number(x) > 255)) fail(field, "must be an IPv4 address", value);
  return value as string;
}

/**
 * The last gate before a line goes to a VRP CLI: one printable-ASCII line, no control characters,
 * no `?`, no leading space, and no `|` unless it is a display command's filter.
 *
 * @throws {ValidationError}
 */
export function assertSafeLine(line: string): string {
  if (typeof line !== "string" || line === "") fail("command", "must be a non-empty string", line);
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(line)) fail("command", "must not contain control characters", line);
  if (/[^\x20-\x7e]/.test(line)) fail("command", "must be printable ASCII", line);
  if (line.includes("?")) fail("command", "must not contain '?'", line);
  if (line !== line.trim()) fail("command", "must not start or end with a space", line);
  if (line.includes("|") && !/^display\s/.test(line)) {
    fail("command", "must not contain '|' outside a display command", line);
  }
  return line;
}
