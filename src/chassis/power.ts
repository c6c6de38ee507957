/**
 * PSUs and power (HMM menu "PSUs & Fans": Power Meter, Hibernation, Capping, Records).
 *
 * - meter: HMM Redfish `Chassis/1/Power` (consumption, PSUs; standard DMTF Power resource);
 *   per blade from its iBMC Redfish `Chassis/1/Power` when reachable;
 * - capping: HMM web API `powerhandler.php getpowercap/setpowercap` (write verb never captured
 *   upstream; shape per docs/simulator.md H.4), read back, and cross-checked against the Redfish
 *   `PowerLimit` where the HMM shows it;
 * - hibernation and power records: no known interface ({@link UnsupportedError}).
 *
 * @example
 * const p = power(chassis);
 * console.log((await p.meter()).consumedWatts);
 * await p.setCapping({ enabled: true, limit: 9000 });
 */
import { z } from "zod";
import type { CallOptions } from "../drivers/deadline.ts";
import type { Chassis } from "./chassis.ts";
import { checkSlot, type DeviceHub, perChassis } from "./hub.ts";
import { ibmcAccess } from "./ibmc.ts";
import { noTransport } from "./unsupported.ts";
import {
  type Fields,
  type Input,
  modelSchema,
  readSection,
  type SectionDef,
  writeSection,
} from "./webform.ts";

/** One PSU. */
export const PsuSchema = z.object({
  name: z.string().describe("PSU name, e.g. PSU1"),
  present: z.boolean().describe("Installed"),
  capacityWatts: z.number().optional().describe("Rated output"),
  health: z.string().describe("OK, Warning, Critical or Unknown"),
});

/** The chassis power meter. */
export const PowerMeterSchema = z.object({
  consumedWatts: z.number().optional().describe("Present consumption of the enclosure"),
  limitWatts: z.number().nullable().describe("Capping limit Redfish reports (null: none)"),
  psus: z.array(PsuSchema).describe("Power supplies"),
});
/** The chassis power meter. */
export type PowerMeter = z.infer<typeof PowerMeterSchema>;

/** Power capping. */
export const CAPPING_FIELDS = {
  enabled: { wire: "enabled", kind: "bool", describe: "Capping on" },
  mode: { wire: "mode", kind: "string", describe: "How the budget is shared, e.g. equal" },
  limit: {
    wire: "limit",
    kind: "int",
    min: 0,
    describe: "Limit in watts (the HMM wants >= 1000 when on)",
  },
  failAction: {
    wire: "failaction",
    kind: "string",
    describe: "What happens when the cap cannot hold",
  },
} as const satisfies Fields;
/** Capping model. */
export const CappingSchema = modelSchema(CAPPING_FIELDS);

const CAP: SectionDef<typeof CAPPING_FIELDS> = {
  what: "power capping",
  handler: "powerhandler.php",
  get: "getpowercap",
  set: "setpowercap",
  element: "powercap",
  fields: CAPPING_FIELDS,
};

interface RfPower {
  PowerControl?: { PowerConsumedWatts?: number; PowerLimit?: { LimitInWatts?: number | null } }[];
  PowerSupplies?: {
    Name?: string;
    PowerCapacityWatts?: number;
    Status?: { State?: string; Health?: string };
  }[];
}

function meterFrom(d: RfPower): PowerMeter {
  const pc = d.PowerControl?.[0];
  return PowerMeterSchema.parse({
    ...(typeof pc?.PowerConsumedWatts === "number" ? { consumedWatts: pc.PowerConsumedWatts } : {}),
    limitWatts: pc?.PowerLimit?.LimitInWatts ?? null,
    psus: (d.PowerSupplies ?? []).map((p, i) => ({
      name: p.Name ?? `PSU${i + 1}`,
      present: p.Status?.State !== "Absent",
      ...(typeof p.PowerCapacityWatts === "number" ? { capacityWatts: p.PowerCapacityWatts } : {}),
      health: p.Status?.Health ?? "Unknown",
    })),
  });
}

/** Power of one chassis. */
export class PowerModule {
  readonly hub: DeviceHub;
  constructor(hub: DeviceHub) {
    this.hub = hub;
  }
  /** The enclosure's meter and PSUs (HMM Redfish). */
  async meter(o: CallOptions = {}): Promise<PowerMeter> {
    return meterFrom(
      (await this.hub.redfish<RfPower>("hmm", "GET", "/redfish/v1/Chassis/1/Power", undefined, o))
        .data,
    );
  }
  /** A blade's consumption from its iBMC (Redfish only). */
  async bladeMeter(slot: number, o: CallOptions = {}): Promise<PowerMeter> {
    checkSlot(slot);
    return meterFrom(
      (await ibmcAccess(this.hub).get<RfPower>(slot, "/redfish/v1/Chassis/1/Power", o)).data,
    );
  }
  /** Capping settings. */
  capping(o: CallOptions = {}) {
    return readSection(this.hub, CAP, {}, o);
  }
  /** Changes capping (read back). */
  setCapping(v: Input<typeof CAPPING_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, CAP, v, {}, o);
  }
  /** Hibernation (no known interface). */
  hibernation(_o: CallOptions = {}): Promise<never> {
    return Promise.reject(
      captured(() => noTransport("Power hibernation", "hmm.power.hibernation")),
    );
  }
  /** Power records / history (no known interface). */
  records(_o: CallOptions = {}): Promise<never> {
    return Promise.reject(captured(() => noTransport("Power records", "hmm.power.records")));
  }
}

function captured(fn: () => never): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
}

/**
 * The power module of a chassis (cached per chassis).
 *
 * @example
 * console.log(await power(chassis).capping());
 */
export const power: (chassis: Chassis) => PowerModule = perChassis((_c, hub) =>
  new PowerModule(hub)
);
