/**
 * The management-plane heartbeat that guards every switch commit (see `docs/watchdog.md`).
 *
 * Probes (each one attempt under its own deadline, all of them in one round):
 * - `switch:<swiN>`: a **fresh** SSH connection to the switch's management path and
 *   `display device` (the session that made the change proves nothing: it may be the only thing
 *   still alive);
 * - `hmm:<swiN>`: the HMM still reaches the switch (`ping -c 1 -W 2 172.31.1.16N` in the HMM
 *   shell);
 * - `ibmc:<N>`: blade N's iBMC still answers (Redfish `GET /redfish/v1` on its endpoint, over a new
 *   HTTPS request);
 * - `blade:<N>` (the "must stay reachable" check): blade N's switch port is up and has learned a
 *   MAC, and pings to the IPs behind it answer.
 *
 * {@link heartbeat} repeats rounds until every probe passes in the same round (green) or the
 * deadline passes (red). The evidence lists every round.
 *
 * @module
 */
import type { CallOptions } from "../../drivers/deadline.ts";
import type { Chassis } from "../../chassis/chassis.ts";
import { TimeoutError, ValidationError } from "../../errors.ts";
import { redactError } from "../../util/redact.ts";
import { closeQuietly, hasHmmShell, openVrpSession, switchMgmtAddress } from "./conn.ts";
import { parseDisplayDevice } from "./vrp_parse.ts";
import { diagnoseOnSession } from "./diag.ts";

/** Watchdog settings (CLI flags `--trial`, `--heartbeat-deadline`, `--probe`, `--must-reach`). */
export interface WatchdogConfig {
  /** How long the heartbeat may take to turn green after the commit, ms. Default 60000. */
  deadlineMs: number;
  /** Deadline of one probe attempt, ms. Default 10000 (capped by what is left of the deadline). */
  probeTimeoutMs: number;
  /** Pause between rounds, ms. Default 1000. */
  intervalMs: number;
  /**
   * Two-stage VRP: `commit trial <seconds>`. Must exceed the heartbeat deadline plus the time to
   * confirm; default `ceil(deadline / 1000) + 60`.
   */
  trialSeconds?: number;
  /** How long a rollback may wait for the management path to come back, ms. */
  rollbackDeadlineMs?: number;
  /** Probe the switch over a fresh SSH connection (default true). */
  switchProbe: boolean;
  /** Probe from the HMM (default: when the chassis has an HMM shell). */
  hmmProbe?: boolean;
  /** iBMC slots that must still answer. */
  ibmcs: number[];
  /** Blades that must stay reachable through this switch (rollback otherwise). */
  mustReach: number[];
  /** Take blade diagnostics before and after (default true). */
  diagnostics: boolean;
  /** Save the configuration after the commit is confirmed (default false). */
  save: boolean;
}

/** Defaults of {@link WatchdogConfig}. */
export const WATCHDOG_DEFAULTS: WatchdogConfig = {
  deadlineMs: 60_000,
  probeTimeoutMs: 10_000,
  intervalMs: 1_000,
  switchProbe: true,
  ibmcs: [],
  mustReach: [],
  diagnostics: true,
  save: false,
};

