/**
 * One switch change under the watchdog, inside the change envelope (`docs/watchdog.md`):
 *
 * 1. open a dedicated VRP session, detect the commit mode, read the running configuration and
 *    let the operation plan its commands (no commands: nothing happens, nothing is audited);
 * 2. `runChange` (lock, snapshot of `switch:<swiN>`, audit intent), then **apply**:
 *    diagnostics before; on an immediate VRP a *lifeline* session over the other path (the HMM
 *    jump) is opened first; the commands go one by one; a two-stage VRP ends with
 *    `commit trial <seconds>` so the switch itself reverts unless confirmed;
 * 3. health checks, in order: `heartbeat` (fresh probes until green or the deadline),
 *    `readback` (the operation's own check on the running configuration), `diagnostics`
 *    (after-change blade tables), `confirm` (two-stage: `commit` confirms the trial; optional
 *    `save`);
 * 4. any failure: the envelope records the failed outcome and calls {@link rollbackSwitch}: a
 *    two-stage switch is reverted with `abort trial` (or by its own trial timer when no path is
 *    left), an immediate switch is put back by Vessel from the pre-change configuration over the
 *    first path that answers (lifeline, direct, fresh HMM jump), polling until the rollback
 *    deadline; then the envelope re-captures the scope and proves it equals the snapshot.
 *
 * @module
 */
import { DeviceError, SafetyError, TimeoutError, TransportError } from "../../errors.ts";
import type {
  VrpConfigureOptions,
  VrpConfigureResult,
  VrpMode,
  VrpSession,
} from "../../drivers/vrp/session.ts";
import type { Chassis } from "../../chassis/chassis.ts";
import { type SwitchWriteGuard, withSwitchWriteGuard } from "../../chassis/switch.ts";
import { redactError } from "../../util/redact.ts";
import { type EnvelopeContext, type Evidence, type HealthCheck, runChange } from "../envelope.ts";
import { assertSafeLine } from "./cli_text.ts";
import {
  closeQuietly,
  display,
  hasHmmShell,
  type OpenedSession,
  openVrpSession,
  switchMgmtAddress,
  type VrpPath,
} from "./conn.ts";
import {
  type ConfigModel,
  findMgmtPath,
  mgmtImpact,
  type MgmtPath,
  parseArp,
  parseConfig,
  parsePortVlan,
  reconcileCommands,
  sameConfigText,
} from "./vrp_parse.ts";

import {
  heartbeat,
  type HeartbeatEvidence,
  heartbeatFailure,
  pause,
  probesFor,
  type WatchdogConfig,
  watchdogConfig,
} from "./watchdog.ts";
import { type BladePortDiag, diagnoseOnSession } from "./diag.ts";

/** What switch operations need: the envelope, the open chassis and the watchdog settings. */
export interface NetContext {
  envelope: EnvelopeContext;
  chassis: Chassis;
  watchdog?: Partial<WatchdogConfig>;
  actor?: string;
  /** Progress lines (the CLI prints them on stderr). */
  log?: (line: string) => void;
  /** Plan only: read the switch, compute the commands, send nothing, audit nothing. */
  dryRun?: boolean;
  /**
   * Send a change that touches the management path to a switch without a confirmed commit
   * (immediate VRP) anyway. Default false: refused before anything is sent, because nothing
   * can undo it over the network once the path is cut (docs/watchdog.md §5).
   */
  allowMgmtRisk?: boolean;
}

/** The commands an operation wants to send (system view), and what they mean. */
export interface SwitchPlan {
  commands: string[];
  summary?: Record<string, unknown>;
}

/** One operation on one switch. */
export interface SwitchChangeSpec {
  switch: string;
  /** Dotted audit verb: `vlan.add`, `port.set`, `lag.create`. */
  operation: string;
  parameters: Record<string, unknown>;
  /** Commands from the live configuration; an empty list means "already as wanted". */
  plan(cfg: ConfigModel, s: VrpSession): SwitchPlan | Promise<SwitchPlan>;
  /** Check the running configuration after the commit; throw when it is not as wanted. */
  verify(cfg: ConfigModel, s: VrpSession): Evidence | Promise<Evidence>;
}

