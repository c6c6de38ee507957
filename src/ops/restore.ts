/**
 * Restore a snapshot onto the live chassis, scope by scope, each inside the change envelope
 * (so a restore is itself snapshotted first, locked, audited and rolled back on failure).
 *
 * {@link planRestore} refuses a snapshot whose hashes do not verify or that was taken on another
 * chassis (serial mismatch), and previews, per scope, what restoring would change
 * (`-` live lines that go, `+` snapshot lines that come back).
 * {@link applyRestore} then restores every scope that differs and verifies by capturing again.
 *
 * @example
 * const plan = await planRestore(ctx, "20261125T194500Z", { scopes: ["switches"] });
 * const results = await applyRestore(ctx, plan);
 *
 * @module
 */
import { SafetyError } from "../errors.ts";
import { defaultActor } from "../store/audit.ts";
import { SnapshotCatalog } from "../store/snapshots.ts";
import { redactError } from "../util/redact.ts";
import { type ChangeResult, type EnvelopeContext, envelopeContext, runChange } from "./envelope.ts";
import {
  type Evidence,
  expandScopes,
  type ScopeCapture,
  type ScopeId,
  scopeKind,
  scopeName,
} from "./scope.ts";
import { diffCaptures } from "./snapshot/diff.ts";
import { captureScopes, type LoadedSnapshot, loadSnapshot } from "./snapshot/snapshot.ts";

/** Preview of one scope. */
export interface RestorePlanScope {
  scope: ScopeId;
  /** False when no collector can write this scope back (`reason` says why). */
  restorable: boolean;
  reason?: string;
  /** Live → snapshot differences; empty when live already equals the snapshot. */
  diff: string[];
}

/** What {@link planRestore} returns (JSON shape of `vessel restore --output json` preview). */
export interface RestorePlan {
  snapshotId: string;
  snapshotDir: string;
  chassisSerial: string | null;
  scopes: RestorePlanScope[];
  /** @internal the loaded snapshot */
  snapshot: LoadedSnapshot;
}

/** Result of one restored scope. */
export interface RestoreScopeResult {
  scope: ScopeId;
  result: "unchanged" | "restored" | "incomplete";
  /** The envelope's change (its snapshot is the state before the restore). */
  change?: Pick<ChangeResult, "changeId" | "snapshotId">;
  /** Differences that remain after the restore (not restorable through the SDK yet). */
  remaining: string[];
  evidence?: Evidence;
}

function captureDiff(
  ctx: ReturnType<typeof envelopeContext>,
  scope: ScopeId,
  a: ScopeCapture,
  b: ScopeCapture,
) {
  const c = ctx.registry.resolve(scope);
  return (c?.diff ?? diffCaptures)(a, b);
}

function redactedCapture(ctx: ReturnType<typeof envelopeContext>, c: ScopeCapture): ScopeCapture {
  return {
    ...c,
    files: Object.fromEntries(Object.entries(c.files).map(([p, t]) => [p, ctx.redactor.text(t)])),
  };
}

/**
 * Load, verify and preview a restore.
 *
 * @throws {SafetyError} snapshot does not verify, or it belongs to another chassis
 * @throws {NotFoundError} no such snapshot
 * @throws {UsageError} a requested scope is not in the snapshot
 */
export async function planRestore(
  context: EnvelopeContext,
  ref: string,
  options: { scopes?: string[] } = {},
): Promise<RestorePlan> {
  const ctx = envelopeContext(context);
  const snap = await loadSnapshot(
    ctx.snapshotsDir,
    ref,
    ctx.catalog ?? new SnapshotCatalog(ctx.store),
  );
  const snapSerial = snap.manifest.chassis?.serial ?? null;
  const liveSerial = ctx.chassis?.serial ?? null;
  if (snapSerial !== liveSerial) {
    throw new SafetyError(
      `Snapshot ${snap.id} was taken on chassis ${
        snapSerial ?? "(unknown serial)"
      }, this chassis is ${liveSerial ?? "(unknown serial)"}: refusing to restore`,
      {
        hint: "Restore a snapshot of this chassis; configurations are not portable between chassis",
      },
    );
  }
  const scopes = expandScopes(options.scopes ?? [], snap.manifest.scopes);
  const live = await captureScopes(
    scopes.filter((s) => ctx.registry.resolve(s)),
    ctx.env,
    ctx.registry,
  );
  const out: RestorePlanScope[] = [];
  for (const scope of scopes) {
    const c = ctx.registry.resolve(scope);
    const stored = snap.captures.get(scope)!;
    if (!c) {
      out.push({
        scope,
        restorable: false,
        reason: `no collector for ${scope} in this version`,
        diff: [],
      });
      continue;
    }
    const l = live.find((x) => x.scope === scope)!;
    const diff = captureDiff(ctx, scope, redactedCapture(ctx, l), stored);
    out.push({
      scope,
      restorable: typeof c.restore === "function",
      ...(c.restore ? {} : { reason: `${scope} can be backed up but not restored yet` }),
      diff,
    });
  }
  return {
    snapshotId: snap.id,
    snapshotDir: snap.dir,
    chassisSerial: snapSerial,
    scopes: out,
    snapshot: snap,
  };
}

/**
 * Restore every restorable scope of `plan` that differs, each in its own envelope, then verify
 * by capturing again. Stops at the first scope whose restore fails (the envelope has rolled it
 * back to its state before the restore).
 *
 * @throws {SafetyError} a scope in the plan cannot be restored (nothing was changed)
 */
export async function applyRestore(
  context: EnvelopeContext,
  plan: RestorePlan,
  options: { actor?: string } = {},
): Promise<RestoreScopeResult[]> {
  const ctx = envelopeContext(context);
  const blocked = plan.scopes.filter((s) => !s.restorable && s.diff.length);
  if (blocked.length) {
    throw new SafetyError(
      `Cannot restore ${
        blocked.map((b) => `${b.scope} (${b.reason})`).join(", ")
      } from snapshot ${plan.snapshotId}`,
      { hint: "Restore only the other scopes with --scope" },
    );
  }
  const results: RestoreScopeResult[] = [];
  for (const s of plan.scopes) {
    if (!s.diff.length) {
      results.push({ scope: s.scope, result: "unchanged", remaining: [] });
      continue;
    }
    const stored = plan.snapshot.captures.get(s.scope)!;
    const collector = ctx.registry.resolve(s.scope)!;
    let remaining: string[] = [];
    const kind = scopeKind(s.scope);
    const res = await runChange(context, {
      actor: options.actor ?? defaultActor(),
      target: { kind, id: kind === s.scope ? s.scope : scopeName(s.scope) },
      operation: "snapshot.restore",
      parameters: { snapshot_id: plan.snapshotId, scope: s.scope, preview_lines: s.diff.length },
      scopes: [s.scope],
      apply: () => collector.restore!(s.scope, stored, ctx.env),
      verify: async () => {
        try {
          const [after] = await captureScopes([s.scope], ctx.env, ctx.registry);
          remaining = captureDiff(ctx, s.scope, stored, redactedCapture(ctx, after));
        } catch (e) {
          return { ok: false, error: redactError(e) };
        }
        return { ok: true, complete: remaining.length === 0, remaining };
      },
    });
    results.push({
      scope: s.scope,
      result: remaining.length ? "incomplete" : "restored",
      change: { changeId: res.changeId, snapshotId: res.snapshotId },
      remaining,
      evidence: res.evidence,
    });
  }
  return results;
}
