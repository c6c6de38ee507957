/**
 * The built-in functions of Vessel's configuration language (Terraform's names and semantics):
 * toset tolist tomap tonumber tostring length range concat merge lookup format join split upper
 * lower replace contains keys values flatten distinct coalesce try cidrhost cidrsubnet, plus can,
 * element, min, max, abs, sort, zipmap, trimspace, substr, jsonencode, jsondecode, startswith,
 * endswith, formatlist.
 *
 * Any unknown argument (known after apply) makes the result unknown.
 *
 * @example
 * callFunction("cidrhost", ["10.0.0.0/24", 5]); // "10.0.0.5"
 */
import {
  containsUnknown,
  deepEqual,
  isSet,
  markSet,
  typeName,
  UNKNOWN,
  UnknownFunctionError,
} from "./eval.ts";

type Fn = (...args: unknown[]) => unknown;

function num(v: unknown, what = "argument"): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v.trim())) return Number(v);
  throw new Error(`${what} must be a number, got ${typeName(v)}`);
}

function str(v: unknown, what = "argument"): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new Error(`${what} must be a string, got ${typeName(v)}`);
}

function list(v: unknown, what = "argument"): unknown[] {
  if (Array.isArray(v)) return v;
  throw new Error(`${what} must be a list, got ${typeName(v)}`);
}

function map(v: unknown, what = "argument"): Record<string, unknown> {
  if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new Error(`${what} must be a map or object, got ${typeName(v)}`);
}

function arity(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new Error(`${name} takes ${want} argument${want === "1" ? "" : "s"}, got ${args.length}`);
  }
}

// ---- IPv4/IPv6 CIDR arithmetic on bigints --------------------------------------------------

interface Cidr {
  v6: boolean;
  addr: bigint;
  prefix: number;
  bits: number;
}

function parseCidr(s: string): Cidr {
  const m = s.match(/^([^/]+)\/(\d{1,3})$/);
  if (!m) throw new Error(`"${s}" is not a CIDR prefix like 10.0.0.0/16`);
  const v6 = m[1].includes(":");
  const bits = v6 ? 128 : 32;
  const prefix = Number(m[2]);
  if (prefix > bits) throw new Error(`prefix length /${prefix} is larger than ${bits}`);
  const addr = v6 ? parseV6(m[1]) : parseV4(m[1]);
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
  return { v6, addr: addr & mask, prefix, bits };
}

