/**
 * Firmware (HMM menu "System Management → Upgrade"): version inventory, pre-flight, and flashing
 * upload → update → poll → delete, in waves.
 *
 * Transport: the HMM web dispatchers `versionhandler.php` and `smmupgradehandler.php`
 * (hmm-web-api.md §4.2–4.4 [live]). Redfish `UpdateService` is present on some devices but was
 * never verified upstream (redfish.md §1.6: upstream's client could not even POST), and its
 * single `Version` string cannot be compared with per-chip manifests (`BIOS Version`,
 * `Active iMana Version`), so the proven path is used for both reading and flashing.
 *
 * Rules from the device (§4.4, §6): the upload Referer must match the target kind (SMM, switch,
 * blade) or the HMM answers 400; SMMs are flashed as a pair (`bothsmm`); `bladelist` tokens are
 * `<Name>:fru<id>;`; a target is finished at progress ≥ 100 or a non-zero retcode; upgrades are
 * chassis-exclusive (`queryhandler isupdate`, `checkupgrade smmtype=1|2` first). Polling runs to a
 * deadline (default 30 min, firmware outlives short timeouts: field lesson 5) and ends in a named
 * state with the device's own text; the upload buffer is always deleted afterwards.
 *
 * @example
 * const up = upgrade(chassis);
 * const plan = planWaves(["Swi2", "Swi3"], { strategy: "rolling", batchSize: 1 });
 * await up.flashWaves(plan, { name: "cx310.hpm", data }, { onProgress: console.log });
 */
