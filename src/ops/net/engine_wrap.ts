/**
 * The engine's apply wrap with the switch watchdog: a step whose scopes are exactly one switch
 * (`vessel_vlan`, `vessel_switch_port`, `vessel_lag`) runs through {@link runGuardedSwitchStep}
 * (one envelope: lock, snapshot, audit; readiness probes, the management-path guard, `commit
 * trial` on two-stage VRP, heartbeat, read-back, confirm, rollback), every other step through the
 * plain {@link engineWrap}. The resources stay plain SDK callers: the guard reaches their writes
 * through the SDK (`withSwitchWriteGuard`), so there is one watchdog and one snapshot per step.
 *
 * @example
 * await applyPlanned(plan, {
 *   ...common,
 *   wrap: engineApplyWrap(envelope, {
 *     chassis,
 *     verify: (st) => verifyStep(plan, st.address, { chassis, registry }),
 *   }),
 * });
 *
 * @module
 */
import type { Chassis } from "../../chassis/chassis.ts";
import { engineWrap, type EnvelopeContext, type Evidence, type StepLike } from "../envelope.ts";
import { runGuardedSwitchStep } from "./txn.ts";
import type { WatchdogConfig } from "./watchdog.ts";

/** Options of {@link engineApplyWrap}. */
export interface EngineApplyWrapOptions {
  chassis: Chassis;
  actor?: string;
  /** The step's read-back (the engine's `verifyStep`). */
  verify?: (step: StepLike) => Promise<Evidence | void>;
  /** Watchdog settings for switch steps (defaults: `docs/watchdog.md` §3). */
  watchdog?: Partial<WatchdogConfig>;
  /** Progress lines of the watchdog. */
  log?: (line: string) => void;
  /** See `NetContext.allowMgmtRisk` (default false: refused on an immediate switch). */
  allowMgmtRisk?: boolean;
}

/** The switch a step touches when it touches exactly one switch and nothing else. */
export function switchOfStep(step: Pick<StepLike, "scopes">): string | undefined {
  if (step.scopes.length !== 1) return undefined;
  const m = /^switch:(swi[1-4])$/.exec(step.scopes[0]);
  return m?.[1];
}

/**
 * The envelope adapter for `applyPlanned({ wrap })`, with switch steps under the watchdog.
 *
 * @throws whatever the step or its checks throw, after the envelope's rollback
 */
export function engineApplyWrap(
  ctx: EnvelopeContext,
  o: EngineApplyWrapOptions,
): <T>(step: StepLike, run: () => Promise<T>) => Promise<T> {
  const plain = engineWrap(ctx, { actor: o.actor, verify: o.verify });
  return async <T>(step: StepLike, run: () => Promise<T>): Promise<T> => {
    const sw = switchOfStep(step);
    if (!sw) return await plain(step, run);
    let out: T | undefined;
    await runGuardedSwitchStep({
      envelope: ctx,
      chassis: o.chassis,
      actor: o.actor,
      watchdog: o.watchdog,
      log: o.log,
      allowMgmtRisk: o.allowMgmtRisk,
    }, {
      switch: sw,
      operation: `${step.type}.${step.action}`,
      parameters: { address: step.address, id: step.id, changes: step.changes ?? [] },
      apply: async () => {
        out = await run();
        return { address: step.address };
      },
      verify: o.verify ? async () => (await o.verify!(step)) ?? {} : undefined,
    });
    return out as T;
  };
}
