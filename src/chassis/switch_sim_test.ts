/**
 * The VLAN SDK against the simulator over real SSH, both VRP modes. The simulator is an
 * independent implementation of the CX310 (src/sim); these tests only use its public API.
 */
import assert from "node:assert/strict";
import { ConflictError, NotFoundError } from "../errors.ts";
import { VrpCommandError } from "../drivers/vrp/errors.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";

for (const vrpMode of ["immediate", "two-stage"] as const) {
  Deno.test(`SwitchClient manages VLANs on the simulated CX310 (${vrpMode})`, async () => {
    const sim = await startSimulator({ vrpMode, hmm: false });
    const creds = sim.endpoints.credentials!;
    const chassis = await openChassis({
      endpoints: sim.endpoints,
      credentials: creds,
      timeoutMs: 10000,
    });
    try {
      const present = Object.keys(sim.endpoints.switches ?? {});
      assert.ok(present.includes("swi2"));
      const sw = chassis.switch("swi2");
      assert.equal(await sw.mode(), vrpMode);

      const before = await sw.listVlans();
      assert.ok(before.some((v) => v.id === 1), "VLAN 1 always exists");
      const free = [3001, 3002].filter((id) => !before.some((v) => v.id === id));
      assert.equal(free.length, 2);

      const v = await sw.createVlan({ id: 3001, name: "prod", description: "web tier 1" });
      assert.deepEqual([v.id, v.name, v.description], [3001, "prod", "web tier 1"]);
      await sw.createVlan({ id: 3002 });
      await assert.rejects(sw.createVlan({ id: 3001 }), ConflictError);

      const u = await sw.updateVlan(3001, { description: "web tier 2", name: "" });
      assert.equal(u.description, "web tier 2");
      assert.equal(u.name, undefined);

      // a second, independent session sees the same state
      const other = await openChassis({ endpoints: sim.endpoints, credentials: creds });
      try {
        const seen = await other.switch("swi2").getVlan(3001);
        assert.equal(seen?.description, "web tier 2");
        assert.ok(await other.switch("swi2").getVlan(3002));
      } finally {
        await other.close();
      }

      await sw.deleteVlan(3001);
      await sw.deleteVlan(3002);
      assert.equal(await sw.getVlan(3001), undefined);
      await assert.rejects(sw.deleteVlan(3001), NotFoundError);
      assert.deepEqual((await sw.listVlans()).map((x) => x.id), before.map((x) => x.id));

      // the device's own errors come back typed
      await assert.rejects(sw.display("display vlan 9999"), VrpCommandError);
      // save exists but VLAN calls never used it
      const saved = await sw.save();
      assert.equal(saved.view, "user");
    } finally {
      await chassis.close();
      await sim.close();
    }
  });
}

Deno.test("VrpSession output is the same with the simulator's pager on and off", async () => {
  const { VrpSession } = await import("../drivers/vrp/session.ts");
  const { parseSshUrl } = await import("./endpoints.ts");
  const sim = await startSimulator({ hmm: false });
  const { host, port } = parseSshUrl(sim.endpoints.switches!.swi2.ssh);
  const creds = sim.endpoints.credentials!;
  const open = (disablePaging: boolean) =>
    VrpSession.connect({ device: "swi2", host, port, ...creds, disablePaging });
  const plain = await open(true);
  const paged = await open(false);
  try {
    for (const cmd of ["display current-configuration", "display vlan"]) {
      const ra = await plain.exec(cmd);
      const rb = await paged.exec(cmd);
      const [a, b] = [ra.output, rb.output];
      assert.equal(ra.pages, 0);
      if (cmd === "display current-configuration") assert.ok(rb.pages > 0, "the pager was used");
      assert.equal(b, a, `${cmd}: paged output cleaned to the same text`);
    }
  } finally {
    await plain.close();
    await paged.close();
    await sim.close();
  }
});