/** Result of {@link runSwitchChange}. */
export interface SwitchChangeResult {
  switch: string;
  changed: boolean;
  mode: VrpMode;
  commands: string[];
  summary?: Record<string, unknown>;
  snapshotId?: string;
  changeId?: string;
  heartbeat?: HeartbeatEvidence;
  committed: boolean;
  evidence?: Evidence;
  /** True when only planned (`dryRun`): `commands` is what would be sent. */
  dryRun?: boolean;
}

/** Shared state of one transaction (apply → checks → rollback). */
interface TxState {
  sw: string;
  mode: VrpMode;
  main: OpenedSession;
  lifeline?: OpenedSession;
  preText: string;
  lostAt?: string;
  trialSentAt?: number;
  trialSeconds: number;
  blades: number[];
  /** Two-stage build without `commit trial`: committed plainly, restored by Vessel. */
  trialUnsupported?: boolean;
  /** The guard refused the change before any configuration command was sent. */
  notSent?: boolean;
  /** Compact blade diagnostics taken before the change. */
  diagBefore?: Evidence[];
  /** Two-stage: a refused command made the driver discard the candidate (nothing committed). */
  candidateDiscarded?: boolean;
  /** The management path, from the pre-change configuration. */
  mgmt?: MgmtPath;
  /** Planned or sent commands that touch it. */
  impact: string[];
  /** The guard's refusal (a build without `commit trial`, a change touching the path). */
  refusal?: SafetyError;
}

const usable = (o?: OpenedSession) => !!o && o.session.usable;

function isPathLoss(e: unknown): boolean {
  return e instanceof TimeoutError || e instanceof TransportError;
}

/** Compact diagnostics for the audit record. */
function compactDiag(ports: BladePortDiag[]): Evidence[] {
  return ports.map((p) => ({
    port: p.port,
    link: p.link,
    macs: p.macs.length,
    arp: p.arp.map((a) => a.ip),
    lldp: p.lldp.map((l) => l.neighborDevice),
    ping: p.ping.map((x) => `${x.ip}:${x.received}/${x.sent}`),
    reachable: p.reachable,
  }));
}

/** Blades to diagnose around a change: the must-reach list plus every blade with an iBMC. */
function bladesFor(chassis: Chassis, mustReach: number[]): number[] {
  const present = Object.keys(chassis.endpoints.ibmc ?? {}).map(Number).filter((n) => n > 0);
  return [...new Set([...mustReach, ...present])].sort((a, b) => a - b);
}

/**
 * Run one switch operation under the watchdog (see the module text).
 *
 * @throws the apply/heartbeat/verify error after a successful rollback
 * @throws {SafetyError} when the rollback could not restore the switch (manual recovery)
 */
