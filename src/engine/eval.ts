/**
 * Evaluation of HCL expressions ({@link parseTemplate}) over plain JSON-like values.
 *
 * Values: string, number, boolean, null, arrays (lists and tuples; a set is an array marked by
 * {@link markSet}), plain objects (maps and objects) and {@link UNKNOWN} — a value that is only
 * known after apply (an attribute of a resource not created yet). Any operation on an unknown
 * value gives an unknown value, so the plan can show "(known after apply)".
 *
 * @example
 * const v = evaluate(parseTemplate("${upper(var.x)}"), { root: (n) => n === "var" ? { x: "a" } : undefined });
 * @throws {EvalError} with the offset of the failing node
 */
import type { Expr, TemplatePart } from "./expr.ts";
import { callFunction, FUNCTION_NAMES } from "./functions.ts";
import { closest } from "../util/suggest.ts";

/** The value of something only known after apply. */
export class Unknown {
  toJSON(): string {
    return "(known after apply)";
  }
  toString(): string {
    return "(known after apply)";
  }
}

/** The one unknown value. */
export const UNKNOWN: Unknown = new Unknown();

/** True for {@link UNKNOWN}. */
export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

/** True when `v` is unknown or contains an unknown value anywhere. */
export function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

const SET = Symbol("hcl.set");

/** Mark an array as a set (deduplicated; `for_each` accepts sets of strings). */
export function markSet<T>(items: T[]): T[] {
  const seen = new Set<string>();
  const out = items.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (out.every((x) => typeof x === "string")) (out as string[]).sort();
  Object.defineProperty(out, SET, { value: true, enumerable: false });
  return out;
}

/** True for an array made by {@link markSet}. */
export function isSet(v: unknown): v is unknown[] {
  return Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[SET] === true;
}

/** An evaluation error at offset `pos` of the expression text. */
export class EvalError extends Error {
  constructor(message: string, readonly pos: number, readonly hint?: string) {
    super(message);
  }
}

/** Where names come from. `root` returns `undefined` for an unknown name (an error). */
export interface EvalContext {
  /** Value of a root name (`var`, `local`, `each`, `count`, a resource type, `data`, ...). */
  root(name: string, pos: number): unknown;
  /** Names `root` knows, for "did you mean". */
  rootNames?(): string[];
}

interface Scope {
  ctx: EvalContext;
  locals: Map<string, unknown>;
}

/** Evaluate `e`. */
export function evaluate(e: Expr, ctx: EvalContext): unknown {
  return ev(e, { ctx, locals: new Map() });
}

