/**
 * Engine benchmark (issue 5 point 10): `vessel plan` of a full chassis on the simulator with
 * injected latency (HMM web 150 ms per request, Redfish 80 ms, SSH 200 ms per command), measured
 * three ways in one run:
 *
 * - wall: the plan as the CLI computes it (reads in parallel, capped overall and per device);
 * - critical path: the longest chain of dependent device calls — measured by the SDK hub's trace
 *   during the parallel run (each engine read is its own chain, started after the blocks it
 *   refers to; waiting for a session slot excluded), or the switch SSH chain (one VRP session
 *   per switch: the sum of that switch's reads, measured in the serial run), whichever is longer;
 * - serial: the same plan with `--parallelism 1` (engine and SDK: one device call at a time).
 *
 * Both timed runs follow one untimed plan in the same process (warm-up), so neither pays the
 * process's one-time start-up costs (WebAssembly compile of the HCL parser, JIT, first TLS).
 *
 * The configuration (issue 5 point 10): 16 blade slots (power, boot, compute profile), 2 switches
 * × 40 VLANs, MAC and UUID pools, a compute profile, users, NTP, LDAP, and the inventory data
 * source the blades' power comes from.
 *
 * Targets: wall within 1.5x the critical path, serial at least 8x the wall.
 *
 * Run alone: `deno run -A bench/engine_bench.ts`, or as part of `deno task bench engine`.
 */
import { startSimulator } from "../src/sim/mod.ts";
import { openChassis } from "../src/chassis/chassis.ts";
import { hubOf } from "../src/chassis/hub.ts";
import { openStore } from "../src/store/db.ts";
import { EngineState } from "../src/engine/state.ts";
import { planFiles } from "../src/engine/mod.ts";
import { defaultRegistry } from "../src/resources/mod.ts";

/** Latency injected per interface (ms), as in the SDK benchmark. */
export const LATENCY = { web: 150, redfish: 80, ssh: 200 } as const;

/** Resource types of the full chassis (issue 5 point 10) that may not be registered yet. */
const WANTED = [
  "vessel_compute_profile",
  "vessel_mac_pool",
  "vessel_uuid_pool",
  "vessel_user",
  "vessel_ntp_server",
  "vessel_ldap_domain",
];

/** The configuration planned: every blade slot, 40 VLANs on each of two switches. */
export function fullChassisConfig(): string {
  return `
data "vessel_inventory" "chassis" {}

locals {
  vlans = { for i in range(40) : tostring(1000 + i) => 1000 + i }
}

resource "vessel_vlan" "a" {
  for_each    = local.vlans
  switch      = "swi2"
  vlan_id     = each.value
  name        = "v\${each.key}"
  description = "fabric A \${each.key}"
}

resource "vessel_vlan" "b" {
  for_each    = local.vlans
  switch      = "swi3"
  vlan_id     = each.value
  name        = "v\${each.key}"
  description = "fabric B \${each.key}"
}

resource "vessel_mac_pool" "pool" {
  start_mac = "28:6E:D4:88:C6:00"
  size      = 512
}

resource "vessel_uuid_pool" "pool" {
  start_uuid = "8a2f0c1e-0000-4000-8000-000000000000"
  size       = 64
}

resource "vessel_compute_profile" "worker" {
  name       = "worker"
  boot_mode  = "UEFI"
  boot_order = ["Pxe", "Hdd"]
  mac_source = vessel_mac_pool.pool.size > 0 ? "pool" : "hardware"
  vlans      = [for k, v in local.vlans : v if v < 1004]
}

resource "vessel_user" "ops" {
  for_each = toset(["ops1", "ops2", "ops3"])
  username = each.key
  role     = "operator"
}

resource "vessel_ntp_server" "this" {
  enabled  = true
  server1  = "10.10.0.5"
  timezone = "GMT+0"
}

resource "vessel_ldap_domain" "this" {
  enabled = true
  server  = "10.10.0.6"
  port    = 636
  ssl     = true
  base_dn = "dc=lab,dc=example"
}

resource "vessel_blade" "slot" {
  for_each         = toset([for s in range(1, 17) : tostring(s)])
  slot             = tonumber(each.key)
  power            = contains(data.vessel_inventory.chassis.present_slots, tonumber(each.key)) ? "on" : null
  boot_device      = "pxe"
  boot_persistence = "once"
  compute_profile  = vessel_compute_profile.worker.name
}
`;
}

