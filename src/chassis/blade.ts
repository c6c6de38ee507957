/**
 * Compute nodes (HMM menu "Compute Nodes", slots 1–16): presence, model, power on/off/reset,
 * boot device (Once/Continuous), iBMC address, health. `slot` is always explicit (field lesson
 * 12: never "the first system").
 *
 * Transport per operation (issue 4 point 2):
 * - presence/model/serial: HMM Redfish `Chassis/Blade<N>` (redfish.md §1.2); the HMM web API has
 *   no documented blade list; the HMM shell `smmget -l blade<N> -d presence` last.
 * - power, boot, health, firmware: the blade's iBMC Redfish (`Systems/<id>`, standard
 *   `ComputerSystem.Reset` and `Boot` override); the HMM does not proxy Redfish and its own
 *   `smmset -d powerstate` rejects every value (hmm-cli.md §3), so the fallback is the iBMC CLI:
 *   `ipmcset -d powerstate|frucontrol|bootdevice` confirmed with `Y`, power state from the SEL
 *   (`ACPI State … S0` = on; hmm-cli.md §6.2).
 *
 * Redfish actions are not idempotent (field lessons): power actions read the state first and do
 * nothing when it already matches; boot changes are written with `If-Match` and read back.
 *
 * @example
 * const b = blades(chassis);
 * console.log(await b.get(3));
 * await b.power(3, "off");
 * await b.setBoot(3, { device: "pxe", persistence: "once" });
 */