/** Human name of a value's type, for messages. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (isUnknown(v)) return "unknown";
  if (isSet(v)) return "set";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return "object";
  return typeof v;
}

function ev(e: Expr, s: Scope): unknown {
  switch (e.k) {
    case "lit":
      return e.value;
    case "tmpl":
      return evTemplate(e.parts, s, e.pos);
    case "var": {
      if (s.locals.has(e.name)) return s.locals.get(e.name);
      const v = s.ctx.root(e.name, e.pos);
      if (v === undefined) {
        const names = [...(s.ctx.rootNames?.() ?? []), ...s.locals.keys()];
        const guess = closest(e.name, names);
        throw new EvalError(
          `Unknown name "${e.name}"`,
          e.pos,
          guess ? `Did you mean "${guess}"?` : undefined,
        );
      }
      return v;
    }
    case "attr": {
      const obj = ev(e.obj, s);
      return getAttr(obj, e.name, e.pos);
    }
    case "index": {
      const obj = ev(e.obj, s);
      const key = ev(e.key, s);
      return index(obj, key, e.pos);
    }
    case "splatItem":
      return s.locals.get("\u0000splat");
    case "splat": {
      const obj = ev(e.obj, s);
      if (isUnknown(obj)) return UNKNOWN;
      if (obj === null || obj === undefined) return [];
      const items = Array.isArray(obj) ? obj : [obj];
      return items.map((item) => {
        const inner = new Map(s.locals);
        inner.set("\u0000splat", item);
        return ev(e.each, { ctx: s.ctx, locals: inner });
      });
    }
    case "call": {
      if (e.name === "try" || e.name === "can") return evTry(e, s);
      let args = e.args.map((a) => ev(a, s));
      if (e.expand) {
        const last = args[args.length - 1];
        if (isUnknown(last)) return UNKNOWN;
        if (!Array.isArray(last)) {
          throw new EvalError(`The "..." expansion needs a list, got ${typeName(last)}`, e.pos);
        }
        args = [...args.slice(0, -1), ...last];
      }
      try {
        return callFunction(e.name, args);
      } catch (err) {
        if (err instanceof EvalError) throw err;
        if (err instanceof UnknownFunctionError) {
          const guess = closest(e.name, FUNCTION_NAMES);
          throw new EvalError(
            `Call to unknown function "${e.name}"`,
            e.pos,
            guess ? `Did you mean "${guess}"?` : `Functions: ${FUNCTION_NAMES.join(", ")}`,
          );
        }
        throw new EvalError(`${e.name}(): ${(err as Error).message}`, e.pos);
      }
    }
    case "tuple":
      return e.items.map((i) => ev(i, s));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const { key, value } of e.items) {
        const k = ev(key, s);
        if (isUnknown(k)) return UNKNOWN;
        if (typeof k !== "string" && typeof k !== "number" && typeof k !== "boolean") {
          throw new EvalError(`Object keys must be strings, got ${typeName(k)}`, key.pos);
        }
        out[String(k)] = ev(value, s);
      }
      return out;
    }
    case "unary": {
      const v = ev(e.e, s);
      if (isUnknown(v)) return UNKNOWN;
      if (e.op === "!") return !toBool(v, e.e.pos);
      return -toNumber(v, e.e.pos);
    }
    case "binary":
      return evBinary(e.op, e.l, e.r, s, e.pos);
    case "cond": {
      const c = ev(e.c, s);
      if (isUnknown(c)) return UNKNOWN;
      return toBool(c, e.c.pos) ? ev(e.t, s) : ev(e.f, s);
    }
    case "for":
      return evFor(e, s);
  }
}

function evTry(e: Extract<Expr, { k: "call" }>, s: Scope): unknown {
  if (e.name === "can") {
    if (e.args.length !== 1) throw new EvalError("can() takes exactly one argument", e.pos);
    try {
      const v = ev(e.args[0], s);
      return isUnknown(v) ? UNKNOWN : true;
    } catch (err) {
      if (err instanceof EvalError) return false;
      throw err;
    }
  }
  if (e.args.length === 0) throw new EvalError("try() needs at least one argument", e.pos);
  let last: unknown;
  for (const a of e.args) {
    try {
      return ev(a, s);
    } catch (err) {
      if (!(err instanceof EvalError)) throw err;
      last = err;
    }
  }
  throw new EvalError(
    `try(): no argument could be evaluated; the last error was: ${(last as Error).message}`,
    e.pos,
  );
}

function evTemplate(parts: TemplatePart[], s: Scope, pos: number): unknown {
  let out = "";
  for (const p of parts) {
    if (typeof p === "string") {
      out += p;
      continue;
    }
    if (p.k === "interp") {
      const v = ev(p.e, s);
      if (isUnknown(v)) return UNKNOWN;
      out += toStringValue(v, p.e.pos);
    } else if (p.k === "if") {
      const c = ev(p.c, s);
      if (isUnknown(c)) return UNKNOWN;
      const r = evTemplate(toBool(c, p.c.pos) ? p.then : p.else, s, pos);
      if (isUnknown(r)) return UNKNOWN;
      out += r;
    } else {
      const coll = ev(p.coll, s);
      if (isUnknown(coll)) return UNKNOWN;
      for (const [k, v] of entries(coll, p.coll.pos)) {
        const inner = new Map(s.locals);
        inner.set(p.valVar, v);
        if (p.keyVar) inner.set(p.keyVar, k);
        const r = evTemplate(p.body, { ctx: s.ctx, locals: inner }, pos);
        if (isUnknown(r)) return UNKNOWN;
        out += r;
      }
    }
  }
  return out;
}

function evFor(e: Extract<Expr, { k: "for" }>, s: Scope): unknown {
  const coll = ev(e.coll, s);
  if (isUnknown(coll)) return UNKNOWN;
  const list: unknown[] = [];
  const obj: Record<string, unknown> = {};
  for (const [k, v] of entries(coll, e.coll.pos)) {
    const inner = new Map(s.locals);
    inner.set(e.valVar, v);
    if (e.keyVar) inner.set(e.keyVar, k);
    const sc = { ctx: s.ctx, locals: inner };
    if (e.cond) {
      const c = ev(e.cond, sc);
      if (isUnknown(c)) return UNKNOWN;
      if (!toBool(c, e.cond.pos)) continue;
    }
    if (!e.object) {
      list.push(ev(e.valExpr, sc));
      continue;
    }
    const key = ev(e.keyExpr!, sc);
    if (isUnknown(key)) return UNKNOWN;
    const ks = toStringValue(key, e.keyExpr!.pos);
    const val = ev(e.valExpr, sc);
    if (e.group) ((obj[ks] ??= []) as unknown[]).push(val);
    else {
      if (ks in obj) {
        throw new EvalError(
          `Duplicate key "${ks}" in the for expression`,
          e.keyExpr!.pos,
          'Add "..." after the value to group values by key',
        );
      }
      obj[ks] = val;
    }
  }
  return e.object ? obj : list;
}

/** Key/value pairs of a collection: list index → item, map key → value. */
export function entries(coll: unknown, pos: number): [unknown, unknown][] {
  if (Array.isArray(coll)) {
    return coll.map((v, i) => [isSet(coll) ? v : i, v]);
  }
  if (coll && typeof coll === "object") {
    return Object.entries(coll).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  }
  throw new EvalError(`Cannot iterate over a ${typeName(coll)} value`, pos);
}

