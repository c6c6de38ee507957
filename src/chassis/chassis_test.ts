import assert from "node:assert/strict";
import { NotFoundError } from "../errors.ts";
import { startFakeVrp } from "../drivers/vrp/testing/fake_vrp.ts";
import { readRecording } from "../drivers/record/format.ts";
import { openChassis } from "./chassis.ts";

Deno.test("openChassis gives switch clients, refuses unknown ones, records and closes", async () => {
  const swi2 = await startFakeVrp({ sysname: "swi2", mode: "two-stage" });
  const swi3 = await startFakeVrp({ sysname: "swi3", mode: "immediate" });
  const rec = await Deno.makeTempDir();
  const endpoints = {
    kind: "vessel-sim-endpoints",
    version: 1,
    hmm: { web: "https://127.0.0.1:1" },
    switches: {
      swi2: { ssh: `ssh://127.0.0.1:${swi2.port}` },
      swi3: { ssh: `ssh://127.0.0.1:${swi3.port}` },
    },
  };
  const chassis = await openChassis({
    endpoints,
    credentials: { username: "admin", password: "Admin@123" },
    record: rec,
    timeoutMs: 5000,
  });
  try {
    assert.throws(
      () => chassis.switch("swi9"),
      (e: unknown) => e instanceof NotFoundError && /swi1, swi2, swi3, swi4/.test(e.hint ?? ""),
    );
    assert.throws(
      () => chassis.switch("swi1"),
      (e: unknown) => e instanceof NotFoundError && /swi2, swi3/.test(e.hint ?? ""),
    );
    assert.equal(chassis.switch("SWI2"), chassis.switch("swi2"));
    assert.equal(await chassis.switch("swi2").mode(), "two-stage");
    assert.equal(await chassis.switch("swi3").mode(), "immediate");
    await chassis.switch("swi3").createVlan({ id: 30, description: "x" });
    assert.ok(swi3.vlans.has(30));
    // the simulator's keys were pinned in memory only
    assert.equal(chassis.context.trust.file, null);
    assert.equal(chassis.context.trust.pins().length, 2);
  } finally {
    await chassis.close();
    await chassis.close();
    await swi2.close();
    await swi3.close();
  }
  const files = [...Deno.readDirSync(rec)];
  assert.equal(files.length, 1);
  const lines = await readRecording(`${rec}/${files[0].name}`);
  assert.ok(lines.some((l) => l.kind === "ssh" && l.device === "swi3" && l.command === "vlan 30"));
  assert.ok(lines.every((l) => l.v === 1 && typeof l.seq === "number"));
  assert.ok(!Deno.readTextFileSync(`${rec}/${files[0].name}`).includes("Admin@123"));
  await Deno.remove(rec, { recursive: true });
});

Deno.test("Chassis.close closes sessions even after a failed call", async () => {
  const fake = await startFakeVrp({ hang: ["display vlan"] });
  const chassis = await openChassis({
    endpoints: {
      kind: "vessel-sim-endpoints",
      version: 1,
      hmm: { web: "https://127.0.0.1:1" },
      switches: { swi2: { ssh: `ssh://127.0.0.1:${fake.port}` } },
    },
    credentials: { username: "admin", password: "Admin@123" },
  });
  await assert.rejects(chassis.switch("swi2").listVlans({ timeoutMs: 100 }), /Timed out/);
  await chassis.close();
  await fake.close();
});

Deno.test("openChassis reports an unreachable switch within the deadline", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const chassis = await openChassis({
    endpoints: {
      kind: "vessel-sim-endpoints",
      version: 1,
      hmm: { web: "https://127.0.0.1:1" },
      switches: { swi2: { ssh: `ssh://127.0.0.1:${port}` } },
    },
    credentials: { username: "a", password: "b" },
    timeoutMs: 2000,
  });
  await assert.rejects(chassis.switch("swi2").listVlans(), /swi2.*(refused|failed)/i);
  await chassis.close();
});