export async function runSwitchChange(
  net: NetContext,
  spec: SwitchChangeSpec,
): Promise<SwitchChangeResult> {
  const cfg = watchdogConfig(net.watchdog);
  const sw = spec.switch;
  const log = net.log ?? (() => {});
  const cmdOpts = { timeoutMs: cfg.probeTimeoutMs };
  const main = await openVrpSession(net.chassis, sw, {});
  let st: TxState | undefined;
  try {
    const mode = await main.session.mode();
    const preText = await display(main.session, "display current-configuration");
    const plan = await spec.plan(parseConfig(preText), main.session);
    for (const c of plan.commands) assertSafeLine(c);
    let mgmt: MgmtPath | undefined;
    let impact: string[] = [];
    if (plan.commands.length) {
      mgmt = await mgmtPathOf(main.session, preText, sw, log);
      impact = mgmtImpact(plan.commands, mgmt);
      if (impact.length) log(`${sw}: the change touches the management path: ${impact.join("; ")}`);
    }
    if (net.dryRun) {
      return {
        switch: sw,
        changed: false,
        mode,
        commands: plan.commands,
        summary: plan.summary,
        committed: false,
        dryRun: true,
        ...(impact.length ? { summary: { ...plan.summary, mgmt_impact: impact } } : {}),
      };
    }
    if (!plan.commands.length) {
      return {
        switch: sw,
        changed: false,
        mode,
        commands: [],
        summary: plan.summary,
        committed: false,
      };
    }
    const state = newTxState(net, cfg, sw, mode, main, preText, mgmt, impact);
    st = state;
    const out: TxOutcome = { committed: false };
    const r = await runChange(net.envelope, {
      actor: net.actor,
      target: { kind: "switch", id: sw },
      operation: spec.operation,
      parameters: { ...spec.parameters, commands: plan.commands },
      scopes: [`switch:${sw}`],
      apply: async () => {
        const ev: Evidence = { mode, path: main.path, commands: plan.commands };
        ev.mgmt_path = mgmt ?? null;
        if (impact.length) ev.mgmt_impact = impact;
        if (impact.length && mode === "immediate" && !net.allowMgmtRisk) {
          state.notSent = true;
          throw mgmtRefusal(sw, impact, mgmt!);
        }
        await preflight(net, state, cfg, ev, spec.operation);
        log(`${sw}: applying ${plan.commands.length} command(s) (${mode})`);
        try {
          const res = await main.session.configure(plan.commands, {
            ...cmdOpts,
            ...trialOption(net, state, cfg, ev, () => impact),
          });
          noteCommitted(state, ev, res);
        } catch (e) {
          const err = sendFailure(state, e, plan.commands);
          if (err !== undefined) throw err; // a lost path: the heartbeat decides
        }
        if (mode === "two-stage" && state.lostAt === undefined) {
          log(
            state.trialUnsupported
              ? `${sw}: no commit trial on this build: committed; Vessel guards the rollback`
              : `${sw}: commit trial ${cfg.trialSeconds} s; waiting for the heartbeat`,
          );
        }
        if (state.lostAt !== undefined) ev.session_lost_at = state.lostAt;
        return ev;
      },
      health: watchdogChecks(net, state, cfg, out, async (s) => {
        const text = await display(s, "display current-configuration", cmdOpts);
        return await spec.verify(parseConfig(text), s);
      }),
      rollback: () => rollbackWithLog(net, state, cfg, out),
    }).catch((e) => explainRollback(e, state, out, spec.operation));
    return {
      switch: sw,
      changed: true,
      mode,
      commands: plan.commands,
      summary: plan.summary,
      snapshotId: r.snapshotId,
      changeId: r.changeId,
      heartbeat: out.hb,
      committed: out.committed,
      evidence: r.evidence,
    };
  } finally {
    await closeQuietly(st?.lifeline?.session);
    await closeQuietly(main.session);
  }
}

/** One change made through the SDK (an engine step), run under the watchdog. */
export interface GuardedStepSpec {
  switch: string;
  /** Dotted audit verb, e.g. `vessel_vlan.create`. */
  operation: string;
  parameters?: Record<string, unknown>;
  /**
   * Makes the change with SDK calls (`chassis.switch(sw)`, `switchPorts(chassis, sw)`): every
   * configuration unit they send to this switch passes the watchdog's guard.
   */
  apply(): Promise<Evidence | void>;
  /** Read back after the heartbeat (e.g. the engine's `verifyStep`); throw when not as wanted. */
  verify?(): Promise<Evidence | void>;
}

/**
 * Run a change made through the SDK (the engine's `vessel_vlan`, `vessel_switch_port`,
 * `vessel_lag` steps) under the same watchdog as {@link runSwitchChange}, in one envelope (one
 * lock, one snapshot): readiness probes, blade diagnostics and (immediate VRP) the lifeline
 * first; then `spec.apply()` under a {@link SwitchWriteGuard} that checks each configuration unit
 * against the management path before it is sent (immediate VRP: refused) and ends it with
 * `commit trial` (two-stage); then heartbeat, read-back, diagnostics, confirm; any failure rolls
 * the switch back (`abort trial`, or restore commands over the first path that answers).
 *
 * @example
 * await runGuardedSwitchStep(net, {
 *   switch: "swi2",
 *   operation: "vessel_vlan.create",
 *   apply: async () => ({ vlan: await net.chassis.switch("swi2").createVlan({ id: 100 }) }),
 * });
 *
 * @throws the apply/heartbeat/verify error after a successful rollback (a {@link SafetyError}
 *   saying so once something was sent)
 * @throws {SafetyError} the rollback could not restore the switch (manual recovery)
 */
