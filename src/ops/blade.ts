/**
 * Blade power and boot override as one use case, for the REST API (`PATCH /api/v1/blades/{slot}`)
 * and the CLI: through the `vessel_blade` resource inside the change envelope (scope
 * `ibmc:blade<slot>`: lock, snapshot, audit), only what differs is sent, and the result is read
 * back (power state and boot device must be as asked).
 *
 * @example
 * const r = await changeBlade(envelope, chassis, 3, { power: "on", boot_device: "Pxe" }, { actor });
 * r.result; // "changed" | "unchanged"
 *
 * @module
 */
import { DeviceError, NotFoundError } from "../errors.ts";
import { type BladeAttributes, bladeResource } from "../resources/blade/mod.ts";
import { type EnvelopeContext, runChange } from "./envelope.ts";
import { blades, type PowerAction } from "../chassis/blade.ts";

/** What can be changed on a blade. */
export type BladeChange = Pick<BladeAttributes, "power" | "boot_device" | "boot_persistence">;

/** Result of {@link changeBlade}. */
export interface BladeChangeResult {
  blade: BladeAttributes;
  result: "changed" | "unchanged";
  /** Snapshot taken before the change (absent when nothing changed). */
  snapshotId?: string;
}

/**
 * Power a blade on/off and/or set its boot override. Nothing differs: no change, no audit.
 *
 * @throws {NotFoundError} the slot holds no blade
 * @throws {DeviceError} the read-back differs (after the envelope restored the scope)
 */
export async function changeBlade(
  envelope: EnvelopeContext,
  // deno-lint-ignore no-explicit-any
  chassis: any,
  slot: number,
  want: BladeChange,
  opts: { actor?: string; signal?: AbortSignal } = {},
): Promise<BladeChangeResult> {
  const ctx = { chassis, signal: opts.signal };
  const prior = await bladeResource.read(ctx, `blade${slot}`);
  if (!prior?.present) {
    throw new NotFoundError(`Slot ${slot} holds no blade`, {
      hint: "Power and boot settings need a blade in the slot",
    });
  }
  const desired: BladeAttributes = { ...prior, ...want };
  const differs = (["power", "boot_device", "boot_persistence"] as const).some((k) =>
    want[k] !== undefined && want[k] !== prior[k]
  );
  if (!differs) return { blade: prior, result: "unchanged" };
  const r = await runChange(envelope, {
    actor: opts.actor,
    target: { kind: "blade", id: String(slot) },
    operation: "blade.update",
    parameters: { slot, ...want },
    scopes: bladeResource.scopes(desired),
    apply: async () => ({ blade: await bladeResource.update(ctx, desired, prior) }),
    verify: async () => {
      const live = await bladeResource.read(ctx, `blade${slot}`);
      const wrong = (["power", "boot_device"] as const).filter((k) =>
        want[k] !== undefined && live?.[k] !== want[k]
      );
      if (wrong.length) {
        throw new DeviceError(
          `Blade ${slot}: ${
            wrong.map((k) => `${k} is ${live?.[k]}, expected ${want[k]}`).join("; ")
          }`,
          { device: `blade${slot}` },
        );
      }
      return { blade: live };
    },
  });
  return {
    blade: (await bladeResource.read(ctx, `blade${slot}`))!,
    result: "changed",
    snapshotId: r.snapshotId,
  };
}

/** What {@link bladePowerAction} did. */
export interface BladePowerActionResult {
  slot: number;
  action: PowerAction;
  /** False when the blade already was in the asked state (on/off); nothing was sent. */
  changed: boolean;
  powerBefore: string;
  powerAfter: string;
  snapshotId?: string;
}

/**
 * One power action on a blade (`on`, `off` forced, `shutdown` graceful, `reset`, `cycle`, `nmi`),
 * inside the change envelope: lock the blade's iBMC scope, snapshot it, audit intent, act, read
 * the power state back, audit the outcome. `on`/`off` of a blade already in that state change
 * nothing and write no audit record (idempotent, like the engine).
 *
 * @example
 * await bladePowerAction(envelope, chassis, 3, "cycle", { actor: "alice" });
 * @throws {NotFoundError} the slot holds no blade
 * @throws {UnsupportedError} the iBMC does not offer that action
 */
export async function bladePowerAction(
  envelope: EnvelopeContext,
  // deno-lint-ignore no-explicit-any
  chassis: any,
  slot: number,
  action: PowerAction,
  opts: { actor?: string; signal?: AbortSignal } = {},
): Promise<BladePowerActionResult> {
  const sdk = blades(chassis);
  const b = await sdk.get(slot, { signal: opts.signal });
  if (!b.present) {
    throw new NotFoundError(`Slot ${slot} holds no blade`, {
      hint: "Power actions need a blade in the slot",
    });
  }
  const before = await sdk.powerState(slot, { signal: opts.signal });
  if ((action === "on" && before === "On") || (action === "off" && before === "Off")) {
    return { slot, action, changed: false, powerBefore: before, powerAfter: before };
  }
  const r = await runChange(envelope, {
    actor: opts.actor,
    target: { kind: "blade", id: String(slot) },
    operation: `blade.power.${action}`,
    parameters: { slot, action },
    scopes: bladeResource.scopes({ slot, present: true } as BladeAttributes),
    apply: async () => ({ result: await sdk.power(slot, action, { signal: opts.signal }) }),
    verify: async () => {
      const now = await sdk.powerState(slot, { signal: opts.signal });
      // A forced off must be off and an on must be on; restarts end on (or on their way).
      if ((action === "off" && now !== "Off") || (action === "on" && now !== "On")) {
        throw new DeviceError(`Blade ${slot} is ${now} after power ${action}`, {
          device: `blade${slot}`,
        });
      }
      return { power: now };
    },
  });
  const after = await sdk.powerState(slot, { signal: opts.signal });
  return {
    slot,
    action,
    changed: true,
    powerBefore: before,
    powerAfter: after,
    snapshotId: r.snapshotId,
  };
}
