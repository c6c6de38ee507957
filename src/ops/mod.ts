/**
 * Public surface of `src/ops` for commands, the engine and REST: the change envelope, scopes,
 * snapshots and restore, plus {@link chassisEnvelope} that builds an envelope context for an
 * open chassis with the built-in scope collectors registered.
 *
 * @example
 * const ctx = chassisEnvelope({ store, chassis, endpoints });
 * await runChange(ctx, {
 *   target: { kind: "switch", id: "swi2" }, operation: "vlan.add", parameters: { vlan_id: 10 },
 *   scopes: ["switch:swi2"],
 *   apply: async () => ({ vlan: await chassis.switch("swi2").createVlan({ id: 10 }) }),
 * });
 *
 * @module
 */
import type { Store } from "../store/db.ts";
import { defaultScopes, type ScopeId, type ScopeRegistry } from "./scope.ts";
import type { EnvelopeContext, EnvelopeEvent, HealthCheck } from "./envelope.ts";
import { switchScope } from "./scopes/switch.ts";
import { hmmScope, ibmcScope } from "./scopes/redfish.ts";

export {
  assertInsideChange,
  type Change,
  type ChangeResult,
  currentChange,
  engineWrap,
  type EnvelopeContext,
  type EnvelopeEvent,
  type HealthCheck,
  insideChange,
  runChange,
} from "./envelope.ts";
export {
  captureScopes,
  listSnapshotDirs,
  loadSnapshot,
  type Manifest,
  readManifest,
  resolveSnapshotDir,
  type SnapshotRef,
  type SnapshotSettings,
  type SnapshotVerifyReport,
  takeSnapshot,
  verifySnapshot,
  writeSnapshot,
} from "./snapshot/snapshot.ts";
export { diffCaptures, diffJson, diffText } from "./snapshot/diff.ts";
export {
  applyRestore,
  planRestore,
  type RestorePlan,
  type RestorePlanScope,
  type RestoreScopeResult,
} from "./restore.ts";
export {
  defaultScopes,
  type Evidence,
  expandScopes,
  registerScope,
  type ScopeCapture,
  type ScopeCollector,
  type ScopeEnv,
  type ScopeId,
  ScopeRegistry,
} from "./scope.ts";

/**
 * Register the built-in collectors unless something is registered already: `switch:*` (backup;
 * restore of VLANs, interfaces and Eth-Trunks), `hmm` and `ibmc:*` (Redfish backup; restore by
 * PATCHing the writable properties that differ).
 */
export function registerBuiltinScopes(registry: ScopeRegistry = defaultScopes): ScopeRegistry {
  const have = registry.patterns();
  if (!have.includes("switch:*")) registry.register("switch:*", switchScope());
  if (!have.includes("hmm")) registry.register("hmm", hmmScope());
  if (!have.includes("ibmc:*")) registry.register("ibmc:*", ibmcScope());
  return registry;
}

/** The endpoints fields used here (structural: the SDK's `Endpoints` fits). */
export interface EndpointsLike {
  chassis?: { model?: string; serial?: string };
  hmm?: unknown;
  ibmc?: Record<string, unknown>;
  switches?: Record<string, unknown>;
}

/** Every scope a chassis has: `hmm`, `switch:swiN` for each switch, `ibmc:bladeN` per iBMC. */
export function chassisScopes(endpoints: EndpointsLike): ScopeId[] {
  const out: ScopeId[] = [];
  if (endpoints.hmm) out.push("hmm");
  for (const s of Object.keys(endpoints.switches ?? {})) out.push(`switch:${s}`);
  for (const n of Object.keys(endpoints.ibmc ?? {})) out.push(`ibmc:blade${n}`);
  return out.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/** Options of {@link chassisEnvelope}. */
export interface ChassisEnvelopeOptions {
  store: Store;
  // deno-lint-ignore no-explicit-any
  chassis: any;
  endpoints: EndpointsLike;
  snapshotsDir?: string;
  healthChecks?: HealthCheck[];
  onEvent?: (e: EnvelopeEvent) => void;
  registry?: ScopeRegistry;
}

/** An envelope context for an open chassis (built-in scopes registered). */
export function chassisEnvelope(o: ChassisEnvelopeOptions): EnvelopeContext {
  return {
    store: o.store,
    env: { chassis: o.chassis },
    registry: registerBuiltinScopes(o.registry ?? defaultScopes),
    chassis: {
      model: o.endpoints.chassis?.model ?? null,
      serial: o.endpoints.chassis?.serial ?? null,
    },
    snapshotsDir: o.snapshotsDir,
    healthChecks: o.healthChecks,
    onEvent: o.onEvent,
  };
}
