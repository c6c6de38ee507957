/**
 * Evaluation of a loaded configuration: variables (types, defaults, validation, `-var`,
 * `-var-file`, `VESSEL_VAR_name`), locals, `for_each`/`count` expansion, references between
 * blocks, `depends_on`, `lifecycle`, outputs. Every error becomes a {@link ConfigError} with the
 * `file:line:col` of the failing part of the expression.
 *
 * The graph of blocks (nodes `local.x`, `type.name`, `data.type.name`, `output.x`) comes from the
 * references in their expressions plus `depends_on`; a cycle is an error naming its members.
 *
 * @example
 * const cfg = await Config.create(doc, registry, { vars: { n: "3" } });
 * for (const addr of cfg.order) ...
 * @throws {ConfigError} positioned errors
 */
import type { z } from "zod";
import { ConfigError, type SourcePosition } from "../errors.ts";
import { closest } from "../util/suggest.ts";
import { ExprSyntaxError, isTemplate, parseExpression, parseTemplate, references } from "./expr.ts";
import type { Expr } from "./expr.ts";
import {
  containsUnknown,
  EvalError,
  evaluate,
  isSet,
  isUnknown,
  toBool,
  typeName,
  UNKNOWN,
} from "./eval.ts";
import { convertToType, parseType, showType, TypeError_, type TypeSpec } from "./hcltypes.ts";
import { offsetPosition, parsePlainFile, positionOffset } from "./load.ts";
import type { Registry } from "./registry.ts";
import type {
  Attributes,
  BlockSource,
  ConfigDocument,
  DataSourceDefinition,
  NamedBlock,
  ResourceBlock,
  ResourceDefinition,
} from "./types.ts";

/** Where a raw value sits, for error positions. */
export interface Where {
  source?: BlockSource;
  anchor: SourcePosition;
  /** Dotted name for messages, e.g. `vessel_vlan.a.vlan_id`. */
  path: string;
}

/** Variable inputs from the command line and environment. */
export interface VariableInputs {
  /** `-var name=value` pairs (values as typed). */
  vars?: Record<string, string>;
  /** `-var-file` paths, applied in order (later wins), before `-var`. */
  varFiles?: string[];
  /** Environment; `VESSEL_VAR_<name>` sets a variable (default: Deno.env). */
  env?: Record<string, string | undefined>;
}

/** Keys of a resource block that are not resource attributes. */
export const META_ARGUMENTS = [
  "for_each",
  "count",
  "depends_on",
  "lifecycle",
  "provider",
  "provisioner",
  "connection",
];

/** One expanded instance of a resource or data block. */
export interface InstanceSpec {
  /** `vessel_vlan.a`, `vessel_vlan.a["x"]`, `vessel_vlan.a[0]`. */
  address: string;
  /** Block address `vessel_vlan.a` (or `data.vessel_x.y`). */
  blockAddress: string;
  block: ResourceBlock;
  key?: string | number;
  each?: { key: unknown; value: unknown };
}

/** Lifecycle settings of a block (prevent_destroy may come from a variable). */
export interface Lifecycle {
  preventDestroy: boolean;
  ignoreChanges: string[] | "all";
  createBeforeDestroy: boolean;
}

/** A node of the block graph. */
export interface GraphNode {
  address: string;
  kind: "local" | "resource" | "data" | "output";
  position: SourcePosition;
  deps: Set<string>;
  block?: ResourceBlock;
}

const TEMPLATE_CACHE = new Map<string, Expr>();

/** Parse a template string (cached), mapping syntax errors to positioned ConfigErrors. */
export function compileTemplate(s: string, where: Where): Expr {
  const hit = TEMPLATE_CACHE.get(s);
  if (hit) return hit;
  try {
    const e = parseTemplate(s);
    TEMPLATE_CACHE.set(s, e);
    return e;
  } catch (e) {
    if (e instanceof ExprSyntaxError) {
      throw new ConfigError(`${where.path}: ${e.message}`, {
        position: locate(where, s, e.offset),
        path: where.path,
        hint: "Fix the expression syntax at that position",
      });
    }
    throw e;
  }
}

/** The source position of offset `offset` inside template `template` written at `where`. */
export function locate(where: Where, template: string, offset: number): SourcePosition {
  const { source, anchor } = where;
  if (!source || anchor.line === undefined) return anchor;
  const text = source.text;
  const start = positionOffset(text, anchor.line, anchor.column ?? 1);
  let at = text.indexOf(template, start);
  let adj = 0;
  if (at < 0 && template.startsWith("${") && template.endsWith("}")) {
    const inner = template.slice(2, -1);
    const trimmed = inner.trimStart();
    at = text.indexOf(trimmed.trimEnd(), start);
    adj = -2 - (inner.length - trimmed.length);
  }
  if (at < 0 || at - start > 20_000) return anchor;
  return offsetPosition(source.file, text, at + Math.max(0, offset + adj));
}

