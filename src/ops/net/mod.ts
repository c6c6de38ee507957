/**
 * Public surface of the switch operations (for the CLI, the REST API and the engine's
 * `vessel_vlan`, `vessel_switch_port` and `vessel_lag` resources). Every write runs under the
 * management-plane watchdog inside the change envelope (`docs/watchdog.md`).
 *
 * @example
 * const net: NetContext = { envelope, chassis, watchdog: { deadlineMs: 30_000 } };
 * await vlanAdd(net, "swi2", { id: 100, name: "prod" });
 * await portSet(net, "swi2", { port: "10GE2/3/1", mode: "trunk", allow: [100] });
 * await lagCreate(net, "swi2", { id: 1, members: ["10GE2/17/2", "10GE2/17/3"], lacp: true });
 *
 * @module
 */
import type { Chassis } from "../../chassis/chassis.ts";
import type { HealthCheck } from "../envelope.ts";
import {
  heartbeat,
  heartbeatFailure,
  probesFor,
  type WatchdogConfig,
  watchdogConfig,
} from "./watchdog.ts";

export { vlanAdd, type VlanAddSpec, type VlanOpResult, vlanRemove } from "./vlan.ts";
export {
  checkPortSpec,
  type Lag,
  lagCreate,
  lagDelete,
  lagList,
  type LagSpec,
  type NetOpResult,
  type PortMode,
  portSet,
  type PortSpec,
} from "./port.ts";
export {
  type GuardedStepSpec,
  type NetContext,
  runGuardedSwitchStep,
  runSwitchChange,
  type SwitchChangeResult,
  type SwitchChangeSpec,
  type SwitchPlan,
} from "./txn.ts";
export { engineApplyWrap, type EngineApplyWrapOptions, switchOfStep } from "./engine_wrap.ts";
export { type BladeDiag, bladePort, type BladePortDiag, diagnoseBlades, diagRows } from "./diag.ts";
export {
  heartbeat,
  type HeartbeatEvidence,
  type Probe,
  probesFor,
  WATCHDOG_DEFAULTS,
  type WatchdogConfig,
  watchdogConfig,
} from "./watchdog.ts";
export {
  assertSafeLine,
  cliText,
  portName,
  vlanDescription,
  vlanList,
  vlanName,
} from "./cli_text.ts";

/**
 * The heartbeat as a plain envelope {@link HealthCheck}, for changes made through the SDK
 * directly (e.g. engine resources under `engineWrap`): fresh probes until green or the
 * deadline; a red heartbeat fails the change so the envelope restores the scope. (Without
 * `commit trial` this protects less than {@link runSwitchChange}: prefer the operations above.)
 */
export function switchHeartbeatCheck(
  chassis: Chassis,
  sw: string,
  config: Partial<WatchdogConfig> = {},
): HealthCheck {
  const cfg = watchdogConfig(config);
  return {
    name: `heartbeat:${sw}`,
    async check() {
      const hb = await heartbeat(probesFor(chassis, sw, cfg), cfg);
      if (!hb.ok) throw heartbeatFailure(sw, hb);
      return { ...hb };
    },
  };
}
