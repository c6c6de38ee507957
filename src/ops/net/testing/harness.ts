/**
 * Test harness for the switch operations: one simulator (HMM services included, so the HMM
 * probe and the lifeline jump exist), an open SDK chassis, an in-memory store, a temporary
 * snapshot folder and a {@link NetContext} with short watchdog deadlines.
 *
 * @module
 */
import { join } from "node:path";
import { type SimOptions, type Simulator, startSimulator, type VrpMode } from "../../../sim/mod.ts";
import { type Chassis, openChassis } from "../../../chassis/chassis.ts";
import { openStore, type Store } from "../../../store/db.ts";
import { AuditLog } from "../../../store/audit.ts";
import { Redactor } from "../../../util/redact.ts";
import { ScopeRegistry } from "../../scope.ts";
import { switchScope } from "../../scopes/switch.ts";
import type { EnvelopeContext } from "../../envelope.ts";
import type { NetContext } from "../txn.ts";
import type { WatchdogConfig } from "../watchdog.ts";

/** Short deadlines for tests (seconds-scale trial, sub-second probes). */
export const FAST_WATCHDOG: Partial<WatchdogConfig> = {
  deadlineMs: 1500,
  probeTimeoutMs: 700,
  intervalMs: 150,
  trialSeconds: 3,
  rollbackDeadlineMs: 8000,
  diagnostics: true,
};

/** A running lab. */
export interface NetLab {
  sim: Simulator;
  chassis: Chassis;
  store: Store;
  audit: AuditLog;
  envelope: EnvelopeContext;
  net(watchdog?: Partial<WatchdogConfig>): NetContext;
  close(): Promise<void>;
}

/** Start a lab in one VRP mode. */
export async function startNetLab(
  vrpMode: VrpMode,
  opts: {
    stateDir?: string;
    timeoutMs?: number;
    seed?: SimOptions["seed"];
  } = {},
): Promise<NetLab> {
  const sim = await startSimulator({ vrpMode, stateDir: opts.stateDir, seed: opts.seed });
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: sim.endpoints.credentials,
    timeoutMs: opts.timeoutMs ?? 5000,
  });
  const root = await Deno.makeTempDir({ prefix: "vessel-net-" });
  const store = openStore(":memory:");
  const registry = new ScopeRegistry();
  registry.register("switch:*", switchScope());
  const redactor = new Redactor([sim.endpoints.credentials.password]);
  const audit = new AuditLog(store, { redactor });
  const envelope: EnvelopeContext = {
    store,
    env: { chassis },
    registry,
    audit,
    redactor,
    snapshotsDir: join(root, "snapshots"),
    chassis: { model: sim.endpoints.chassis.model, serial: sim.endpoints.chassis.serial },
  };
  return {
    sim,
    chassis,
    store,
    audit,
    envelope,
    net: (watchdog) => ({
      envelope,
      chassis,
      actor: "test@lab",
      watchdog: { ...FAST_WATCHDOG, ...watchdog },
    }),
    async close() {
      await chassis.close();
      store.close();
      await sim.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** Running configuration without the volatile `!` header lines. */
export function stableConfig(text: string): string {
  return text.split("\n").filter((l) => !l.startsWith("!")).join("\n");
}