/** Map evaluation failures to positioned ConfigErrors. */
function evalError(e: unknown, where: Where, template: string): unknown {
  if (e instanceof EvalError) {
    return new ConfigError(`${where.path}: ${e.message}`, {
      position: locate(where, template, e.pos),
      path: where.path,
      hint: e.hint,
    });
  }
  return e;
}

/** Root values visible to an expression. */
export type Roots = (name: string) => unknown;

/**
 * Evaluate a raw JSON value whose strings are templates. Objects keep literal keys (Terraform
 * JSON syntax).
 */
export function evalRaw(
  raw: unknown,
  roots: Roots,
  where: Where,
  rootNames?: () => string[],
): unknown {
  if (typeof raw === "string") {
    if (!isTemplate(raw)) return raw.replaceAll("$${", "${").replaceAll("%%{", "%{");
    const e = compileTemplate(raw, where);
    try {
      return evaluate(e, { root: (n) => roots(n), rootNames });
    } catch (err) {
      throw evalError(err, where, raw);
    }
  }
  if (Array.isArray(raw)) {
    return raw.map((x, i) =>
      evalRaw(x, roots, { ...where, path: `${where.path}[${i}]` }, rootNames)
    );
  }
  if (raw && typeof raw === "object") {
    return Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [
        k,
        evalRaw(v, roots, { ...where, path: `${where.path}.${k}` }, rootNames),
      ]),
    );
  }
  return raw;
}

/** References in a raw value (paths), with the template they come from. */
export function rawReferences(
  raw: unknown,
  where: Where,
): { path: string[]; pos: SourcePosition }[] {
  const out: { path: string[]; pos: SourcePosition }[] = [];
  const walk = (v: unknown, w: Where) => {
    if (typeof v === "string") {
      if (!isTemplate(v)) return;
      const e = compileTemplate(v, w);
      for (const r of references(e)) out.push({ path: r.path, pos: locate(w, v, r.pos) });
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, w));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => walk(x, w));
  };
  walk(raw, where);
  return out;
}

/** Body of a `lifecycle`/`validation` nested block: hcl2json gives a list of one object. */
function nested(v: unknown): Attributes[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.filter((x) => x && typeof x === "object") as Attributes[];
  if (typeof v === "object") return [v as Attributes];
  return [];
}

function instanceAddress(blockAddress: string, key?: string | number): string {
  if (key === undefined) return blockAddress;
  return typeof key === "number"
    ? `${blockAddress}[${key}]`
    : `${blockAddress}[${JSON.stringify(key)}]`;
}

/** The evaluated configuration. */
export class Config {
  readonly doc: ConfigDocument;
  readonly registry: Registry;
  /** Final variable values. */
  readonly variables: Record<string, unknown>;
  /** Variables marked `sensitive = true`. */
  readonly sensitiveVariables: Set<string>;
  readonly nodes = new Map<string, GraphNode>();
  /** Node addresses in dependency order. */
  order: string[] = [];
  /** Values visible to references: `local.x` → value; `type.name` → block value. */
  readonly values = new Map<string, unknown>();
  /** Working directory for `path.root`. */
  readonly root: string;

  private constructor(
    doc: ConfigDocument,
    registry: Registry,
    variables: Record<string, unknown>,
    sensitive: Set<string>,
  ) {
    this.doc = doc;
    this.registry = registry;
    this.variables = variables;
    this.sensitiveVariables = sensitive;
    const f = doc.files[0] ?? ".";
    this.root = f.includes("/") ? f.slice(0, f.lastIndexOf("/")) : ".";
  }

  /**
   * Resolve variables, build the graph (checking references and cycles) and validate every
   * block statically. No device I/O.
   * @throws {ConfigError}
   */
  static async create(
    doc: ConfigDocument,
    registry: Registry,
    inputs: VariableInputs = {},
  ): Promise<Config> {
    return Config.createSync(doc, registry, {
      ...inputs,
      loadedVarFiles: await readVarFiles(inputs.varFiles ?? []),
    });
  }