import { z } from "zod";
import { ConflictError, ValidationError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { pollUpgrade } from "../drivers/webapi/upgrade.ts";
import { parseUpgradeProgress, type UpgradeTarget } from "../drivers/webapi/envelope.ts";
import { childText } from "../drivers/webapi/xml.ts";
import { uploadKindFor } from "../drivers/webapi/client.ts";
import { AlarmModule } from "./alarms.ts";
import type { Chassis } from "./chassis.ts";
import { type DeviceHub, perChassis } from "./hub.ts";
import { InventoryModule } from "./inventory.ts";

/** Components with firmware, as the HMM names them. */
export const FIRMWARE_COMPONENTS = [
  "smm",
  "othersmm",
  ...Array.from({ length: 16 }, (_, i) => `Slot${i + 1}`),
  ...Array.from({ length: 4 }, (_, i) => `Swi${i + 1}`),
] as const;

/** One component's firmware. */
export const FirmwareSchema = z.object({
  component: z.string().describe("smm, othersmm, Slot<N>, Swi<N>"),
  present: z.boolean().describe("The HMM answered for it"),
  versions: z.record(z.string(), z.string()).describe(
    "Version lines, e.g. { 'BIOS Version': '(U41)V501' }",
  ),
});
/** One component's firmware. */
export type Firmware = z.infer<typeof FirmwareSchema>;

/** Pre-flight result. */
export const PreflightSchema = z.object({
  upgrading: z.boolean().describe("queryhandler isupdate: an upgrade is already running"),
  smmReady: z.object({ "1": z.boolean(), "2": z.boolean() }).describe(
    "checkupgrade smmtype=1/2 answered retcode 0",
  ),
  alarms: z.object({ critical: z.number(), major: z.number(), minor: z.number() }).optional()
    .describe("Active alarm counters, for context"),
  ok: z.boolean().describe("Safe to start: not upgrading and both modules ready"),
});
/** Pre-flight result. */
export type Preflight = z.infer<typeof PreflightSchema>;

/** A flash target: `bothsmm`, `Slot<N>`, `Swi<N>` (optionally with a FRU id). */
export interface FlashTarget {
  name: string;
  fru?: number;
}

/** Encodes a bladelist (`bothsmm`, or `Swi2:fru0;Slot7:fru0;`). */
export function encodeBladelist(targets: (string | FlashTarget)[]): string {
  const ts = targets.map((t) => (typeof t === "string" ? { name: t } : t));
  if (ts.length === 0) {
    throw new ValidationError("At least one target is required", { field: "targets" });
  }
  const smm = ts.filter((t) => /^(bothsmm|smm|othersmm)$/i.test(t.name));
  if (smm.length) {
    if (smm.length !== ts.length) {
      throw new ValidationError(
        "The management modules are flashed as a pair (bothsmm) and alone: combining them with other targets is not known to work",
        { field: "targets" },
      );
    }
    return "bothsmm";
  }
  return ts.map((t) => {
    const m = /^(slot|swi)(\d+)$/i.exec(t.name);
    const n = m ? Number(m[2]) : NaN;
    if (!m || n < 1 || n > (m[1].toLowerCase() === "slot" ? 16 : 4)) {
      throw new ValidationError(`Invalid flash target ${t.name}`, {
        field: "targets",
        hint: "Use bothsmm, Slot1-Slot16 or Swi1-Swi4",
      });
    }
    const fru = t.fru ?? 0;
    if (!Number.isInteger(fru) || fru < 0 || fru > 15) {
      throw new ValidationError(`Invalid FRU id ${fru} for ${t.name}`, { field: "fru" });
    }
    const name = m[1].toLowerCase() === "slot" ? `Slot${n}` : `Swi${n}`;
    return `${name}:fru${fru};`;
  }).join("");
}

/** Wave strategies (operations.md §3.2). */
export type WaveStrategy = "all-at-once" | "rolling" | "canary";

/** Options of {@link planWaves}. */
export interface WaveOptions {
  strategy?: WaveStrategy;
  /** Targets per wave for rolling (default 4; ≤ 0 counts as 1). */
  batchSize?: number;
}

/**
 * Splits targets into waves. One kind per wave (SMM, switch or blade: the upload Referer differs),
 * and the two switches of a redundant pair (Swi1/Swi4, Swi2/Swi3) never share a wave (field
 * lessons: update one switch of a pair at a time). `canary` puts the first target alone first.
 *
 * @throws {ValidationError} canary with fewer than 2 targets, no targets
 */
export function planWaves(targets: string[], o: WaveOptions = {}): string[][] {
  if (targets.length === 0) {
    throw new ValidationError("At least one target is required", { field: "targets" });
  }
  const strategy = o.strategy ?? "rolling";
  const size = strategy === "all-at-once" ? Infinity : Math.max(1, o.batchSize ?? 4);
  if (strategy === "canary" && targets.length < 2) {
    throw new ValidationError("canary needs >=2 targets", { field: "strategy" });
  }
  const kind = (t: string) => uploadKindFor(encodeBladelist([t]));
  const pair = (t: string) => {
    const m = /^swi(\d)$/i.exec(t);
    return m ? (["1", "4"].includes(m[1]) ? "A" : "B") : undefined;
  };
  const queue = strategy === "canary" ? targets.slice(1) : [...targets];
  const waves: string[][] = strategy === "canary" ? [[targets[0]]] : [];
  while (queue.length) {
    const wave: string[] = [];
    for (let i = 0; i < queue.length && wave.length < size;) {
      const t = queue[i];
      const clash = (wave.length && kind(wave[0]) !== kind(t)) ||
        (pair(t) && wave.some((w) => pair(w) === pair(t)));
      if (clash) {
        i++;
        continue;
      }
      wave.push(t);
      queue.splice(i, 1);
    }
    waves.push(wave);
  }
  return waves;
}

/** Options of {@link UpgradeModule.flash}. */
export interface FlashOptions extends CallOptions {
  /** Give up polling after this long (default 30 min); the job keeps running on the HMM. */
  deadlineMs?: number;
  /** Time between polls (default 3000 ms, the GUI's pace). */
  intervalMs?: number;
  /** Told after every poll. */
  onProgress?: (targets: UpgradeTarget[]) => void;
  /** Skip the pre-flight (not recommended). */
  force?: boolean;
}

/** Result of one flash. */
export interface FlashResult {
  bladelist: string;
  targets: UpgradeTarget[];
}

/** Firmware of one chassis. */
export class UpgradeModule {
  readonly hub: DeviceHub;
  readonly chassis: Chassis;
  constructor(chassis: Chassis, hub: DeviceHub) {
    this.chassis = chassis;
    this.hub = hub;
  }

  /** Version lines of every component (absent ones with `present: false`). */
  async inventory(o: CallOptions = {}): Promise<Firmware[]> {
    const inv = new InventoryModule(this.chassis, this.hub);
    return await this.hub.map(FIRMWARE_COMPONENTS, async (component) => {
      const v = await inv.versions(component, o);
      return FirmwareSchema.parse({ component, present: v !== undefined, versions: v ?? {} });
    });
  }

  /** Is an upgrade running, are both management modules ready, how many alarms are active. */
  async preflight(o: CallOptions = {}): Promise<Preflight> {
    const [isup, c1, c2, al] = await this.hub.all([
      () =>
        this.hub.web("queryhandler.php", { actiontype: "isupdate", chassisid: "0" }, {
          ...o,
          idempotent: true,
        }),
      () => this.#check(1, o),
      () => this.#check(2, o),
      () => new AlarmModule(this.hub).summary(o).catch(() => undefined),
    ]);
    const state = isup.doc ? childText(isup.doc, "state") : undefined;
    const upgrading = state !== undefined && state !== "0";
    return PreflightSchema.parse({
      upgrading,
      smmReady: { "1": c1, "2": c2 },
      ...(al ? { alarms: { critical: al.critical, major: al.major, minor: al.minor } } : {}),
      ok: !upgrading && c1 && c2,
    });
  }

  async #check(smmtype: number, o: CallOptions): Promise<boolean> {
    const r = await this.hub.web("smmupgradehandler.php", {
      actiontype: "checkupgrade",
      smmtype: String(smmtype),
    }, {
      ...o,
      referer: "/system_manage_smm.html?chassisid=0",
      allowFailure: true,
      idempotent: true,
    });
    return r.status < 400 && r.retcode === 0;
  }

  /** Current progress of the running job (empty when none). */
  async progress(o: CallOptions = {}): Promise<ReturnType<typeof parseUpgradeProgress>> {
    const r = await this.hub.web("smmupgradehandler.php", { actiontype: "get" }, {
      ...o,
      referer: "/system_manage_smm.html?chassisid=0",
      idempotent: true,
      allowFailure: true,
    });
    return parseUpgradeProgress(r.doc);
  }

  /** Cancels the job / deletes the upload buffer (`delete`). */
  async cancel(o: CallOptions = {}): Promise<void> {
    await this.hub.serialize(
      "hmm",
      () =>
        this.hub.web("smmupgradehandler.php", { actiontype: "delete" }, {
          ...o,
          referer: "/system_manage_smm.html?chassisid=0",
          allowFailure: true,
        }),
    );
  }

  /**
   * Flashes one image to targets of one kind: pre-flight, upload (Referer by kind), `update`,
   * poll `get` to the deadline, and always `delete` at the end.
   *
   * @throws {ConflictError} an upgrade is already running / a module is not ready
   * @throws {WebApiError} a target failed (a DeviceError with its retcode and text)
   * @throws {TimeoutError} still running at the deadline (the job keeps running on the HMM)
   */
  async flash(
    targets: (string | FlashTarget)[],
    image: { name: string; data: Uint8Array },
    o: FlashOptions = {},
  ): Promise<FlashResult> {
    const bladelist = encodeBladelist(targets);
    const kind = uploadKindFor(bladelist);
    if (image.data.length === 0) {
      throw new ValidationError(`Image ${image.name} is empty`, { field: "image" });
    }
    return await this.hub.serialize("hmm", async () => {
      if (!o.force) {
        const pf = await this.preflight(o);
        if (!pf.ok) {
          throw new ConflictError(
            pf.upgrading
              ? "An upgrade is already running on this chassis"
              : `A management module is not ready for an upgrade (checkupgrade: HMM1 ${
                pf.smmReady["1"]
              }, HMM2 ${pf.smmReady["2"]})`,
            { hint: "Wait for the running job, or check the management modules", details: pf },
          );
        }
      }
      const web = await this.hub.hmmWeb(o);
      try {
        await this.hub.call(
          "hmm",
          "web",
          `upload ${image.name}`,
          () => web.upload(kind, image, this.hub.opts(o)),
          o,
        );
        await this.hub.web("smmupgradehandler.php", { actiontype: "update", bladelist }, {
          ...o,
          referer: "/system_manage_smm.html?chassisid=0",
        });
        // The drivers' poller: failed targets end in a WebApiError carrying the device's text;
        // the deadline ends in a TimeoutError (the job keeps running on the HMM).
        const targets = await pollUpgrade(async () => {
          const r = await this.hub.web("smmupgradehandler.php", { actiontype: "get" }, {
            ...o,
            referer: "/system_manage_smm.html?chassisid=0",
            idempotent: true,
            allowFailure: true,
          });
          return r.doc;
        }, {
          deadlineMs: o.deadlineMs ?? 30 * 60_000,
          intervalMs: o.intervalMs ?? 3000,
          onProgress: o.onProgress,
          signal: o.signal ?? this.hub.context.defaults.signal,
        });
        return { bladelist, targets };
      } finally {
        await this.hub.web("smmupgradehandler.php", { actiontype: "delete" }, {
          referer: "/system_manage_smm.html?chassisid=0",
          allowFailure: true,
        }).catch(() => {});
      }
    });
  }

  /**
   * Flashes waves in order, stopping at the first failure (later waves are not started).
   *
   * @returns one result per finished wave
   */
  async flashWaves(
    waves: string[][],
    image: { name: string; data: Uint8Array },
    o: FlashOptions & { onWave?: (index: number, wave: string[]) => void } = {},
  ): Promise<FlashResult[]> {
    const out: FlashResult[] = [];
    for (const [i, wave] of waves.entries()) {
      o.onWave?.(i, wave);
      out.push(await this.flash(wave, image, o));
    }
    return out;
  }
}

/**
 * The upgrade module of a chassis (cached per chassis).
 *
 * @example
 * const fw = await upgrade(chassis).inventory();
 */
export const upgrade: (chassis: Chassis) => UpgradeModule = perChassis((c, hub) =>
  new UpgradeModule(c, hub)
);
