import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseFaultSpec } from "./sim.ts";
import { openShell } from "../sim/testing.ts";

const SIM_TS = fileURLToPath(new URL("./sim.ts", import.meta.url));
/** `deno eval` runner: the sim command alone, as `vessel sim` would run it. */
const RUNNER = `import { simCommand } from ${JSON.stringify(`file://${SIM_TS}`)};\n` +
  "await simCommand().parseAsync(Deno.args, { from: 'user' });";

Deno.test("parseFaultSpec reads key=value lists and JSON", () => {
  assert.deepEqual(parseFaultSpec("device=swi2,iface=ssh,latencyMs=200,timeout=true"), {
    device: "swi2",
    iface: "ssh",
    latencyMs: 200,
    timeout: true,
  });
  assert.deepEqual(parseFaultSpec('{"device":"hmm","errorRate":0.5}'), {
    device: "hmm",
    errorRate: 0.5,
  });
  assert.throws(() => parseFaultSpec("device"), /Invalid --fault item/);
});

Deno.test("simCommand --json prints the endpoints first, serves until SIGTERM, reset wipes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vessel-simcmd-" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        RUNNER,
        "--",
        "--json",
        "--no-hmm",
        "--state",
        dir,
        "--vrp-mode",
        "immediate",
        "--fault",
        "device=swi3,iface=ssh,latencyMs=1",
      ],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    while (!buf.includes("Press Ctrl+C")) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
    }
    const [first, ...rest] = buf.split("\n");
    const ep = JSON.parse(first);
    assert.equal(ep.kind, "vessel-sim-endpoints");
    assert.match(ep.switches.swi2.ssh, /^ssh:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(rest.some((l) => l.includes(ep.switches.swi2.ssh)), "human lines list endpoints");
    assert.ok(rest.some((l) => l.includes(ep.credentials.password)), "credentials printed");
    const sh = await openShell(
      ep.switches.swi2.ssh,
      ep.credentials.username,
      ep.credentials.password,
    );
    await sh.waitFor(/<CX310_2>$/);
    assert.match(await sh.cmd("system-view"), /\[CX310_2\]$/, "immediate mode from the flag");
    await sh.cmd("vlan 55");
    await sh.close();
    const faults = await (await fetch(`${ep.admin}/admin/faults`)).json();
    assert.equal(faults[0].latencyMs, 1);
    child.kill("SIGTERM");
    const rest2 = await reader.read().then(async function drain(r): Promise<void> {
      if (!r.done) return drain(await reader.read());
    });
    void rest2;
    const status = await child.status;
    const err = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assert.equal(status.code, 0, err);
    assert.match(err, /sim: stopped/);
    const reset = await new Deno.Command(Deno.execPath(), {
      args: ["eval", RUNNER, "--", "reset", "--state", dir],
    }).output();
    assert.equal(reset.code, 0);
    assert.match(new TextDecoder().decode(reset.stdout), /^Reset /);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["vessel-sim-state.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("simCommand --replay serves a recording and names the misses route", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vessel-simcmd-replay-" });
  const line = (o: Record<string, unknown>) => JSON.stringify({ v: 1, ts: "t", ms: 1, ...o });
  await Deno.writeTextFile(
    `${dir}/vessel-2026-11-25T20-00-00-000Z-1.jsonl`,
    [
      line({ seq: 1, kind: "ssh", device: "swi2", command: "", output: "\n<sw>", prompt: "<sw>" }),
      line({
        seq: 2,
        kind: "ssh",
        device: "swi2",
        command: "display clock",
        output: "display clock\n2026-11-25 20:00:00\n<sw>",
        prompt: "<sw>",
      }),
    ].join("\n") + "\n",
  );
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", RUNNER, "--", "--json", "--replay", dir],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    while (!buf.includes("Press Ctrl+C")) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
    }
    const [first, ...rest] = buf.split("\n");
    const ep = JSON.parse(first);
    assert.deepEqual(Object.keys(ep.switches), ["swi2"]);
    assert.ok(rest.some((l) => l.includes(`${ep.admin}/admin/replay/misses`)));
    const sh = await openShell(ep.switches.swi2.ssh, "anyone", "any password");
    await sh.waitFor(/<sw>$/);
    assert.match(await sh.cmd("display clock"), /2026-11-25 20:00:00\r\n<sw>$/);
    await sh.close();
    child.kill("SIGTERM");
    for (let r = await reader.read(); !r.done; r = await reader.read()) { /* drain */ }
    const status = await child.status;
    await child.stderr.cancel();
    assert.equal(status.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("simCommand --replay refuses --state and an unreadable recording", async () => {
  const { simCommand } = await import("./sim.ts");
  const { ConfigError, UsageError } = await import("../errors.ts");
  const dir = await Deno.makeTempDir({ prefix: "vessel-simcmd-replay-" });
  try {
    await assert.rejects(
      simCommand().parseAsync(["--replay", dir, "--state", dir], { from: "user" }),
      (e: Error) => e instanceof UsageError && /--replay cannot be combined/.test(e.message),
    );
    await assert.rejects(
      simCommand().parseAsync(["--replay", `${dir}/missing`], { from: "user" }),
      (e: Error) => e instanceof ConfigError && e.message.includes(`${dir}/missing`),
    );
    await assert.rejects(
      simCommand().parseAsync(["--replay", dir], { from: "user" }),
      (e: Error) => e instanceof ConfigError && /holds no \.jsonl recording/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vessel sim --state DIR keeps state there through the full CLI (root --state does not swallow it)", async () => {
  const { runVessel } = await import("./testing.ts");
  const dir = await Deno.makeTempDir({ prefix: "vessel-simstate-" });
  try {
    // The full program, as a user types it: the root's global --state is also defined.
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        new URL("./main.ts", import.meta.url).pathname,
        "sim",
        "--json",
        "--state",
        `${dir}/s`,
        "--no-hmm",
      ],
      stdout: "piped",
      stderr: "null",
      env: { VESSEL_STATE: "/nonexistent/should-not-be-used.db" },
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("state ")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    child.kill("SIGTERM");
    await reader.cancel();
    await child.status;
    assert.match(text, new RegExp(`state\\s+${dir}/s`));
    assert.ok((await Deno.stat(`${dir}/s`)).isDirectory, "the state folder was created");
    const reset = await runVessel(["sim", "reset", "--state", `${dir}/s`]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /Reset .* \(\d+ entries removed\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
