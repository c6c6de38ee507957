/**
 * Test helper: run the real CLI in-process (`run(args)` of main.ts) and capture what it writes
 * to stdout/stderr (also `console.log`), optionally feeding stdin (confirmation prompts).
 *
 * @example
 * const r = await runVessel(["plan", "-f", "examples/vlans.hcl", "--chassis", "sim://"]);
 * r.code; r.stdout; r.stderr;
 */
import { run } from "./main.ts";

/** What one CLI run produced. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `vessel args… --no-color` in-process; `stdin` answers prompts (undefined = closed). */
export async function runVessel(args: string[], stdin?: string): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const dec = new TextDecoder();
  const orig = {
    out: Deno.stdout.writeSync,
    err: Deno.stderr.writeSync,
    errWrite: Deno.stderr.write,
    read: Deno.stdin.read,
    log: console.log,
  };
  Deno.stdout.writeSync = (p: Uint8Array) => (out.push(dec.decode(p)), p.length);
  Deno.stderr.writeSync = (p: Uint8Array) => (err.push(dec.decode(p)), p.length);
  Deno.stderr.write = (p: Uint8Array) => (err.push(dec.decode(p)), Promise.resolve(p.length));
  console.log = (...a: unknown[]) => void out.push(a.map(String).join(" ") + "\n");
  let input = new TextEncoder().encode(stdin ?? "");
  Deno.stdin.read = (buf: Uint8Array) => {
    if (stdin === undefined || input.length === 0) return Promise.resolve(null);
    const n = Math.min(buf.length, input.length);
    buf.set(input.subarray(0, n));
    input = input.subarray(n);
    return Promise.resolve(n);
  };
  try {
    const code = await run([...args, "--no-color"]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    Deno.stdout.writeSync = orig.out;
    Deno.stderr.writeSync = orig.err;
    Deno.stderr.write = orig.errWrite;
    Deno.stdin.read = orig.read;
    console.log = orig.log;
  }
}
