/**
 * Snapshot use cases shared by `vessel snapshot` / `vessel snapshot diff` (src/cmd/snapshot.ts)
 * and the REST API (`POST /api/v1/snapshots`, `GET /api/v1/snapshots/{id}/diff/{other}`):
 * which scopes to take, take and catalogue one snapshot with its audit event, capture the chassis
 * now (redacted), and diff two snapshots per scope.
 *
 * @example
 * const { take, skipped } = selectSnapshotScopes(registry, chassisScopes(endpoints), ["switches"]);
 * const snap = await createSnapshot(take, { registry, env: { chassis }, settings, audit, skipped });
 * const d = await diffSnapshots("latest", "live", { registry, load, live });
 *
 * @module
 */
import { UnsupportedError } from "../../errors.ts";
import { defaultRedactor } from "../../util/redact.ts";
import { expandScopes, type ScopeCapture, type ScopeEnv, type ScopeId } from "../scope.ts";
import type { ScopeRegistry } from "../scope.ts";
import type { AuditInput } from "../../store/audit.ts";
import { diffCaptures } from "./diff.ts";
import {
  captureScopes,
  type SnapshotRef,
  type SnapshotSettings,
  writeSnapshot,
} from "./snapshot.ts";

/** Captures by scope. */
export type Captures = Map<string, ScopeCapture>;

/**
 * The scopes to take: `wanted` (groups or ids; none = all) of the chassis' `available` scopes,
 * split into those with a collector (`take`) and those without (`skipped`).
 *
 * @throws {UsageError} an unknown scope or group (from {@link expandScopes})
 * @throws {UnsupportedError} no requested scope has a collector
 */
export function selectSnapshotScopes(
  registry: ScopeRegistry,
  available: ScopeId[],
  wanted: string[] = [],
): { take: ScopeId[]; skipped: ScopeId[] } {
  const all = expandScopes(wanted, available);
  const take = all.filter((sc) => registry.resolve(sc));
  const skipped = all.filter((sc) => !registry.resolve(sc));
  if (!take.length) {
    throw new UnsupportedError(
      `No snapshot collector for ${all.join(", ") || "any scope of this chassis"} yet`,
      { hint: `Scopes that can be captured now: ${registry.patterns().join(", ")}` },
    );
  }
  return { take, skipped };
}

/** Options of {@link createSnapshot}. */
export interface CreateSnapshotOptions {
  registry: ScopeRegistry;
  /** What the collectors read from (`{ chassis }`). */
  env: ScopeEnv;
  /** Root, chassis identity, actor and catalog of the snapshot. */
  settings: SnapshotSettings;
  /** Scopes asked for without a collector (kept in the manifest). */
  skipped?: ScopeId[];
  reason?: string;
  /** Where the `snapshot.create` event goes (an `AuditLog`). */
  audit?: { append(input: AuditInput): unknown };
  /** Audit target; default `{ kind: "chassis", id: <serial> }`. */
  target?: { kind: string; id: string };
}

/** What {@link createSnapshot} returns. */
export interface CreatedSnapshot {
  ref: SnapshotRef;
  scopes: ScopeId[];
  skipped: ScopeId[];
}

/**
 * Capture `take`, write the snapshot (redacted, manifest last, catalogued) and record the
 * `snapshot.create` audit event.
 *
 * @throws {SafetyError} a capture failed (nothing is written)
 */
export async function createSnapshot(
  take: ScopeId[],
  o: CreateSnapshotOptions,
): Promise<CreatedSnapshot> {
  const skipped = o.skipped ?? [];
  const caps = await captureScopes(take, o.env, o.registry);
  const ref = await writeSnapshot(o.settings, caps, { reason: o.reason, skipped });
  o.audit?.append({
    actor: ref.manifest.created_by,
    target: o.target ?? { kind: "chassis", id: o.settings.chassis.serial ?? "unknown" },
    operation: "snapshot.create",
    snapshot_id: ref.id,
    phase: "event",
    result: "success",
    evidence: { scopes: take, skipped, files: ref.manifest.files.length },
  });
  return { ref, scopes: take, skipped };
}

/**
 * The chassis now, as captures comparable with a stored snapshot: every scope of `available`
 * that has a collector (limited to `scopes` when given), redacted like a snapshot on disk.
 */
export async function captureLive(
  registry: ScopeRegistry,
  env: ScopeEnv,
  available: ScopeId[],
  scopes?: string[],
): Promise<Captures> {
  const known = available.filter((x) => registry.resolve(x));
  const caps = await captureScopes(
    scopes?.length ? expandScopes(scopes, known) : known,
    env,
    registry,
  );
  return new Map(caps.map((c) => [c.scope, {
    ...c,
    files: Object.fromEntries(
      Object.entries(c.files).map(([p, t]) => [p, defaultRedactor.text(t)]),
    ),
  }]));
}

/** Options of {@link diffSnapshots}. */
export interface DiffSnapshotsOptions {
  registry: ScopeRegistry;
  /** A stored snapshot's captures by reference (id, directory, `latest`). */
  load(ref: string): Promise<Captures>;
  /** The chassis now, for the reference `live` (e.g. {@link captureLive}); read once. */
  live?(): Promise<Captures>;
  /** Limit to these scopes (groups or ids). */
  scopes?: string[];
}

/**
 * Differences from `a` to `b` (snapshot references or `live`), per scope, each with its
 * collector's diff (volatile content ignored). Empty lists mean equal.
 *
 * @throws {NotFoundError} unknown snapshot
 * @throws {UsageError} `live` without a chassis, or an unknown scope
 */
export async function diffSnapshots(
  a: string,
  b: string,
  o: DiffSnapshotsOptions,
): Promise<Record<string, string[]>> {
  let live: Promise<Captures> | undefined;
  const get = (ref: string): Promise<Captures> => {
    if (ref !== "live") return o.load(ref);
    if (!o.live) {
      return Promise.reject(new UnsupportedError("Comparing with live needs a chassis"));
    }
    live ??= o.live();
    return live;
  };
  const A = await get(a);
  const B = await get(b);
  const all = [...new Set([...A.keys(), ...B.keys()])].sort();
  const scopes = o.scopes?.length ? expandScopes(o.scopes, all) : all;
  const result: Record<string, string[]> = {};
  for (const sc of scopes) {
    const x = A.get(sc) ?? { scope: sc, files: {} };
    const y = B.get(sc) ?? { scope: sc, files: {} };
    result[sc] = (o.registry.resolve(sc)?.diff ?? diffCaptures)(x, y);
  }
  return result;
}