  /** {@link create} with the var files already read. */
  static createSync(
    doc: ConfigDocument,
    registry: Registry,
    inputs: VariableInputs & { loadedVarFiles?: LoadedVarFile[] } = {},
  ): Config {
    const { values, sensitive } = resolveVariablesSync(doc, inputs);
    const cfg = new Config(doc, registry, values, sensitive);
    cfg.#buildGraph();
    return cfg;
  }

  /** Block address of a resource or data block. */
  static blockAddress(b: ResourceBlock): string {
    return b.mode === "data" ? `data.${b.type}.${b.name}` : `${b.type}.${b.name}`;
  }

  #where(b: ResourceBlock | NamedBlock, attr: string, prefix: string): Where {
    return {
      source: b.source,
      anchor: b.attributePositions[attr] ?? b.position,
      path: `${prefix}.${attr}`,
    };
  }

  #buildGraph(): void {
    const doc = this.doc;
    const resourceTypes = new Set(doc.resources.map((r) => r.type));
    for (const b of doc.resources) {
      this.registry.get(b.type, b.position);
      this.nodes.set(Config.blockAddress(b), {
        address: Config.blockAddress(b),
        kind: "resource",
        position: b.position,
        deps: new Set(),
        block: b,
      });
    }
    for (const b of doc.data ?? []) {
      this.registry.getData(b.type, b.position);
      this.nodes.set(Config.blockAddress(b), {
        address: Config.blockAddress(b),
        kind: "data",
        position: b.position,
        deps: new Set(),
        block: b,
      });
    }
    for (const l of doc.locals ?? []) {
      this.nodes.set(`local.${l.name}`, {
        address: `local.${l.name}`,
        kind: "local",
        position: l.position,
        deps: new Set(),
      });
    }
    for (const o of doc.outputs ?? []) {
      this.nodes.set(`output.${o.name}`, {
        address: `output.${o.name}`,
        kind: "output",
        position: o.position,
        deps: new Set(),
      });
    }
    const addRefs = (node: GraphNode, raw: unknown, where: Where, dependsOn = false) => {
      for (const r of rawReferences(raw, where)) {
        const dep = this.#refTarget(r.path, r.pos, resourceTypes, node.address, dependsOn);
        if (dep && dep !== node.address) node.deps.add(dep);
        else if (dep === node.address && node.kind !== "output") {
          throw new ConfigError(`${node.address} refers to itself`, {
            position: r.pos,
            path: node.address,
          });
        }
      }
    };
    for (const b of [...doc.resources, ...(doc.data ?? [])]) {
      const addr = Config.blockAddress(b);
      const node = this.nodes.get(addr)!;
      for (const [k, v] of Object.entries(b.body)) {
        if (k === "lifecycle") continue;
        addRefs(node, v, this.#where(b, k, addr), k === "depends_on");
      }
      for (const lc of nested(b.body.lifecycle)) {
        if (lc.prevent_destroy !== undefined) {
          addRefs(node, lc.prevent_destroy, this.#where(b, "lifecycle", addr));
        }
      }
    }
    for (const l of doc.locals ?? []) {
      addRefs(this.nodes.get(`local.${l.name}`)!, l.value, {
        source: l.source,
        anchor: l.position,
        path: `local.${l.name}`,
      });
    }
    for (const o of doc.outputs ?? []) {
      const node = this.nodes.get(`output.${o.name}`)!;
      if (o.body.value === undefined) {
        throw new ConfigError(`output.${o.name}: required attribute "value" is missing`, {
          position: o.position,
          hint: "Add value = <expression> to the output block",
        });
      }
      for (const [k, v] of Object.entries(o.body)) {
        addRefs(node, v, this.#where(o, k, `output.${o.name}`), k === "depends_on");
      }
    }
    this.order = topoSort(this.nodes);
  }

  /** The graph node a reference points at (or undefined for var/each/count/path). */
  #refTarget(
    path: string[],
    pos: SourcePosition,
    resourceTypes: Set<string>,
    from: string,
    dependsOn: boolean,
  ): string | undefined {
    const [root, a, b] = path;
    const fail = (msg: string, candidates: string[], hint?: string): never => {
      const guess = closest(path.slice(0, 2).join("."), candidates);
      throw new ConfigError(`${from}: ${msg}`, {
        position: pos,
        path: from,
        hint: guess ? `Did you mean "${guess}"?` : hint,
      });
    };
    switch (root) {
      case "var":
        if (a === undefined) fail('"var" must be followed by a variable name, e.g. var.slots', []);
        if (!(a in this.variables)) {
          fail(
            `reference to undeclared input variable "${a}"`,
            Object.keys(this.variables).map((v) => `var.${v}`),
            `Declare it with variable "${a}" { }`,
          );
        }
        return undefined;
      case "local":
        if (!this.nodes.has(`local.${a}`)) {
          fail(
            `reference to undeclared local value "${a}"`,
            [...this.nodes.keys()].filter((k) => k.startsWith("local.")),
            `Declare it in a locals block`,
          );
        }
        return `local.${a}`;
      case "each":
      case "count":
      case "path":
      case "self":
      case "terraform":
        return undefined;
      case "data": {
        const addr = `data.${a}.${b}`;
        if (!this.nodes.has(addr)) {
          fail(
            `reference to undeclared data source "${a}.${b}"`,
            [...this.nodes.keys()].filter((k) => k.startsWith("data.")).map((k) => k.slice(5)),
          );
        }
        return addr;
      }
      default: {
        if (resourceTypes.has(root) || this.registry.has(root)) {
          const addr = `${root}.${a}`;
          if (a === undefined || !this.nodes.has(addr)) {
            fail(
              `reference to undeclared resource "${addr}"`,
              [...this.nodes.keys()].filter((k) => this.nodes.get(k)!.kind === "resource"),
            );
          }
          return addr;
        }
        if (dependsOn) {
          fail(`depends_on entries must name a resource or data block, got "${path.join(".")}"`, [
            ...this.nodes.keys(),
          ]);
        }
        // Unknown roots are reported at evaluation with a suggestion (could be a for variable).
        return undefined;
      }
    }
  }

  /** Roots visible to expressions of a block; `extra` adds each/count. */
  roots(extra: Record<string, unknown> = {}): Roots {
    return (name) => {
      if (name in extra) return extra[name];
      if (name === "var") return this.variables;
      if (name === "local") return this.#prefixed("local.");
      if (name === "path") return { root: this.root, module: this.root, cwd: Deno.cwd() };
      if (name === "data") {
        const out: Record<string, Record<string, unknown>> = {};
        for (const [k, v] of this.values) {
          if (!k.startsWith("data.")) continue;
          const [, t, n] = k.split(".");
          (out[t] ??= {})[n] = v;
        }
        return out;
      }
      const byName: Record<string, unknown> = {};
      let any = false;
      for (const [k, v] of this.values) {
        const dot = k.indexOf(".");
        if (k.slice(0, dot) === name && !k.startsWith("data.") && !k.startsWith("local.")) {
          byName[k.slice(dot + 1)] = v;
          any = true;
        }
      }
      if (any || this.registry.has(name)) return byName;
      return undefined;
    };
  }

  /** Names for "did you mean" of unknown roots. */
  rootNames =
    (): string[] => ["var", "local", "data", "path", "each", "count", ...this.registry.types()];

  #prefixed(prefix: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.values) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  }

  /** Evaluate local `name` and record its value. */
  evalLocal(name: string): unknown {
    const l = this.doc.locals!.find((x) => x.name === name)!;
    const v = evalRaw(l.value, this.roots(), {
      source: l.source,
      anchor: l.position,
      path: `local.${name}`,
    }, this.rootNames);
    this.values.set(`local.${name}`, v);
    return v;
  }

  /** Evaluate output `name` (its value and whether it is sensitive). */
  evalOutput(name: string): { value: unknown; sensitive: boolean; description?: string } {
    const o = this.doc.outputs!.find((x) => x.name === name)!;
    const value = evalRaw(
      o.body.value,
      this.roots(),
      this.#where(o, "value", `output.${name}`),
      this.rootNames,
    );
    const sensitive = o.body.sensitive === true || o.body.sensitive === "true";
    return {
      value,
      sensitive,
      description: typeof o.body.description === "string" ? o.body.description : undefined,
    };
  }

  /**
   * Expand a block into instances (`for_each`, `count`). The collection must be known at plan
   * time.
   * @throws {ConfigError} unsuitable or unknown for_each/count
   */
  expand(b: ResourceBlock): InstanceSpec[] {
    const addr = Config.blockAddress(b);
    const base = { blockAddress: addr, block: b };
    if (b.body.for_each !== undefined && b.body.count !== undefined) {
      throw new ConfigError(`${addr}: "count" and "for_each" cannot be used together`, {
        position: b.attributePositions.count ?? b.position,
        path: addr,
      });
    }
    if (b.body.for_each !== undefined) {
      const where = this.#where(b, "for_each", addr);
      const v = evalRaw(b.body.for_each, this.roots(), where, this.rootNames);
      // A map needs known keys only (each.value may hold values known after apply); a set
      // needs known elements.
      const keysUnknown = isUnknown(v) ||
        (Array.isArray(v) ? v.some(containsUnknown) : false);
      if (keysUnknown) {
        throw new ConfigError(
          `${addr}.for_each: the value depends on attributes known only after apply`,
          {
            position: where.anchor,
            path: `${addr}.for_each`,
            hint: "Use values known at plan time (variables, locals, literals) as for_each keys",
          },
        );
      }
      if (isSet(v)) {
        return (v as unknown[]).map((k) => {
          if (typeof k !== "string") {
            throw new ConfigError(
              `${addr}.for_each: a set of strings is required, got an element of type ${
                typeName(k)
              }`,
              {
                position: where.anchor,
                path: `${addr}.for_each`,
              },
            );
          }
          return { ...base, address: instanceAddress(addr, k), key: k, each: { key: k, value: k } };
        });
      }
      if (v && typeof v === "object" && !Array.isArray(v)) {
        return Object.keys(v).sort().map((k) => ({
          ...base,
          address: instanceAddress(addr, k),
          key: k,
          each: { key: k, value: (v as Record<string, unknown>)[k] },
        }));
      }
      throw new ConfigError(
        `${addr}.for_each: a map or a set of strings is required, got ${typeName(v)}`,
        {
          position: where.anchor,
          path: `${addr}.for_each`,
          hint: Array.isArray(v) ? "Convert the list with toset(...)" : undefined,
        },
      );
    }
    if (b.body.count !== undefined) {
      const where = this.#where(b, "count", addr);
      const v = evalRaw(b.body.count, this.roots(), where, this.rootNames);
      if (isUnknown(v)) {
        throw new ConfigError(
          `${addr}.count: the value depends on attributes known only after apply`,
          {
            position: where.anchor,
            path: `${addr}.count`,
          },
        );
      }
      const n = typeof v === "string" ? Number(v) : v;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
        throw new ConfigError(
          `${addr}.count: a whole number of zero or more is required, got ${JSON.stringify(v)}`,
          {
            position: where.anchor,
            path: `${addr}.count`,
          },
        );
      }
      return Array.from(
        { length: n },
        (_, i) => ({ ...base, address: instanceAddress(addr, i), key: i }),
      );
    }
    return [{ ...base, address: addr }];
  }

  /** Roots of one instance (each.key/each.value/count.index). */
  instanceRoots(i: InstanceSpec): Roots {
    const extra: Record<string, unknown> = {};
    if (i.each) extra.each = i.each;
    if (typeof i.key === "number") extra.count = { index: i.key };
    return this.roots(extra);
  }

  /**
   * Evaluate the attributes of an instance (meta-arguments left out; null means unset). Values
   * may be unknown.
   */
  evalBody(i: InstanceSpec): Attributes {
    const roots = this.instanceRoots(i);
    const out: Attributes = {};
    for (const [k, v] of Object.entries(i.block.body)) {
      if (META_ARGUMENTS.includes(k)) continue;
      const value = evalRaw(v, roots, this.#where(i.block, k, i.address), this.rootNames);
      // As in Terraform, an attribute set to null is the same as leaving it out.
      if (value !== null) out[k] = value;
    }
    return out;
  }

  /** `lifecycle` of an instance; prevent_destroy is evaluated (it may come from a variable). */
  lifecycle(i: InstanceSpec): Lifecycle {
    const out: Lifecycle = { preventDestroy: false, ignoreChanges: [], createBeforeDestroy: false };
    const where = this.#where(i.block, "lifecycle", `${i.address}.lifecycle`);
    for (const lc of nested(i.block.body.lifecycle)) {
      for (const k of Object.keys(lc)) {
        if (!["prevent_destroy", "ignore_changes", "create_before_destroy"].includes(k)) {
          const guess = closest(k, ["prevent_destroy", "ignore_changes", "create_before_destroy"]);
          throw new ConfigError(`${i.address}: unknown lifecycle argument "${k}"`, {
            position: where.anchor,
            path: `${i.address}.lifecycle.${k}`,
            hint: guess ? `Did you mean "${guess}"?` : undefined,
          });
        }
      }
      if (lc.prevent_destroy !== undefined) {
        const w = { ...where, path: `${i.address}.lifecycle.prevent_destroy` };
        const v = evalRaw(lc.prevent_destroy, this.instanceRoots(i), w, this.rootNames);
        if (isUnknown(v)) {
          throw new ConfigError(`${w.path}: the value must be known at plan time`, {
            position: where.anchor,
            path: w.path,
          });
        }
        try {
          out.preventDestroy = toBool(v, 0);
        } catch {
          throw new ConfigError(`${w.path}: a bool is required, got ${typeName(v)}`, {
            position: where.anchor,
            path: w.path,
          });
        }
      }
      if (lc.create_before_destroy !== undefined) {
        out.createBeforeDestroy =
          evalRaw(lc.create_before_destroy, this.instanceRoots(i), where) === true;
      }
      if (lc.ignore_changes !== undefined) {
        const ic = lc.ignore_changes;
        if (ic === "all" || ic === "${all}") out.ignoreChanges = "all";
        else if (Array.isArray(ic)) {
          out.ignoreChanges = ic.map((x) => {
            const s = String(x);
            if (!isTemplate(s)) return s;
            const e = compileTemplate(s, where);
            if (e.k === "var") return e.name;
            throw new ConfigError(`${i.address}: ignore_changes entries must be attribute names`, {
              position: where.anchor,
            });
          });
        } else {
          throw new ConfigError(
            `${i.address}: ignore_changes must be a list of attribute names or "all"`,
            {
              position: where.anchor,
            },
          );
        }
      }
    }
    return out;
  }

  /** Block addresses listed in depends_on. */
  dependsOn(b: ResourceBlock): string[] {
    const addr = Config.blockAddress(b);
    return [...this.nodes.get(addr)?.deps ?? []].filter((d) => !d.startsWith("local."));
  }

  /**
   * Validate instance attributes against the resource schema. Unknown attributes (known after
   * apply) are skipped: they are checked again at apply.
   * @throws {ConfigError} with position, field and did-you-mean
   */
  validate(
    i: InstanceSpec,
    def: ResourceDefinition | DataSourceDefinition,
    attributes: Attributes,
  ): {
    attributes: Attributes;
    unknown: string[];
  } {
    const unknown = Object.keys(attributes).filter((k) => containsUnknown(attributes[k]));
    const probe: Attributes = {};
    for (const [k, v] of Object.entries(attributes)) if (!unknown.includes(k)) probe[k] = v;
    const parsed = def.schema.safeParse(probe);
    if (parsed.success) {
      const out = parsed.data as Attributes;
      for (const k of unknown) out[k] = attributes[k];
      return { attributes: out, unknown };
    }
    const issues = parsed.error.issues.filter((iss) =>
      !unknown.includes(String(iss.path[0] ?? ""))
    );
    if (issues.length === 0) {
      return {
        attributes: { ...probe, ...Object.fromEntries(unknown.map((k) => [k, attributes[k]])) },
        unknown,
      };
    }
    throw issueToError(i, def, issues[0], attributes);
  }
}

