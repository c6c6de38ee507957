/**
 * The runtime state of one blade as its iBMC sees it: power, boot override, virtual media,
 * SEL, firmware and the reboot window of the iBMC itself. One object per slot, shared by the
 * iBMC Redfish service, the iBMC SSH shell and the HMM (Redfish `Chassis/BladeN`, web API,
 * `smmget -l bladeN`), persisted in the `ibmc/<slot>` namespace.
 *
 * @module
 */
import type { BladeSpec, PersistStore, PowerState, SimContext } from "../context.ts";

/** Redfish `BootSourceOverrideTarget` values the simulated iBMC advertises. */
export const BOOT_TARGETS = ["None", "Pxe", "Floppy", "Cd", "Hdd", "BiosSetup"] as const;
/** One boot override target. */
export type BootTarget = typeof BOOT_TARGETS[number];
/** Redfish `BootSourceOverrideEnabled` values. */
export const BOOT_ENABLED = ["Disabled", "Once", "Continuous"] as const;
/** One `BootSourceOverrideEnabled` value. */
export type BootEnabled = typeof BOOT_ENABLED[number];

/** `ComputerSystem.Reset` types the simulated iBMC advertises. */
export const RESET_TYPES = [
  "On",
  "ForceOff",
  "GracefulShutdown",
  "ForceRestart",
  "Nmi",
  "ForcePowerCycle",
] as const;
/** One reset type. */
export type ResetType = typeof RESET_TYPES[number];

/** One SEL entry of a blade. */
export interface BladeSelEntry {
  id: number;
  /** ISO time. */
  time: string;
  level: 0 | 1 | 2 | 3;
  sensor: string;
  description: string;
  asserted: boolean;
}

/** Persisted part of a blade's state. */
export interface BladeData {
  power: PowerState;
  boot: { target: BootTarget; enabled: BootEnabled; mode: "Legacy" | "UEFI" };
  vmedia: { inserted: boolean; image: string | null; writeProtected: boolean };
  sel: BladeSelEntry[];
  firmware: { ibmc: string; bios: string; cpld?: string };
  assetTag: string;
  /** Incremented on every change of the system resource (ETag). */
  generation: number;
  /** Extra iBMC accounts besides the simulator credentials (id -> account). */
  accounts: Record<
    string,
    { userName: string; password: string; roleId: string; enabled: boolean }
  >;
}

/** Per-blade options (seed `blades: [{slot, redfish: false, ...}]`, or startHmmServices options). */
export interface BladeOptions {
  /** iMana 6.05 may have no Redfish at all: no Redfish listener then (default true). */
  redfish?: boolean;
  /** Maximum concurrent Redfish sessions (default 4; real iBMCs exhaust quickly). */
  sessionCap?: number;
  /** Shape of a task's `Messages`: `array` (DMTF) or `object` (seen on real iBMCs). */
  taskMessages?: "array" | "object";
  /**
   * `ipmcset -d bootdevice` asks `[Y/N]` like `powerstate`/`frucontrol` (default false: the
   * hardware notes, hmm-cli.md §6.2 and redfish.md §2.4, report the question only for those two).
   */
  bootdeviceConfirm?: boolean;
}

const IPMI_BOOT: Record<string, BootTarget> = {
  "0": "None",
  "1": "Pxe",
  "2": "Hdd",
  "5": "Cd",
  "0xf": "Floppy",
  "15": "Floppy",
};

/** iBMC shell `bootdevice` values to Redfish targets (hmm-cli.md §6.2). */
export function bootFromIpmi(value: string): BootTarget | undefined {
  return IPMI_BOOT[value.toLowerCase()];
}

/** A blade's live state. */
export class BladeState {
  readonly slot: number;
  readonly spec: BladeSpec;
  readonly options: Required<BladeOptions>;
  #data: BladeData;
  #store: PersistStore<BladeData>;
  #listeners = new Set<() => void>();
  #rebootUntil = 0;
  #now: () => number;

  constructor(
    ctx: Pick<SimContext, "persist">,
    spec: BladeSpec,
    options: BladeOptions = {},
    now = () => Date.now(),
  ) {
    this.slot = spec.slot;
    this.spec = spec;
    this.#now = now;
    this.options = {
      redfish: options.redfish ?? true,
      sessionCap: options.sessionCap ?? 4,
      taskMessages: options.taskMessages ?? "array",
      bootdeviceConfirm: options.bootdeviceConfirm ?? false,
    };
    this.#store = ctx.persist<BladeData>(`ibmc/${spec.slot}`);
    this.#data = this.#load();
  }

