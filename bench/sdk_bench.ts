/**
 * SDK benchmark (issue 4 point 9): `vessel inventory` of the full simulated chassis with injected
 * latency (HMM web 150 ms per request, Redfish 80 ms, SSH 200 ms per command), measured three
 * ways in one run:
 *
 * - wall: the inventory as the CLI runs it (parallel under per-device session caps);
 * - critical path: the longest chain of dependent device calls, measured by the SDK's hub while
 *   the parallel run happens (each call timed; a chain's time is the sum along its dependencies,
 *   waiting for a session slot excluded);
 * - serial: the same inventory with `--parallelism 1` (one device call at a time).
 *
 * Targets: wall within 1.5x the critical path, serial at least 8x the wall.
 *
 * Run alone: `deno run -A bench/sdk_bench.ts`, or as part of `deno task bench sdk`.
 */
import { startSimulator } from "../src/sim/mod.ts";
import { openChassis } from "../src/chassis/chassis.ts";
import { hubOf } from "../src/chassis/hub.ts";
import { inventory } from "../src/chassis/inventory.ts";

/** Latency injected per interface (ms). */
export const LATENCY = { web: 150, redfish: 80, ssh: 200 } as const;

async function once(
  endpoints: unknown,
  credentials: { username: string; password: string },
  parallelism?: number,
) {
  const chassis = await openChassis({ endpoints, credentials, timeoutMs: 60_000 });
  try {
    const hub = hubOf(chassis);
    if (parallelism) hub.configure({ parallelism });
    hub.resetTrace();
    const t0 = performance.now();
    const inv = await hub.trace(() => inventory(chassis).read());
    const wall = performance.now() - t0;
    return {
      wall,
      critical: hub.criticalPathMs,
      calls: hub.calls.length,
      callMs: hub.calls.reduce((s, c) => s + c.ms, 0),
      present: inv.blades.filter((b) => b.present).length,
      errors: inv.errors.length,
    };
  } finally {
    await chassis.close();
  }
}

/** Runs the benchmark; returns the numbers `bench/main.ts` prints. */
export async function benchSdk(): Promise<Record<string, number | string>> {
  const sim = await startSimulator({});
  try {
    sim.faults.set({ device: "hmm", iface: "web", latencyMs: LATENCY.web });
    sim.faults.set({ device: "*", iface: "redfish", latencyMs: LATENCY.redfish });
    sim.faults.set({ device: "*", iface: "ssh", latencyMs: LATENCY.ssh });
    const creds = sim.endpoints.credentials!;
    const par = await once(sim.endpoints, creds);
    const ser = await once(sim.endpoints, creds, 1);
    const vsCritical = par.wall / par.critical;
    const speedup = ser.wall / par.wall;
    return {
      "blades present": par.present,
      "device calls": par.calls,
      "read errors": par.errors + ser.errors,
      "wall ms": par.wall,
      "critical path ms": par.critical,
      "serial (--parallelism 1) ms": ser.wall,
      "wall / critical path": vsCritical,
      "serial / wall": speedup,
      "target wall <= 1.5x critical": vsCritical <= 1.5 ? "met" : "MISSED",
      "target serial >= 8x wall": speedup >= 8 ? "met" : "MISSED",
    };
  } finally {
    await sim.close();
  }
}

if (import.meta.main) {
  const r = await benchSdk();
  const w = Math.max(...Object.keys(r).map((k) => k.length));
  for (const [k, v] of Object.entries(r)) {
    console.log(`${k.padEnd(w)}  ${typeof v === "number" ? Math.round(v * 100) / 100 : v}`);
  }
}
