/**
 * Chassis settings (HMM menu "Chassis Settings": Basic, BIOS Boot, Black Box, FC Ports, Reminder,
 * Restore), plus slot aliases and the HMM clock.
 *
 * - basic settings (name, location, asset tag, contact): `basichandler.php getbasic/setbasic`
 *   (write verb never captured upstream; shape per docs/simulator.md H.4); the asset tag also via
 *   `userhandler.php getassettag/setassettag` ([live] read) and shown by HMM Redfish `Chassis/1`;
 * - slot aliases: `userhandler.php getslotalias` ([live] read, `<slot1>`…`<slot16>`) /
 *   `setslotalias slot= alias=`;
 * - server time: `queryhandler.php getServerTime` ([live] request);
 * - BIOS boot (page `cabinet_bios.html`): `bioshandler.php getbiosboot/setbiosboot bladename=SlotN`
 *   (`<biosboot>`: boot mode, boot order, once/permanent); per-blade boot override through the
 *   iBMC is in the blade module;
 * - black box (`blackbox_switch_control.html`): `blackboxhandler.php getblackbox/setblackbox
 *   bladename=SlotN` (`<blackbox><enabled>`);
 * - FC ports (`cabinet_fc_port.html`): `fcporthandler.php listfcport` (`<fcport>` rows) and
 *   `setfcport bladename=SwiN port=FCn`;
 * - reminder: `reminderhandler.php getreminder/setreminder` (`<reminder>`);
 * - configuration restore (`cabinet_configrecovery.html`): `configrecoveryhandler.php
 *   getconfigrecovery` / `backupconfig` / `restoreconfig source=backup|factory`. DANGEROUS: a restore
 *   replaces every HMM setting (accounts, addresses, profiles); only src/ops calls it, inside the
 *   change envelope.
 *
 * None of these verbs was captured on a real HMM: shapes per docs/simulator.md H.4 ("assumption"),
 * in the style of the captured reads; every write is read back.
 *
 * @example
 * await basic(chassis).set({ location: "DC1 row 4", assetTag: "E9K-0042" });
 * await basic(chassis).setSlotAlias(3, "db-primary");
 * await basic(chassis).setBiosBoot(3, { bootOrder: ["Pxe", "Hdd"] });
 */
import { z } from "zod";
import { DeviceError, NotFoundError, ValidationError } from "../errors.ts";
import { WebApiError } from "../drivers/webapi/client.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { child, children, childText } from "../drivers/webapi/xml.ts";
import { asctimeToIso } from "./alarms.ts";
import type { Chassis } from "./chassis.ts";
import { BLADE_SLOTS } from "./endpoints.ts";
import { checkSlot, type DeviceHub, perChassis } from "./hub.ts";
import {
  checkReadBack,
  type Fields,
  fromWire,
  type Input,
  type Model,
  modelSchema,
  readSection,
  type SectionDef,
  toWire,
  validateInput,
  writeSection,
} from "./webform.ts";

/** Basic chassis settings. */
export const BASIC_FIELDS = {
  name: { wire: "chassisname", kind: "string", describe: "Chassis name" },
  location: { wire: "location", kind: "string", describe: "Where it stands" },
  assetTag: { wire: "assettag", kind: "string", describe: "Asset tag" },
  contact: { wire: "contact", kind: "string", describe: "Who to call" },
} as const satisfies Fields;
/** Basic settings model. */
export const BasicSettingsSchema = modelSchema(BASIC_FIELDS);

/** The HMM clock. */
export const ServerTimeSchema = z.object({
  time: z.string().describe("As printed (asctime, no zone)"),
  timeIso: z.string().optional().describe("Read as UTC"),
  timezone: z.string().optional().describe("Configured zone, e.g. GMT+0"),
});

const BASIC: SectionDef<typeof BASIC_FIELDS> = {
  what: "chassis basic settings",
  handler: "basichandler.php",
  get: "getbasic",
  set: "setbasic",
  element: "basic",
  fields: BASIC_FIELDS,
};