  #load(): BladeData {
    const spec = this.spec;
    const saved = this.#store.load();
    if (saved) return saved;
    const fresh: BladeData = {
      power: spec.power,
      boot: { target: "None", enabled: "Disabled", mode: "Legacy" },
      vmedia: { inserted: false, image: null, writeProtected: true },
      sel: [],
      firmware: { ...spec.firmware },
      assetTag: "",
      generation: 1,
      accounts: {},
    };
    this.#data = fresh;
    this.#addSel(0, "ACPI State", `S${spec.power === "On" ? 0 : 5} state`, true);
    return fresh;
  }

  /** Drop in-memory state and reload it from the store (after a simulator reset). */
  reload(): void {
    this.#rebootUntil = 0;
    this.#data = this.#load();
    for (const l of [...this.#listeners]) l();
  }

  /** Current time of this blade (a function so tests can fake it). */
  now(): number {
    return this.#now();
  }

  /** Read-only view of the persisted data. */
  get data(): Readonly<BladeData> {
    return this.#data;
  }

  /** The ETag of the system resource (`W/"<generation>"`). */
  get etag(): string {
    return `W/"${this.#data.generation}"`;
  }

  /** Register a change listener; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    this.#data.generation++;
    this.#store.save(this.#data);
    for (const l of [...this.#listeners]) {
      try {
        l();
      } catch { /* listeners never break the state */ }
    }
  }

  #addSel(level: 0 | 1 | 2 | 3, sensor: string, description: string, asserted: boolean): void {
    const id = (this.#data.sel.at(0)?.id ?? 0) + 1;
    this.#data.sel.unshift({
      id,
      time: new Date(this.#now()).toISOString(),
      level,
      sensor,
      description,
      asserted,
    });
    if (this.#data.sel.length > 500) this.#data.sel.length = 500;
  }

  /** Power on/off and resets (Redfish names). Returns false when the action changes nothing. */
  reset(type: ResetType): void {
    const d = this.#data;
    switch (type) {
      case "On":
        d.power = "On";
        break;
      case "ForceOff":
      case "GracefulShutdown":
        d.power = "Off";
        break;
      case "ForceRestart":
      case "ForcePowerCycle":
        d.power = "On";
        this.#addSel(0, "ACPI State", "S5 state", true);
        break;
      case "Nmi":
        this.#addSel(2, "NMI", "Front panel NMI / diagnostic interrupt", true);
        break;
    }
    if (type !== "Nmi") {
      this.#addSel(0, "ACPI State", `S${d.power === "On" ? 0 : 5} state`, true);
      this.#consumeOnceBoot();
    }
    this.#changed();
  }

  /** A power-on consumes a `Once` boot override (the host booted from it). */
  #consumeOnceBoot(): void {
    if (this.#data.power === "On" && this.#data.boot.enabled === "Once") {
      this.#data.boot = { ...this.#data.boot, target: "None", enabled: "Disabled" };
    }
  }

  /** Set the boot override (partial). */
  setBoot(patch: Partial<BladeData["boot"]>): void {
    const b = { ...this.#data.boot, ...patch };
    if (patch.target === "None" && patch.enabled === undefined) b.enabled = "Disabled";
    if (patch.target && patch.target !== "None" && b.enabled === "Disabled" && !patch.enabled) {
      b.enabled = "Once";
    }
    this.#data.boot = b;
    this.#changed();
  }

  /** Insert or eject the virtual CD. */
  setMedia(image: string | null, writeProtected = true): void {
    this.#data.vmedia = { inserted: image !== null, image, writeProtected };
    this.#changed();
  }

  /** Store a new firmware version after a successful flash. */
  setFirmware(component: "ibmc" | "bios", version: string): void {
    this.#data.firmware = { ...this.#data.firmware, [component]: version };
    this.#changed();
  }

  /** Set the asset tag (PATCH `Systems/1`). */
  setAssetTag(tag: string): void {
    this.#data.assetTag = tag;
    this.#changed();
  }

  /** Account table changes (Redfish AccountService). */
  setAccount(id: string, account: BladeData["accounts"][string] | null): void {
    if (account) this.#data.accounts[id] = account;
    else delete this.#data.accounts[id];
    this.#changed();
  }

  /** Start an iBMC reboot window: Redfish and SSH of this blade are unreachable until it ends. */
  startReboot(durationMs: number): void {
    this.#rebootUntil = this.#now() + durationMs;
    this.#addSel(1, "BMC Reset", "iBMC management controller reset", true);
    this.#changed();
  }

  /** End time (ms) of the current reboot window, or 0. */
  get rebootUntil(): number {
    return this.#rebootUntil > this.#now() ? this.#rebootUntil : 0;
  }

  /** End the reboot window early (admin/tests). */
  endReboot(): void {
    this.#rebootUntil = 0;
    for (const l of [...this.#listeners]) l();
  }
}
