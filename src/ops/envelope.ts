/**
 * The change envelope: the only door through which Vessel mutates a device.
 *
 * {@link runChange} does, in order:
 * 1. take the device lock of every scope the change touches (`device:switch:swi2`, ...);
 * 2. capture those scopes and make a snapshot, or reuse the newest catalogued snapshot when the
 *    live capture is byte-identical to it (a verified fresh snapshot);
 * 3. write the audit **intent** record; if that fails, nothing is changed;
 * 4. `apply()` the change;
 * 5. `verify()` it (read back) and run the health checks (the switch watchdog plugs in here);
 * 6. write the **outcome** record with evidence (apply/verify/health output, before → after diff);
 * 7. on any failure in 4–5: write the failed outcome, restore every scope from the captures
 *    taken in step 2 (or call the change's own `rollback`), re-capture to prove it, and write the
 *    **rollback** record (`rollback` when the scope is back, `rollback-failed` otherwise).
 *
 * Resources, the engine, REST, CLI and the watchdog all call it; nested calls in the same async
 * context reuse the locks already held ({@link currentChange}).
 *
 * @example
 * await runChange(ctx, {
 *   target: { kind: "switch", id: "swi2" }, operation: "vlan.add", parameters: { vlan_id: 10 },
 *   scopes: ["switch:swi2"],
 *   apply: async () => ({ created: await sw.createVlan({ id: 10 }) }),
 *   verify: async () => { if (!(await sw.getVlan(10))) throw new Error("VLAN 10 not visible"); },
 * });
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Store } from "../store/db.ts";
import {
  AuditLog,
  type AuditRecord,
  type AuditTarget,
  defaultActor,
  syslogFromEnv,
} from "../store/audit.ts";
import { DEFAULT_LOCK_TTL_MS, type Lock, LockManager } from "../store/locks.ts";
import { SnapshotCatalog } from "../store/snapshots.ts";
import { defaultRedactor, redactError, type Redactor, scrubError } from "../util/redact.ts";
import { SafetyError, VesselError } from "../errors.ts";
import {
  defaultScopes,
  type Evidence,
  type ScopeCapture,
  type ScopeEnv,
  type ScopeId,
  scopeLockName,
  type ScopeRegistry,
} from "./scope.ts";
import {
  captureHashes,
  captureScopes,
  type SnapshotRef,
  snapshotsRootFromEnv,
  verifySnapshot,
  writeSnapshot,
} from "./snapshot/snapshot.ts";
import { diffCaptures } from "./snapshot/diff.ts";

export type { Evidence, ScopeCapture, ScopeId } from "./scope.ts";

/** A named health probe; throws (or returns `{ ok: false }`) when unhealthy. */
export interface HealthCheck {
  name: string;
  check(): Promise<Evidence | void>;
}

/** The snapshot a rollback restores from (captures as stored, already redacted). */
export interface SnapshotHandle {
  id: string;
  reused: boolean;
  captures: ScopeCapture[];
}

/** One mutation, described for the envelope. */
export interface Change {
  /** Who asks (default `$VESSEL_AUDIT_ACTOR` or `user@host`). */
  actor?: string;
  target: AuditTarget;
  /** Dotted verb: `vlan.add`, `port.trunk`, `snapshot.restore`, `power.cycle`. */
  operation: string;
  /** What was asked for (redacted before it is stored). */
  parameters?: Record<string, unknown>;
  /** Device scopes the change touches: locked, snapshotted and restored on failure. */
  scopes: ScopeId[];
  /** Make the change; returns evidence (device output, created objects). */
  apply(): Promise<Evidence | void>;
  /** Read back and check; throw (or return `{ ok: false, ... }`) when the change did not take. */
  verify?(applied: Evidence): Promise<Evidence | void>;
  /** Change-specific health checks, run after verify (with the context's checks). */
  health?: HealthCheck[];
  /** Custom rollback instead of restoring every scope from the snapshot. */
  rollback?(snapshot: SnapshotHandle): Promise<Evidence | void>;
  /** Do not capture the scopes again after success (saves time; loses the after-diff evidence). */
  skipAfterCapture?: boolean;
}

