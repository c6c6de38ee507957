/**
 * Fans (HMM menu "PSUs & Fans → Fan Meter"): presence, speed and health of every fan module.
 *
 * Transport: HMM Redfish `Chassis/1/Thermal` (standard DMTF Thermal resource), with presence from
 * the HMM web API `networkhandler.php listpresentfru bladename=fan` when Redfish is missing.
 * Fan speed control: `fanhandler.php getfancontrol/setfancontrol` (`<fancontrol>`: mode auto or
 * manual, speed in percent), read back. The verbs were never captured on a real HMM: they follow the
 * read style (docs/simulator.md H.4, "assumption").
 *
 * @example
 * for (const f of await fans(chassis).list()) console.log(f.name, f.rpm);
 */
import { z } from "zod";
import { UnsupportedError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { children } from "../drivers/webapi/xml.ts";
import type { Chassis } from "./chassis.ts";
import { type DeviceHub, perChassis } from "./hub.ts";
import {
  type Fields,
  type Input,
  modelSchema,
  readSection,
  type SectionDef,
  writeSection,
} from "./webform.ts";

/** One fan. */
export const FanSchema = z.object({
  name: z.string().describe("Fan module, e.g. Fan3"),
  present: z.boolean().describe("Installed"),
  rpm: z.number().optional().describe("Speed in RPM"),
  health: z.string().describe("OK, Warning, Critical or Unknown"),
});
/** One fan. */
export type Fan = z.infer<typeof FanSchema>;

/** Fan speed control. */
export const FAN_CONTROL_FIELDS = {
  mode: {
    wire: "mode",
    kind: "string",
    values: ["auto", "manual"],
    describe: "auto: the HMM regulates by temperature; manual: every fan runs at `speed`",
  },
  speed: {
    wire: "speed",
    kind: "int",
    min: 20,
    max: 100,
    describe: "Manual speed in percent of the maximum (20-100)",
  },
} as const satisfies Fields;
/** Fan control model. */
export const FanControlSchema = modelSchema(FAN_CONTROL_FIELDS);

const CONTROL: SectionDef<typeof FAN_CONTROL_FIELDS> = {
  what: "fan speed control",
  handler: "fanhandler.php",
  get: "getfancontrol",
  set: "setfancontrol",
  element: "fancontrol",
  fields: FAN_CONTROL_FIELDS,
};

interface RfThermal {
  Fans?: {
    FanName?: string;
    Name?: string;
    Reading?: number;
    Status?: { State?: string; Health?: string };
  }[];
}

/** Fans of one chassis. */
export class FanModule {
  readonly hub: DeviceHub;
  constructor(hub: DeviceHub) {
    this.hub = hub;
  }
  /** Every fan position. */
  async list(o: CallOptions = {}): Promise<Fan[]> {
    try {
      const t = (await this.hub.redfish<RfThermal>(
        "hmm",
        "GET",
        "/redfish/v1/Chassis/1/Thermal",
        undefined,
        o,
      )).data;
      return (t.Fans ?? []).map((f, i) =>
        FanSchema.parse({
          name: f.FanName ?? f.Name ?? `Fan${i + 1}`,
          present: f.Status?.State !== "Absent",
          ...(typeof f.Reading === "number" ? { rpm: f.Reading } : {}),
          health: f.Status?.Health ?? "Unknown",
        })
      );
    } catch (e) {
      if (!(e instanceof UnsupportedError)) throw e;
    }
    const r = await this.hub.web("networkhandler.php", {
      actiontype: "listpresentfru",
      chassisid: "0",
      bladename: "fan",
    }, { ...o, idempotent: true });
    return children(r.doc, "fru").map((n) =>
      FanSchema.parse({ name: n.text.trim(), present: true, health: "Unknown" })
    );
  }
  /** Fan speed control settings. */
  control(o: CallOptions = {}) {
    return readSection(this.hub, CONTROL, {}, o);
  }
  /**
   * Changes fan speed control (read back).
   *
   * @example
   * await fans(chassis).setControl({ mode: "manual", speed: 60 });
   */
  setControl(v: Input<typeof FAN_CONTROL_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, CONTROL, v, {}, o);
  }
}

/**
 * The fan module of a chassis (cached per chassis).
 *
 * @example
 * await fans(chassis).list();
 */
export const fans: (chassis: Chassis) => FanModule = perChassis((_c, hub) => new FanModule(hub));