export async function runGuardedSwitchStep(
  net: NetContext,
  spec: GuardedStepSpec,
): Promise<SwitchChangeResult> {
  const cfg = watchdogConfig(net.watchdog);
  const sw = spec.switch;
  const log = net.log ?? (() => {});
  const main = await openVrpSession(net.chassis, sw, {});
  let st: TxState | undefined;
  try {
    const mode = await main.session.mode();
    const preText = await display(main.session, "display current-configuration");
    const mgmt = await mgmtPathOf(main.session, preText, sw, log);
    const state = newTxState(net, cfg, sw, mode, main, preText, mgmt, []);
    st = state;
    const out: TxOutcome = { committed: false };
    const sent: string[] = [];
    const r = await runChange(net.envelope, {
      actor: net.actor,
      target: { kind: "switch", id: sw },
      operation: spec.operation,
      parameters: { ...spec.parameters },
      scopes: [`switch:${sw}`],
      apply: async () => {
        const ev: Evidence = { mode, path: main.path, via: "sdk", mgmt_path: mgmt };
        await preflight(net, state, cfg, ev, spec.operation);
        const guard: SwitchWriteGuard = {
          switch: sw,
          trialSeconds: mode === "two-stage" ? cfg.trialSeconds : undefined,
          beforeConfigure: (commands) => {
            const impact = mgmtImpact(commands, mgmt);
            state.impact.push(...impact);
            if (impact.length) {
              log(`${sw}: the change touches the management path: ${impact.join("; ")}`);
            }
            if (impact.length && mode === "immediate" && !net.allowMgmtRisk) {
              if (!sent.length) state.notSent = true;
              throw mgmtRefusal(sw, impact, mgmt);
            }
          },
          onTrialUnsupported: (error) =>
            trialOption(net, state, cfg, ev, () => state.impact)!.trial!.onUnsupported!(error),
          afterConfigure: (res) => {
            sent.push(...res.results.map((x) => x.command));
            noteCommitted(state, ev, res);
          },
        };
        let applied: Evidence | void;
        try {
          applied = await withSwitchWriteGuard(guard, () => spec.apply());
        } catch (e) {
          // The step's result is unknown when its session was lost: fail it and roll back.
          throw sendFailure(state, e, sent) ?? e;
        } finally {
          ev.commands = [...sent];
          if (state.impact.length) ev.mgmt_impact = [...state.impact];
          if (state.lostAt !== undefined) ev.session_lost_at = state.lostAt;
        }
        log(`${sw}: ${sent.length} command(s) sent through the SDK (${mode})`);
        return { ...ev, ...(applied ?? {}) };
      },
      health: watchdogChecks(net, state, cfg, out, async () => (await spec.verify?.()) ?? {}),
      rollback: () => rollbackWithLog(net, state, cfg, out),
    }).catch((e) => explainRollback(e, state, out, spec.operation));
    return {
      switch: sw,
      changed: sent.length > 0,
      mode,
      commands: sent,
      snapshotId: r.snapshotId,
      changeId: r.changeId,
      heartbeat: out.hb,
      committed: out.committed,
      evidence: r.evidence,
    };
  } finally {
    await closeQuietly(st?.lifeline?.session);
    await closeQuietly(main.session);
  }
}

/** What the health checks and the rollback report back to the caller. */
interface TxOutcome {
  hb?: HeartbeatEvidence;
  committed: boolean;
  rolledBack?: Evidence;
}

function newTxState(
  net: NetContext,
  cfg: Required<WatchdogConfig>,
  sw: string,
  mode: VrpMode,
  main: OpenedSession,
  preText: string,
  mgmt: MgmtPath | undefined,
  impact: string[],
): TxState {
  return {
    sw,
    mode,
    main,
    preText,
    trialSeconds: cfg.trialSeconds,
    blades: cfg.diagnostics ? bladesFor(net.chassis, cfg.mustReach) : cfg.mustReach,
    mgmt,
    impact,
  };
}

/** The management path from the live switch (a build without a display gets the L3 checks). */
async function mgmtPathOf(
  s: VrpSession,
  preText: string,
  sw: string,
  log: (l: string) => void,
): Promise<MgmtPath> {
  const quiet = (cmd: string) => display(s, cmd).catch(() => "");
  const mgmt = findMgmtPath(
    parseConfig(preText),
    switchMgmtAddress(sw),
    parseArp(await quiet("display arp")),
    parsePortVlan(await quiet("display port vlan")),
  );
  if (mgmt.uplinkSource === "none") {
    log(`${sw}: could not tell which ports carry the management VLAN; uplink changes unchecked`);
  }
  return mgmt;
}

