/**
 * Load generator of the REST benchmark, run as a separate process by `bench/api_bench.ts` so
 * that client work does not share the server's event loop. Closed loop: `connections` workers,
 * each sending the next request when the previous answer has been read, for `seconds`.
 *
 * Arguments: --url URL --seconds N --connections N [--ca FILE]
 * Environment: VESSEL_BENCH_TOKEN (bearer token; never on the command line).
 * Prints one JSON line: requests, errors, rps, p50_ms, p90_ms, p99_ms, max_ms, cache_hits.
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    seconds: { type: "string", default: "3" },
    connections: { type: "string", default: "16" },
    ca: { type: "string" },
  },
});
const url = values.url!;
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const token = Deno.env.get("VESSEL_BENCH_TOKEN") ?? "";
const client = values.ca
  ? Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(values.ca)], http2: false })
  : undefined;
const headers = { authorization: `Bearer ${token}` };

const latencies: number[] = [];
let errors = 0;
let hits = 0;
let firstError = "";

async function once(): Promise<void> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { headers, client });
    await res.arrayBuffer();
    if (res.status !== 200) {
      errors++;
      firstError ||= `HTTP ${res.status}`;
      return;
    }
    if (res.headers.get("x-cache") === "hit") hits++;
    latencies.push(performance.now() - t0);
  } catch (e) {
    errors++;
    firstError ||= (e as Error).message;
  }
}

// Warm-up: open connections (TLS handshakes) outside the measured window.
await Promise.all(Array.from({ length: connections }, once));
latencies.length = 0;
hits = 0;
errors = 0;

const start = performance.now();
const deadline = start + seconds * 1000;
await Promise.all(Array.from({ length: connections }, async () => {
  while (performance.now() < deadline) await once();
}));
const elapsed = (performance.now() - start) / 1000;
client?.close();

latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies.length
    ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
    : 0;
console.log(JSON.stringify({
  requests: latencies.length,
  errors,
  first_error: firstError || undefined,
  seconds: elapsed,
  rps: latencies.length / elapsed,
  p50_ms: pct(0.5),
  p90_ms: pct(0.9),
  p99_ms: pct(0.99),
  max_ms: latencies.at(-1) ?? 0,
  cache_hits: hits,
}));