import { z } from "zod";
import { DeviceError, NotFoundError, UnsupportedError, ValidationError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import type { Chassis } from "./chassis.ts";
import { BLADE_SLOTS } from "./endpoints.ts";
import { checkSlot, type DeviceHub, isFatal, perChassis } from "./hub.ts";
import { type IbmcAccess, ibmcAccess, ibmcFabricIp } from "./ibmc.ts";

/** Power state of a blade. */
export const PowerStateSchema = z.enum(["On", "Off", "Unknown"]).describe(
  "Host power: On, Off, or Unknown when the device did not say",
);
/** Health of a component. */
export const HealthSchema = z.enum(["OK", "Warning", "Critical", "Unknown"]).describe(
  "Redfish Status.Health; Unknown when not reported",
);

/** Boot devices Vessel knows (Redfish names; iBMC CLI values in the comment). */
export const BOOT_DEVICES = ["none", "pxe", "hdd", "cd", "floppy", "bios-setup"] as const;
/** A boot device. */
export type BootDevice = typeof BOOT_DEVICES[number];

/** Boot override as read. */
export const BootOverrideSchema = z.object({
  device: z.enum(BOOT_DEVICES).or(z.string()).describe(
    "Next boot device: none, pxe, hdd, cd, floppy, bios-setup (or the device's own word)",
  ),
  persistence: z.enum(["disabled", "once", "continuous", "unknown"]).describe(
    "BootSourceOverrideEnabled: disabled, once, continuous (unknown over the iBMC CLI)",
  ),
  mode: z.string().optional().describe("BootSourceOverrideMode: Legacy or UEFI, when reported"),
  allowedDevices: z.array(z.string()).optional().describe(
    "Devices the iBMC advertises (Redfish AllowableValues, mapped to Vessel names)",
  ),
});
/** Boot override as read. */
export type BootOverride = z.infer<typeof BootOverrideSchema>;

/** A blade slot as read. */
export const BladeSchema = z.object({
  slot: z.number().int().min(1).max(16).describe("Front slot 1-16"),
  present: z.boolean().describe("A blade sits in the slot"),
  model: z.string().optional().describe("Board model, e.g. CH121, CH222"),
  serial: z.string().optional().describe("Board serial number"),
  power: PowerStateSchema,
  health: HealthSchema,
  ibmc: z.object({
    fabricIp: z.string().describe("iBMC address on the internal fabric, 172.31.1.(128+slot)"),
    reachedBy: z.enum(["redfish", "ssh-direct", "ssh-via-hmm", "none"]).describe(
      "How Vessel reached the iBMC for this read",
    ),
  }).describe("The blade's management controller"),
  firmware: z.object({
    bios: z.string().optional().describe("BIOS version"),
    ibmc: z.string().optional().describe("Active iBMC (iMana) firmware version"),
  }).describe("Firmware versions"),
  boot: BootOverrideSchema.optional().describe("Boot override (present blades)"),
  error: z.string().optional().describe("Why details are missing (the iBMC did not answer)"),
});
/** A blade slot as read. */
export type Blade = z.infer<typeof BladeSchema>;

/** Power actions. */
export const POWER_ACTIONS = ["on", "off", "shutdown", "reset", "cycle", "nmi"] as const;
/** A power action: on, off (forced), shutdown (graceful), reset (forced restart), cycle, nmi. */
export type PowerAction = typeof POWER_ACTIONS[number];

/** Result of a power action. */
export interface PowerResult {
  slot: number;
  action: PowerAction;
  /** False when the blade already was in the requested state (nothing sent). */
  changed: boolean;
  before: "On" | "Off" | "Unknown";
  transport: "redfish" | "ssh";
}

/** What {@link BladeModule.setBoot} sets. */
export interface BootSpec {
  device: BootDevice;
  /** Once (next boot only, default) or continuous (every boot). */
  persistence?: "once" | "continuous";
}

const RESET_TYPE: Record<PowerAction, string[]> = {
  on: ["On"],
  off: ["ForceOff"],
  shutdown: ["GracefulShutdown"],
  reset: ["ForceRestart"],
  cycle: ["PowerCycle", "ForcePowerCycle"],
  nmi: ["Nmi"],
};

const REDFISH_BOOT: Record<BootDevice, string> = {
  none: "None",
  pxe: "Pxe",
  hdd: "Hdd",
  cd: "Cd",
  floppy: "Floppy",
  "bios-setup": "BiosSetup",
};

/** iBMC CLI `bootdevice` values (redfish.md §2.4); BIOS setup has no known value. */
const CLI_BOOT: Partial<Record<BootDevice, string>> = {
  none: "0",
  pxe: "1",
  hdd: "2",
  cd: "5",
  floppy: "0xF",
};

function fromRedfishBoot(v: string | undefined): string {
  if (!v) return "none";
  const e = Object.entries(REDFISH_BOOT).find(([, r]) => r.toLowerCase() === v.toLowerCase());
  return e ? e[0] : v;
}

function health(v: unknown): Blade["health"] {
  return v === "OK" || v === "Warning" || v === "Critical" ? v : "Unknown";
}

function power(v: unknown): Blade["power"] {
  return v === "On" || v === "Off"
    ? v
    : v === "PoweringOn"
    ? "On"
    : v === "PoweringOff"
    ? "Off"
    : "Unknown";
}

interface RfSystem {
  Model?: string;
  SerialNumber?: string;
  PowerState?: string;
  BiosVersion?: string;
  Status?: { Health?: string; State?: string };
  Boot?: {
    BootSourceOverrideTarget?: string;
    BootSourceOverrideEnabled?: string;
    BootSourceOverrideMode?: string;
    "BootSourceOverrideTarget@Redfish.AllowableValues"?: string[];
  };
  Actions?: Record<string, { target?: string; "ResetType@Redfish.AllowableValues"?: string[] }>;
}

interface RfChassisMember {
  Model?: string;
  SerialNumber?: string;
  PowerState?: string;
  Status?: { State?: string; Health?: string };
}

/** Parses `ipmcget -d sel -v list`: the newest `ACPI State … S<n>` line decides (S0 = on). */
export function powerFromSel(text: string): "On" | "Off" | "Unknown" {
  for (const line of text.split("\n")) {
    const m = /ACPI State.*\bS(\d)\b/i.exec(line);
    if (m) return m[1] === "0" ? "On" : "Off";
  }
  return "Unknown";
}

/** Parses `ipmcget -d bootdevice` free text. */
export function bootFromCli(text: string): BootOverride {
  const t = text.toLowerCase();
  const device = /no override|none/.test(t)
    ? "none"
    : /pxe/.test(t)
    ? "pxe"
    : /hard|hdd|disk/.test(t)
    ? "hdd"
    : /cd|dvd/.test(t)
    ? "cd"
    : /floppy|removable/.test(t)
    ? "floppy"
    : /bios|setup/.test(t)
    ? "bios-setup"
    : text.trim() || "unknown";
  const persistence = device === "none"
    ? "disabled"
    : /permanent|continuous/.test(t)
    ? "continuous"
    : /once|next/.test(t)
    ? "once"
    : "unknown";
  return { device, persistence };
}

/** Parses `ipmcget -d version` (`Active iMana   Version:   (U4005)6.05`). */
export function versionsFromCli(text: string): { ibmc?: string; bios?: string } {
  const pick = (re: RegExp) => {
    const m = re.exec(text);
    return m ? m[1].trim().replace(/^\([^)]*\)/, "") : undefined;
  };
  return {
    ibmc: pick(/Active\s+iMana\s+Version\s*:\s*(.+)/i),
    bios: pick(/BIOS\s+Version\s*:\s*(.+)/i),
  };
}

