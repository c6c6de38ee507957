/**
 * The address map of a chassis (`vessel discover`): slot ↔ iBMC, switch and management-module
 * addresses on the internal fabric `172.31.1.0/24` (redfish.md §2.1: blade N → `.128+N`, switch N →
 * `.160+N`, HMM N → `.164+N`), next to what the chassis itself reports (HMM Redfish OEM
 * addresses where present) and how Vessel reaches each device (the endpoints document).
 *
 * With `ping: true` the HMM shell pings every fabric address (`ping -c 1 -W 1`, upstream's sweep:
 * a host is up when the output reports a non-zero "received" count).
 *
 * @example
 * const map = await discover(chassis).run();
 * for (const b of map.blades) console.log(b.slot, b.fabricIp, b.present);
 */
import { z } from "zod";
import { UnsupportedError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import type { Chassis } from "./chassis.ts";
import { BLADE_SLOTS, SWITCH_NAMES } from "./endpoints.ts";
import { type DeviceHub, isFatal, perChassis } from "./hub.ts";
import { ibmcFabricIp } from "./ibmc.ts";

/** One device's addresses. */
export const AddressEntrySchema = z.object({
  fabricIp: z.string().describe("Address by the fabric rule (172.31.1.x)"),
  reportedIp: z.string().optional().describe("Address the HMM reports for it, when it does"),
  matches: z.boolean().optional().describe("reportedIp equals fabricIp (absent when not reported)"),
  present: z.boolean().optional().describe("The HMM says a module sits there"),
  redfish: z.string().optional().describe("Redfish URL Vessel uses (endpoints document)"),
  ssh: z.string().optional().describe("SSH URL Vessel uses (endpoints document)"),
  via: z.enum(["direct", "hmm"]).describe("direct, or through the HMM shell's own ssh"),
  pingable: z.boolean().optional().describe("Answered ping from the HMM (with ping)"),
});

/** The address map. */
export const DiscoverySchema = z.object({
  blades: z.array(AddressEntrySchema.extend({ slot: z.number().int().describe("Slot 1-16") })),
  switches: z.array(AddressEntrySchema.extend({ name: z.string().describe("swi1-swi4") })),
  managementModules: z.array(AddressEntrySchema.extend({ id: z.string().describe("HMM1/HMM2") })),
});
/** The address map. */
export type Discovery = z.infer<typeof DiscoverySchema>;

/** Options of {@link DiscoverModule.run}. */
export interface DiscoverOptions extends CallOptions {
  /** Ping every fabric address from the HMM shell. */
  ping?: boolean;
}

interface RfMember {
  Status?: { State?: string };
  Oem?: { Huawei?: { BMCIPv4Address?: string; ManagementIPv4Address?: string } };
}

/** Discovery of one chassis. */
export class DiscoverModule {
  readonly hub: DeviceHub;
  readonly chassis: Chassis;
  constructor(chassis: Chassis, hub: DeviceHub) {
    this.chassis = chassis;
    this.hub = hub;
  }

  /**
   * Builds the address map.
   *
   * @throws {AuthError} credentials refused
   */
  async run(o: DiscoverOptions = {}): Promise<Discovery> {
    const ep = this.hub.context.endpoints;
    const member = (path: string) =>
      this.hub.redfish<RfMember>("hmm", "GET", path, undefined, o).then(
        (r) => r.data,
        (e) => {
          if (isFatal(e)) throw e;
          return undefined;
        },
      );
    if (ep.hmm?.redfish) {
      await this.hub.hmmRedfish(o).catch((e) => {
        if (isFatal(e)) throw e;
      });
    }
    const slots = Array.from({ length: BLADE_SLOTS }, (_, i) => i + 1);
    const [bl, sw, mm] = await this.hub.all([
      () => this.hub.map(slots, (s) => member(`/redfish/v1/Chassis/Blade${s}`)),
      () => this.hub.map(SWITCH_NAMES, (_n, i) => member(`/redfish/v1/Chassis/Swi${i + 1}`)),
      () => this.hub.map(["HMM1", "HMM2"], (id) => member(`/redfish/v1/Chassis/${id}`)),
    ]);
    const entry = (fabricIp: string, m: RfMember | undefined, reported: string | undefined) => ({
      fabricIp,
      ...(reported ? { reportedIp: reported, matches: reported === fabricIp } : {}),
      ...(m?.Status?.State ? { present: m.Status.State !== "Absent" } : {}),
    });
    const out: Discovery = {
      blades: slots.map((slot, i) => {
        const e = ep.ibmc[String(slot)];
        return {
          slot,
          ...entry(ibmcFabricIp(slot), bl[i], bl[i]?.Oem?.Huawei?.BMCIPv4Address),
          ...(e?.redfish ? { redfish: e.redfish } : {}),
          ...(e?.ssh ? { ssh: e.ssh } : {}),
          via: e?.via === "hmm" ? "hmm" as const : "direct" as const,
        };
      }),
      switches: SWITCH_NAMES.map((name, i) => {
        const e = ep.switches[name];
        return {
          name,
          ...entry(`172.31.1.${161 + i}`, sw[i], sw[i]?.Oem?.Huawei?.ManagementIPv4Address),
          ...(e?.ssh ? { ssh: e.ssh } : {}),
          via: e?.via === "hmm" ? "hmm" as const : "direct" as const,
        };
      }),
      managementModules: ["HMM1", "HMM2"].map((id, i) => ({
        id,
        ...entry(`172.31.1.${165 + i}`, mm[i], undefined),
        via: "direct" as const,
      })),
    };
    if (o.ping) await this.#ping(out, o);
    return DiscoverySchema.parse(out);
  }

  async #ping(d: Discovery, o: CallOptions): Promise<void> {
    const all = [...d.blades, ...d.switches, ...d.managementModules];
    try {
      await this.hub.withHmmShell(async (shell) => {
        for (const a of all) {
          const out = await this.hub.call(
            "hmm",
            "ssh",
            `ping ${a.fabricIp}`,
            () => shell.exec(`ping -c 1 -W 1 ${a.fabricIp}`, this.hub.opts(o)),
            o,
          ).catch((e) => {
            if (isFatal(e)) throw e;
            return "";
          });
          const m = /(\d+)\s+(?:packets\s+)?received/i.exec(out);
          a.pingable = !!m && Number(m[1]) > 0;
        }
      }, o);
    } catch (e) {
      // no HMM shell on this chassis: leave `pingable` unset
      if (!(e instanceof UnsupportedError)) throw e;
    }
  }
}

