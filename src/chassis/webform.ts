/**
 * Settings pages and record lists of the HMM web API, described once and used by the menu
 * modules (network, stateless, easyLink, power, alarms, system, basic).
 *
 * The write verbs of these menus were never captured upstream (hmm-web-api.md "Facts still
 * unknown"); Vessel uses the dispatcher shapes the simulator documents (docs/simulator.md H.4):
 * form POST with `actiontype`, success `<retcode>0</retcode>`, validation failures retcode 3 with
 * the field and rule in `desp`; a settings page reads back as `<element>` with one child per
 * field, lists as `<sum>` + repeated `<element>` rows; booleans are `0`/`1`; lists are
 * comma-separated; secrets are write-only. Where a real HMM differs, only the field tables in
 * the modules change.
 *
 * Device manners: writes are serialised on the HMM, never retried (not idempotent), validated
 * before any I/O (zod, from the same table), and read back: a stored value that differs from the
 * request is a {@link DeviceError} ("inconsistent result after apply"), never a silent success.
 */
import { z } from "zod";
import { DeviceError, NotFoundError, ValidationError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { WebApiError } from "../drivers/webapi/client.ts";
import { child, children, childText, type XmlNode } from "../drivers/webapi/xml.ts";
import type { DeviceHub } from "./hub.ts";

/** How a field travels. */
export type FieldKind = "string" | "int" | "bool" | "list" | "secret";

/** One field of a page or row. */
export interface FieldDef {
  /** Element / form field name on the wire. */
  wire: string;
  kind: FieldKind;
  /** Documentation (becomes the zod `.describe()`). */
  describe: string;
  /** Allowed values (string fields). */
  values?: readonly string[];
  min?: number;
  max?: number;
}

/** A table of fields. */
export type Fields = Record<string, FieldDef>;

type ValueOf<K extends FieldKind> = K extends "int" ? number
  : K extends "bool" ? boolean
  : K extends "list" ? string[]
  : string;

/** What a page or row reads as (secrets are never read back). */
export type Model<F extends Fields> = {
  [k in keyof F as F[k]["kind"] extends "secret" ? never : k]: ValueOf<F[k]["kind"]>;
};

/** What a write may set. */
export type Input<F extends Fields> = { [k in keyof F]?: ValueOf<F[k]["kind"]> };

function fieldSchema(f: FieldDef): z.ZodType {
  let s: z.ZodType;
  switch (f.kind) {
    case "int": {
      let n = z.number().int();
      if (f.min !== undefined) n = n.min(f.min);
      if (f.max !== undefined) n = n.max(f.max);
      s = n;
      break;
    }
    case "bool":
      s = z.boolean();
      break;
    case "list":
      s = z.array(z.string().regex(/^[^,\r\n]*$/, "must not contain commas or line breaks"));
      break;
    default: {
      // deno-lint-ignore no-control-regex
      const base = z.string().regex(/^[^\r\n\x00]*$/, "must be one line");
      s = f.values?.length ? z.enum(f.values as [string, ...string[]]) : base;
    }
  }
  return s.describe(f.describe);
}

/** The zod schema of what a table reads as (for validation, JSON Schema and docs). */
export function modelSchema<F extends Fields>(fields: F): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, f] of Object.entries(fields)) if (f.kind !== "secret") shape[k] = fieldSchema(f);
  return z.object(shape);
}

/** The zod schema of a write (every field optional). */
export function inputSchema<F extends Fields>(fields: F): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, f] of Object.entries(fields)) shape[k] = fieldSchema(f).optional();
  return z.object(shape).strict();
}

/** Reads one record from an element. */
export function fromWire<F extends Fields>(fields: F, node: XmlNode | undefined): Model<F> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(fields)) {
    if (f.kind === "secret") continue;
    const t = childText(node, f.wire) ?? "";
    out[k] = f.kind === "int"
      ? (/^-?\d+$/.test(t) ? Number(t) : 0)
      : f.kind === "bool"
      ? t === "1" || /^(true|yes|on|enabled?)$/i.test(t)
      : f.kind === "list"
      ? t.split(",").map((x) => x.trim()).filter(Boolean)
      : t;
  }
  return out as Model<F>;
}

/** Writes a record as form fields. */
export function toWire<F extends Fields>(fields: F, v: Input<F>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, f] of Object.entries(fields)) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    out[f.wire] = f.kind === "bool"
      ? (x ? "1" : "0")
      : f.kind === "list"
      ? (x as string[]).join(",")
      : String(x);
  }
  return out;
}

/**
 * Validates a write against the table.
 *
 * @throws {ValidationError} naming the field and the rule (nothing was sent)
 */