/** Chassis BIOS boot settings of one slot. */
export const BIOS_BOOT_FIELDS = {
  bootMode: {
    wire: "bootmode",
    kind: "string",
    values: ["Legacy", "UEFI"],
    describe: "BIOS boot mode: Legacy or UEFI",
  },
  bootOrder: {
    wire: "bootorder",
    kind: "list",
    describe: "Boot devices in order, each once: Hdd, Cd, Pxe, Floppy, Other",
  },
  effective: {
    wire: "effective",
    kind: "string",
    values: ["once", "permanent"],
    describe: "once: next boot only; permanent: every boot",
  },
} as const satisfies Fields;
/** BIOS boot model. */
export const BiosBootSchema = modelSchema(BIOS_BOOT_FIELDS);

const BIOS_BOOT: SectionDef<typeof BIOS_BOOT_FIELDS> = {
  what: "chassis BIOS boot settings",
  handler: "bioshandler.php",
  get: "getbiosboot",
  set: "setbiosboot",
  element: "biosboot",
  fields: BIOS_BOOT_FIELDS,
  referer: "/cabinet_bios.html?chassisid=0",
};
const BOOT_DEVICES = ["Hdd", "Cd", "Pxe", "Floppy", "Other"];

/** Black box (crash data capture) of one slot. */
export const BLACK_BOX_FIELDS = {
  enabled: { wire: "enabled", kind: "bool", describe: "Black box records the blade's crash data" },
} as const satisfies Fields;
/** Black box model. */
export const BlackBoxSchema = modelSchema(BLACK_BOX_FIELDS);

const BLACK_BOX: SectionDef<typeof BLACK_BOX_FIELDS> = {
  what: "black box",
  handler: "blackboxhandler.php",
  get: "getblackbox",
  set: "setblackbox",
  element: "blackbox",
  fields: BLACK_BOX_FIELDS,
  referer: "/blackbox_switch_control.html?chassisid=0",
};

/** Reminder settings. */
export const REMINDER_FIELDS = {
  enabled: { wire: "enabled", kind: "bool", describe: "Reminder on" },
  intervalDays: {
    wire: "interval",
    kind: "int",
    min: 1,
    max: 365,
    describe: "Days between reminders (1-365)",
  },
  content: {
    wire: "content",
    kind: "string",
    describe: "Reminder text (at most 127 characters; required when enabled)",
  },
} as const satisfies Fields;
/** Reminder model. */
export const ReminderSchema = modelSchema(REMINDER_FIELDS);

const REMINDER: SectionDef<typeof REMINDER_FIELDS> = {
  what: "reminder settings",
  handler: "reminderhandler.php",
  get: "getreminder",
  set: "setreminder",
  element: "reminder",
  fields: REMINDER_FIELDS,
};

/** One FC port of a switch module. */
export const FC_PORT_FIELDS = {
  switch: { wire: "bladename", kind: "string", describe: "Switch module, Swi1-Swi4" },
  port: { wire: "port", kind: "string", describe: "Port, FC1-FC8" },
  enabled: { wire: "enabled", kind: "bool", describe: "Port on" },
  speed: {
    wire: "speed",
    kind: "string",
    values: ["auto", "4G", "8G", "16G"],
    describe: "Speed: auto, 4G, 8G or 16G",
  },
  mode: {
    wire: "mode",
    kind: "string",
    values: ["F", "E", "N"],
    describe: "Port type: F (fabric), E (expansion), N (node / NPV)",
  },
} as const satisfies Fields;
/** FC port model. */
export const FcPortSchema = modelSchema(FC_PORT_FIELDS);
/** One FC port. */
export type FcPort = Model<typeof FC_PORT_FIELDS>;
const FC_SETTABLE = {
  enabled: FC_PORT_FIELDS.enabled,
  speed: FC_PORT_FIELDS.speed,
  mode: FC_PORT_FIELDS.mode,
} as const satisfies Fields;