/** The blade module of one chassis. */
export class BladeModule {
  readonly hub: DeviceHub;
  readonly ibmc: IbmcAccess;

  constructor(hub: DeviceHub) {
    this.hub = hub;
    this.ibmc = ibmcAccess(hub);
  }

  /** Slots 1..16. */
  get slots(): number[] {
    return Array.from({ length: BLADE_SLOTS }, (_, i) => i + 1);
  }

  /**
   * Presence, model and serial of every slot from the HMM (Redfish `Chassis/Blade<N>`, else the
   * HMM shell). One call per slot, in parallel under the HMM's session cap.
   */
  async presence(
    o: CallOptions = {},
  ): Promise<Map<number, RfChassisMember & { present: boolean }>> {
    const out = new Map<number, RfChassisMember & { present: boolean }>();
    const r = await this.hub.mapSettled(this.slots, async (slot) => {
      const m = await this.hub.redfish<RfChassisMember>(
        "hmm",
        "GET",
        `/redfish/v1/Chassis/Blade${slot}`,
        undefined,
        o,
      );
      return { slot, m: m.data };
    });
    for (const x of r) {
      if (x.ok) {
        const st = x.value.m?.Status?.State;
        out.set(x.value.slot, { ...x.value.m, present: !!st && st !== "Absent" });
      } else if (!(x.error instanceof NotFoundError)) {
        // No HMM Redfish: presence from the endpoints document (a listed iBMC = a blade).
        if (x.error instanceof UnsupportedError) break;
        throw x.error;
      }
    }
    if (out.size === 0) {
      for (const slot of this.slots) {
        out.set(slot, { present: !!this.hub.context.endpoints.ibmc[String(slot)] });
      }
    }
    return out;
  }

  /**
   * Reads one blade (presence from the HMM, the rest from its iBMC).
   *
   * @throws {NotFoundError} slot outside 1–16
   */
  async get(slot: number, o: CallOptions = {}): Promise<Blade> {
    checkSlot(slot);
    const [hmm, detail] = await this.hub.all([
      () =>
        this.hub.redfish<RfChassisMember>(
          "hmm",
          "GET",
          `/redfish/v1/Chassis/Blade${slot}`,
          undefined,
          o,
        )
          .then(
            (r) => r.data,
            (e) => (e instanceof UnsupportedError ? undefined : Promise.reject(e)),
          ),
      () => this.#detail(slot, o).catch((e) => ({ error: e })),
    ]);
    const present = hmm?.Status?.State ? hmm.Status.State !== "Absent" : !("error" in detail);
    return this.#merge(slot, present, hmm, detail);
  }

