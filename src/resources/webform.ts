/**
 * Resource definitions for the HMM menus the SDK describes as field tables
 * (`src/chassis/webform.ts`): a settings page becomes a resource whose unset fields are not
 * managed; a record list becomes one resource per record, keyed. Attribute names are the SDK's
 * field names in snake_case (`bootMode` → `boot_mode`), with renames where a name would collide
 * with the language (`count` is a meta-argument: `size`). Secret fields are write-only (salted
 * hash in state, never printed). The zod schema comes from the same field table, so the JSON
 * Schema, validation and the SDK agree.
 *
 * @example
 * export const nicProfileResource = collectionResource({ type: "vessel_vnic_profile", fields: NIC_PROFILE_FIELDS, key: "name", ... });
 */
import { z } from "zod";
import type {
  Disruption,
  PlanAction,
  ResourceContext,
  ResourceDefinition,
} from "../engine/types.ts";
import type { FieldDef, Fields } from "../chassis/webform.ts";
import { ValidationError } from "../errors.ts";

type Attrs = Record<string, unknown>;

/** `bootMode` → `boot_mode`. */
export function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

function fieldSchema(f: FieldDef): z.ZodType {
  let s: z.ZodType;
  switch (f.kind) {
    case "int": {
      let n = z.number().int();
      if (f.min !== undefined) n = n.min(f.min, `must be at least ${f.min}`);
      if (f.max !== undefined) n = n.max(f.max, `must be at most ${f.max}`);
      s = n;
      break;
    }
    case "bool":
      s = z.boolean();
      break;
    case "list":
      // VLAN lists and the like: numbers are written as their decimal text.
      s = z.array(
        z.union([z.string(), z.number()]).transform(String).pipe(
          z.string().regex(/^[^,\r\n]*$/, "must not contain commas or line breaks"),
        ),
      );
      break;
    default: {
      // deno-lint-ignore no-control-regex
      const base = z.string().regex(/^[^\r\n\x00]*$/, "must be one line");
      s = f.values?.length ? z.enum(f.values as [string, ...string[]]) : base;
    }
  }
  return s.describe(
    f.kind === "secret" ? `${f.describe} (write-only: never stored in clear or shown)` : f.describe,
  );
}

/** Attribute names of a field table (renames applied). */
export interface Naming {
  /** SDK field → attribute. */
  toAttr(k: string): string;
  /** Attribute → SDK field. */
  toField(a: string): string;
}

function naming(fields: Fields, renames: Record<string, string> = {}): Naming {
  const a2f = new Map<string, string>();
  for (const k of Object.keys(fields)) a2f.set(renames[k] ?? snake(k), k);
  return {
    toAttr: (k) => renames[k] ?? snake(k),
    toField: (a) => a2f.get(a) ?? a,
  };
}

/** A strict object schema: `identity` attributes, then the table's (optional unless required). */
export function tableSchema(
  fields: Fields,
  o: {
    identity?: Record<string, z.ZodType>;
    required?: readonly string[];
    renames?: Record<string, string>;
  } = {},
): z.ZodObject {
  const n = naming(fields, o.renames);
  const shape: Record<string, z.ZodType> = { ...(o.identity ?? {}) };
  for (const [k, f] of Object.entries(fields)) {
    shape[n.toAttr(k)] = o.required?.includes(k) ? fieldSchema(f) : fieldSchema(f).optional();
  }
  return z.strictObject(shape);
}

function toSdk(d: Attrs, fields: Fields, n: Naming): Attrs {
  const out: Attrs = {};
  for (const [a, v] of Object.entries(d)) {
    const k = n.toField(a);
    if (k in fields && v !== undefined) out[k] = v;
  }
  return out;
}

function fromSdk(m: Attrs, n: Naming): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(m)) out[n.toAttr(k)] = v;
  return out;
}

function secretsOf(fields: Fields, n: Naming): string[] {
  return Object.entries(fields).filter(([, f]) => f.kind === "secret").map(([k]) => n.toAttr(k));
}

/** Options of {@link sectionResource}. */
export interface SectionResourceOptions {
  type: string;
  description: string;
  fields: Fields;
  renames?: Record<string, string>;
  /** Attributes that name the page (e.g. `target`), with their schemas. */
  identity?: Record<string, z.ZodType>;
  id(d: Attrs): string;
  parseId(id: string): Attrs;
  scopes(d: Attrs): string[];
  /** Read the page (SDK field names). */
  read(ctx: ResourceContext, ident: Attrs): Promise<Attrs | undefined>;
  /** Write the configured fields (SDK field names); returns the read-back. */
  write(ctx: ResourceContext, ident: Attrs, patch: Attrs): Promise<Attrs>;
  disruption?(action: PlanAction, desired?: Attrs, prior?: Attrs): string | Disruption | undefined;
  /** Extra schema rules (on attributes). */
  refine?(d: Attrs, issue: (path: string, message: string) => void): void;
}

/**
 * A settings page as a resource: create and update write the configured fields (the others keep
 * their values), delete releases it (the device keeps its settings).
 */