/** Backup and restore state of the HMM configuration. */
export const ConfigRecoverySchema = z.object({
  backupTime: z.string().describe("When the backup was saved (asctime; empty: no backup)"),
  restoreTime: z.string().describe("When the last restore ran (asctime; empty: never)"),
  restoreSource: z.string().describe("What the last restore used: backup, factory or empty"),
});
/** Backup and restore state. */
export type ConfigRecovery = z.infer<typeof ConfigRecoverySchema>;
/** A configuration restore request. */
export const ConfigRestoreSchema = z.object({
  source: z.enum(["backup", "factory"]).describe(
    "backup: the configuration saved by saveConfigBackup; factory: factory settings",
  ),
  confirm: z.literal(true).describe("Must be true: every HMM setting is replaced"),
}).strict();
/** A configuration restore request. */
export type ConfigRestore = z.infer<typeof ConfigRestoreSchema>;
const RECOVERY_PAGE = "/cabinet_configrecovery.html?chassisid=0";

function swiName(name: string): string {
  const m = /^swi([1-4])$/i.exec(name);
  if (!m) throw new NotFoundError(`Unknown switch ${name}`, { hint: "Use swi1, swi2, swi3, swi4" });
  return `Swi${m[1]}`;
}

/** Runs a per-slot page call; retcode 5 (absent FRU, HTTP 400) becomes a NotFoundError. */
async function inSlot<T>(slot: number, fn: () => Promise<T>): Promise<T> {
  checkSlot(slot);
  try {
    return await fn();
  } catch (e) {
    if (e instanceof WebApiError && e.retcode === 5) {
      throw new NotFoundError(`Slot ${slot} holds no blade`, {
        cause: e,
        hint: "BIOS boot and black box settings exist for occupied slots only",
      });
    }
    throw e;
  }
}

function refusal(what: string, e: unknown): unknown {
  if (e instanceof WebApiError && e.retcode === 3) {
    return new ValidationError(`The HMM refused ${what}: ${e.desp ?? e.message}`, {
      cause: e,
      hint: "The chassis validated the value and changed nothing",
    });
  }
  return e;
}