export function validateInput<F extends Fields>(what: string, fields: F, v: unknown): Input<F> {
  const r = inputSchema(fields).safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0];
    const field = i.path.join(".");
    throw new ValidationError(`Invalid ${what}${field ? ` ${field}` : ""}: ${i.message}`, {
      field,
      hint: "Nothing was sent to the chassis",
    });
  }
  return r.data as Input<F>;
}

/** Compares what was written with what reads back (secrets skipped). */
export function checkReadBack<F extends Fields>(
  what: string,
  fields: F,
  want: Input<F>,
  got: Model<F>,
): void {
  for (const [k, f] of Object.entries(fields)) {
    if (f.kind === "secret") continue;
    const w = (want as Record<string, unknown>)[k];
    if (w === undefined) continue;
    const g = (got as Record<string, unknown>)[k];
    if (JSON.stringify(w) !== JSON.stringify(g)) {
      throw new DeviceError(
        `Inconsistent result after apply: ${what} ${k} reads ${JSON.stringify(g)}, expected ${
          JSON.stringify(w)
        }`,
        { device: "hmm", details: { field: k, expected: w, actual: g } },
      );
    }
  }
}

/** Turns a refused write (retcode 3: invalid parameter) into a ValidationError from the device. */
function deviceRefusal(what: string, e: unknown): unknown {
  if (e instanceof WebApiError && e.retcode === 3) {
    return new ValidationError(`The HMM refused ${what}: ${e.desp ?? e.message}`, {
      cause: e,
      hint: "The chassis validated the value and changed nothing",
      details: { retcode: 3 },
    });
  }
  return e;
}

/** A settings page (one record): read, write with read-back. */
export interface SectionDef<F extends Fields> {
  what: string;
  handler: string;
  get: string;
  set: string;
  element: string;
  fields: F;
  referer?: string;
}

/** Reads a settings page. */
export async function readSection<F extends Fields>(
  hub: DeviceHub,
  def: SectionDef<F>,
  extra: Record<string, string> = {},
  o: CallOptions = {},
): Promise<Model<F>> {
  const r = await hub.web(def.handler, { actiontype: def.get, chassisid: "0", ...extra }, {
    ...o,
    idempotent: true,
    ...(def.referer ? { referer: def.referer } : {}),
  });
  const node = child(r.doc, def.element);
  if (!node) {
    throw new DeviceError(`The HMM answered ${def.handler} ${def.get} without <${def.element}>`, {
      device: "hmm",
    });
  }
  return fromWire(def.fields, node);
}

/**
 * Writes a settings page: current values merged with `patch` (the form carries every field),
 * serialised on the HMM, then read back.
 *
 * @throws {ValidationError} bad input (nothing sent) or refused by the HMM (retcode 3)
 * @throws {DeviceError} the read-back differs
 */
export async function writeSection<F extends Fields>(
  hub: DeviceHub,
  def: SectionDef<F>,
  patch: Input<F>,
  extra: Record<string, string> = {},
  o: CallOptions = {},
): Promise<Model<F>> {
  const want = validateInput(def.what, def.fields, patch);
  return await hub.serialize("hmm", async () => {
    const cur = await readSection(hub, def, extra, o);
    const form = { ...toWire(def.fields, cur as unknown as Input<F>), ...toWire(def.fields, want) };
    try {
      await hub.web(def.handler, { actiontype: def.set, chassisid: "0", ...extra, ...form }, {
        ...o,
        ...(def.referer ? { referer: def.referer } : {}),
      });
    } catch (e) {
      throw deviceRefusal(def.what, e);
    }
    const got = await readSection(hub, def, extra, o);
    checkReadBack(def.what, def.fields, want, got);
    return got;
  });
}

/** A list of records with a key: list (all pages), create, update, delete. */
export interface CollectionDef<F extends Fields> {
  what: string;
  handler: string;
  list: string;
  /** The list is paged (`page`, `perpage`, `sum`). */
  paged?: boolean;
  add: string;
  modify: string;
  del: string;
  element: string;
  /** Key field (camel name). */
  key: keyof F & string;
  fields: F;
}