export function sectionResource(o: SectionResourceOptions): ResourceDefinition {
  const n = naming(o.fields, o.renames);
  const identityKeys = Object.keys(o.identity ?? {});
  let schema: z.ZodType = tableSchema(o.fields, { identity: o.identity, renames: o.renames });
  if (o.refine) {
    schema = (schema as z.ZodObject).superRefine((d, ctx) =>
      o.refine!(
        d as Attrs,
        (path, message) => ctx.addIssue({ code: "custom", path: [path], message }),
      )
    );
  }
  const write = async (ctx: ResourceContext, d: Attrs) => {
    const ident = Object.fromEntries(identityKeys.map((k) => [k, d[k]]));
    const got = await o.write(ctx, ident, toSdk(d, o.fields, n));
    return { ...fromSdk(got, n), ...ident };
  };
  return {
    type: o.type,
    description: o.description,
    schema: schema as unknown as z.ZodType<Attrs>,
    requiresReplace: identityKeys,
    keepWhenUnset: Object.keys(o.fields).map(n.toAttr),
    secrets: secretsOf(o.fields, n),
    id: o.id,
    scopes: o.scopes,
    disruption: o.disruption,
    async read(ctx, id) {
      const ident = o.parseId(id);
      const got = await o.read(ctx, ident);
      return got ? { ...fromSdk(got, n), ...ident } : undefined;
    },
    create: write,
    update: write,
    releaseOnDelete: true,
    delete: () => Promise.resolve(),
    parseId: o.parseId,
  };
}

/** Options of {@link collectionResource}. */
export interface CollectionResourceOptions {
  type: string;
  description: string;
  fields: Fields;
  renames?: Record<string, string>;
  /** The key field (SDK name; required; changing it replaces the record). */
  key: string;
  /** Other fields (SDK names) that cannot change in place. */
  requiresReplace?: string[];
  scopes?(d: Attrs): string[];
  list(ctx: ResourceContext): Promise<Attrs[]>;
  create(ctx: ResourceContext, value: Attrs): Promise<Attrs>;
  update(ctx: ResourceContext, key: string, patch: Attrs): Promise<Attrs>;
  delete(ctx: ResourceContext, key: string): Promise<void>;
  disruption?(action: PlanAction, desired?: Attrs, prior?: Attrs): string | Disruption | undefined;
  /** Refuse deletes the device never allows (the reason), e.g. the built-in administrator. */
  canDelete?(live: Attrs): string | undefined;
}

/** A record list as one resource per record, keyed; reads share one list per plan. */
export function collectionResource(o: CollectionResourceOptions): ResourceDefinition {
  const n = naming(o.fields, o.renames);
  const keyAttr = n.toAttr(o.key);
  const list = async (ctx: ResourceContext) =>
    (ctx.memo ? await ctx.memo(`list:${o.type}`, () => o.list(ctx)) : await o.list(ctx))
      .map((r) => fromSdk(r, n));
  return {
    type: o.type,
    description: o.description,
    schema: tableSchema(o.fields, {
      required: [o.key],
      renames: o.renames,
    }) as unknown as z.ZodType<
      Attrs
    >,
    requiresReplace: [keyAttr, ...(o.requiresReplace ?? []).map(n.toAttr)],
    keepWhenUnset: Object.keys(o.fields).filter((k) => k !== o.key).map(n.toAttr),
    secrets: secretsOf(o.fields, n),
    id: (d) => String(d[keyAttr]),
    scopes: o.scopes ?? (() => ["hmm"]),
    disruption: o.disruption,
    canDelete: o.canDelete,
    async read(ctx, id) {
      return (await list(ctx)).find((r) => String(r[keyAttr]) === id);
    },
    async create(ctx, d) {
      return fromSdk(await o.create(ctx, toSdk(d, o.fields, n)), n);
    },
    async update(ctx, d) {
      const patch = toSdk(d, o.fields, n);
      delete patch[o.key];
      return fromSdk(await o.update(ctx, String(d[keyAttr]), patch), n);
    },
    async delete(ctx, prior) {
      await o.delete(ctx, String(prior[keyAttr]));
    },
    parseId: (id) => ({ [keyAttr]: id }),
  };
}

/** Options of {@link singletonResource}. */
export interface SingletonResourceOptions {
  type: string;
  description: string;
  fields: Fields;
  renames?: Record<string, string>;
  /** The one id (`ntp`, `chassis`): what `vessel import` takes. */
  id: string;
  /** Device scope (default `hmm`). */
  scope?: string;
  read(ctx: ResourceContext): Promise<Attrs>;
  write(ctx: ResourceContext, patch: Attrs): Promise<Attrs>;
  disruption?(action: PlanAction, desired?: Attrs, prior?: Attrs): string | Disruption | undefined;
  refine?(d: Attrs, issue: (path: string, message: string) => void): void;
}

/** A settings page that exists once per chassis (NTP, LDAP, chassis settings). */
export function singletonResource(o: SingletonResourceOptions): ResourceDefinition {
  return sectionResource({
    type: o.type,
    description: o.description,
    fields: o.fields,
    renames: o.renames,
    id: () => o.id,
    parseId: (x) => {
      if (x !== o.id) {
        throw new ValidationError(`Invalid ${o.type} id "${x}"`, {
          field: "id",
          hint: `There is one per chassis: import it as ${o.id}`,
        });
      }
      return {};
    },
    scopes: () => [o.scope ?? "hmm"],
    read: (ctx) => o.read(ctx),
    write: (ctx, _i, patch) => o.write(ctx, patch),
    disruption: o.disruption,
    refine: o.refine,
  });
}
