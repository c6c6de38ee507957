/**
 * `vessel sim`: run the simulated E9000 on loopback until SIGINT/SIGTERM.
 *
 * Examples:
 *   vessel sim                              # print every endpoint and the credentials
 *   vessel sim --json > endpoints.json      # first stdout line = the endpoints document
 *   vessel sim --state ./simstate --vrp-mode immediate --latency 50
 *   vessel sim --fault device=swi2,iface=ssh,latencyMs=200 --fault device=hmm,iface=web,errorRate=0.1
 *   vessel sim --replay ./capture           # serve a recording made with vessel --record ./capture
 *   vessel sim reset --state ./simstate
 */
import { Command, Option } from "@commander-js/extra-typings";
import { ConfigError, UsageError } from "../errors.ts";

/** Parse one `--fault` value: `key=value,...` or a JSON object. */
export function parseFaultSpec(spec: string): Record<string, unknown> {
  const s = spec.trim();
  if (s.startsWith("{")) {
    try {
      return JSON.parse(s);
    } catch (e) {
      throw new UsageError(`Invalid --fault JSON: ${(e as Error).message}`, {
        hint: `Use key=value pairs, e.g. --fault device=swi2,iface=ssh,latencyMs=200`,
      });
    }
  }
  const out: Record<string, unknown> = {};
  for (const part of s.split(",")) {
    const m = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/.exec(part);
    if (!m) {
      throw new UsageError(`Invalid --fault item "${part}"`, {
        hint: "Use key=value pairs, e.g. --fault device=swi2,iface=ssh,latencyMs=200",
      });
    }
    const [, k, v] = m;
    out[k] = v === "true"
      ? true
      : v === "false"
      ? false
      : /^-?\d+(\.\d+)?$/.test(v)
      ? Number(v)
      : v;
  }
  return out;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * The simulator's `--state DIR`. The root program's global `--state` (the state database) takes
 * the option when commander sees it first, so fall back to any ancestor's value, but only one typed
 * on the command line: `VESSEL_STATE` names the state database, never a simulator folder.
 */
// deno-lint-ignore no-explicit-any
function simStateDir(cmd: any, own: string | undefined): string | undefined {
  if (own) return own;
  for (let c = cmd.parent; c; c = c.parent) {
    if (c.getOptionValueSource?.("state") === "cli" && c.opts().state) return c.opts().state;
  }
  return undefined;
}

/** `vessel sim` and `vessel sim reset`. */
export function simCommand() {
  const sim = new Command("sim")
    .description("run the simulated E9000 chassis (HMM, iBMCs, CX310 switches) on 127.0.0.1")
    .option("--json", "print the endpoints document as one JSON line first")
    .option("--state <dir>", "keep simulator state in this folder across restarts")
    .option("--seed <file>", "YAML seed file (topology, modes, faults)")
    .addOption(
      new Option("--vrp-mode <mode>", "switch configuration mode").choices(
        [
          "immediate",
          "two-stage",
        ] as const,
      ),
    )
    .option("--latency <ms>", "added latency on every interface of every device (ms)")
    .option("--error-rate <rate>", "probability 0..1 that any request fails")
    .option(
      "--fault <spec>",
      "a fault, e.g. device=swi2,iface=ssh,latencyMs=200 (repeatable)",
      collect,
      [] as string[],
    )
    .option("--no-hmm", "start only the switches and the admin API")
    .option(
      "--replay <dir>",
      "serve a recording made with vessel --record DIR (a folder of .jsonl files or one file)",
    )
    .action(async (rawOpts, cmd) => {
      const opts = { ...rawOpts, state: simStateDir(cmd, rawOpts.state) };
      if (opts.replay !== undefined && (opts.state !== undefined || opts.seed !== undefined)) {
        throw new UsageError("--replay cannot be combined with --state or --seed", {
          hint: "A replay serves the recorded answers only; drop --state and --seed",
        });
      }
      const faults: Record<string, unknown>[] = opts.fault.map(parseFaultSpec);
      if (opts.latency !== undefined) {
        const ms = Number(opts.latency);
        if (!Number.isFinite(ms) || ms < 0) {
          throw new UsageError(`--latency must be a number of milliseconds, got ${opts.latency}`);
        }
        faults.push({ device: "*", iface: "*", latencyMs: ms });
      }
      if (opts.errorRate !== undefined) {
        const r = Number(opts.errorRate);
        if (!Number.isFinite(r) || r < 0 || r > 1) {
          throw new UsageError(`--error-rate must be between 0 and 1, got ${opts.errorRate}`);
        }
        faults.push({ device: "*", iface: "*", errorRate: r });
      }
      const { startSimulator } = await import("../sim/mod.ts");
      const enc = new TextEncoder();
      const err = (line: string) => Deno.stderr.writeSync(enc.encode(line + "\n"));
      let s;
      try {
        s = await startSimulator({
          stateDir: opts.state,
          seed: opts.seed,
          vrpMode: opts.vrpMode,
          faults: faults as never,
          hmm: opts.hmm,
          replay: opts.replay,
          log: err,
        });
      } catch (e) {
        const msg = (e as Error).message;
        if ((e as Error).name === "SeedError") throw new ConfigError(msg, { cause: e });
        if ((e as Error).name === "RecordingError") {
          throw new ConfigError(msg, {
            cause: e,
            hint: "Pass the folder given to vessel --record (or one of its .jsonl files)",
          });
        }
        if (/^Fault field|^A fault/.test(msg)) {
          throw new UsageError(msg, {
            hint: "Check the --fault, --latency and --error-rate flags",
          });
        }
        throw e;
      }
      const out = (line: string) => Deno.stdout.writeSync(enc.encode(line + "\n"));
      const ep = s.endpoints;
      if (opts.json) out(JSON.stringify(ep));
      const lines = [
        `Vessel simulator: ${ep.chassis.model} ${ep.chassis.serial} on 127.0.0.1`,
        ep.hmm
          ? `  HMM web      ${ep.hmm.web}\n  HMM Redfish  ${ep.hmm.redfish}\n  HMM SSH      ${ep.hmm.ssh}`
          : "  HMM          (not started)",
        ...Object.entries(ep.ibmc).map(([slot, e]) =>
          `  iBMC ${slot.padEnd(3)}     ${e.redfish}  ${e.ssh}`
        ),
        ...Object.entries(ep.switches).map(([n, e]) => `  ${n.padEnd(12)} ${e.ssh}`),
        `  admin API    ${ep.admin}`,
        `  credentials  ${ep.credentials.username} / ${ep.credentials.password}`,
        opts.replay
          ? `  replay       ${opts.replay} (misses: GET ${ep.admin}/admin/replay/misses)`
          : opts.state
          ? `  state        ${opts.state}`
          : "  state        in memory (use --state DIR to keep it)",
        "Press Ctrl+C to stop.",
      ];
      for (const l of lines) out(l);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        Deno.addSignalListener("SIGINT", stop);
        Deno.addSignalListener("SIGTERM", stop);
      });
      await s.close();
      err("sim: stopped");
    });
  sim.command("reset")
    .description("wipe the simulator state kept in a --state folder")
    .option("--state <dir>", "the state folder to wipe")
    .action(async (opts, cmd) => {
      // `--state` after `reset` may be taken by the parent `sim` command or the root: read all.
      const state = simStateDir(cmd, opts.state);
      if (!state) {
        throw new UsageError("vessel sim reset needs --state DIR", {
          hint: "Pass the folder used with vessel sim --state",
        });
      }
      const { resetStateDir } = await import("../sim/state.ts");
      try {
        const n = resetStateDir(state);
        Deno.stdout.writeSync(new TextEncoder().encode(`Reset ${state} (${n} entries removed)\n`));
      } catch (e) {
        throw new UsageError((e as Error).message, {
          hint: "Pass the folder used with vessel sim --state",
        });
      }
    });
  return sim;
}