/**
 * Under the lock, before anything is sent: the configuration is still the planned one, the
 * probes are green (else a red heartbeat afterwards would prove nothing), blade diagnostics,
 * and on an immediate switch the lifeline.
 */
async function preflight(
  net: NetContext,
  state: TxState,
  cfg: Required<WatchdogConfig>,
  ev: Evidence,
  operation: string,
): Promise<void> {
  const sw = state.sw;
  const cmdOpts = { timeoutMs: cfg.probeTimeoutMs };
  const now = await display(state.main.session, "display current-configuration", cmdOpts);
  if (!sameConfigText(now, state.preText)) {
    throw new SafetyError(
      `The configuration of ${sw} changed between planning and applying ${operation}`,
      { hint: "Run the command again: it re-reads the switch" },
    );
  }
  const pre = await heartbeat(probesFor(net.chassis, sw, cfg), {
    deadlineMs: cfg.probeTimeoutMs,
    probeTimeoutMs: cfg.probeTimeoutMs,
    intervalMs: cfg.intervalMs,
  });
  ev.heartbeat_before = { ok: pre.ok, elapsed_ms: pre.elapsed_ms, probes: pre.probes };
  if (!pre.ok) {
    state.notSent = true;
    const e = heartbeatFailure(sw, pre);
    throw new SafetyError(
      `The management plane of ${sw} is not healthy before ${operation}: nothing was sent`,
      {
        cause: e,
        hint: "Fix the failing probe first (or turn it off: --no-hmm-probe, --no-switch-probe)",
        details: e.details,
      },
    );
  }
  if (state.blades.length) {
    state.diagBefore = compactDiag(
      await diagnoseOnSession(state.main.session, sw, state.blades, cmdOpts),
    );
    ev.diag_before = state.diagBefore;
  }
  if (state.mode === "immediate") await lifeline(net, state, cfg, ev);
}

async function lifeline(
  net: NetContext,
  state: TxState,
  cfg: Required<WatchdogConfig>,
  ev: Evidence,
): Promise<void> {
  state.lifeline = await openLifeline(net.chassis, state.sw, state.main.path, cfg.probeTimeoutMs)
    .catch((e) => {
      ev.lifeline_error = redactError(e);
      return undefined;
    });
  ev.lifeline = state.lifeline?.path ?? null;
}

/**
 * Two-stage: `commit trial <T>` instead of `commit`. On a build without it: a change touching the
 * management path is discarded and refused; otherwise the lifeline is opened while nothing is
 * committed yet and the change is committed plainly (the Vessel-side restore guards it).
 */
function trialOption(
  net: NetContext,
  state: TxState,
  cfg: Required<WatchdogConfig>,
  ev: Evidence,
  impact: () => string[],
): Pick<VrpConfigureOptions, "trial"> {
  if (state.mode !== "two-stage") return {};
  return {
    trial: {
      seconds: cfg.trialSeconds,
      onUnsupported: async (error) => {
        state.trialUnsupported = true;
        ev.commit_trial = { supported: false, error };
        if (impact().length && !net.allowMgmtRisk) {
          state.refusal = mgmtRefusal(state.sw, impact(), state.mgmt!);
          if (state.trialSentAt === undefined) state.notSent = true;
          return "discard";
        }
        if (!state.lifeline) await lifeline(net, state, cfg, ev);
        return "commit";
      },
    },
  };
}

/** Record a committed unit: the trial's start (the first one counts), or the plain commit. */
function noteCommitted(state: TxState, ev: Evidence, res: VrpConfigureResult): void {
  if (res.trial && "seconds" in res.trial) {
    state.trialSentAt ??= res.trial.armedAt;
    ev.commit_trial = { seconds: res.trial.seconds, info: res.commit?.info ?? [] };
  } else if (res.trial) ev.commit = { info: res.commit?.info ?? [] };
}