/** Turn a zod issue into a positioned ConfigError with a did-you-mean for unknown attributes. */
export function issueToError(
  i: { address: string; block: ResourceBlock },
  def: { schema: z.ZodType },
  issue: z.core.$ZodIssue,
  attributes: Attributes,
): ConfigError {
  const block = i.block;
  const addr = i.address;
  // deno-lint-ignore no-explicit-any
  const keys: string[] = (issue as any).keys ?? [];
  // deno-lint-ignore no-explicit-any
  const shape = (def.schema as any).shape ?? (def.schema as any)._zod?.def?.shape ?? {};
  if (issue.code === "unrecognized_keys" && keys.length > 0) {
    const key = keys[0];
    const guess = closest(key, Object.keys(shape));
    return new ConfigError(`${addr}: unknown attribute "${key}"`, {
      position: block.attributePositions[key] ?? block.position,
      path: `${addr}.${key}`,
      hint: guess
        ? `Did you mean "${guess}"?`
        : `Known attributes: ${Object.keys(shape).join(", ")}`,
    });
  }
  const field = issue.path.map(String).join(".");
  const top = String(issue.path[0] ?? "");
  const missing = attributes[top] === undefined && issue.path.length === 1;
  return new ConfigError(
    missing
      ? `${addr}.${field}: required attribute is missing`
      : `${addr}.${field}: ${issue.message}`,
    {
      position: block.attributePositions[top] ?? block.position,
      path: field ? `${addr}.${field}` : addr,
      hint: missing ? `Add ${field} = ... to the block` : undefined,
    },
  );
}

