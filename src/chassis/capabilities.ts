/**
 * What each device of a chassis supports, probed once per device and kept for the life of the
 * chassis (`vessel inventory --capabilities` prints it). The transport choice of every SDK
 * operation follows it: Redfish when present, the HMM web API second, SSH last.
 *
 * Probes (read-only):
 * - HMM: Redfish service root (`RedfishVersion`), `SessionService` (Huawei OEM `MaxSessions` when
 *   the device says), web API login, shell address;
 * - each iBMC: Redfish root, `SessionService`, the ComputerSystem's `ResetType` and boot targets,
 *   virtual media: standard (`#VirtualMedia.InsertMedia`) or Huawei OEM
 *   (`Oem.Huawei.Actions.#VirtualMedia.VmmControl`, field lesson 3) or none; otherwise how its
 *   shell is reached (direct or through the HMM);
 * - each switch: immediate (VRP5) or two-stage commit (VRP8), from the system-view prompt.
 *
 * @example
 * const caps = await capabilities(chassis).probe();
 * if (caps.ibmc["3"]?.virtualMedia === "none") …
 */
import { z } from "zod";
import type { CallOptions } from "../drivers/deadline.ts";
import type { Chassis } from "./chassis.ts";
import { SWITCH_NAMES } from "./endpoints.ts";
import { type DeviceHub, isFatal, isNoService, perChassis } from "./hub.ts";
import { ibmcAccess } from "./ibmc.ts";

/** A Redfish service as probed. */
export const RedfishCapabilitySchema = z.object({
  available: z.boolean().describe("The service answered"),
  version: z.string().optional().describe("RedfishVersion of the service root"),
  deviceMaxSessions: z.number().optional().describe(
    "Session limit the device states (Huawei OEM MaxSessions); absent when it does not say",
  ),
  sessionCap: z.number().describe("Sessions Vessel opens at most (kept below the device limit)"),
  error: z.string().optional().describe("Why the probe failed"),
});

/** One iBMC as probed. */
export const IbmcCapabilitySchema = z.object({
  redfish: RedfishCapabilitySchema,
  shell: z.enum(["direct", "via-hmm", "none"]).describe("How the iBMC CLI is reached"),
  virtualMedia: z.enum(["standard", "oem", "none", "unknown"]).describe(
    "standard: VirtualMedia.InsertMedia; oem: Huawei VmmControl only; none: no virtual media",
  ),
  resetTypes: z.array(z.string()).describe("ComputerSystem.Reset ResetType values offered"),
  bootTargets: z.array(z.string()).describe("BootSourceOverrideTarget values offered"),
});

/** One switch as probed. */
export const SwitchCapabilitySchema = z.object({
  access: z.enum(["direct", "via-hmm"]).describe("How the VRP CLI is reached"),
  vrpMode: z.enum(["immediate", "two-stage", "unknown"]).describe(
    "immediate (VRP5) or two-stage commit (VRP8)",
  ),
  error: z.string().optional().describe("Why the probe failed"),
});

/** The capability report. */
export const CapabilityReportSchema = z.object({
  hmm: z.object({
    redfish: RedfishCapabilitySchema,
    web: z.object({
      available: z.boolean().describe("The web API login worked"),
      error: z.string().optional(),
    }),
    shell: z.object({ available: z.boolean().describe("An HMM shell address is known") }),
  }),
  ibmc: z.record(z.string(), IbmcCapabilitySchema).describe("Per blade slot"),
  switches: z.record(z.string(), SwitchCapabilitySchema).describe("Per switch module"),
  parallelism: z.object({
    sessionCaps: z.record(z.string(), z.number()).describe("Per-device caps in use"),
  }),
});
/** The capability report. */
export type CapabilityReport = z.infer<typeof CapabilityReportSchema>;

interface Root {
  RedfishVersion?: string;
}
interface SessionSvc {
  Oem?: { Huawei?: { MaxSessions?: number } };
}
interface Sys {
  Boot?: { "BootSourceOverrideTarget@Redfish.AllowableValues"?: string[] };
  Actions?: Record<string, { "ResetType@Redfish.AllowableValues"?: string[] }>;
}
interface Mgr {
  VirtualMedia?: { "@odata.id"?: string };
}
interface VmMember {
  Actions?: Record<string, unknown>;
  Oem?: { Huawei?: { Actions?: Record<string, unknown> } };
}