/** Fill defaults and derived values. */
export function watchdogConfig(partial: Partial<WatchdogConfig> = {}): Required<WatchdogConfig> {
  const c = { ...WATCHDOG_DEFAULTS, ...stripUndefined(partial) };
  const trialSeconds = c.trialSeconds ?? Math.ceil(c.deadlineMs / 1000) + 60;
  if (trialSeconds * 1000 <= c.deadlineMs + 1000) {
    throw new ValidationError(
      `The commit trial (${trialSeconds} s) must outlast the heartbeat deadline (${c.deadlineMs} ms) by more than 1 s`,
      { field: "trial", hint: "Raise the trial or lower the heartbeat deadline" },
    );
  }
  return {
    ...c,
    hmmProbe: c.hmmProbe ?? true,
    trialSeconds,
    rollbackDeadlineMs: c.rollbackDeadlineMs ?? trialSeconds * 1000 + c.deadlineMs + 30_000,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One probe. `run` throws (or returns `{ ok: false }`) when the target does not answer. */
export interface Probe {
  name: string;
  run(opts: CallOptions): Promise<Record<string, unknown>>;
}

/** A fresh SSH connection to the switch and `display device`. */
export function switchProbe(chassis: Chassis, sw: string): Probe {
  return {
    name: `switch:${sw}`,
    async run(opts) {
      const { session, path } = await openVrpSession(chassis, sw, opts);
      try {
        const out = (await session.exec("display device", opts)).output;
        const d = parseDisplayDevice(out);
        return { ok: d.ok, path, rows: d.rows.length };
      } finally {
        await closeQuietly(session);
      }
    },
  };
}

/** The HMM pings the switch's management address. */
export function hmmProbe(chassis: Chassis, sw: string): Probe {
  return {
    name: `hmm:${sw}`,
    async run(opts) {
      const ip = switchMgmtAddress(sw);
      const hmm = await chassis.context.hmmShell(opts);
      try {
        const out = await hmm.exec(`ping -c 1 -W 2 ${ip}`, opts);
        const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(out);
        const received = m ? Number(m[2]) : 0;
        return { ok: received > 0, target: ip, received };
      } finally {
        await closeQuietly(hmm);
      }
    },
  };
}

/** Blade N's iBMC answers Redfish. */
export function ibmcProbe(chassis: Chassis, slot: number): Probe {
  return {
    name: `ibmc:${slot}`,
    async run(opts) {
      const rf = await chassis.context.ibmcRedfish(slot, opts);
      const r = await rf.get("/redfish/v1", { timeoutMs: opts.timeoutMs, signal: opts.signal });
      return { ok: true, status: r.status };
    },
  };
}

/** Blades that must stay reachable through switch `sw` (fresh session, tables, pings). */
export function bladeProbe(chassis: Chassis, sw: string, blades: number[]): Probe {
  return {
    name: `blades:${sw}`,
    async run(opts) {
      const { session } = await openVrpSession(chassis, sw, opts);
      try {
        const ports = await diagnoseOnSession(session, sw, blades, opts);
        const down = ports.filter((p) => !p.reachable).map((p) => p.port);
        return {
          ok: down.length === 0,
          blades,
          unreachable: down,
          ports: ports.map((p) => ({ port: p.port, link: p.link, macs: p.macs.length })),
        };
      } finally {
        await closeQuietly(session);
      }
    },
  };
}

/** The probes a config asks for, for a change on switch `sw`. */
export function probesFor(
  chassis: Chassis,
  sw: string,
  cfg: Required<WatchdogConfig>,
): Probe[] {
  const p: Probe[] = [];
  if (cfg.switchProbe) p.push(switchProbe(chassis, sw));
  if (cfg.hmmProbe && hasHmmShell(chassis)) p.push(hmmProbe(chassis, sw));
  for (const n of cfg.ibmcs) p.push(ibmcProbe(chassis, n));
  if (cfg.mustReach.length) p.push(bladeProbe(chassis, sw, cfg.mustReach));
  return p;
}

/** One probe result in one round. */
export interface ProbeResult {
  probe: string;
  ok: boolean;
  ms: number;
  detail?: Record<string, unknown>;
  error?: string;
}

/** What {@link heartbeat} returns (also the audit evidence). */
export interface HeartbeatEvidence {
  ok: boolean;
  started: string;
  elapsed_ms: number;
  deadline_ms: number;
  rounds: { round: number; at_ms: number; results: ProbeResult[] }[];
  probes: string[];
}

/**
 * Run rounds of all probes until one round is fully green or the deadline passes.
 *
 * @example
 * const hb = await heartbeat(probesFor(chassis, "swi2", cfg), { deadlineMs: 30000, probeTimeoutMs: 5000, intervalMs: 500 });
 */
export async function heartbeat(
  probes: Probe[],
  cfg: Pick<WatchdogConfig, "deadlineMs" | "probeTimeoutMs" | "intervalMs">,
  opts: { signal?: AbortSignal; now?: () => number } = {},
): Promise<HeartbeatEvidence> {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const started = new Date().toISOString();
  const rounds: HeartbeatEvidence["rounds"] = [];
  for (let round = 1;; round++) {
    const at = now() - t0;
    const left = cfg.deadlineMs - at;
    if (left <= 0 && rounds.length) break;
    const budget = Math.max(1, Math.min(cfg.probeTimeoutMs, left));
    const results = await Promise.all(probes.map(async (p): Promise<ProbeResult> => {
      const s = now();
      try {
        const detail = await p.run({ timeoutMs: budget, signal: opts.signal });
        const ok = (detail as { ok?: unknown }).ok !== false;
        return { probe: p.name, ok, ms: Math.round(now() - s), detail };
      } catch (e) {
        return { probe: p.name, ok: false, ms: Math.round(now() - s), error: redactError(e) };
      }
    }));
    rounds.push({ round, at_ms: Math.round(at), results });
    if (results.every((r) => r.ok)) {
      return {
        ok: true,
        started,
        elapsed_ms: Math.round(now() - t0),
        deadline_ms: cfg.deadlineMs,
        rounds: rounds.slice(-5),
        probes: probes.map((p) => p.name),
      };
    }
    const remaining = cfg.deadlineMs - (now() - t0);
    if (remaining <= 0) break;
    await pause(Math.min(cfg.intervalMs, remaining), opts.signal);
  }
  return {
    ok: false,
    started,
    elapsed_ms: Math.round(now() - t0),
    deadline_ms: cfg.deadlineMs,
    rounds: rounds.slice(-5),
    probes: probes.map((p) => p.name),
  };
}

/** Wait `ms` (between polling rounds), or until `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Error thrown when the heartbeat stays red past its deadline. */
export function heartbeatFailure(sw: string, hb: HeartbeatEvidence): TimeoutError {
  const last = hb.rounds[hb.rounds.length - 1]?.results.filter((r) => !r.ok)
    .map((r) => `${r.probe}: ${r.error ?? "not ok"}`).join("; ");
  return new TimeoutError(
    `Management-plane heartbeat for ${sw} stayed red for ${hb.deadline_ms} ms (${hb.rounds.length} round(s)); last failures: ${
      last || "none"
    }`,
    {
      hint: "The change is being rolled back; check the audit record for every probe result",
      details: { heartbeat: hb },
    },
  );
}
