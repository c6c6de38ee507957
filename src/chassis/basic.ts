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
 * - BIOS boot order, black box, FC ports, reminder, configuration restore: no known interface
 *   ({@link UnsupportedError}). Per-blade boot devices are in the blade module.
 *
 * @example
 * await basic(chassis).set({ location: "DC1 row 4", assetTag: "E9K-0042" });
 * await basic(chassis).setSlotAlias(3, "db-primary");
 */
import { z } from "zod";
import { DeviceError, ValidationError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { childText } from "../drivers/webapi/xml.ts";
import { asctimeToIso } from "./alarms.ts";
import type { Chassis } from "./chassis.ts";
import { BLADE_SLOTS } from "./endpoints.ts";
import { checkSlot, type DeviceHub, perChassis } from "./hub.ts";
import { noTransport } from "./unsupported.ts";
import {
  type Fields,
  type Input,
  modelSchema,
  readSection,
  type SectionDef,
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

function rejectWith(fn: () => never): Promise<never> {
  try {
    fn();
  } catch (e) {
    return Promise.reject(e);
  }
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
  /** Chassis BIOS boot settings (no known interface; per-blade boot is in the blade module). */
  biosBoot(_o: CallOptions = {}): Promise<never> {
    return rejectWith(() => noTransport("Chassis BIOS boot settings", "hmm.basic.bios-boot"));
  }
  /** Black box (no known interface). */
  blackBox(_o: CallOptions = {}): Promise<never> {
    return rejectWith(() => noTransport("Black box", "hmm.basic.black-box"));
  }
  /** FC ports (no known interface). */
  fcPorts(_o: CallOptions = {}): Promise<never> {
    return rejectWith(() => noTransport("FC port settings", "hmm.basic.fc-ports"));
  }
  /** Reminder (no known interface). */
  reminder(_o: CallOptions = {}): Promise<never> {
    return rejectWith(() => noTransport("Reminder settings", "hmm.basic.reminder"));
  }
  /** Configuration restore (no known interface; Vessel's own restore lives in src/ops). */
  restore(_o: CallOptions = {}): Promise<never> {
    return rejectWith(() => noTransport("Configuration restore", "hmm.basic.restore"));
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