/** Capability probing of one chassis (results cached: each device is probed once). */
export class CapabilityModule {
  readonly hub: DeviceHub;
  readonly chassis: Chassis;
  #report?: Promise<CapabilityReport>;

  constructor(chassis: Chassis, hub: DeviceHub) {
    this.chassis = chassis;
    this.hub = hub;
  }

  /**
   * Probes every device once (later calls return the same report).
   *
   * @throws {AuthError} credentials refused
   */
  probe(o: CallOptions = {}): Promise<CapabilityReport> {
    this.#report ??= this.#probe(o);
    const p = this.#report;
    p.catch(() => {
      if (this.#report === p) this.#report = undefined;
    });
    return p;
  }

  async #redfish(target: "hmm" | number, cap: number, o: CallOptions) {
    try {
      const [root, ss] = await this.hub.all([
        () => this.hub.redfish<Root>(target, "GET", "/redfish/v1", undefined, o),
        () =>
          this.hub.redfish<SessionSvc>(target, "GET", "/redfish/v1/SessionService", undefined, o)
            .catch(() => undefined),
      ]);
      const max = ss?.data?.Oem?.Huawei?.MaxSessions;
      return RedfishCapabilitySchema.parse({
        available: true,
        ...(root.data?.RedfishVersion ? { version: root.data.RedfishVersion } : {}),
        ...(typeof max === "number" ? { deviceMaxSessions: max } : {}),
        sessionCap: cap,
      });
    } catch (e) {
      if (isFatal(e)) throw e;
      return RedfishCapabilitySchema.parse({
        available: false,
        sessionCap: cap,
        ...(isNoService(e) ? {} : { error: (e as Error).message }),
      });
    }
  }

  async #ibmc(slot: number, o: CallOptions): Promise<z.infer<typeof IbmcCapabilitySchema>> {
    const ep = this.hub.context.endpoints.ibmc[String(slot)];
    const caps = this.hub.caps;
    const shell = !ep?.ssh ? "none" : ep.via === "hmm" ? "via-hmm" : "direct";
    const base = { shell, virtualMedia: "unknown", resetTypes: [], bootTargets: [] } as const;
    if (!ep?.redfish || ep.via === "hmm") {
      return IbmcCapabilitySchema.parse({
        ...base,
        virtualMedia: "none",
        redfish: { available: false, sessionCap: caps.ibmcRedfish },
      });
    }
    const redfish = await this.#redfish(slot, caps.ibmcRedfish, o);
    if (!redfish.available) return IbmcCapabilitySchema.parse({ ...base, redfish });
    const acc = ibmcAccess(this.hub);
    const [sys, vm] = await this.hub.all([
      async () => (await acc.get<Sys>(slot, await acc.systemPath(slot, o), o)).data,
      async () => {
        const mgr = (await acc.get<Mgr>(slot, await acc.managerPath(slot, o), o)).data;
        const coll = mgr.VirtualMedia?.["@odata.id"];
        if (!coll) return "none" as const;
        const list = (await acc.get<{ Members?: { "@odata.id": string }[] }>(slot, coll, o)).data;
        const first = list.Members?.[0]?.["@odata.id"];
        if (!first) return "none" as const;
        const m = (await acc.get<VmMember>(slot, first, o)).data;
        if (m.Actions?.["#VirtualMedia.InsertMedia"]) return "standard" as const;
        if (m.Oem?.Huawei?.Actions?.["#VirtualMedia.VmmControl"]) return "oem" as const;
        return "none" as const;
      },
    ]);
    return IbmcCapabilitySchema.parse({
      shell,
      redfish,
      virtualMedia: vm,
      resetTypes: sys.Actions?.["#ComputerSystem.Reset"]?.["ResetType@Redfish.AllowableValues"] ??
        [],
      bootTargets: sys.Boot?.["BootSourceOverrideTarget@Redfish.AllowableValues"] ?? [],
    });
  }

  async #probe(o: CallOptions): Promise<CapabilityReport> {
    const ep = this.hub.context.endpoints;
    const caps = this.hub.caps;
    const slots = Object.keys(ep.ibmc).map(Number).sort((a, b) => a - b);
    const switches = SWITCH_NAMES.filter((n) => ep.switches[n]);
    // first login alone (the hub's gate), then everything in parallel
    const hmmRf = ep.hmm?.redfish
      ? await this.#redfish("hmm", caps.hmmRedfish, o)
      : RedfishCapabilitySchema.parse({ available: false, sessionCap: caps.hmmRedfish });
    const [web, ibmcs, sws] = await this.hub.all([
      async () => {
        if (!ep.hmm?.web) return { available: false };
        try {
          await this.hub.hmmWeb(o);
          return { available: true };
        } catch (e) {
          if (isFatal(e)) throw e;
          return { available: false, error: (e as Error).message };
        }
      },
      () => this.hub.map(slots, (slot) => this.#ibmc(slot, o)),
      () =>
        this.hub.map(switches, async (name) => {
          const access = ep.switches[name]?.via === "hmm" ? "via-hmm" : "direct";
          try {
            const mode = await this.hub.call(
              name,
              "ssh",
              "mode",
              () => this.chassis.switch(name).mode(this.hub.opts(o)),
              o,
            );
            return SwitchCapabilitySchema.parse({ access, vrpMode: mode });
          } catch (e) {
            if (isFatal(e)) throw e;
            return SwitchCapabilitySchema.parse({
              access,
              vrpMode: "unknown",
              error: (e as Error).message,
            });
          }
        }),
    ]);
    return CapabilityReportSchema.parse({
      hmm: { redfish: hmmRf, web, shell: { available: !!ep.hmm?.ssh } },
      ibmc: Object.fromEntries(slots.map((s, i) => [String(s), ibmcs[i]])),
      switches: Object.fromEntries(switches.map((n, i) => [n, sws[i]])),
      parallelism: { sessionCaps: { ...caps } },
    });
  }
}

