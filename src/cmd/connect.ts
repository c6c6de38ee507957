/**
 * Open the chassis named by `--chassis` for one command and close everything afterwards,
 * also on errors and Ctrl-C. `sim://` and `sim:///dir` start an in-process simulator.
 */
import { UsageError } from "../errors.ts";
import type { Globals } from "./global.ts";
import { type Credentials, loadCredentials } from "./credentials.ts";
import { registerCredentials } from "../util/redact.ts";

/** What a command gets: the SDK handle plus where its state lives. */
export interface ChassisSession {
  // deno-lint-ignore no-explicit-any
  chassis: any;
  // deno-lint-ignore no-explicit-any
  endpoints: any;
  /** Key of this chassis in the state store. */
  workspace: string;
  /** Store path to use (`:memory:` for a throw-away simulator). */
  statePath: string;
  /** Secrets in use, for redaction. */
  secrets: string[];
  /** Snapshot folder (a temporary one for a throw-away simulator). */
  snapshotsDir?: string;
}

/** Cancellation for the whole command (Ctrl-C). */
export const commandAbort = new AbortController();

/** Run `fn` with an open chassis. */
export async function withChassis<T>(
  g: Globals,
  fn: (s: ChassisSession) => Promise<T>,
): Promise<T> {
  const url = g.chassis;
  if (!url) {
    throw new UsageError("No chassis given", {
      hint:
        "Pass --chassis (or set VESSEL_CHASSIS), e.g. --chassis sim:// for the built-in simulator",
    });
  }
  const closers: (() => Promise<void>)[] = [];
  try {
    let endpoints: unknown;
    let creds: Credentials;
    let statePath = g.statePath;
    let workspace = url;
    let snapshotsDir = g.snapshotsDir;
    if (url.startsWith("sim:")) {
      const m = url.match(/^sim:\/\/(\/.*)?$/);
      if (!m) {
        throw new UsageError(`Invalid simulator address ${url}`, {
          hint: "Use sim:// (throw-away) or sim:///absolute/dir (persistent)",
        });
      }
      const stateDir = m[1];
      const { startSimulator } = await import("../sim/mod.ts");
      const sim = await startSimulator({ stateDir });
      closers.push(() => sim.close());
      endpoints = sim.endpoints;
      const e = sim.endpoints as { credentials: Credentials };
      creds = e.credentials;
      if (!stateDir) {
        // A throw-away chassis gets throw-away state and snapshots.
        statePath = ":memory:";
        const tmp = await Deno.makeTempDir({ prefix: "vessel-sim-snapshots-" });
        closers.push(() => Deno.remove(tmp, { recursive: true }));
        snapshotsDir = tmp;
      }
      workspace = stateDir ? `sim://${stateDir}` : "sim://";
    } else {
      const { resolveChassis } = await import("../chassis/endpoints.ts");
      endpoints = await resolveChassis(url);
      const e = endpoints as { credentials?: Credentials };
      creds = await loadCredentials(e.credentials);
    }
    registerCredentials(creds);
    const { openChassis } = await import("../chassis/chassis.ts");
    const chassis = await openChassis({
      // deno-lint-ignore no-explicit-any
      endpoints: endpoints as any,
      credentials: creds,
      timeoutMs: g.timeoutMs,
      signal: commandAbort.signal,
      ...(g.recordDir ? { record: g.recordDir } : {}),
      trust: {
        ...(g.insecure ? { insecure: true } : {}),
        ...(g.knownHostsFile ? { knownHostsFile: g.knownHostsFile } : {}),
        ...(g.caFile ? { caFile: g.caFile } : {}),
      },
    });
    closers.push(() => chassis.close());
    return await fn({
      chassis,
      endpoints,
      workspace,
      statePath,
      secrets: [creds.password],
      snapshotsDir,
    });
  } finally {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch {
        // Closing is best effort; the command's own error (if any) matters more.
      }
    }
  }
}
