/**
 * Test helper: one simulator per test file and a `connect` function with the shape of
 * `withChassis` (src/cmd/connect.ts), so command tests run against the simulator without
 * starting one per command.
 *
 * @module
 */
import { type SimOptions, type Simulator, startSimulator } from "../../sim/mod.ts";
import { openChassis } from "../../chassis/chassis.ts";

/** What a `connect` callback receives (the shape of `ChassisSession`). */
export interface SimSession {
  // deno-lint-ignore no-explicit-any
  chassis: any;
  // deno-lint-ignore no-explicit-any
  endpoints: any;
  workspace: string;
  statePath: string;
  secrets: string[];
  snapshotsDir: string;
}

/** A running simulator plus a `connect` for commands. */
export interface SimHarness {
  sim: Simulator;
  // deno-lint-ignore no-explicit-any
  endpoints: any;
  connect: <T>(
    g: { statePath: string; snapshotsDir: string },
    fn: (s: SimSession) => Promise<T>,
  ) => Promise<T>;
  close(): Promise<void>;
}

/** Start the simulator; `connect` opens (and closes) an SDK chassis per command. */
export async function startSimHarness(opts: SimOptions = {}): Promise<SimHarness> {
  const sim = await startSimulator(opts);
  // The SDK requires an HMM entry; until the simulator serves one, give a placeholder that the
  // switch-only paths never contact.
  const endpoints = {
    ...sim.endpoints,
    hmm: sim.endpoints.hmm ?? { web: "https://127.0.0.1:9" },
    admin: sim.endpoints.admin || undefined,
  };
  return {
    sim,
    endpoints,
    async connect(g, fn) {
      const chassis = await openChassis({ endpoints, credentials: sim.endpoints.credentials });
      try {
        return await fn({
          chassis,
          endpoints,
          workspace: "sim-test",
          statePath: g.statePath,
          secrets: [sim.endpoints.credentials.password],
          snapshotsDir: g.snapshotsDir,
        });
      } finally {
        await chassis.close();
      }
    },
    close: () => sim.close(),
  };
}
