/**
 * `vessel blade` and `vessel sessions` end to end on the simulator (in-process CLI runs).
 */
import assert from "node:assert/strict";
import { startSimulator } from "../sim/mod.ts";
import { runVessel } from "./testing.ts";

const vessel = runVessel;

Deno.test("vessel blade list/power/boot through the change envelope", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vessel-blade-" });
  const common = [
    "--chassis",
    `sim://${dir}/chassis`,
    "--state",
    `${dir}/s.db`,
    "--snapshots",
    `${dir}/snaps`,
  ];
  try {
    const list = await vessel(["blade", "list", "--output", "json", ...common]);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as { slot: number; present: boolean; power: string }[];
    assert.equal(rows.find((b) => b.slot === 3)?.present, true);
    assert.equal(rows.find((b) => b.slot === 5)?.present, false);

    const off = await vessel(["blade", "power", "3", "off", "--yes", ...common]);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /Blade 3: power off done \(On -> Off/);
    const again = await vessel(["blade", "power", "3", "off", "--yes", ...common]);
    assert.match(again.stdout, /already Off: nothing to do/);
    const on = await vessel(["blade", "power", "3", "on", ...common]);
    assert.equal(on.code, 0, on.stderr);

    const boot = await vessel(["blade", "boot", "3", "pxe", "--persistence", "once", ...common]);
    assert.equal(boot.code, 0, boot.stderr);
    const after = JSON.parse(
      (await vessel(["blade", "list", "--output", "json", ...common])).stdout,
    );
    assert.equal(after.find((b: { slot: number }) => b.slot === 3).boot.device, "pxe");

    const empty = await vessel(["blade", "power", "5", "on", ...common]);
    assert.equal(empty.code, 7);
    assert.match(empty.stderr, /Slot 5 holds no blade/);
    const bad = await vessel(["blade", "power", "17", "on", ...common]);
    assert.equal(bad.code, 5);

    const audit = JSON.parse(
      (await vessel(["audit", "list", "--output", "json", ...common])).stdout,
    );
    const ops = audit.filter((r: { phase: string }) => r.phase === "outcome").map((
      r: { operation: string },
    ) => r.operation);
    assert.deepEqual(ops, ["blade.power.off", "blade.power.on", "blade.update"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vessel sessions lists and cleans orphaned Redfish sessions, never its own", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vessel-sessions-" });
  const sim = await startSimulator({});
  try {
    await Deno.writeTextFile(`${dir}/e.json`, JSON.stringify(sim.endpoints));
    const common = ["--chassis", `endpoints:${dir}/e.json`, "--state", `${dir}/s.db`];
    // An orphan: a tool that logged in to the HMM and never logged out.
    const client = Deno.createHttpClient({ caCerts: [sim.endpoints.tls!.ca] });
    const login = await fetch(`${sim.endpoints.hmm!.redfish}/SessionService/Sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ UserName: "root", Password: sim.endpoints.credentials!.password }),
      client,
    });
    assert.equal(login.status, 201);
    await login.body?.cancel();
    const orphan = login.headers.get("location")!.split("/").pop();

    const list = await vessel([
      "sessions",
      "list",
      "--device",
      "hmm",
      "--output",
      "json",
      ...common,
    ]);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as { id: string; own: boolean }[];
    assert.ok(rows.some((r) => r.id === orphan && !r.own), JSON.stringify(rows));

    const dry = await vessel(["sessions", "clean", "--device", "hmm", "--dry-run", ...common]);
    assert.match(dry.stdout, /would be logged out/);
    const clean = await vessel(["sessions", "clean", "--device", "hmm", "--yes", ...common]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /Logged out [1-9]\d* session\(s\) on hmm/);
    const left = JSON.parse(
      (await vessel(["sessions", "list", "--device", "hmm", "--output", "json", ...common])).stdout,
    );
    assert.ok(!left.some((r: { id: string }) => r.id === orphan), "the orphan is gone");
    const audit = JSON.parse(
      (await vessel(["audit", "list", "--output", "json", ...common])).stdout,
    );
    assert.ok(audit.some((r: { operation: string }) => r.operation === "sessions.clean"));
    client.close();
  } finally {
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