async function once(
  file: string,
  endpoints: unknown,
  credentials: { username: string; password: string },
  parallelism: number,
) {
  const chassis = await openChassis({ endpoints, credentials, timeoutMs: 120_000 });
  const store = openStore(":memory:");
  try {
    const hub = hubOf(chassis);
    if (parallelism === 1) hub.configure({ parallelism: 1 });
    const reads = new Map<string, number>();
    const registry = defaultRegistry();
    // Each engine read is its own chain in the SDK hub's trace (the engine starts reads of
    // independent blocks concurrently; a block's reads start after the blocks it refers to).
    const fork = <T>(fn: () => Promise<T>) => hub.all([fn]).then(([r]) => r as T);
    for (const t of registry.types()) {
      const def = registry.get(t);
      const inner = def.read.bind(def);
      def.read = (ctx, id) => fork(() => inner(ctx, id));
    }
    for (const t of registry.dataTypes()) {
      const def = registry.getData(t);
      const inner = def.read.bind(def);
      def.read = (ctx, args) => fork(() => inner(ctx, args));
    }
    const scopes = new Map<string, string>();
    hub.resetTrace();
    const t0 = performance.now();
    const { plan } = await hub.trace(() =>
      planFiles({
        files: [file],
        chassis,
        state: new EngineState(store, "bench"),
        registry,
        parallelism,
        perDevice: parallelism === 1 ? 1 : 8,
        env: {},
        onRead: (a, ms, scope) => {
          reads.set(a, ms);
          scopes.set(a, scope);
        },
      })
    );
    const wall = performance.now() - t0;
    if (Deno.env.get("BENCH_DEBUG")) {
      const per = new Map<string, number>();
      for (const [a, ms] of reads) {
        const b = a.replace(/\[.*$/, "");
        per.set(b, Math.max(per.get(b) ?? 0, Math.round(ms)));
      }
      console.error(parallelism, Object.fromEntries(per));
    }
    // Switch reads go over SSH, outside the hub's trace, on one VRP session per switch: that
    // switch's chain is the sum of its reads (measured one at a time in the serial run).
    const perSwitch = new Map<string, number>();
    for (const [a, ms] of reads) {
      const sw = scopes.get(a);
      if (sw?.startsWith("switch:")) perSwitch.set(sw, (perSwitch.get(sw) ?? 0) + ms);
    }
    const ssh = Math.max(0, ...perSwitch.values());
    return {
      wall,
      hubCritical: hub.criticalPathMs,
      ssh,
      steps: plan.steps.length,
      reads: reads.size,
    };
  } finally {
    store.close();
    await chassis.close();
  }
}

/** A simulator in its own process (so that its CPU work does not slow Vessel's down). */
async function childSimulator(): Promise<
  { endpoints: Record<string, unknown>; close(): Promise<void> }
> {
  const main = new URL("../src/cmd/main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      main,
      "sim",
      "--json",
      "--fault",
      `device=hmm,iface=web,latencyMs=${LATENCY.web}`,
      "--fault",
      `device=*,iface=redfish,latencyMs=${LATENCY.redfish}`,
      "--fault",
      `device=*,iface=ssh,latencyMs=${LATENCY.ssh}`,
    ],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  let buf = "";
  const dec = new TextDecoder();
  while (!buf.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the simulator process ended before printing its endpoints");
    buf += dec.decode(value);
  }
  const endpoints = JSON.parse(buf.slice(0, buf.indexOf("\n")));
  // Keep draining stdout so the child never blocks on a full pipe.
  const drain = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })().catch(() => {});
  return {
    endpoints,
    async close() {
      child.kill("SIGTERM");
      await child.status;
      await drain;
    },
  };
}

/**
 * Runs the benchmark; returns the numbers `bench/main.ts` prints. The simulator runs in its own
 * process by default (`inProcess: true` shares one CPU with Vessel, as the tests do).
 */
export async function benchEngine(
  opts: { inProcess?: boolean } = {},
): Promise<Record<string, number | string>> {
  const dir = await Deno.makeTempDir({ prefix: "vessel-bench-" });
  let endpoints: Record<string, unknown>;
  let close: () => Promise<void>;
  if (opts.inProcess) {
    const sim = await startSimulator({});
    sim.faults.set({ device: "hmm", iface: "web", latencyMs: LATENCY.web });
    sim.faults.set({ device: "*", iface: "redfish", latencyMs: LATENCY.redfish });
    sim.faults.set({ device: "*", iface: "ssh", latencyMs: LATENCY.ssh });
    endpoints = sim.endpoints as unknown as Record<string, unknown>;
    close = () => sim.close();
  } else {
    const child = await childSimulator();
    endpoints = child.endpoints;
    close = child.close;
  }
  try {
    const file = `${dir}/chassis.hcl`;
    await Deno.writeTextFile(file, fullChassisConfig());
    const creds = endpoints.credentials as { username: string; password: string };
    // One untimed plan first: the first plan in a process pays one-time costs (compiling
    // hcl2json's WebAssembly, about 120 ms; JIT; the first TLS handshakes) that the serial run,
    // second in the same process, never paid, so the ratio compared a cold run with a warm one.
    // Both timed runs are now warm and plan against fresh sessions (new chassis, new logins).
    await once(file, endpoints, creds, 32);
    const par = await once(file, endpoints, creds, 32);
    const ser = await once(file, endpoints, creds, 1);
    // The SSH chain measured uncontended (serial run): connection, login and the switch's reads.
    const critical = Math.max(par.hubCritical, ser.ssh);
    const vsCritical = par.wall / critical;
    const speedup = ser.wall / par.wall;
    const registry = defaultRegistry();
    const missing = WANTED.filter((t) => !registry.has(t));
    return {
      "simulator": opts.inProcess ? "in process" : "own process",
      "resource instances planned": par.steps,
      "live reads": par.reads,
      "wall ms (--parallelism 32)": par.wall,
      "critical path ms": critical,
      "  of which HMM/iBMC chain ms": par.hubCritical,
      "  of which switch SSH chain ms": ser.ssh,
      "serial ms (--parallelism 1)": ser.wall,
      "wall / critical path": vsCritical,
      "serial / wall": speedup,
      "target wall <= 1.5x critical": vsCritical <= 1.5 ? "met" : "MISSED",
      "target serial >= 8x wall": speedup >= 8 ? "met" : "MISSED",
      "not yet in the registry": missing.length ? missing.join(", ") : "none",
    };
  } finally {
    await close();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const r = await benchEngine({ inProcess: Deno.args.includes("--in-process") });
  const w = Math.max(...Object.keys(r).map((k) => k.length));
  for (const [k, v] of Object.entries(r)) {
    console.log(`${k.padEnd(w)}  ${typeof v === "number" ? Math.round(v * 100) / 100 : v}`);
  }
}