/** Progress events (for CLI spinners, REST job logs). */
export type EnvelopeEvent =
  | { phase: "lock"; locks: string[] }
  | { phase: "snapshot"; id: string; reused: boolean }
  | { phase: "intent"; seq: number }
  | { phase: "apply" | "verify" | "health" | "rollback" }
  | { phase: "outcome"; seq: number; result: string }
  | { phase: "rolled-back"; seq: number; result: string };

/** Everything the envelope needs; build it once per command with {@link envelopeContext}. */
export interface EnvelopeContext {
  store: Store;
  /** Handed to scope collectors (the open `Chassis`). */
  env: ScopeEnv;
  /** Snapshot root directory (default `$VESSEL_SNAPSHOTS_DIR` or `snapshots`). */
  snapshotsDir?: string;
  /** Chassis identity for manifests; restore refuses another serial. */
  chassis?: { model?: string | null; serial: string | null };
  audit?: AuditLog;
  locks?: LockManager;
  catalog?: SnapshotCatalog;
  registry?: ScopeRegistry;
  redactor?: Redactor;
  /** Health checks run after every change in this context. */
  healthChecks?: HealthCheck[];
  /** Device lock lifetime (default 15 min); renewed between phases. */
  lockTtlMs?: number;
  now?: () => Date;
  onEvent?: (e: EnvelopeEvent) => void;
}

/** What {@link runChange} returns on success. */
export interface ChangeResult {
  changeId: string;
  snapshotId: string;
  snapshotReused: boolean;
  result: "success";
  evidence: Evidence;
  /** Audit records written (intent, outcome). */
  records: AuditRecord[];
  durationMs: number;
}

interface ActiveChange {
  changeId: string;
  locks: Set<string>;
}

const active = new AsyncLocalStorage<ActiveChange>();

/** The change the current async context runs inside, if any. */
export function currentChange(): { changeId: string; locks: string[] } | undefined {
  const a = active.getStore();
  return a ? { changeId: a.changeId, locks: [...a.locks] } : undefined;
}

/** True inside {@link runChange}: SDK write functions may assert it at run time. */
export function insideChange(): boolean {
  return active.getStore() !== undefined;
}

/**
 * Throw unless called inside {@link runChange} (a run-time bypass guard for write paths).
 *
 * @throws {SafetyError}
 */
export function assertInsideChange(what: string): void {
  if (!insideChange()) {
    throw new SafetyError(`${what} was called outside the change envelope`, {
      hint: "Every mutation goes through runChange (src/ops/envelope.ts): lock, snapshot, audit",
    });
  }
}

/** Fill the optional parts of a context (audit, locks, catalog) from its store. */
export function envelopeContext(ctx: EnvelopeContext):
  & Required<
    Pick<EnvelopeContext, "audit" | "locks" | "catalog" | "registry" | "redactor" | "snapshotsDir">
  >
  & EnvelopeContext {
  return {
    ...ctx,
    audit: ctx.audit ?? new AuditLog(ctx.store, { now: ctx.now, syslog: syslogFromEnv() }),
    locks: ctx.locks ??
      new LockManager(ctx.store, ctx.now ? { now: () => ctx.now!().getTime() } : {}),
    catalog: ctx.catalog ?? new SnapshotCatalog(ctx.store),
    registry: ctx.registry ?? defaultScopes,
    redactor: ctx.redactor ?? defaultRedactor,
    snapshotsDir: ctx.snapshotsDir ?? snapshotsRootFromEnv(),
  };
}

function errorEvidence(e: unknown, redactor: Redactor): Evidence {
  if (e instanceof VesselError) {
    return redactor.value({ ...e.toJSON() });
  }
  if (e instanceof Error) return { error: e.name, message: redactor.text(e.message) };
  return { error: "Error", message: redactor.text(String(e)) };
}

function notOk(ev: Evidence | void): boolean {
  return !!ev && (ev as { ok?: unknown }).ok === false;
}

/**
 * Run one change inside the envelope (see the module description).
 *
 * @throws {ConflictError} when a device lock is held by someone else (nothing happened)
 * @throws {SafetyError} when no verified snapshot or no intent record could be made (nothing
 *   happened), or when the rollback did not bring a scope back (manual recovery needed)
 * @throws the apply/verify error itself after a successful rollback
 */