  /**
   * Reads every slot (absent ones with `present: false`), slots in parallel. A slot whose iBMC
   * answers Redfish is present without asking the HMM; other slots ask the HMM
   * (`Chassis/Blade<N>`) and, when present, read the iBMC CLI. A failing slot carries `error`
   * instead of failing the whole list (credentials refused still fails at once).
   */
  list(o: CallOptions = {}): Promise<Blade[]> {
    return this.hub.map(this.slots, async (slot) => {
      if (this.ibmc.hasRedfish(slot)) {
        try {
          return this.#merge(slot, true, undefined, await this.#detail(slot, o));
        } catch (e) {
          if (isFatal(e)) throw e;
        }
      }
      const hmm = await this.hub.redfish<RfChassisMember>(
        "hmm",
        "GET",
        `/redfish/v1/Chassis/Blade${slot}`,
        undefined,
        o,
      ).then((r) => r.data, (e) => {
        if (isFatal(e)) throw e;
        return undefined;
      });
      const present = hmm?.Status?.State
        ? hmm.Status.State !== "Absent"
        : !!this.hub.context.endpoints.ibmc[String(slot)];
      if (!present) return this.#merge(slot, false, hmm, { error: undefined });
      const d = await this.#detail(slot, o).catch((e) => {
        if (isFatal(e)) throw e;
        return { error: e };
      });
      return this.#merge(slot, true, hmm, d);
    });
  }

  #merge(
    slot: number,
    present: boolean,
    hmm: RfChassisMember | undefined,
    d: Detail | { error: unknown },
  ): Blade {
    const ok = !("error" in d);
    const det = ok ? d as Detail : undefined;
    return BladeSchema.parse({
      slot,
      present,
      ...(present && (det?.model ?? hmm?.Model) ? { model: det?.model ?? hmm?.Model } : {}),
      ...(present && (det?.serial ?? hmm?.SerialNumber)
        ? { serial: det?.serial ?? hmm?.SerialNumber }
        : {}),
      // The iBMC's own answer wins; the HMM's fills what the iBMC CLI cannot say (health).
      power: present ? known(det?.power) ?? power(hmm?.PowerState) : "Off",
      health: present ? known(det?.health) ?? health(hmm?.Status?.Health) : "Unknown",
      ibmc: {
        fabricIp: ibmcFabricIp(slot),
        reachedBy: det ? this.ibmc.paths.get(slot) ?? "none" : "none",
      },
      firmware: present && det
        ? {
          ...(det.bios ? { bios: det.bios } : {}),
          ...(det.ibmcVersion ? { ibmc: det.ibmcVersion } : {}),
        }
        : {},
      ...(present && det?.boot ? { boot: det.boot } : {}),
      ...(present && !ok && (d as { error: unknown }).error
        ? {
          error: String(
            ((d as { error: unknown }).error as Error)?.message ?? (d as { error: unknown }).error,
          ),
        }
        : {}),
    });
  }

  async #detail(slot: number, o: CallOptions): Promise<Detail> {
    return await this.ibmc.either<Detail>(
      slot,
      async () => {
        const [sys, mgr] = await this.hub.all([
          async () =>
            (await this.ibmc.get<RfSystem>(slot, await this.ibmc.systemPath(slot, o), o)).data,
          async () =>
            (await this.ibmc.get<{ FirmwareVersion?: string }>(
              slot,
              await this.ibmc.managerPath(slot, o),
              o,
            )).data,
        ]);
        const allowed = sys.Boot?.["BootSourceOverrideTarget@Redfish.AllowableValues"];
        return {
          model: sys.Model,
          serial: sys.SerialNumber,
          power: power(sys.PowerState),
          health: health(sys.Status?.Health),
          bios: sys.BiosVersion ?? undefined,
          ibmcVersion: mgr.FirmwareVersion,
          boot: sys.Boot
            ? {
              device: fromRedfishBoot(sys.Boot.BootSourceOverrideTarget),
              persistence: (sys.Boot.BootSourceOverrideEnabled ?? "disabled")
                .toLowerCase() as BootOverride["persistence"],
              ...(sys.Boot.BootSourceOverrideMode ? { mode: sys.Boot.BootSourceOverrideMode } : {}),
              ...(allowed ? { allowedDevices: allowed.map(fromRedfishBoot) } : {}),
            }
            : undefined,
        };
      },
      async () => {
        const v = await this.ibmc.exec(slot, "ipmcget -d version", o);
        const sel = await this.ibmc.exec(slot, "ipmcget -d sel -v list", o);
        const boot = await this.ibmc.exec(slot, "ipmcget -d bootdevice", o);
        const ver = versionsFromCli(v);
        return {
          power: powerFromSel(sel),
          health: "Unknown" as const,
          bios: ver.bios,
          ibmcVersion: ver.ibmc,
          boot: bootFromCli(boot),
        };
      },
    );
  }

  /** Power state of one blade. */
  async powerState(slot: number, o: CallOptions = {}): Promise<"On" | "Off" | "Unknown"> {
    checkSlot(slot);
    return await this.ibmc.either(
      slot,
      async () =>
        power(
          (await this.ibmc.get<RfSystem>(slot, await this.ibmc.systemPath(slot, o), o)).data
            .PowerState,
        ),
      async () => powerFromSel(await this.ibmc.exec(slot, "ipmcget -d sel -v list", o)),
    );
  }

  /**
   * Runs a power action. `on`/`off`/`shutdown` do nothing when the blade is already there.
   *
   * @throws {ValidationError} unknown action
   * @throws {UnsupportedError} the iBMC does not offer it (capability named)
   * @throws {NotFoundError} slot outside 1–16
   */
  async power(slot: number, action: PowerAction, o: CallOptions = {}): Promise<PowerResult> {
    checkSlot(slot);
    if (!(POWER_ACTIONS as readonly string[]).includes(action)) {
      throw new ValidationError(`Unknown power action ${action}`, {
        field: "action",
        hint: `Use one of ${POWER_ACTIONS.join(", ")}`,
      });
    }
    return await this.hub.serialize(`ibmc${slot}`, () =>
      this.ibmc.either<PowerResult>(
        slot,
        async () => {
          const path = await this.ibmc.systemPath(slot, o);
          const sys = (await this.ibmc.get<RfSystem>(slot, path, o)).data;
          const before = power(sys.PowerState);
          if (noop(action, before)) {
            return { slot, action, changed: false, before, transport: "redfish" as const };
          }
          const act = sys.Actions?.["#ComputerSystem.Reset"];
          const allowed = act?.["ResetType@Redfish.AllowableValues"];
          const type = RESET_TYPE[action].find((t) => !allowed || allowed.includes(t));
          if (!act || !type) {
            throw new UnsupportedError(
              `The iBMC of slot ${slot} does not offer power action ${action}`,
              {
                details: { capability: `ibmc${slot}.reset.${RESET_TYPE[action][0]}`, allowed },
                hint: allowed ? `It offers ${allowed.join(", ")}` : undefined,
              },
            );
          }
          await this.hub.redfish(
            slot,
            "POST",
            act.target ?? `${path}/Actions/ComputerSystem.Reset`,
            { ResetType: type },
            o,
          );
          return { slot, action, changed: true, before, transport: "redfish" as const };
        },
        async () => {
          const before = powerFromSel(
            await this.ibmc.exec(slot, "ipmcget -d sel -v list", o),
          );
          if (noop(action, before)) {
            return { slot, action, changed: false, before, transport: "ssh" as const };
          }
          const cmd = action === "on"
            ? "ipmcset -d powerstate -v 1"
            : action === "off"
            ? "ipmcset -d powerstate -v 0"
            : action === "reset"
            ? "ipmcset -d frucontrol -v 0"
            : action === "cycle"
            ? "ipmcset -d frucontrol -v 2"
            : action === "nmi"
            ? "ipmcset -d frucontrol -v 3"
            : undefined;
          if (!cmd) {
            throw new UnsupportedError(`The iBMC CLI of slot ${slot} has no graceful shutdown`, {
              details: { capability: `ibmc${slot}.shutdown` },
              hint: "Use off (forced), or reach the iBMC over Redfish",
            });
          }
          const r = await this.ibmc.exec(slot, cmd, { ...o, confirm: true });
          checkCliOutput(slot, cmd, r);
          return { slot, action, changed: true, before, transport: "ssh" as const };
        },
      ));
  }

  /** Boot override of one blade. */
  async boot(slot: number, o: CallOptions = {}): Promise<BootOverride> {
    checkSlot(slot);
    const d = await this.#detail(slot, o);
    return d.boot ?? { device: "none", persistence: "unknown" };
  }

  /**
   * Sets the boot device for the next boot (`once`, default) or every boot (`continuous`), then
   * reads it back.
   *
   * @throws {ValidationError} unknown device
   * @throws {UnsupportedError} the iBMC does not advertise the device
   * @throws {DeviceError} the read-back differs (inconsistent result after apply)
   */
  async setBoot(slot: number, spec: BootSpec, o: CallOptions = {}): Promise<BootOverride> {
    checkSlot(slot);
    if (!(BOOT_DEVICES as readonly string[]).includes(spec.device)) {
      throw new ValidationError(`Unknown boot device ${spec.device}`, {
        field: "device",
        hint: `Use one of ${BOOT_DEVICES.join(", ")}`,
      });
    }
    const persistence = spec.persistence ?? "once";
    if (persistence !== "once" && persistence !== "continuous") {
      throw new ValidationError(`Unknown boot persistence ${persistence}`, {
        field: "persistence",
        hint: "Use once or continuous",
      });
    }
    return await this.hub.serialize(`ibmc${slot}`, () =>
      this.ibmc.either<BootOverride>(
        slot,
        async () => {
          const path = await this.ibmc.systemPath(slot, o);
          const cur = await this.ibmc.get<RfSystem>(slot, path, o);
          const allowed = cur.data.Boot?.["BootSourceOverrideTarget@Redfish.AllowableValues"];
          const target = REDFISH_BOOT[spec.device];
          if (allowed && !allowed.includes(target)) {
            throw new UnsupportedError(
              `The iBMC of slot ${slot} does not offer boot device ${spec.device}`,
              {
                details: { capability: `ibmc${slot}.boot.${target}`, allowed },
                hint: `It offers ${allowed.map(fromRedfishBoot).join(", ")}`,
              },
            );
          }
          const enabled = spec.device === "none"
            ? "Disabled"
            : persistence === "once"
            ? "Once"
            : "Continuous";
          await this.hub.redfish(slot, "PATCH", path, {
            Boot: { BootSourceOverrideTarget: target, BootSourceOverrideEnabled: enabled },
          }, { ...o, ...(cur.etag ? { etag: cur.etag } : {}) });
          const after = (await this.ibmc.get<RfSystem>(slot, path, o)).data.Boot;
          const got = fromRedfishBoot(after?.BootSourceOverrideTarget);
          if (got !== spec.device || (after?.BootSourceOverrideEnabled ?? "") !== enabled) {
            throw new DeviceError(
              `Inconsistent result after apply: slot ${slot} boot override is ${got}/${after?.BootSourceOverrideEnabled}, expected ${spec.device}/${enabled}`,
              { device: `ibmc${slot}` },
            );
          }
          return {
            device: got,
            persistence: enabled.toLowerCase() as BootOverride["persistence"],
            ...(after?.BootSourceOverrideMode ? { mode: after.BootSourceOverrideMode } : {}),
          };
        },
        async () => {
          const v = CLI_BOOT[spec.device];
          if (!v) {
            throw new UnsupportedError(
              `The iBMC CLI of slot ${slot} has no value for boot device ${spec.device}`,
              {
                details: { capability: `ibmc${slot}.bootdevice.${spec.device}` },
                hint: "Reach the iBMC over Redfish for BIOS setup",
              },
            );
          }
          const cmd = `ipmcset -d bootdevice -v ${v}${
            spec.device === "none" ? "" : persistence === "once" ? " once" : " permanent"
          }`;
          const r = await this.ibmc.exec(slot, cmd, { ...o, confirm: true });
          checkCliOutput(slot, cmd, r);
          const back = bootFromCli(await this.ibmc.exec(slot, "ipmcget -d bootdevice", o));
          if (back.device !== spec.device) {
            throw new DeviceError(
              `Inconsistent result after apply: slot ${slot} boot device reads ${back.device}, expected ${spec.device}`,
              { device: `ibmc${slot}` },
            );
          }
          return back;
        },
      ));
  }

  async #vm(slot: number, o: CallOptions): Promise<{ path: string; data: RfVm }> {
    const mgr = await this.ibmc.managerPath(slot, o);
    const m = (await this.ibmc.get<{ VirtualMedia?: { "@odata.id"?: string } }>(slot, mgr, o)).data;
    const coll = m.VirtualMedia?.["@odata.id"];
    const list = coll
      ? (await this.ibmc.get<{ Members?: { "@odata.id": string }[] }>(slot, coll, o)).data
        .Members ?? []
      : [];
    const path = list[0]?.["@odata.id"];
    if (!path) {
      throw new UnsupportedError(`The iBMC of slot ${slot} offers no virtual media`, {
        details: { capability: `ibmc${slot}.virtual-media` },
      });
    }
    return { path, data: (await this.ibmc.get<RfVm>(slot, path, o)).data };
  }

  #noShellMedia(slot: number): never {
    throw new UnsupportedError(
      `Virtual media on slot ${slot} needs the iBMC's Redfish: the iBMC CLI has no virtual-media command`,
      {
        details: { capability: `ibmc${slot}.virtual-media` },
        hint: "Reach the iBMC over Redfish, or use PXE",
      },
    );
  }

  /** Virtual CD state (Redfish only: iMana's CLI has no virtual-media command). */
  async media(slot: number, o: CallOptions = {}): Promise<VirtualMedia> {
    checkSlot(slot);
    return await this.ibmc.either<VirtualMedia>(slot, async () => {
      const { data } = await this.#vm(slot, o);
      return VirtualMediaSchema.parse({
        inserted: data.Inserted === true,
        image: data.Image ?? null,
        kind: data.Actions?.["#VirtualMedia.InsertMedia"] ? "standard" : "oem",
      });
    }, () => this.#noShellMedia(slot));
  }

  /**
   * Attaches an image as the blade's virtual CD: ejects a previous image first (eject before
   * insert), uses the standard `InsertMedia` action or the Huawei OEM `VmmControl` task (polled to
   * its deadline), and reads the result back. Holds the chassis-wide virtual-media lock.
   *
   * @throws {UnsupportedError} no virtual media on this iBMC (capability named)
   * @throws {DeviceError} the image is not attached afterwards
   */
  async insertMedia(slot: number, image: string, o: MediaOptions = {}): Promise<VirtualMedia> {
    checkSlot(slot);
    if (!/^(https?|nfs|cifs|smb|ftp|sftp):\/\/\S+$/.test(image)) {
      throw new ValidationError(`Invalid image URI ${JSON.stringify(image)}`, {
        field: "image",
        hint: "Use an http(s), nfs, cifs, smb, ftp or sftp URI the iBMC can reach",
      });
    }
    return await this.hub.withVirtualMediaLock(() =>
      this.hub.serialize(`ibmc${slot}`, () =>
        this.ibmc.either<VirtualMedia>(slot, async () => {
          let { path, data } = await this.#vm(slot, o);
          if (data.Inserted) {
            await this.#eject(slot, path, data, o);
            data = (await this.ibmc.get<RfVm>(slot, path, o)).data;
          }
          const std = data.Actions?.["#VirtualMedia.InsertMedia"];
          const oem = data.Oem?.Huawei?.Actions?.["#VirtualMedia.VmmControl"];
          if (std && !(o.preferOem && oem)) {
            await this.hub.redfish(
              slot,
              "POST",
              std.target ?? `${path}/Actions/VirtualMedia.InsertMedia`,
              {
                Image: image,
                Inserted: true,
                WriteProtected: true,
              },
              o,
            );
          } else if (oem) {
            await this.#oemTask(slot, oem.target!, { VmmControlType: "Connect", Image: image }, o);
          } else {
            throw new UnsupportedError(`The iBMC of slot ${slot} offers no insert action`, {
              details: { capability: `ibmc${slot}.virtual-media.insert` },
            });
          }
          const after = await this.media(slot, o);
          if (!after.inserted || after.image !== image) {
            throw new DeviceError(
              `Inconsistent result after apply: slot ${slot} virtual media reads ${
                after.inserted ? after.image : "empty"
              }, expected ${image}`,
              { device: `ibmc${slot}` },
            );
          }
          return after;
        }, () => this.#noShellMedia(slot)))
    );
  }

  /** Detaches the virtual CD (nothing sent when none is attached). Holds the virtual-media lock. */
  async ejectMedia(slot: number, o: MediaOptions = {}): Promise<VirtualMedia> {
    checkSlot(slot);
    return await this.hub.withVirtualMediaLock(() =>
      this.hub.serialize(`ibmc${slot}`, () =>
        this.ibmc.either<VirtualMedia>(slot, async () => {
          const { path, data } = await this.#vm(slot, o);
          if (data.Inserted) await this.#eject(slot, path, data, o);
          const after = await this.media(slot, o);
          if (after.inserted) {
            throw new DeviceError(
              `Inconsistent result after apply: slot ${slot} still has ${after.image}`,
              {
                device: `ibmc${slot}`,
              },
            );
          }
          return after;
        }, () => this.#noShellMedia(slot)))
    );
  }

  async #eject(slot: number, path: string, data: RfVm, o: MediaOptions): Promise<void> {
    const std = data.Actions?.["#VirtualMedia.EjectMedia"];
    const oem = data.Oem?.Huawei?.Actions?.["#VirtualMedia.VmmControl"];
    if (std && !(o.preferOem && oem)) {
      await this.hub.redfish(
        slot,
        "POST",
        std.target ?? `${path}/Actions/VirtualMedia.EjectMedia`,
        {},
        o,
      );
    } else if (oem) {
      await this.#oemTask(slot, oem.target!, { VmmControlType: "Disconnect" }, o);
    } else {
      throw new UnsupportedError(`The iBMC of slot ${slot} offers no eject action`, {
        details: { capability: `ibmc${slot}.virtual-media.eject` },
      });
    }
  }

  async #oemTask(slot: number, target: string, body: unknown, o: MediaOptions): Promise<void> {
    const r = await this.hub.redfish(slot, "POST", target, body, o);
    if (r.status !== 202 && !r.location) return;
    const client = await this.hub.ibmcRedfish(slot, o);
    await this.hub.call(
      `ibmc${slot}`,
      "redfish",
      `task ${r.location ?? target}`,
      () =>
        client.waitTask(r, {
          deadlineMs: o.taskDeadlineMs ?? 5 * 60_000,
          intervalMs: o.taskIntervalMs ?? 1000,
          signal: o.signal ?? this.hub.context.defaults.signal,
        }),
      o,
    );
  }
}

/** Virtual media state of a blade. */
export const VirtualMediaSchema = z.object({
  inserted: z.boolean().describe("An image is attached"),
  image: z.string().nullable().describe("Image URI, null when none"),
  kind: z.enum(["standard", "oem"]).describe(
    "standard InsertMedia/EjectMedia, or Huawei OEM VmmControl (a task)",
  ),
});
/** Virtual media state of a blade. */
export type VirtualMedia = z.infer<typeof VirtualMediaSchema>;

/** Options of {@link BladeModule.insertMedia}. */
export interface MediaOptions extends CallOptions {
  /** Use the Huawei OEM VmmControl action even when the standard one exists. */
  preferOem?: boolean;
  /** Deadline for the OEM task (default 5 min). */
  taskDeadlineMs?: number;
  /** Poll interval for the OEM task (default 1000 ms). */
  taskIntervalMs?: number;
}

interface RfVm {
  Inserted?: boolean;
  Image?: string | null;
  Actions?: Record<string, { target?: string }>;
  Oem?: { Huawei?: { Actions?: Record<string, { target?: string }> } };
}

interface Detail {
  model?: string;
  serial?: string;
  power: Blade["power"];
  health: Blade["health"];
  bios?: string;
  ibmcVersion?: string;
  boot?: BootOverride;
}

function known<T extends string>(v: T | undefined): T | undefined {
  return v === undefined || v === "Unknown" ? undefined : v;
}

function noop(action: PowerAction, before: string): boolean {
  return (action === "on" && before === "On") ||
    ((action === "off" || action === "shutdown") && before === "Off");
}

/** iBMC CLI failures print usage or an error instead of a success line. */
function checkCliOutput(slot: number, cmd: string, out: string): void {
  if (/usage:|error|fail|invalid|not support/i.test(out) && !/success/i.test(out)) {
    throw new DeviceError(
      `The iBMC of slot ${slot} refused "${cmd}": ${out.trim().split("\n")[0]}`,
      {
        device: `ibmc${slot}`,
        messageId: out.trim().split("\n")[0],
      },
    );
  }
}

/**
 * The blade module of a chassis (cached per chassis).
 *
 * @example
 * const b = blades(chassis);
 * await b.power(1, "on");
 */
export const blades: (chassis: Chassis) => BladeModule = perChassis((_c, hub) =>
  new BladeModule(hub)
);