/**
 * A failure while sending: a lost path lets the heartbeat decide (the change may be in effect);
 * a refused command on a two-stage switch left nothing behind (the driver discarded the
 * candidate); the guard's refusal replaces the driver's discard error.
 */
function sendFailure(state: TxState, e: unknown, commands: string[]): unknown {
  if (state.refusal) return state.refusal;
  if (isPathLoss(e)) {
    state.lostAt = (e as { command?: string }).command ?? commands[commands.length - 1] ??
      "configure";
    // The trial may have been armed before the path went: treat it as armed.
    if (state.mode === "two-stage" && !state.trialUnsupported) {
      state.trialSentAt ??= performance.now();
    }
    return undefined;
  }
  if (state.mode === "two-stage" && state.trialSentAt === undefined) {
    state.candidateDiscarded = true;
  }
  return e;
}

/** Heartbeat, read-back, diagnostics and confirmation, in that order. */
function watchdogChecks(
  net: NetContext,
  state: TxState,
  cfg: Required<WatchdogConfig>,
  out: TxOutcome,
  verify: (s: VrpSession) => Promise<Evidence>,
): HealthCheck[] {
  const sw = state.sw;
  const log = net.log ?? (() => {});
  const cmdOpts = { timeoutMs: cfg.probeTimeoutMs };
  return [
    {
      name: "heartbeat",
      check: async () => {
        const hb = await heartbeat(probesFor(net.chassis, sw, cfg), cfg);
        out.hb = hb;
        log(`${sw}: heartbeat ${hb.ok ? "green" : "red"} after ${hb.elapsed_ms} ms`);
        if (!hb.ok) throw heartbeatFailure(sw, hb);
        return { ...hb };
      },
    },
    {
      name: "readback",
      check: async () => {
        const s = await sessionFor(net.chassis, state, cmdOpts.timeoutMs);
        return { ok: true, ...(await verify(s)) };
      },
    },
    {
      name: "diagnostics",
      check: async () => {
        if (!state.blades.length) return { ok: true, skipped: true };
        const s = await sessionFor(net.chassis, state, cmdOpts.timeoutMs);
        const after = compactDiag(await diagnoseOnSession(s, sw, state.blades, cmdOpts));
        // Ports reachable before and not after (only --must-reach ones fail the change,
        // through the heartbeat's blade probe; the rest is recorded).
        const lost = after.filter((a) =>
          !a.reachable && state.diagBefore?.some((b) => b.port === a.port && b.reachable)
        ).map((a) => a.port);
        return {
          ok: true,
          diag_after: after,
          ...(lost.length ? { lost_reachability: lost } : {}),
        };
      },
    },
    {
      name: "confirm",
      check: async () => {
        const ev = await confirm(net.chassis, state, cfg.save, cmdOpts.timeoutMs);
        out.committed = true;
        log(`${sw}: ${state.mode === "two-stage" ? "trial confirmed (commit)" : "change kept"}`);
        return ev;
      },
    },
  ];
}

async function rollbackWithLog(
  net: NetContext,
  state: TxState,
  cfg: Required<WatchdogConfig>,
  out: TxOutcome,
): Promise<Evidence> {
  const log = net.log ?? (() => {});
  log(`${state.sw}: rolling back`);
  out.rolledBack = await rollbackSwitch(net.chassis, state, cfg);
  log(`${state.sw}: rolled back (${out.rolledBack.method}) in ${out.rolledBack.elapsed_ms} ms`);
  return out.rolledBack;
}

/** The envelope rethrows the original failure after a proven rollback: say so. */
function explainRollback(e: unknown, state: TxState, out: TxOutcome, operation: string): never {
  if (
    out.rolledBack && !state.notSent &&
    !(e instanceof SafetyError && /did not restore/.test(e.message))
  ) {
    throw new SafetyError(
      `${operation} on ${state.sw} was rolled back (${out.rolledBack.method}): ${redactError(e)}`,
      {
        cause: e,
        hint:
          "The switch is back to its pre-change configuration; see vessel audit list --target " +
          `switch:${state.sw} for the heartbeat evidence`,
        details: { rolled_back: true, method: out.rolledBack.method, reason: redactError(e) },
      },
    );
  }
  throw e;
}

