/**
 * The chassis map behind `vessel inventory`: enclosure, management modules, the 16 blade slots,
 * the 4 switch slots, with models, power, health, firmware versions and fabric addresses.
 *
 * Where each fact comes from (Redfish first, HMM web API second, SSH last):
 * - enclosure, management modules, switch modules: HMM Redfish `Chassis/1`, `Chassis/HMM<N>`,
 *   `Chassis/Swi<N>` (redfish.md §1.2);
 * - blades: {@link BladeModule.list} (iBMC Redfish, else HMM + iBMC CLI);
 * - management-module and switch firmware: HMM web `versionhandler.php get` (hmm-web-api.md
 *   §4.2; the proven path; blade versions come from the iBMCs instead, which spreads the load
 *   over 16 devices rather than queueing 16 more calls on the HMM).
 *
 * Everything runs in parallel under the hub's per-device caps; the first login runs alone (a
 * wrong password fails once). A device that does not answer leaves an entry in `errors` rather
 * than failing the whole map.
 *
 * @example
 * const inv = await inventory(chassis).read();
 * console.log(inv.blades.filter((b) => b.present).length);
 */
import { z } from "zod";
import { UnsupportedError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { decodeVersionText, parseVersionLines } from "../drivers/webapi/envelope.ts";
import { childText } from "../drivers/webapi/xml.ts";
import { blades, BladeSchema, HealthSchema } from "./blade.ts";
import type { Chassis } from "./chassis.ts";
import { SWITCH_NAMES } from "./endpoints.ts";
import { type DeviceHub, isFatal, perChassis } from "./hub.ts";

/** Firmware versions as the HMM reports them (`Software Version` → `(U54)7.63`). */
export const VersionsSchema = z.record(z.string(), z.string()).describe(
  "Version lines from versionhandler.php, keyed like `Software Version`, values verbatim",
);

/** A management module. */
export const ManagementModuleSchema = z.object({
  id: z.enum(["HMM1", "HMM2"]).describe("Management module slot"),
  present: z.boolean().describe("Module present"),
  role: z.enum(["active", "standby", "unknown"]).describe(
    "active owns the floating address; standby is the spare",
  ),
  model: z.string().optional().describe("Model, e.g. MM910"),
  serial: z.string().optional().describe("Serial number"),
  health: HealthSchema,
  fabricIp: z.string().describe("Address on the internal fabric, 172.31.1.(164+N)"),
  firmware: VersionsSchema.describe("Version lines (the active module answers as smm)"),
});
/** A management module. */
export type ManagementModule = z.infer<typeof ManagementModuleSchema>;

/** A switch module slot. */
export const SwitchModuleSchema = z.object({
  name: z.enum(SWITCH_NAMES).describe("Switch slot swi1-swi4"),
  present: z.boolean().describe("A switch module sits in the slot"),
  model: z.string().optional().describe("Model, e.g. CX310"),
  serial: z.string().optional().describe("Serial number"),
  power: z.enum(["On", "Off", "Unknown"]).describe("Module power"),
  health: HealthSchema,
  fabricIp: z.string().describe("Management address on the internal fabric, 172.31.1.(160+N)"),
  firmware: VersionsSchema,
});
/** A switch module slot. */
export type SwitchModule = z.infer<typeof SwitchModuleSchema>;

/** The chassis map. */
export const InventorySchema = z.object({
  chassis: z.object({
    model: z.string().optional().describe("Enclosure model, E9000"),
    serial: z.string().optional().describe("Enclosure serial number"),
    health: HealthSchema,
    power: z.enum(["On", "Off", "Unknown"]).describe("Enclosure power"),
  }).describe("The enclosure"),
  managementModules: z.array(ManagementModuleSchema).describe("HMM1 and HMM2"),
  blades: z.array(BladeSchema).describe("Slots 1-16"),
  switches: z.array(SwitchModuleSchema).describe("Slots swi1-swi4"),
  errors: z.array(z.object({
    device: z.string().describe("Device that did not answer, e.g. hmm, ibmc3"),
    message: z.string().describe("What went wrong"),
  })).describe("Parts of the map that could not be read"),
  elapsedMs: z.number().describe("Wall time of the read"),
});
/** The chassis map. */
export type Inventory = z.infer<typeof InventorySchema>;

interface RfMember {
  Model?: string;
  SerialNumber?: string;
  PowerState?: string;
  Status?: { State?: string; Health?: string };
}

function health(v: unknown): z.infer<typeof HealthSchema> {
  return v === "OK" || v === "Warning" || v === "Critical" ? v : "Unknown";
}
function pwr(v: unknown): "On" | "Off" | "Unknown" {
  return v === "On" || v === "Off" ? v : "Unknown";
}

/** Inventory of one chassis. */
export class InventoryModule {
  readonly hub: DeviceHub;
  readonly chassis: Chassis;
  constructor(chassis: Chassis, hub: DeviceHub) {
    this.chassis = chassis;
    this.hub = hub;
  }

  /**
   * Firmware version lines of one HMM component (`smm`, `othersmm`, `Swi2`, `Slot3`), or
   * undefined when absent (HTTP 400 / non-zero retcode, hmm-web-api.md §4.2).
   */
  async versions(
    component: string,
    o: CallOptions = {},
  ): Promise<Record<string, string> | undefined> {
    const r = await this.hub.web("versionhandler.php", {
      actiontype: "get",
      chassisid: "0",
      bladename: component,
      fruid: "0",
    }, { ...o, idempotent: true, allowFailure: true });
    if (r.status >= 400 || (r.retcode !== undefined && r.retcode !== 0)) return undefined;
    const text = r.doc ? childText(r.doc, "version") : undefined;
    return text ? parseVersionLines(decodeVersionText(text)) : {};
  }

  /**
   * Reads the whole chassis map.
   *
   * @throws {AuthError} credentials refused (nothing else is tried)
   */
  async read(o: CallOptions = {}): Promise<Inventory> {
    const t0 = performance.now();
    const errors: Inventory["errors"] = [];
    const soft = <T>(device: string, fallback: T) => (e: unknown): T => {
      if (isFatal(e)) throw e;
      if (!(e instanceof UnsupportedError)) {
        errors.push({ device, message: (e as Error)?.message ?? String(e) });
      }
      return fallback;
    };
    const ep = this.hub.context.endpoints;
    // The first login runs alone (the hub's gate); start it with the cheapest service.
    if (ep.hmm?.redfish) await this.hub.hmmRedfish(o).catch(soft("hmm", undefined));
    const rf = (path: string) =>
      this.hub.redfish<RfMember>("hmm", "GET", path, undefined, o).then((r) => r.data);
    const version = (c: string) =>
      ep.hmm?.web ? this.versions(c, o).catch(soft("hmm", undefined)) : Promise.resolve(undefined);
    const [encl, mms, smmV, otherV, sws, bladeList] = await this.hub.all([
      () => rf("/redfish/v1/Chassis/1").catch(soft("hmm", undefined)),
      () =>
        this.hub.map(["HMM1", "HMM2"] as const, async (id, i) => ({
          id,
          i,
          m: await rf(`/redfish/v1/Chassis/${id}`).catch(soft("hmm", undefined)),
        })),
      () => version("smm"),
      () => version("othersmm"),
      () =>
        this.hub.map(SWITCH_NAMES, async (name, i) => {
          const n = i + 1;
          const [m, fw] = await this.hub.all([
            () => rf(`/redfish/v1/Chassis/Swi${n}`).catch(soft("hmm", undefined)),
            () => version(`Swi${n}`),
          ]);
          const present = m?.Status?.State ? m.Status.State !== "Absent" : !!ep.switches[name];
          return SwitchModuleSchema.parse({
            name,
            present,
            ...(m?.Model ? { model: m.Model } : {}),
            ...(m?.SerialNumber ? { serial: m.SerialNumber } : {}),
            power: present ? pwr(m?.PowerState) : "Off",
            health: present ? health(m?.Status?.Health) : "Unknown",
            fabricIp: `172.31.1.${160 + n}`,
            firmware: present ? fw ?? {} : {},
          });
        }),
      () => blades(this.chassis).list(o),
    ]);
    // Management modules: the active one answers as smm, the peer as othersmm.
    const managementModules = mms.map(({ id, i, m }) => {
      const state = m?.Status?.State;
      const present = state ? state !== "Absent" : true;
      const role = state === "Enabled"
        ? "active"
        : state === "StandbySpare"
        ? "standby"
        : "unknown";
      const fw = role === "active" ? smmV : role === "standby" ? otherV : undefined;
      return ManagementModuleSchema.parse({
        id,
        present,
        role,
        ...(m?.Model ? { model: m.Model } : {}),
        ...(m?.SerialNumber ? { serial: m.SerialNumber } : {}),
        health: health(m?.Status?.Health),
        fabricIp: `172.31.1.${165 + i}`,
        firmware: fw ?? {},
      });
    });
    for (const b of bladeList) {
      if (b.error) errors.push({ device: `ibmc${b.slot}`, message: b.error });
    }
    return InventorySchema.parse({
      chassis: {
        ...(encl?.Model
          ? { model: encl.Model }
          : ep.chassis?.model
          ? { model: ep.chassis.model }
          : {}),
        ...(encl?.SerialNumber
          ? { serial: encl.SerialNumber }
          : ep.chassis?.serial
          ? { serial: ep.chassis.serial }
          : {}),
        health: health(encl?.Status?.Health),
        power: pwr(encl?.PowerState),
      },
      managementModules,
      blades: bladeList,
      switches: sws,
      errors,
      elapsedMs: Math.round(performance.now() - t0),
    });
  }
}

/**
 * The inventory module of a chassis (cached per chassis).
 *
 * @example
 * const map = await inventory(chassis).read();
 */
export const inventory: (chassis: Chassis) => InventoryModule = perChassis((c, hub) =>
  new InventoryModule(c, hub)
);

/** The most telling version line: software, then iMana, then the first `… Version`. */
function mainVersion(fw: Record<string, string>): string {
  return fw["Software Version"] ?? fw["Active iMana Version"] ??
    Object.entries(fw).find(([k]) => k.endsWith("Version"))?.[1] ?? "";
}

/** Renders the map as text tables (for `vessel inventory`). */
export function renderInventory(inv: Inventory): string {
  const rows: string[][] = [];
  const table = (head: string[], body: string[][]) => {
    const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
    const line = (r: string[]) => r.map((c, i) => (c ?? "").padEnd(w[i])).join("  ").trimEnd();
    return [line(head), ...body.map(line)].join("\n");
  };
  const out: string[] = [];
  out.push(
    `Chassis ${inv.chassis.model ?? "?"} serial ${
      inv.chassis.serial ?? "?"
    } health ${inv.chassis.health} power ${inv.chassis.power}`,
  );
  out.push("");
  out.push(table(
    ["MM", "ROLE", "MODEL", "HEALTH", "SOFTWARE", "FABRIC IP"],
    inv.managementModules.map((m) => [
      m.id,
      m.present ? m.role : "absent",
      m.model ?? "",
      m.health,
      m.firmware["Software Version"] ?? "",
      m.fabricIp,
    ]),
  ));
  out.push("");
  for (const b of inv.blades) {
    rows.push([
      String(b.slot),
      b.present ? b.model ?? "?" : "-",
      b.present ? b.power : "",
      b.present ? b.health : "",
      b.firmware.bios ?? "",
      b.firmware.ibmc ?? "",
      b.ibmc.fabricIp,
      b.present ? b.ibmc.reachedBy : "",
    ]);
  }
  out.push(table(["SLOT", "MODEL", "POWER", "HEALTH", "BIOS", "IBMC", "IBMC IP", "VIA"], rows));
  out.push("");
  out.push(table(
    ["SWITCH", "MODEL", "POWER", "HEALTH", "FIRMWARE", "MGMT IP"],
    inv.switches.map((s) => [
      s.name,
      s.present ? s.model ?? "?" : "-",
      s.present ? s.power : "",
      s.present ? s.health : "",
      mainVersion(s.firmware),
      s.fabricIp,
    ]),
  ));
  if (inv.errors.length) {
    out.push("");
    out.push("Not read:");
    for (const e of inv.errors) out.push(`  ${e.device}: ${e.message}`);
  }
  return out.join("\n") + "\n";
}