export async function runChange(context: EnvelopeContext, change: Change): Promise<ChangeResult> {
  const ctx = envelopeContext(context);
  const t0 = performance.now();
  const redactor = ctx.redactor;
  const actor = change.actor ?? defaultActor();
  const scopes = [...new Set(change.scopes)].sort();
  if (!scopes.length) {
    throw new SafetyError(
      `Change ${change.operation} on ${change.target.kind} ${change.target.id} names no scope`,
      {
        hint:
          "List the device scopes it touches (switch:swi2, hmm, ibmc:blade3) so they can be backed up",
      },
    );
  }
  const parent = active.getStore();
  const changeId = crypto.randomUUID();
  const purpose = `${change.operation} on ${change.target.kind}:${change.target.id} (change ${
    changeId.slice(0, 8)
  })`;

  // 1. Locks (re-entrant within one async context).
  const needed = scopes.map(scopeLockName).filter((n) => !parent?.locks.has(n));
  const locks: Lock[] = ctx.locks.acquireAll(needed, { ttlMs: ctx.lockTtlMs, purpose });
  ctx.onEvent?.({ phase: "lock", locks: needed });
  const state: ActiveChange = { changeId, locks: new Set([...(parent?.locks ?? []), ...needed]) };
  const renew = () => locks.forEach((l) => l.renew());
  // Long changes (firmware, slow switches) keep their locks: renew at a third of the lifetime.
  const ttl = ctx.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  const keepAlive = locks.length
    ? setInterval(() => {
      try {
        renew();
      } catch { /* lost: the next explicit renew() between phases throws */ }
    }, Math.max(1000, Math.floor(ttl / 3)))
    : undefined;

  try {
    return await active.run(state, async () => {
      // 2. Snapshot (fresh, or a verified identical one).
      const before = await captureScopes(scopes, ctx.env, ctx.registry);
      const snap = await ensureSnapshot(ctx, before, `pre-change ${purpose}`);
      ctx.onEvent?.({ phase: "snapshot", id: snap.id, reused: snap.reused });
      renew();

      // 3. Intent record: no record, no change.
      const base = {
        actor,
        target: change.target,
        operation: change.operation,
        parameters: change.parameters ?? {},
        snapshot_id: snap.id,
        change_id: changeId,
      };
      const intent = ctx.audit.append({
        ...base,
        phase: "intent",
        result: "pending",
        evidence: { scopes, snapshot_reused: snap.reused, locks: needed },
      });
      ctx.onEvent?.({ phase: "intent", seq: intent.seq });

      const evidence: Evidence = {};
      try {
        // 4. Apply.
        ctx.onEvent?.({ phase: "apply" });
        evidence.apply = (await change.apply()) ?? {};
        renew();
        // 5. Verify and health.
        if (change.verify) {
          ctx.onEvent?.({ phase: "verify" });
          const v = await change.verify(evidence.apply as Evidence);
          evidence.verify = v ?? { ok: true };
          if (notOk(v)) {
            throw new SafetyError(
              `Verification of ${change.operation} on ${change.target.kind} ${change.target.id} failed`,
              {
                details: { verify: redactor.value(v as Evidence) },
              },
            );
          }
        }
        const checks = [...(ctx.healthChecks ?? []), ...(change.health ?? [])];
        if (checks.length) {
          ctx.onEvent?.({ phase: "health" });
          const health: Evidence = {};
          evidence.health = health;
          for (const h of checks) {
            try {
              const r = await h.check();
              health[h.name] = r ?? { ok: true };
              if (notOk(r)) {
                throw new SafetyError(`Health check ${h.name} failed after ${change.operation}`);
              }
            } catch (e) {
              if (!(h.name in health)) {
                health[h.name] = { ok: false, ...errorEvidence(e, redactor) };
              }
              throw e instanceof SafetyError ? e : new SafetyError(
                `Health check ${h.name} failed after ${change.operation}: ${redactError(e)}`,
                { cause: e },
              );
            }
          }
        }
      } catch (failure) {
        // 7. Failure: outcome failed, then rollback.
        evidence.error = errorEvidence(failure, redactor);
        const outcome = ctx.audit.append({
          ...base,
          phase: "outcome",
          result: "failed",
          evidence,
          duration_ms: Math.round(performance.now() - t0),
        });
        ctx.onEvent?.({ phase: "outcome", seq: outcome.seq, result: "failed" });
        ctx.onEvent?.({ phase: "rollback" });
        const rb = await rollback(ctx, change, snap);
        const rbRec = ctx.audit.append({
          ...base,
          operation: change.operation,
          phase: "rollback",
          result: rb.ok ? "rollback" : "rollback-failed",
          evidence: { reason: evidence.error, ...rb.evidence },
          duration_ms: Math.round(performance.now() - t0),
        });
        ctx.onEvent?.({ phase: "rolled-back", seq: rbRec.seq, result: rbRec.result });
        if (!rb.ok) {
          throw new SafetyError(
            `${change.operation} on ${change.target.kind} ${change.target.id} failed and the rollback did not restore ${
              rb.unrestored.join(", ")
            }: manual recovery needed from snapshot ${snap.id}`,
            {
              cause: scrubError(failure, redactor),
              hint:
                `Inspect with vessel snapshot diff ${snap.id} and restore with vessel restore ${snap.id}`,
              details: { change_id: changeId, snapshot_id: snap.id, audit_seq: rbRec.seq },
            },
          );
        }
        throw scrubError(failure, redactor);
      }

      // 6. Outcome.
      if (!change.skipAfterCapture) {
        try {
          const after = await captureScopes(scopes, ctx.env, ctx.registry);
          const changes: Record<string, string[]> = {};
          for (const a of after) {
            const b = before.find((x) => x.scope === a.scope)!;
            const d = ctx.registry.resolve(a.scope)?.diff ?? diffCaptures;
            changes[a.scope] = redactor.value(d(redacted(b, redactor), redacted(a, redactor)));
          }
          evidence.changes = changes;
        } catch (e) {
          evidence.after_capture_error = errorEvidence(e, redactor);
        }
      }
      const durationMs = Math.round(performance.now() - t0);
      let outcome: AuditRecord;
      try {
        outcome = ctx.audit.append({
          ...base,
          phase: "outcome",
          result: "success",
          evidence,
          duration_ms: durationMs,
        });
      } catch (e) {
        throw new SafetyError(
          `${change.operation} on ${change.target.kind} ${change.target.id} was applied but its outcome record could not be written (intent is record ${intent.seq}): ${
            redactError(e)
          }`,
          { cause: e, details: { change_id: changeId, snapshot_id: snap.id } },
        );
      }
      ctx.onEvent?.({ phase: "outcome", seq: outcome.seq, result: "success" });
      return {
        changeId,
        snapshotId: snap.id,
        snapshotReused: snap.reused,
        result: "success" as const,
        evidence,
        records: [intent, outcome],
        durationMs,
      };
    });
  } finally {
    if (keepAlive !== undefined) clearInterval(keepAlive);
    for (const l of locks) l.release();
    // An audit log made for this call (not passed in) closes its syslog socket here.
    if (!context.audit) await ctx.audit.close();
  }
}