/** The guard's refusal: nothing was sent, the envelope records it and proves the state. */
function mgmtRefusal(sw: string, impact: string[], path: MgmtPath): SafetyError {
  return new SafetyError(
    `Refused to send the change to ${sw}: it touches the management path (${path.iface ?? path.ip}${
      path.vlan ? `, VLAN ${path.vlan}` : ""
    }${
      path.uplinks.length ? ` via ${path.uplinks.join(", ")}` : ""
    }) and this switch has no confirmed commit: ${impact.join("; ")}`,
    {
      hint:
        "Make the change from the switch console, or pass --allow-mgmt-risk to accept that a cut needs manual recovery",
      details: { mgmt_impact: impact, mgmt_path: path },
    },
  );
}

/** The lifeline for an immediate switch: a session over the *other* path (HMM jump). */
async function openLifeline(
  chassis: Chassis,
  sw: string,
  mainPath: VrpPath,
  timeoutMs: number,
): Promise<OpenedSession | undefined> {
  // The HMM jump: the other path when the change session is direct, a second jump otherwise.
  if (!hasHmmShell(chassis)) return undefined;
  void mainPath;
  return await openVrpSession(chassis, sw, { path: "hmm-jump", timeoutMs });
}

/** The main session when it still works, else a fresh one (kept as the new main). */
async function sessionFor(chassis: Chassis, st: TxState, timeoutMs: number): Promise<VrpSession> {
  if (usable(st.main)) return st.main.session;
  const fresh = await openVrpSession(chassis, st.sw, { timeoutMs });
  await closeQuietly(st.main.session);
  st.main = fresh;
  return fresh.session;
}

/** Two-stage: confirm the trial with `commit` and prove the change survived; optional save. */
async function confirm(
  chassis: Chassis,
  st: TxState,
  save: boolean,
  timeoutMs: number,
): Promise<Evidence> {
  const o = { timeoutMs };
  const ev: Evidence = { mode: st.mode };
  if (st.mode === "two-stage" && (st.trialUnsupported || st.trialSentAt === undefined)) {
    ev.trial_confirmed = false; // plain commit, or nothing was sent (no trial to confirm)
  } else if (st.mode === "two-stage") {
    const used = performance.now() - (st.trialSentAt ?? performance.now());
    const left = st.trialSeconds * 1000 - used;
    if (left < 1000) {
      throw new TimeoutError(
        `The trial on ${st.sw} has ${
          Math.max(0, Math.round(left))
        } ms left: too late to confirm safely`,
        { hint: "Raise --trial above the heartbeat deadline; the switch reverts by itself" },
      );
    }
    const s = await sessionFor(chassis, st, timeoutMs);
    const before = await display(s, "display current-configuration", o);
    const c = await s.confirmTrial(o);
    const after = await display(s, "display current-configuration", o);
    if (!sameConfigText(before, after)) {
      throw new DeviceError(
        `The configuration of ${st.sw} changed while the trial was confirmed (did it expire?)`,
        { device: st.sw },
      );
    }
    ev.trial_confirmed = true;
    ev.confirmed_after_ms = Math.round(used);
    ev.info = c.info;
  }
  if (save) {
    const s = await sessionFor(chassis, st, timeoutMs);
    await s.save({ timeoutMs: Math.max(timeoutMs, 60_000) });
    ev.saved = true;
  }
  return { ok: true, committed: true, ...ev };
}

/**
 * Put a switch back to the pre-change configuration (the envelope's custom rollback; it then
 * re-captures and compares with the snapshot).
 */