/** Lists every record (following the pages). */
export async function listCollection<F extends Fields>(
  hub: DeviceHub,
  def: CollectionDef<F>,
  o: CallOptions = {},
): Promise<Model<F>[]> {
  const perpage = 100;
  const page = async (p: number) => {
    const r = await hub.web(def.handler, {
      actiontype: def.list,
      chassisid: "0",
      ...(def.paged ? { page: String(p), perpage: String(perpage) } : {}),
    }, { ...o, idempotent: true });
    const sum = Number(childText(r.doc, "sum") ?? "0");
    return { sum, rows: children(r.doc, def.element).map((n) => fromWire(def.fields, n)) };
  };
  const first = await page(1);
  if (!def.paged || first.sum <= perpage) return first.rows;
  const rest = await hub.map(
    Array.from({ length: Math.ceil(first.sum / perpage) - 1 }, (_, i) => i + 2),
    (p) => page(p),
  );
  return [first, ...rest].flatMap((x) => x.rows);
}

function keyOf<F extends Fields>(def: CollectionDef<F>, r: Model<F>): string {
  return String((r as Record<string, unknown>)[def.key]);
}

/** One record by key, or undefined. */
export async function getRecord<F extends Fields>(
  hub: DeviceHub,
  def: CollectionDef<F>,
  key: string,
  o: CallOptions = {},
): Promise<Model<F> | undefined> {
  return (await listCollection(hub, def, o)).find((r) => keyOf(def, r) === key);
}

/**
 * Creates a record and reads it back.
 *
 * @throws {ValidationError} bad input, or refused by the HMM
 * @throws {DeviceError} read-back differs
 */
export async function createRecord<F extends Fields>(
  hub: DeviceHub,
  def: CollectionDef<F>,
  value: Input<F>,
  o: CallOptions = {},
): Promise<Model<F>> {
  const want = validateInput(def.what, def.fields, value);
  const key = (want as Record<string, unknown>)[def.key];
  if (key === undefined || key === "") {
    throw new ValidationError(`Invalid ${def.what}: ${def.key} is required`, { field: def.key });
  }
  return await hub.serialize("hmm", async () => {
    try {
      await hub.web(def.handler, {
        actiontype: def.add,
        chassisid: "0",
        ...toWire(def.fields, want),
      }, o);
    } catch (e) {
      throw deviceRefusal(def.what, e);
    }
    const got = await getRecord(hub, def, String(key), o);
    if (!got) {
      throw new DeviceError(
        `Inconsistent result after apply: ${def.what} ${String(key)} is not listed after creation`,
        { device: "hmm" },
      );
    }
    checkReadBack(def.what, def.fields, want, got);
    return got;
  });
}

/**
 * Changes a record (the form carries the current values merged with `patch`) and reads it back.
 *
 * @throws {NotFoundError} no record with that key
 */
export async function updateRecord<F extends Fields>(
  hub: DeviceHub,
  def: CollectionDef<F>,
  key: string,
  patch: Input<F>,
  o: CallOptions = {},
): Promise<Model<F>> {
  const want = validateInput(def.what, def.fields, patch);
  return await hub.serialize("hmm", async () => {
    const cur = await getRecord(hub, def, key, o);
    if (!cur) throw new NotFoundError(`No ${def.what} ${key} on the HMM`);
    const form = {
      ...toWire(def.fields, cur as unknown as Input<F>),
      ...toWire(def.fields, want),
      [def.fields[def.key].wire]: key,
    };
    try {
      await hub.web(def.handler, { actiontype: def.modify, chassisid: "0", ...form }, o);
    } catch (e) {
      throw deviceRefusal(def.what, e);
    }
    const got = await getRecord(hub, def, key, o);
    if (!got) {
      throw new DeviceError(`${def.what} ${key} disappeared after the change`, { device: "hmm" });
    }
    checkReadBack(def.what, def.fields, want, got);
    return got;
  });
}

/**
 * Deletes a record and checks it is gone.
 *
 * @throws {NotFoundError} absent (unless `missingOk`)
 * @throws {ValidationError} the HMM refused (e.g. a profile still assigned)
 */
export async function deleteRecord<F extends Fields>(
  hub: DeviceHub,
  def: CollectionDef<F>,
  key: string,
  o: CallOptions & { missingOk?: boolean; extra?: Record<string, string> } = {},
): Promise<void> {
  await hub.serialize("hmm", async () => {
    const cur = await getRecord(hub, def, key, o);
    if (!cur) {
      if (o.missingOk) return;
      throw new NotFoundError(`No ${def.what} ${key} on the HMM`);
    }
    try {
      await hub.web(def.handler, {
        actiontype: def.del,
        chassisid: "0",
        [def.fields[def.key].wire]: key,
        ...o.extra,
      }, o);
    } catch (e) {
      throw deviceRefusal(def.what, e);
    }
    if (await getRecord(hub, def, key, o)) {
      throw new DeviceError(`Inconsistent result after apply: ${def.what} ${key} still exists`, {
        device: "hmm",
      });
    }
  });
}