/** Top-level attribute names of an object schema. */
export function schemaKeys(schema: z.ZodType): string[] {
  // deno-lint-ignore no-explicit-any
  const s = schema as any;
  return Object.keys(s.shape ?? s._zod?.def?.shape ?? {});
}

/** Topological order of the graph; a cycle is a ConfigError naming every member. */
export function topoSort(nodes: Map<string, GraphNode>): string[] {
  const state = new Map<string, 1 | 2>();
  const order: string[] = [];
  const stack: string[] = [];
  const visit = (a: string) => {
    const s = state.get(a);
    if (s === 2) return;
    if (s === 1) {
      const cycle = [...stack.slice(stack.indexOf(a)), a];
      const first = nodes.get(a)!;
      throw new ConfigError(`Dependency cycle: ${cycle.join(" -> ")}`, {
        position: first.position,
        path: a,
        hint: "Break the cycle: remove one of these references or depends_on entries",
        details: { cycle },
      });
    }
    state.set(a, 1);
    stack.push(a);
    for (const d of [...nodes.get(a)!.deps].sort()) if (nodes.has(d)) visit(d);
    stack.pop();
    state.set(a, 2);
    order.push(a);
  };
  for (const a of [...nodes.keys()].sort()) visit(a);
  return order;
}

// ---------------------------------------------------------------------------------------------
// Variables