export async function rollbackSwitch(
  chassis: Chassis,
  st: TxState,
  cfg: Required<WatchdogConfig>,
): Promise<Evidence> {
  const t0 = performance.now();
  const deadline = cfg.rollbackDeadlineMs;
  const timeoutMs = cfg.probeTimeoutMs;
  const attempts: Evidence[] = [];
  const ev: Evidence = { mode: st.mode, deadline_ms: deadline, attempts };
  if (st.notSent) ev.method = "not-sent";
  else if (st.candidateDiscarded) ev.method = "candidate-discarded";
  // Candidate sessions, in order: the main one, the lifeline, then fresh ones per path.
  const paths: VrpPath[] = hasHmmShell(chassis) &&
      chassis.endpoints.switches[st.sw]?.via !== "hmm"
    ? ["direct", "hmm-jump"]
    : [chassis.endpoints.switches[st.sw]?.via === "hmm" ? "hmm-jump" : "direct"];
  const tryOn = async (label: string, s: VrpSession): Promise<boolean> => {
    const o = { timeoutMs };
    try {
      const trialArmed = st.mode === "two-stage" && !st.trialUnsupported &&
        st.trialSentAt !== undefined;
      if (trialArmed) {
        const a = await s.abortTrial(o);
        ev.method = a.errors.length ? "trial-expired" : "abort-trial";
        ev.abort_trial = a.errors[0] ?? a.info[0] ?? "ok";
      } else if (s.prompt?.view === "system") {
        // Leave any sub-view; on a two-stage switch this discards an uncommitted candidate.
        const pending = s.prompt.marker === "*";
        await s.exec("return", { ...o, allowError: true, confirm: "N" });
        if (pending) ev.method ??= "candidate-discarded";
      }
      const nowText = await display(s, "display current-configuration", o);
      if (!sameConfigText(nowText, st.preText)) {
        const plan = reconcileCommands(parseConfig(st.preText), parseConfig(nowText));
        for (const c of plan.commands) assertSafeLine(c);
        ev.restore_commands = plan.commands;
        if (plan.unsupported.length) ev.unsupported = plan.unsupported;
        await s.configure(plan.commands, o);
        ev.method = `${ev.method ? `${ev.method}+` : ""}restore-commands`;
      } else ev.method ??= "unchanged";
      const final = await display(s, "display current-configuration", o);
      ev.equal_to_pre_change = sameConfigText(final, st.preText);
      ev.path = label;
      attempts.push({ path: label, ok: true, at_ms: Math.round(performance.now() - t0) });
      return true;
    } catch (e) {
      attempts.push({
        path: label,
        ok: false,
        at_ms: Math.round(performance.now() - t0),
        error: redactError(e),
      });
      return false;
    }
  };
  // 1. Sessions we already hold: on an immediate switch the lifeline first (the change session
  //    may be the one that lost its path), on a two-stage switch the change session first
  //    (`abort trial` there is instant).
  const held: [string, OpenedSession | undefined][] = st.mode === "immediate" || st.trialUnsupported
    ? [["lifeline", st.lifeline], ["change session", st.main]]
    : [["change session", st.main], ["lifeline", st.lifeline]];
  for (const [what, o] of held) {
    if (usable(o) && await tryOn(`${o!.path} (${what})`, o!.session)) return done();
  }
  // 2. Fresh sessions, per path, until the deadline (a two-stage switch comes back by itself
  //    when its trial timer fires).
  for (;;) {
    for (const path of paths) {
      const left = deadline - (performance.now() - t0);
      if (left <= 0) break;
      let o: OpenedSession | undefined;
      try {
        o = await openVrpSession(chassis, st.sw, { path, timeoutMs: Math.min(timeoutMs, left) });
      } catch (e) {
        attempts.push({
          path,
          ok: false,
          at_ms: Math.round(performance.now() - t0),
          error: redactError(e),
        });
        continue;
      }
      try {
        if (await tryOn(path, o.session)) return done();
      } finally {
        await closeQuietly(o.session);
      }
    }
    const left = deadline - (performance.now() - t0);
    if (left <= 0) break;
    await pause(Math.min(cfg.intervalMs, left));
  }
  ev.restored = false;
  ev.elapsed_ms = Math.round(performance.now() - t0);
  if (attempts.length > 20) ev.attempts = [...attempts.slice(0, 5), ...attempts.slice(-15)];
  throw new SafetyError(
    `Could not reach ${st.sw} on any path within ${deadline} ms to roll back`,
    {
      hint: st.mode === "two-stage"
        ? "The switch reverts by itself when its commit trial expires; check it from the console"
        : "Restore from the snapshot once the management path is back (vessel restore)",
      details: ev,
    },
  );

  function done(): Evidence {
    ev.elapsed_ms = Math.round(performance.now() - t0);
    if (attempts.length > 20) ev.attempts = [...attempts.slice(0, 5), ...attempts.slice(-15)];
    return ev;
  }
}