function redacted(c: ScopeCapture, r: Redactor): ScopeCapture {
  return {
    ...c,
    files: Object.fromEntries(Object.entries(c.files).map(([p, t]) => [p, r.text(t)])),
  };
}

/**
 * The snapshot for a change: reuse the newest catalogued snapshot of the same chassis covering
 * these scopes when its stored files hash exactly like the live capture and it still verifies on
 * disk; otherwise write a new one.
 */
async function ensureSnapshot(
  ctx: ReturnType<typeof envelopeContext>,
  captures: ScopeCapture[],
  reason: string,
): Promise<SnapshotHandle> {
  const stored = captures.map((c) => redacted(c, ctx.redactor));
  const scopes = captures.map((c) => c.scope);
  const serial = ctx.chassis?.serial ?? null;
  const candidate = ctx.catalog.latestWithScopes(scopes, serial);
  if (candidate) {
    const same = captures.every((c) => {
      const hashes = captureHashes(c, ctx.redactor);
      const inCat = candidate.files.filter((f) => f.scope === c.scope);
      return inCat.length === Object.keys(hashes).length &&
        inCat.every((f) => hashes[f.path] === f.sha256);
    });
    if (same) {
      const v = await verifySnapshot(ctx.snapshotsDir, candidate.path, ctx.catalog).catch(() =>
        undefined
      );
      if (v?.ok) return { id: candidate.id, reused: true, captures: stored };
    }
  }
  const ref: SnapshotRef = await writeSnapshot(
    {
      root: ctx.snapshotsDir,
      chassis: ctx.chassis ?? { serial: null },
      catalog: ctx.catalog,
      redactor: ctx.redactor,
      now: ctx.now,
      registry: ctx.registry,
    },
    captures,
    { reason },
  );
  return { id: ref.id, reused: false, captures: stored };
}