/**
 * The capability module of a chassis (cached per chassis; the report is probed once).
 *
 * @example
 * console.log((await capabilities(chassis).probe()).switches.swi2.vrpMode);
 */
export const capabilities: (chassis: Chassis) => CapabilityModule = perChassis((c, hub) =>
  new CapabilityModule(c, hub)
);

/** Renders the report as text. */
export function renderCapabilities(r: CapabilityReport): string {
  const yes = (b: boolean) => (b ? "yes" : "no");
  const out: string[] = [];
  out.push(
    `HMM  redfish ${yes(r.hmm.redfish.available)}${
      r.hmm.redfish.version ? ` ${r.hmm.redfish.version}` : ""
    } (cap ${r.hmm.redfish.sessionCap}${
      r.hmm.redfish.deviceMaxSessions ? ` of ${r.hmm.redfish.deviceMaxSessions}` : ""
    })  web ${yes(r.hmm.web.available)}  shell ${yes(r.hmm.shell.available)}`,
  );
  out.push("");
  out.push("SLOT  REDFISH  SESSIONS  VMEDIA    SHELL    RESET TYPES");
  for (const [slot, c] of Object.entries(r.ibmc)) {
    out.push(
      [
        slot.padEnd(4),
        (c.redfish.available ? c.redfish.version ?? "yes" : "no").padEnd(7),
        `${c.redfish.sessionCap}${
          c.redfish.deviceMaxSessions ? `/${c.redfish.deviceMaxSessions}` : ""
        }`
          .padEnd(8),
        c.virtualMedia.padEnd(8),
        c.shell.padEnd(7),
        c.resetTypes.join(","),
      ].join("  "),
    );
  }
  out.push("");
  out.push("SWITCH  ACCESS   VRP COMMIT");
  for (const [name, c] of Object.entries(r.switches)) {
    out.push(
      `${name.padEnd(6)}  ${c.access.padEnd(7)}  ${c.vrpMode}${c.error ? ` (${c.error})` : ""}`,
    );
  }
  return out.join("\n") + "\n";
}
