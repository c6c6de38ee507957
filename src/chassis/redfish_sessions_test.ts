/** Redfish session hygiene against the simulated HMM and iBMC: list, clean, never our own. */
import assert from "node:assert/strict";
import { NotFoundError } from "../errors.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";
import { redfishSessions } from "./redfish_sessions.ts";

const sim = await startSimulator({});
const creds = sim.endpoints.credentials!;
const open = () => openChassis({ endpoints: sim.endpoints, credentials: creds, timeoutMs: 10000 });

Deno.test("redfishSessions.clean logs out foreign sessions and keeps its own", async (t) => {
  const mine = await open();
  const other = await open(); // stands for a crashed tool: its sessions are foreign to `mine`
  try {
    const otherRf = await other.context.hmmRedfish();
    await otherRf.get("/redfish/v1/Chassis");
    const foreign = new Set(otherRf.sessionUrls.map((u) => new URL(u).pathname));
    assert.ok(foreign.size > 0);
    const rs = redfishSessions(mine);

    await t.step("list marks own sessions and names users", async () => {
      const rows = await rs.list("hmm");
      const own = rows.filter((r) => r.own);
      assert.ok(own.length > 0);
      const ownRf = await mine.context.hmmRedfish();
      assert.deepEqual(
        own.map((r) => r.url).sort(),
        ownRf.sessionUrls.filter((u) => own.some((r) => r.url === u)).sort(),
      );
      for (const r of rows) assert.equal(r.user, creds.username);
      for (const p of foreign) {
        assert.ok(rows.some((r) => !r.own && new URL(r.url).pathname === p));
      }
    });

    await t.step("dryRun and filters delete nothing", async () => {
      const before = (await rs.list("hmm")).length;
      const dry = await rs.clean("hmm", { dryRun: true });
      assert.ok(dry.deleted.length >= foreign.size);
      assert.ok(dry.deleted.every((s) => !s.own));
      const young = await rs.clean("hmm", { olderThanMs: 3_600_000 });
      assert.equal(young.deleted.length, 0);
      const nobody = await rs.clean("hmm", { user: "nobody" });
      assert.equal(nobody.deleted.length, 0);
      assert.equal((await rs.list("hmm")).length, before);
    });

    await t.step("clean deletes the foreign sessions only", async () => {
      const r = await rs.clean("hmm", { user: creds.username });
      assert.deepEqual(r.errors, []);
      for (const p of foreign) {
        assert.ok(r.deleted.some((s) => new URL(s.url).pathname === p));
      }
      assert.ok(r.kept.some((k) => k.own && k.reason === "own session"));
      const after = await rs.list("hmm");
      assert.ok(after.length > 0 && after.every((s) => s.own));
      // our own client still works on the same session
      await (await mine.context.hmmRedfish()).get("/redfish/v1");
    });

    await t.step("an iBMC's sessions too", async () => {
      const slot = Object.keys(sim.endpoints.ibmc).sort((a, b) => Number(a) - Number(b))[0];
      await (await other.context.ibmcRedfish(Number(slot))).get("/redfish/v1/Systems");
      const r = await rs.clean(`ibmc${slot}`);
      assert.ok(r.deleted.length > 0);
      assert.ok((await rs.list(`ibmc${slot}`)).every((s) => s.own));
    });

    await t.step("unknown device is NotFoundError", async () => {
      await assert.rejects(() => rs.list("swi2"), NotFoundError);
    });
  } finally {
    await other.close();
    await mine.close();
  }
});

Deno.test("redfishSessions suite teardown", async () => {
  await sim.close();
});