/**
 * The discovery module of a chassis (cached per chassis).
 *
 * @example
 * const map = await discover(chassis).run({ ping: true });
 */
export const discover: (chassis: Chassis) => DiscoverModule = perChassis((c, hub) =>
  new DiscoverModule(c, hub)
);

/** Renders the map as text. */
export function renderDiscovery(d: Discovery): string {
  const out: string[] = ["DEVICE   FABRIC IP      REPORTED       PRESENT  VIA     PING  ENDPOINT"];
  const line = (name: string, a: z.infer<typeof AddressEntrySchema>) =>
    [
      name.padEnd(7),
      a.fabricIp.padEnd(13),
      (a.reportedIp ? `${a.reportedIp}${a.matches ? "" : "!"}` : "-").padEnd(13),
      (a.present === undefined ? "?" : a.present ? "yes" : "no").padEnd(7),
      a.via.padEnd(6),
      (a.pingable === undefined ? "" : a.pingable ? "up" : "down").padEnd(4),
      a.redfish ?? a.ssh ?? "",
    ].join("  ").trimEnd();
  for (const m of d.managementModules) out.push(line(m.id.toLowerCase(), m));
  for (const s of d.switches) out.push(line(s.name, s));
  for (const b of d.blades) out.push(line(`blade${b.slot}`, b));
  return out.join("\n") + "\n";
}
