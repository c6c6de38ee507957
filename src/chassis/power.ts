/**
 * PSUs and power (HMM menu "PSUs & Fans": Power Meter, Hibernation, Capping, Records).
 *
 * - meter: HMM Redfish `Chassis/1/Power` (consumption, PSUs; standard DMTF Power resource);
 *   per blade from its iBMC Redfish `Chassis/1/Power` when reachable;
 * - capping: HMM web API `powerhandler.php getpowercap/setpowercap` (write verb never captured
 *   upstream; shape per docs/simulator.md H.4), read back, and cross-checked against the Redfish
 *   `PowerLimit` where the HMM shows it;
 * - hibernation: `powerhandler.php getpowersleep/setpowersleep` (`<powersleep>`), read back;
 * - power records: `powerhandler.php getpowerhistory` (paged hourly average/peak rows) and
 *   `clearpowerhistory`.
 *
 * The hibernation and records verbs were never captured on a real HMM: they follow the read style
 * (docs/simulator.md H.4, "assumption"); a real HMM that differs answers with a DeviceError.
 *
 * @example
 * const p = power(chassis);
 * console.log((await p.meter()).consumedWatts);
 * await p.setCapping({ enabled: true, limit: 9000 });
 */
import { z } from "zod";
import { DeviceError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { children, childText } from "../drivers/webapi/xml.ts";
import { asctimeToIso, checkPage, type PageOptions } from "./alarms.ts";
import type { Chassis } from "./chassis.ts";
import { checkSlot, type DeviceHub, perChassis } from "./hub.ts";
import { ibmcAccess } from "./ibmc.ts";
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

/** PSU hibernation (idle PSUs sleep while the load allows). */
export const HIBERNATION_FIELDS = {
  enabled: { wire: "enabled", kind: "bool", describe: "PSU hibernation on" },
  redundancy: {
    wire: "redundancy",
    kind: "string",
    values: ["N+1", "N+N"],
    describe: "Redundancy kept while PSUs sleep: N+1 or N+N",
  },
} as const satisfies Fields;
/** Hibernation model. */
export const HibernationSchema = modelSchema(HIBERNATION_FIELDS);

const HIBERNATION: SectionDef<typeof HIBERNATION_FIELDS> = {
  what: "power hibernation",
  handler: "powerhandler.php",
  get: "getpowersleep",
  set: "setpowersleep",
  element: "powersleep",
  fields: HIBERNATION_FIELDS,
  referer: "/power.html?chassisid=0",
};

/** One power record (an hourly sample of the enclosure). */
export const PowerRecordSchema = z.object({
  time: z.string().describe("Start of the hour as printed (asctime, no zone)"),
  timeIso: z.string().optional().describe("Same, read as UTC"),
  averageWatts: z.number().describe("Average consumption over the hour"),
  peakWatts: z.number().describe("Peak consumption over the hour"),
});
/** One power record. */
export type PowerRecord = z.infer<typeof PowerRecordSchema>;

/** A page of power records. */
export const PowerRecordPageSchema = z.object({
  sum: z.number().int().describe("Records kept in total (all pages)"),
  records: z.array(PowerRecordSchema).describe("This page, newest first"),
});
/** A page of power records. */
export type PowerRecordPage = z.infer<typeof PowerRecordPageSchema>;

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
  /** PSU hibernation settings. */
  hibernation(o: CallOptions = {}) {
    return readSection(this.hub, HIBERNATION, {}, o);
  }
  /** Changes PSU hibernation (read back). */
  setHibernation(v: Input<typeof HIBERNATION_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, HIBERNATION, v, {}, o);
  }
  /**
   * One page of the power records (hourly samples, newest first; `page` 1-based).
   *
   * @throws {ValidationError} page or perpage out of range (nothing sent)
   */
  async records(o: PageOptions = {}): Promise<PowerRecordPage> {
    const { page, perpage } = checkPage(o);
    const r = await this.hub.web("powerhandler.php", {
      actiontype: "getpowerhistory",
      chassisid: "0",
      page: String(page),
      perpage: String(perpage),
    }, { ...o, idempotent: true, referer: "/power.html?chassisid=0" });
    return PowerRecordPageSchema.parse({
      sum: Number(childText(r.doc, "sum") ?? "0"),
      records: children(r.doc, "powerrecord").map((n) => {
        const time = childText(n, "datetime") ?? "";
        const iso = asctimeToIso(time);
        return {
          time,
          ...(iso ? { timeIso: iso } : {}),
          averageWatts: Number(childText(n, "average") ?? "0"),
          peakWatts: Number(childText(n, "peak") ?? "0"),
        };
      }),
    });
  }
  /**
   * Clears the power records (checked: the record count reads 0 afterwards, or only the
   * sample of a new hour).
   *
   * @throws {DeviceError} records remain after the clear
   */
  async deleteRecords(o: CallOptions = {}): Promise<void> {
    await this.hub.serialize("hmm", async () => {
      await this.hub.web("powerhandler.php", {
        actiontype: "clearpowerhistory",
        chassisid: "0",
      }, { ...o, referer: "/power.html?chassisid=0" });
      const left = (await this.records({ ...o, perpage: 1 })).sum;
      if (left > 1) {
        throw new DeviceError(
          `Inconsistent result after apply: ${left} power records remain after clearing`,
          { device: "hmm" },
        );
      }
    });
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