interface VariableSpec {
  block: NamedBlock;
  type?: TypeSpec;
}

/**
 * Resolve every declared variable: default < `VESSEL_VAR_name` < `-var-file` (in order) <
 * `-var`, then type conversion and validation blocks.
 * @throws {ConfigError} undeclared or missing variables, bad types, failed validations
 */
export async function resolveVariables(
  doc: ConfigDocument,
  inputs: VariableInputs,
): Promise<{ values: Record<string, unknown>; sensitive: Set<string> }> {
  return resolveVariablesSync(doc, {
    ...inputs,
    loadedVarFiles: await readVarFiles(inputs.varFiles ?? []),
  });
}

/** A `-var-file`, read and parsed. */
export interface LoadedVarFile {
  file: string;
  text: string;
  values: Record<string, unknown>;
}

/** Read and parse `-var-file`s (.hcl/.tfvars via hcl2json, .json, .yaml). */
export async function readVarFiles(files: string[]): Promise<LoadedVarFile[]> {
  const out: LoadedVarFile[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch {
      throw new ConfigError(`Variable file ${file} does not exist`, {
        position: { file },
        hint: "Check the -var-file path",
      });
    }
    out.push({ file, text, values: await parsePlainFile(file, text) });
  }
  return out;
}

/** {@link resolveVariables} with the var files already read. */
export function resolveVariablesSync(
  doc: ConfigDocument,
  inputs: VariableInputs & { loadedVarFiles?: LoadedVarFile[] },
): { values: Record<string, unknown>; sensitive: Set<string> } {
  const specs = new Map<string, VariableSpec>();
  for (const v of doc.variables ?? []) {
    const spec: VariableSpec = { block: v };
    if (v.body.type !== undefined) {
      const where = {
        source: v.source,
        anchor: v.attributePositions.type ?? v.position,
        path: `var.${v.name}.type`,
      };
      const raw = String(v.body.type);
      const e = isTemplate(raw) ? compileTemplate(raw, where) : parseExpression(raw);
      try {
        spec.type = parseType(e);
      } catch (err) {
        if (err instanceof TypeError_) {
          throw new ConfigError(`var.${v.name}: ${err.message}`, {
            position: where.anchor,
            path: `var.${v.name}`,
          });
        }
        throw err;
      }
    }
    for (const k of Object.keys(v.body)) {
      const allowed = ["type", "default", "description", "validation", "sensitive", "nullable"];
      if (!allowed.includes(k)) {
        const guess = closest(k, allowed);
        throw new ConfigError(`variable "${v.name}": unknown argument "${k}"`, {
          position: v.attributePositions[k] ?? v.position,
          hint: guess ? `Did you mean "${guess}"?` : `Allowed: ${allowed.join(", ")}`,
        });
      }
    }
    specs.set(v.name, spec);
  }
  const given = new Map<string, { value: unknown; from: string; raw: boolean }>();
  const env = inputs.env ?? Deno.env.toObject();
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith("VESSEL_VAR_") || v === undefined) continue;
    const name = k.slice("VESSEL_VAR_".length);
    if (specs.has(name)) {
      given.set(name, { value: v, from: `environment variable ${k}`, raw: true });
    }
  }
  for (const { file, text, values } of inputs.loadedVarFiles ?? []) {
    for (const [name, value] of Object.entries(values)) {
      if (!specs.has(name)) {
        const guess = closest(name, [...specs.keys()]);
        const idx = text.indexOf(name);
        throw new ConfigError(`Value for undeclared variable "${name}"`, {
          position: idx >= 0 ? offsetPosition(file, text, idx) : { file },
          hint: guess ? `Did you mean "${guess}"?` : `Declare it with variable "${name}" { }`,
        });
      }
      // hcl2json renders non-literal values as templates: evaluate them without references.
      const v = evalRaw(value, () => undefined, { anchor: { file }, path: `var.${name}` });
      given.set(name, { value: v, from: file, raw: false });
    }
  }
  for (const [name, value] of Object.entries(inputs.vars ?? {})) {
    if (!specs.has(name)) {
      const guess = closest(name, [...specs.keys()]);
      throw new ConfigError(`Value for undeclared variable "${name}" given with -var`, {
        hint: guess ? `Did you mean "${guess}"?` : `Declare it with variable "${name}" { }`,
      });
    }
    given.set(name, { value, from: "-var", raw: true });
  }
  const values: Record<string, unknown> = {};
  const sensitive = new Set<string>();
  for (const [name, spec] of specs) {
    const b = spec.block;
    if (b.body.sensitive === true || b.body.sensitive === "true") sensitive.add(name);
    let value: unknown;
    const g = given.get(name);
    if (g) {
      value = g.raw ? parseCliValue(g.value as string, spec.type, name, g.from) : g.value;
    } else if ("default" in b.body) {
      value = evalRaw(b.body.default, () => undefined, {
        source: b.source,
        anchor: b.attributePositions.default ?? b.position,
        path: `var.${name}.default`,
      });
    } else {
      throw new ConfigError(`No value for required variable "${name}"`, {
        position: b.position,
        path: `var.${name}`,
        hint:
          `Pass -var ${name}=..., a -var-file, or set VESSEL_VAR_${name}; or give the variable a default`,
      });
    }
    if (spec.type) {
      try {
        value = convertToType(value, spec.type, `var.${name}`);
      } catch (err) {
        if (err instanceof TypeError_) {
          throw new ConfigError(
            `Invalid value for variable "${name}": ${err.message} (type ${showType(spec.type)})`,
            {
              position: g ? undefined : b.attributePositions.default ?? b.position,
              path: `var.${name}`,
              hint: g ? `The value came from ${g.from}` : undefined,
            },
          );
        }
        throw err;
      }
    }
    values[name] = value;
  }
  // Validation blocks see only their own variable.
  for (const [name, spec] of specs) {
    const b = spec.block;
    for (const val of nested(b.body.validation)) {
      const where: Where = {
        source: b.source,
        anchor: b.attributePositions.validation ?? b.position,
        path: `var.${name}.validation`,
      };
      if (val.condition === undefined) {
        throw new ConfigError(`var.${name}: a validation block needs a condition`, {
          position: where.anchor,
        });
      }
      const refs = rawReferences(val.condition, where);
      for (const r of refs) {
        if (r.path[0] !== "var" || r.path[1] !== name) {
          if (["var", "local", "data"].includes(r.path[0]) || r.path.length > 1) {
            throw new ConfigError(
              `var.${name}: a validation condition may only refer to var.${name}`,
              {
                position: r.pos,
                path: `var.${name}`,
              },
            );
          }
        }
      }
      const ok = evalRaw(
        val.condition,
        (n) => n === "var" ? { [name]: values[name] } : undefined,
        where,
      );
      if (ok !== true) {
        const msg = typeof val.error_message === "string"
          ? val.error_message
          : `validation failed for var.${name}`;
        const from = given.get(name)?.from;
        throw new ConfigError(`Invalid value for variable "${name}": ${msg}`, {
          position: refs[0]?.pos ?? where.anchor,
          path: `var.${name}`,
          hint: from ? `The value came from ${from}` : "Change the value or its default",
        });
      }
    }
  }
  return { values, sensitive };
}

/**
 * A `-var`/environment value: strings stay strings for `string` types; other types are parsed
 * as HCL expressions (`-var 'slots=["1","2"]'`).
 */
function parseCliValue(
  raw: string,
  type: TypeSpec | undefined,
  name: string,
  from: string,
): unknown {
  if (!type || type.t === "string") return raw;
  if (type.t === "number" || type.t === "bool") return raw.trim();
  try {
    return evaluate(parseExpression(raw), { root: () => undefined });
  } catch (e) {
    throw new ConfigError(
      `Invalid value for variable "${name}" from ${from}: ${(e as Error).message}`,
      {
        path: `var.${name}`,
        hint: `Write it as an HCL value, e.g. ${
          type.t === "map" || type.t === "object" ? '{ a = "x" }' : '["a", "b"]'
        }`,
      },
    );
  }
}

export { UNKNOWN };