async function rollback(
  ctx: ReturnType<typeof envelopeContext>,
  change: Change,
  snap: SnapshotHandle,
): Promise<{ ok: boolean; unrestored: string[]; evidence: Evidence }> {
  const evidence: Evidence = { snapshot_id: snap.id };
  const restoreEv: Evidence = {};
  try {
    if (change.rollback) {
      evidence.custom_rollback = (await change.rollback(snap)) ?? {};
    } else {
      for (const cap of snap.captures) {
        const c = ctx.registry.resolve(cap.scope);
        if (!c?.restore) {
          restoreEv[cap.scope] = { ok: false, message: `scope ${cap.scope} has no restore` };
          continue;
        }
        try {
          restoreEv[cap.scope] = await c.restore(cap.scope, cap, ctx.env);
        } catch (e) {
          restoreEv[cap.scope] = { ok: false, ...errorEvidence(e, ctx.redactor) };
        }
      }
      evidence.restore = restoreEv;
    }
  } catch (e) {
    evidence.rollback_error = errorEvidence(e, ctx.redactor);
  }
  // Prove it: capture again and compare with the snapshot.
  const unrestored: string[] = [];
  const remaining: Record<string, string[]> = {};
  try {
    const now = await captureScopes(snap.captures.map((c) => c.scope), ctx.env, ctx.registry);
    for (const cap of snap.captures) {
      const live = now.find((x) => x.scope === cap.scope)!;
      const c = ctx.registry.resolve(cap.scope);
      const d = (c?.diff ?? diffCaptures)(cap, redacted(live, ctx.redactor));
      if (d.length) {
        unrestored.push(cap.scope);
        remaining[cap.scope] = d;
      }
    }
  } catch (e) {
    evidence.recapture_error = errorEvidence(e, ctx.redactor);
    unrestored.push(...snap.captures.map((c) => c.scope));
  }
  evidence.remaining_differences = remaining;
  evidence.restored = unrestored.length === 0;
  return { ok: unrestored.length === 0, unrestored, evidence: ctx.redactor.value(evidence) };
}

/** A plan step as the engine passes it to its `wrap` hook (structural; no engine import). */
export interface StepLike {
  address: string;
  type: string;
  action: string;
  id: string;
  scopes: string[];
  changes?: unknown;
}

/**
 * Adapter for the engine's `applyPlan({ wrap })`: each step runs inside {@link runChange} with
 * operation `<type>.<action>` (`vessel_vlan.create`), target from the first scope and the step's
 * changes as parameters.
 *
 * @example
 * await applyPlan(plan, { state, registry, ctx, wrap: engineWrap(envCtx, { actor }) });
 */
export function engineWrap(
  ctx: EnvelopeContext,
  options: { actor?: string; verify?: (step: StepLike) => Promise<Evidence | void> } = {},
): <T>(step: StepLike, run: () => Promise<T>) => Promise<T> {
  return async <T>(step: StepLike, run: () => Promise<T>): Promise<T> => {
    let out: T | undefined;
    const first = step.scopes[0] ?? "chassis";
    const i = first.indexOf(":");
    await runChange(ctx, {
      actor: options.actor,
      target: i < 0
        ? { kind: first, id: first }
        : { kind: first.slice(0, i), id: first.slice(i + 1) },
      operation: `${step.type}.${step.action}`,
      parameters: { address: step.address, id: step.id, changes: step.changes ?? [] },
      scopes: step.scopes,
      apply: async () => {
        out = await run();
        return { address: step.address };
      },
      verify: options.verify ? () => options.verify!(step) : undefined,
    });
    return out as T;
  };
}