function parseV4(s: string): bigint {
  const parts = s.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new Error(`"${s}" is not an IPv4 address`);
  }
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(s: string): bigint {
  const [head, tail] = s.split("::");
  const h = head ? head.split(":") : [];
  const t = tail !== undefined ? (tail ? tail.split(":") : []) : [];
  if (s.split("::").length > 2) throw new Error(`"${s}" is not an IPv6 address`);
  const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
    throw new Error(`"${s}" is not an IPv6 address`);
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function fmtAddr(v6: boolean, a: bigint): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((sh) => String((a >> sh) & 255n)).join(".");
  const groups = Array.from(
    { length: 8 },
    (_, i) => ((a >> BigInt(112 - i * 16)) & 0xffffn).toString(16),
  );
  // Compress the longest run of zeros.
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

function cidrhost(prefix: unknown, hostnum: unknown): string {
  const c = parseCidr(str(prefix, "prefix"));
  let n = BigInt(Math.trunc(num(hostnum, "hostnum")));
  const size = 1n << BigInt(c.bits - c.prefix);
  if (n < 0n) n = size + n;
  if (n < 0n || n >= size) {
    throw new Error(`host number ${hostnum} does not fit in ${prefix} (${size} addresses)`);
  }
  return fmtAddr(c.v6, c.addr + n);
}

function cidrsubnet(prefix: unknown, newbits: unknown, netnum: unknown): string {
  const c = parseCidr(str(prefix, "prefix"));
  const nb = num(newbits, "newbits");
  const nn = BigInt(Math.trunc(num(netnum, "netnum")));
  const p = c.prefix + nb;
  if (p > c.bits) throw new Error(`${prefix} has no room for ${nb} more bits`);
  if (nn < 0n || nn >= (1n << BigInt(nb))) {
    throw new Error(`network number ${netnum} does not fit in ${nb} bits`);
  }
  return `${fmtAddr(c.v6, c.addr | (nn << BigInt(c.bits - p)))}/${p}`;
}

// ---- format ---------------------------------------------------------------------------------

function format(spec: unknown, ...args: unknown[]): string {
  const f = str(spec, "format");
  let i = 0;
  return f.replace(
    /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([%vdsftqxXob])/g,
    (_m, flags, width, prec, verb) => {
      if (verb === "%") return "%";
      if (i >= args.length) throw new Error(`not enough arguments for format "${f}"`);
      const a = args[i++];
      let out: string;
      switch (verb) {
        case "d":
          out = String(Math.trunc(num(a)));
          break;
        case "f":
          out = num(a).toFixed(prec !== undefined ? Number(prec) : 6);
          break;
        case "s":
          out = str(a);
          break;
        case "q":
          out = JSON.stringify(str(a));
          break;
        case "t":
          if (typeof a !== "boolean") throw new Error("%t needs a bool");
          out = String(a);
          break;
        case "x":
          out = typeof a === "string" && isNaN(Number(a))
            ? [...new TextEncoder().encode(a)].map((b) => b.toString(16).padStart(2, "0")).join("")
            : Math.trunc(num(a)).toString(16);
          break;
        case "X":
          out = Math.trunc(num(a)).toString(16).toUpperCase();
          break;
        case "o":
          out = Math.trunc(num(a)).toString(8);
          break;
        case "b":
          out = Math.trunc(num(a)).toString(2);
          break;
        default: // v
          out = typeof a === "string" ? a : JSON.stringify(a);
      }
      if (flags.includes("+") && (verb === "d" || verb === "f") && num(a) >= 0) out = "+" + out;
      if (width) {
        const w = Number(width);
        out = flags.includes("-")
          ? out.padEnd(w)
          : flags.includes("0")
          ? out.padStart(w, "0")
          : out.padStart(w);
      }
      return out;
    },
  );
}

// ---- the table ------------------------------------------------------------------------------

const FUNCTIONS: Record<string, Fn> = {
  toset: (...a) => {
    arity("toset", a, 1);
    if (a[0] && typeof a[0] === "object" && !Array.isArray(a[0])) {
      throw new Error("toset needs a list or set, got a map; use keys() or values() first");
    }
    return markSet(
      list(a[0]).map((x) => (typeof x === "number" || typeof x === "boolean") ? String(x) : x),
    );
  },
  tolist: (...a) => {
    arity("tolist", a, 1);
    return [...list(a[0])];
  },
  tomap: (...a) => {
    arity("tomap", a, 1);
    return { ...map(a[0]) };
  },
  tonumber: (...a) => {
    arity("tonumber", a, 1);
    if (a[0] === null) return null;
    if (typeof a[0] === "number") return a[0];
    if (typeof a[0] === "string" && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(a[0].trim())) {
      return Number(a[0]);
    }
    throw new Error(`cannot convert ${JSON.stringify(a[0])} to a number`);
  },
  tostring: (...a) => {
    arity("tostring", a, 1);
    if (a[0] === null) return null;
    return str(a[0]);
  },
  tobool: (...a) => {
    arity("tobool", a, 1);
    if (typeof a[0] === "boolean" || a[0] === null) return a[0];
    if (a[0] === "true" || a[0] === "false") return a[0] === "true";
    throw new Error(`cannot convert ${JSON.stringify(a[0])} to a bool`);
  },
  length: (...a) => {
    arity("length", a, 1);
    const v = a[0];
    if (typeof v === "string") return [...v].length;
    if (Array.isArray(v)) return v.length;
    if (v && typeof v === "object") return Object.keys(v).length;
    throw new Error(`length needs a string, list or map, got ${typeName(v)}`);
  },
  range: (...a) => {
    arity("range", a, 1, 3);
    const n = a.map((x) => num(x));
    const [start, end, step] = n.length === 1
      ? [0, n[0], 1]
      : [n[0], n[1], n[2] ?? (n[1] >= n[0] ? 1 : -1)];
    if (step === 0) throw new Error("range step must not be zero");
    const out: number[] = [];
    for (let i = start; step > 0 ? i < end : i > end; i += step) {
      out.push(i);
      if (out.length > 1024) throw new Error("range would produce more than 1024 elements");
    }
    return out;
  },
  concat: (...a) => a.flatMap((x, i) => list(x, `argument ${i + 1}`)),
  merge: (...a) =>
    Object.assign({}, ...a.filter((x) => x !== null).map((x, i) => map(x, `argument ${i + 1}`))),
  lookup: (...a) => {
    arity("lookup", a, 2, 3);
    const m = map(a[0], "map");
    const k = str(a[1], "key");
    if (k in m) return m[k];
    if (a.length === 3) return a[2];
    throw new Error(`no key "${k}" in the map and no default given`);
  },
  format: (...a) => {
    arity("format", a, 1, Infinity);
    return format(a[0], ...a.slice(1));
  },
  formatlist: (...a) => {
    arity("formatlist", a, 1, Infinity);
    const n = Math.max(0, ...a.slice(1).filter(Array.isArray).map((x) => (x as unknown[]).length));
    return Array.from(
      { length: n },
      (_, i) => format(a[0], ...a.slice(1).map((x) => Array.isArray(x) ? x[i] : x)),
    );
  },
  join: (...a) => {
    arity("join", a, 2, Infinity);
    return a.slice(1).flatMap((x) => list(x)).map((x) => str(x)).join(str(a[0], "separator"));
  },
  split: (...a) => {
    arity("split", a, 2);
    const s = str(a[1]);
    return s === "" ? [""] : s.split(str(a[0], "separator"));
  },
  upper: (...a) => (arity("upper", a, 1), str(a[0]).toUpperCase()),
  lower: (...a) => (arity("lower", a, 1), str(a[0]).toLowerCase()),
  trimspace: (...a) => (arity("trimspace", a, 1), str(a[0]).trim()),
  startswith: (...a) => (arity("startswith", a, 2), str(a[0]).startsWith(str(a[1]))),
  endswith: (...a) => (arity("endswith", a, 2), str(a[0]).endsWith(str(a[1]))),
  substr: (...a) => {
    arity("substr", a, 3);
    const chars = [...str(a[0])];
    let off = num(a[1]);
    if (off < 0) off = chars.length + off;
    const len = num(a[2]);
    return chars.slice(off, len < 0 ? undefined : off + len).join("");
  },
  replace: (...a) => {
    arity("replace", a, 3);
    const s = str(a[0]);
    const search = str(a[1]);
    const rep = str(a[2]);
    const re = search.match(/^\/(.*)\/$/);
    if (re) return s.replace(new RegExp(re[1], "g"), rep.replace(/\$\{?(\d+)\}?/g, "$$$1"));
    return s.split(search).join(rep);
  },
  contains: (...a) => {
    arity("contains", a, 2);
    return list(a[0]).some((x) => deepEqual(x, a[1]));
  },
  keys: (...a) => (arity("keys", a, 1), Object.keys(map(a[0])).sort()),
  values: (...a) => {
    arity("values", a, 1);
    const m = map(a[0]);
    return Object.keys(m).sort().map((k) => m[k]);
  },
  flatten: (...a) => {
    arity("flatten", a, 1);
    const out: unknown[] = [];
    const walk = (x: unknown) => Array.isArray(x) ? x.forEach(walk) : out.push(x);
    list(a[0]).forEach(walk);
    return out;
  },
  distinct: (...a) => {
    arity("distinct", a, 1);
    const out: unknown[] = [];
    for (const x of list(a[0])) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  },
  coalesce: (...a) => {
    for (const x of a) if (x !== null && x !== undefined && x !== "") return x;
    throw new Error("no non-null, non-empty argument");
  },
  element: (...a) => {
    arity("element", a, 2);
    const l = list(a[0]);
    if (l.length === 0) throw new Error("cannot use element() on an empty list");
    return l[((Math.trunc(num(a[1])) % l.length) + l.length) % l.length];
  },
  min: (...a) => {
    arity("min", a, 1, Infinity);
    return Math.min(...a.map((x) => num(x)));
  },
  max: (...a) => {
    arity("max", a, 1, Infinity);
    return Math.max(...a.map((x) => num(x)));
  },
  abs: (...a) => (arity("abs", a, 1), Math.abs(num(a[0]))),
  sort: (...a) => (arity("sort", a, 1), list(a[0]).map((x) => str(x)).sort()),
  zipmap: (...a) => {
    arity("zipmap", a, 2);
    const k = list(a[0]);
    const v = list(a[1]);
    if (k.length !== v.length) throw new Error("zipmap needs two lists of the same length");
    return Object.fromEntries(k.map((x, i) => [str(x), v[i]]));
  },
  jsonencode: (...a) => (arity("jsonencode", a, 1), JSON.stringify(a[0])),
  jsondecode: (...a) => {
    arity("jsondecode", a, 1);
    try {
      return JSON.parse(str(a[0]));
    } catch (e) {
      throw new Error(`invalid JSON: ${(e as Error).message}`);
    }
  },
  cidrhost: (...a) => (arity("cidrhost", a, 2), cidrhost(a[0], a[1])),
  cidrsubnet: (...a) => (arity("cidrsubnet", a, 3), cidrsubnet(a[0], a[1], a[2])),
  cidrnetmask: (...a) => {
    arity("cidrnetmask", a, 1);
    const c = parseCidr(str(a[0]));
    if (c.v6) throw new Error("cidrnetmask works on IPv4 prefixes only");
    return fmtAddr(false, ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - c.prefix)) - 1n));
  },
};

/** Names of every function (plus the lazily evaluated `try` and `can`). */
export const FUNCTION_NAMES: string[] = [...Object.keys(FUNCTIONS), "try", "can"].sort();

/**
 * Call built-in `name`. Unknown arguments give an unknown result.
 * @throws {UnknownFunctionError} no such function
 * @throws {Error} bad arguments (the caller adds the position)
 */
export function callFunction(name: string, args: unknown[]): unknown {
  const fn = FUNCTIONS[name];
  if (!fn) throw new UnknownFunctionError(name);
  if (name !== "coalesce" && args.some(containsUnknown)) return UNKNOWN;
  if (name === "coalesce" && args.some(containsUnknown)) return UNKNOWN;
  if (name === "contains" && isSet(args[0])) return fn([...(args[0] as unknown[])], args[1]);
  return fn(...args);
}