function evBinary(op: string, le: Expr, re: Expr, s: Scope, pos: number): unknown {
  if (op === "&&" || op === "||") {
    const l = ev(le, s);
    if (!isUnknown(l)) {
      const lb = toBool(l, le.pos);
      if (op === "&&" && !lb) return false;
      if (op === "||" && lb) return true;
    }
    const r = ev(re, s);
    if (isUnknown(l) || isUnknown(r)) return UNKNOWN;
    return toBool(r, re.pos);
  }
  const l = ev(le, s);
  const r = ev(re, s);
  if (isUnknown(l) || isUnknown(r)) return UNKNOWN;
  switch (op) {
    case "==":
      return deepEqual(l, r);
    case "!=":
      return !deepEqual(l, r);
  }
  const a = toNumber(l, le.pos);
  const b = toNumber(r, re.pos);
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      if (b === 0) throw new EvalError("Division by zero", pos);
      return a / b;
    case "%":
      if (b === 0) throw new EvalError("Division by zero", pos);
      return a % b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
  throw new EvalError(`Unsupported operator ${op}`, pos);
}

/** Structural equality (numbers, strings, lists, objects). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return a == b;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a as object).sort();
    const kb = Object.keys(b as object).sort();
    return deepEqual(ka, kb) &&
      ka.every((k) =>
        deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
      );
  }
  return false;
}

function getAttr(obj: unknown, name: string, pos: number): unknown {
  if (isUnknown(obj)) return UNKNOWN;
  if (obj === null || obj === undefined) {
    throw new EvalError(`Cannot read attribute "${name}" of a null value`, pos);
  }
  if (typeof obj !== "object" || Array.isArray(obj)) {
    throw new EvalError(
      `Cannot read attribute "${name}" of a ${typeName(obj)} value`,
      pos,
      Array.isArray(obj) ? `Index it first, e.g. [0].${name}, or use [*].${name}` : undefined,
    );
  }
  if (!(name in obj)) {
    const keys = Object.keys(obj);
    const guess = closest(name, keys);
    throw new EvalError(
      `Unsupported attribute "${name}"`,
      pos,
      guess
        ? `Did you mean "${guess}"?`
        : keys.length
        ? `Available: ${keys.join(", ")}`
        : undefined,
    );
  }
  return (obj as Record<string, unknown>)[name];
}

function index(obj: unknown, key: unknown, pos: number): unknown {
  if (isUnknown(obj) || isUnknown(key)) return UNKNOWN;
  if (Array.isArray(obj)) {
    if (isSet(obj)) {
      throw new EvalError("A set cannot be indexed", pos, "Convert it with tolist() first");
    }
    const i = toNumber(key, pos);
    if (!Number.isInteger(i) || i < 0 || i >= obj.length) {
      throw new EvalError(`Index ${i} is out of range for a list of ${obj.length}`, pos);
    }
    return obj[i];
  }
  if (obj && typeof obj === "object") {
    const k = toStringValue(key, pos);
    if (!(k in obj)) {
      const keys = Object.keys(obj);
      const guess = closest(k, keys);
      throw new EvalError(
        `No element with key "${k}"`,
        pos,
        guess ? `Did you mean "${guess}"?` : keys.length ? `Keys: ${keys.join(", ")}` : undefined,
      );
    }
    return (obj as Record<string, unknown>)[k];
  }
  throw new EvalError(`Cannot index a ${typeName(obj)} value`, pos);
}

/** HCL's bool conversion ("true"/"false" strings convert). */
export function toBool(v: unknown, pos: number): boolean {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  throw new EvalError(`A bool is required, got ${typeName(v)} ${short(v)}`, pos);
}

/** HCL's number conversion (numeric strings convert). */
export function toNumber(v: unknown, pos: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v.trim())) return Number(v);
  throw new EvalError(`A number is required, got ${typeName(v)} ${short(v)}`, pos);
}

/** HCL's string conversion (numbers and bools convert; collections do not). */
export function toStringValue(v: unknown, pos: number): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new EvalError(`A string is required, got ${typeName(v)} ${short(v)}`, pos);
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 40) + "…" : s;
}

/** Raised by {@link callFunction} for names it does not know. */
export class UnknownFunctionError extends Error {}