/** Chassis settings of one chassis. */
export class BasicModule {
  readonly hub: DeviceHub;
  constructor(hub: DeviceHub) {
    this.hub = hub;
  }
  /** Basic settings. */
  get(o: CallOptions = {}) {
    return readSection(this.hub, BASIC, {}, o);
  }
  /** Changes basic settings (read back). */
  set(v: Input<typeof BASIC_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, BASIC, v, {}, o);
  }
  /** Slot aliases, slot 1–16 (empty string = none). */
  async slotAliases(o: CallOptions = {}): Promise<Record<number, string>> {
    const r = await this.hub.web(
      "userhandler.php",
      { actiontype: "getslotalias", chassisid: "0" },
      {
        ...o,
        idempotent: true,
      },
    );
    const out: Record<number, string> = {};
    for (let s = 1; s <= BLADE_SLOTS; s++) out[s] = childText(r.doc, `slot${s}`) ?? "";
    return out;
  }
  /**
   * Sets a slot alias (read back).
   *
   * @throws {ValidationError} more than 32 characters or not one line
   */
  async setSlotAlias(slot: number, alias: string, o: CallOptions = {}): Promise<string> {
    checkSlot(slot);
    // deno-lint-ignore no-control-regex
    if (typeof alias !== "string" || alias.length > 32 || /[\x00-\x1f\x7f]/.test(alias)) {
      throw new ValidationError(
        `Invalid alias ${JSON.stringify(alias)}: one line, at most 32 characters`,
        {
          field: "alias",
        },
      );
    }
    return await this.hub.serialize("hmm", async () => {
      await this.hub.web("userhandler.php", {
        actiontype: "setslotalias",
        chassisid: "0",
        slot: String(slot),
        alias,
      }, o);
      const got = (await this.slotAliases(o))[slot];
      if (got !== alias) {
        throw new DeviceError(
          `Inconsistent result after apply: slot ${slot} alias reads ${
            JSON.stringify(got)
          }, expected ${JSON.stringify(alias)}`,
          { device: "hmm" },
        );
      }
      return got;
    });
  }
  /** The HMM clock. */
  async serverTime(o: CallOptions = {}): Promise<z.infer<typeof ServerTimeSchema>> {
    const r = await this.hub.web("queryhandler.php", {
      actiontype: "getServerTime",
      chassisid: "0",
    }, {
      ...o,
      idempotent: true,
    });
    const time = childText(r.doc, "servertime") ?? "";
    const iso = asctimeToIso(time);
    const tz = childText(r.doc, "timezone");
    return ServerTimeSchema.parse({
      time,
      ...(iso ? { timeIso: iso } : {}),
      ...(tz ? { timezone: tz } : {}),
    });
  }
  /**
   * Chassis BIOS boot settings of a blade slot (HMM "Chassis Settings → BIOS Boot").
   *
   * @throws {NotFoundError} slot outside 1-16 or empty
   */
  biosBoot(slot: number, o: CallOptions = {}) {
    return inSlot(slot, () => readSection(this.hub, BIOS_BOOT, { bladename: `Slot${slot}` }, o));
  }
  /**
   * Changes the chassis BIOS boot settings of a slot (read back).
   *
   * @throws {ValidationError} unknown or repeated boot device (nothing sent)
   */
  async setBiosBoot(slot: number, v: Input<typeof BIOS_BOOT_FIELDS>, o: CallOptions = {}) {
    checkSlot(slot);
    const order = v.bootOrder;
    if (
      order !== undefined &&
      (!Array.isArray(order) || !order.length ||
        order.some((d) => !BOOT_DEVICES.includes(d)) || new Set(order).size !== order.length)
    ) {
      throw new ValidationError(
        `Invalid chassis BIOS boot settings bootOrder ${JSON.stringify(order)}: ` +
          `name each of ${BOOT_DEVICES.join(", ")} at most once`,
        { field: "bootOrder", hint: "Nothing was sent to the chassis" },
      );
    }
    return await inSlot(
      slot,
      () => writeSection(this.hub, BIOS_BOOT, v, { bladename: `Slot${slot}` }, o),
    );
  }
  /** Black box setting of a blade slot. */
  blackBox(slot: number, o: CallOptions = {}) {
    return inSlot(slot, () => readSection(this.hub, BLACK_BOX, { bladename: `Slot${slot}` }, o));
  }
  /** Switches a slot's black box on or off (read back). */
  setBlackBox(slot: number, v: Input<typeof BLACK_BOX_FIELDS>, o: CallOptions = {}) {
    return inSlot(
      slot,
      () => writeSection(this.hub, BLACK_BOX, v, { bladename: `Slot${slot}` }, o),
    );
  }
  /** FC ports of every present switch module. */
  async fcPorts(o: CallOptions = {}): Promise<FcPort[]> {
    const r = await this.hub.web("fcporthandler.php", {
      actiontype: "listfcport",
      chassisid: "0",
      page: "1",
      perpage: "1000",
    }, { ...o, idempotent: true, referer: "/cabinet_fc_port.html?chassisid=0" });
    return children(r.doc, "fcport").map((n) => fromWire(FC_PORT_FIELDS, n));
  }
  /**
   * Changes one FC port (`swi2`, `FC3`) and reads it back.
   *
   * @throws {NotFoundError} unknown switch or port
   * @throws {ValidationError} bad value (nothing sent) or refused by the HMM
   */
  async setFcPort(
    sw: string,
    port: string,
    v: Input<typeof FC_SETTABLE>,
    o: CallOptions = {},
  ): Promise<FcPort> {
    const bladename = swiName(sw);
    const want = validateInput("FC port", FC_SETTABLE, v);
    return await this.hub.serialize("hmm", async () => {
      const find = async () =>
        (await this.fcPorts(o)).find((p) =>
          p.switch === bladename && p.port.toUpperCase() === port.toUpperCase()
        );
      const cur = await find();
      if (!cur) {
        throw new NotFoundError(`No FC port ${port} on ${bladename}`, {
          hint: "basic(chassis).fcPorts() lists the ports",
        });
      }
      try {
        await this.hub.web("fcporthandler.php", {
          actiontype: "setfcport",
          chassisid: "0",
          bladename,
          port: cur.port,
          ...toWire(FC_SETTABLE, want),
        }, { ...o, referer: "/cabinet_fc_port.html?chassisid=0" });
      } catch (e) {
        throw refusal("the FC port setting", e);
      }
      const got = await find();
      if (!got) {
        throw new DeviceError(`FC port ${port} on ${bladename} disappeared`, { device: "hmm" });
      }
      checkReadBack("FC port", FC_SETTABLE, want, got);
      return got;
    });
  }
  /** Reminder settings. */
  reminder(o: CallOptions = {}) {
    return readSection(this.hub, REMINDER, {}, o);
  }
  /** Changes the reminder (read back). */
  setReminder(v: Input<typeof REMINDER_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, REMINDER, v, {}, o);
  }
  /** Backup and restore state of the HMM configuration. */
  async configRecovery(o: CallOptions = {}): Promise<ConfigRecovery> {
    const r = await this.hub.web("configrecoveryhandler.php", {
      actiontype: "getconfigrecovery",
      chassisid: "0",
    }, { ...o, idempotent: true, referer: RECOVERY_PAGE });
    const n = child(r.doc, "configrecovery");
    return ConfigRecoverySchema.parse({
      backupTime: childText(n, "backuptime") ?? "",
      restoreTime: childText(n, "restoretime") ?? "",
      restoreSource: childText(n, "restoresource") ?? "",
    });
  }
  /**
   * Saves the HMM's current configuration as its backup (replacing the previous backup); checked
   * by a backup time reading back.
   */
  async saveConfigBackup(o: CallOptions = {}): Promise<ConfigRecovery> {
    return await this.hub.serialize("hmm", async () => {
      await this.hub.web("configrecoveryhandler.php", {
        actiontype: "backupconfig",
        chassisid: "0",
      }, { ...o, referer: RECOVERY_PAGE });
      const after = await this.configRecovery(o);
      if (!after.backupTime) {
        throw new DeviceError(
          "Inconsistent result after apply: no configuration backup reads back",
          {
            device: "hmm",
          },
        );
      }
      return after;
    });
  }
  /**
   * Restores the HMM configuration from its backup or to factory settings. DANGEROUS: every HMM
   * setting is replaced (accounts, management addresses, profiles); a factory restore on a real
   * HMM may drop its address and the account in use. Call it only from src/ops, inside the change
   * envelope, with `confirm: true`.
   *
   * @throws {ValidationError} no `confirm`, or the HMM refused (e.g. no backup exists)
   * @throws {DeviceError} the restore does not read back
   */
  async applyConfigRestore(v: ConfigRestore, o: CallOptions = {}): Promise<ConfigRecovery> {
    const r = ConfigRestoreSchema.safeParse(v);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new ValidationError(`Invalid configuration restore ${i.path.join(".")}: ${i.message}`, {
        field: i.path.join("."),
        hint: "Use source backup or factory and confirm: true; nothing was sent",
      });
    }
    return await this.hub.serialize("hmm", async () => {
      try {
        await this.hub.web("configrecoveryhandler.php", {
          actiontype: "restoreconfig",
          chassisid: "0",
          source: v.source,
        }, { ...o, referer: RECOVERY_PAGE });
      } catch (e) {
        throw refusal("the configuration restore", e);
      }
      const after = await this.configRecovery(o);
      if (
        after.restoreSource !== v.source || !after.restoreTime
      ) {
        throw new DeviceError(
          `Inconsistent result after apply: the last restore reads ${
            JSON.stringify(after.restoreSource)
          }, expected ${v.source}`,
          { device: "hmm" },
        );
      }
      return after;
    });
  }
}

/**
 * The chassis-settings module of a chassis (cached per chassis).
 *
 * @example
 * console.log(await basic(chassis).get());
 */
export const basic: (chassis: Chassis) => BasicModule = perChassis((_c, hub) =>
  new BasicModule(hub)
);
