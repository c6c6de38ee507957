/**
 * `deno task bench`: every benchmark of the project, each measuring its ratios within one run
 * (wall time vs critical path vs serial; requests per second and latency percentiles).
 * Targets are printed next to the measurements; benchmarks never run as tests.
 *
 * Usage: deno task bench [name...]   (names: sdk, engine, api)
 */
const BENCHES: { name: string; module: string; fn: string; what: string }[] = [
  {
    name: "sdk",
    module: "./sdk_bench.ts",
    fn: "benchSdk",
    what: "inventory of a full chassis with injected latency",
  },
  {
    name: "engine",
    module: "./engine_bench.ts",
    fn: "benchEngine",
    what: "plan of a full chassis with injected latency",
  },
  {
    name: "api",
    module: "./api_bench.ts",
    fn: "benchApi",
    what: "REST cached read under load from a second process",
  },
];

const wanted = Deno.args.length > 0 ? Deno.args : BENCHES.map((b) => b.name);
let failures = 0;
for (const b of BENCHES.filter((x) => wanted.includes(x.name))) {
  console.log(`\n== ${b.name}: ${b.what}`);
  let mod: Record<string, unknown>;
  try {
    // A computed specifier: a benchmark that is not written yet is reported, not a crash.
    const spec = new URL(b.module, import.meta.url).href;
    mod = await import(spec);
  } catch (e) {
    console.log(`   not available: ${(e as Error).message.split("\n")[0]}`);
    continue;
  }
  try {
    const result = await (mod[b.fn] as () => Promise<Record<string, number | string>>)();
    const width = Math.max(...Object.keys(result).map((k) => k.length));
    for (const [k, v] of Object.entries(result)) {
      console.log(`   ${k.padEnd(width)}  ${typeof v === "number" ? round(v) : v}`);
    }
  } catch (e) {
    failures++;
    console.log(`   FAILED: ${(e as Error).stack ?? e}`);
  }
}
Deno.exit(failures > 0 ? 1 : 0);

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
}
