/**
 * Type constraints of `variable` blocks: `string`, `number`, `bool`, `any`, `list(T)`, `set(T)`,
 * `map(T)`, `object({ a = T, b = optional(T, default) })`, `tuple([T, ...])`, and conversion of
 * a value to a type with Terraform's rules (numbers and bools convert to strings and back).
 *
 * @example
 * convertToType(["1", 2], parseType(parseTemplate("${list(number)}")), "var.x"); // [1, 2]
 */
import type { Expr } from "./expr.ts";
import { isUnknown, markSet, typeName } from "./eval.ts";

/** A parsed type constraint. */
export type TypeSpec =
  | { t: "string" | "number" | "bool" | "any" }
  | { t: "list" | "set" | "map"; of: TypeSpec }
  | { t: "object"; attrs: Record<string, { type: TypeSpec; optional: boolean; default?: unknown }> }
  | { t: "tuple"; items: TypeSpec[] };

/** A bad type constraint or a value that does not fit; `pos` is the node offset (if any). */
export class TypeError_ extends Error {
  constructor(message: string, readonly pos?: number) {
    super(message);
  }
}

/** Read a type constraint from its expression AST. */
export function parseType(e: Expr): TypeSpec {
  if (e.k === "var" && ["string", "number", "bool", "any"].includes(e.name)) {
    return { t: e.name as "string" };
  }
  if (
    e.k === "lit" && typeof e.value === "string" &&
    ["string", "number", "bool", "any"].includes(e.value)
  ) {
    return { t: e.value as "string" };
  }
  if (e.k === "call") {
    const one = () => {
      if (e.args.length !== 1) throw new TypeError_(`${e.name}() takes exactly one type`, e.pos);
      return e.args[0];
    };
    switch (e.name) {
      case "list":
      case "set":
      case "map":
        return { t: e.name, of: parseType(one()) };
      case "tuple": {
        const a = one();
        if (a.k !== "tuple") throw new TypeError_("tuple() takes a list of types", a.pos);
        return { t: "tuple", items: a.items.map(parseType) };
      }
      case "object": {
        const a = one();
        if (a.k !== "object") throw new TypeError_("object() takes an object of types", a.pos);
        const attrs: Record<string, { type: TypeSpec; optional: boolean; default?: unknown }> = {};
        for (const { key, value } of a.items) {
          const name = key.k === "lit" ? String(key.value) : key.k === "var" ? key.name : undefined;
          if (!name) throw new TypeError_("object() attribute names must be identifiers", key.pos);
          if (value.k === "call" && value.name === "optional") {
            const [ty, def] = value.args;
            if (!ty) throw new TypeError_("optional() needs a type", value.pos);
            attrs[name] = { type: parseType(ty), optional: true, default: literal(def) };
          } else attrs[name] = { type: parseType(value), optional: false };
        }
        return { t: "object", attrs };
      }
    }
  }
  throw new TypeError_(
    "Invalid type constraint; use string, number, bool, any, list(T), set(T), map(T), object({...}) or tuple([...])",
    e.pos,
  );
}

function literal(e: Expr | undefined): unknown {
  if (!e) return undefined;
  if (e.k === "lit") return e.value;
  if (e.k === "tuple") return e.items.map(literal);
  if (e.k === "object") {
    return Object.fromEntries(
      e.items.map((i) => [i.key.k === "lit" ? String(i.key.value) : "", literal(i.value)]),
    );
  }
  if (e.k === "unary" && e.op === "-" && e.e.k === "lit") return -(e.e.value as number);
  throw new TypeError_("optional() defaults must be literal values", e.pos);
}

/** Show a type as written. */
export function showType(t: TypeSpec): string {
  switch (t.t) {
    case "list":
    case "set":
    case "map":
      return `${t.t}(${showType(t.of)})`;
    case "object":
      return `object({${
        Object.entries(t.attrs).map(([k, v]) => `${k}=${showType(v.type)}`).join(", ")
      }})`;
    case "tuple":
      return `tuple([${t.items.map(showType).join(", ")}])`;
    default:
      return t.t;
  }
}

/** Convert `v` to type `t`; `path` names the value in messages (`var.slots[2]`). */
export function convertToType(v: unknown, t: TypeSpec, path: string): unknown {
  if (v === null || v === undefined || isUnknown(v)) return v ?? null;
  const fail = (want: string): never => {
    throw new TypeError_(`${path}: ${want} is required, got ${typeName(v)} ${JSON.stringify(v)}`);
  };
  switch (t.t) {
    case "any":
      return v;
    case "string":
      if (typeof v === "string") return v;
      if (typeof v === "number" || typeof v === "boolean") return String(v);
      return fail("a string");
    case "number":
      if (typeof v === "number") return v;
      if (typeof v === "string" && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v.trim())) {
        return Number(v);
      }
      return fail("a number");
    case "bool":
      if (typeof v === "boolean") return v;
      if (v === "true" || v === "false") return v === "true";
      return fail("a bool");
    case "list":
    case "set": {
      if (!Array.isArray(v)) return fail(`a ${t.t}`);
      const items = v.map((x, i) => convertToType(x, t.of, `${path}[${i}]`));
      return t.t === "set" ? markSet(items) : items;
    }
    case "tuple": {
      if (!Array.isArray(v)) return fail("a tuple");
      if (v.length !== t.items.length) {
        throw new TypeError_(
          `${path}: a tuple of ${t.items.length} elements is required, got ${v.length}`,
        );
      }
      return v.map((x, i) => convertToType(x, t.items[i], `${path}[${i}]`));
    }
    case "map": {
      if (typeof v !== "object" || Array.isArray(v)) return fail("a map");
      return Object.fromEntries(
        Object.entries(v as object).map(([k, x]) => [k, convertToType(x, t.of, `${path}["${k}"]`)]),
      );
    }
    case "object": {
      if (typeof v !== "object" || Array.isArray(v)) return fail("an object");
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, a] of Object.entries(t.attrs)) {
        if (o[k] === undefined || o[k] === null) {
          if (!a.optional) throw new TypeError_(`${path}: attribute "${k}" is required`);
          out[k] = a.default ?? null;
        } else out[k] = convertToType(o[k], a.type, `${path}.${k}`);
      }
      for (const k of Object.keys(o)) {
        if (!(k in t.attrs)) {
          throw new TypeError_(
            `${path}: unexpected attribute "${k}"; the type allows ${
              Object.keys(t.attrs).join(", ")
            }`,
          );
        }
      }
      return out;
    }
  }
}
