/**
 * A failure in the middle of an apply (on the simulated CX310): state stays true to the device,
 * and the next plan shows exactly what remains.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "../chassis/chassis.ts";
import { openStore } from "../store/db.ts";
import { applyPlanned, EngineState, planFiles } from "./mod.ts";

const CONFIG = `
resource "vessel_vlan" "a" {
  for_each = toset(["501", "502", "503"])
  switch   = "swi2"
  vlan_id  = tonumber(each.key)
}
resource "vessel_vlan" "b" {
  switch  = "swi3"
  vlan_id = 500
  name    = "from-vessel"
}
`;

Deno.test("applyPlan after a mid-apply failure leaves state true and the next plan shows what remains", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSimulator({ hmm: false });
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: sim.endpoints.credentials!,
    timeoutMs: 20_000,
  });
  const store = openStore(":memory:");
  const state = new EngineState(store, "sim://");
  try {
    await Deno.writeTextFile(`${dir}/c.hcl`, CONFIG);
    const p = await planFiles({ files: [`${dir}/c.hcl`], chassis, state, env: {} });
    assert.equal(p.plan.summary.add, 4);
    // Between plan and apply, someone creates VLAN 500 on swi3: its create will fail.
    await chassis.switch("swi3").createVlan({ id: 500, name: "by-hand" });
    const r = await applyPlanned(p.plan, { chassis, state, registry: p.registry });
    assert.equal(r.ok, false);
    const failed = r.results.filter((x) => !x.ok && !x.skipped).map((x) => x.address);
    assert.deepEqual(failed, ["vessel_vlan.b"]);
    const done = r.results.filter((x) => x.ok).map((x) => x.address).sort();
    // State holds exactly what was done, each matching the device.
    assert.deepEqual(state.list().map((e) => e.address).sort(), done);
    for (const a of done) {
      const id = Number(state.get(a)!.id.split("/")[1]);
      assert.ok(await chassis.switch("swi2").getVlan(id), `${a} exists on swi2`);
    }
    const next = await planFiles({ files: [`${dir}/c.hcl`], chassis, state, env: {} });
    const remaining = next.plan.steps.filter((s) => s.action !== "noop");
    const expected = ['vessel_vlan.a["501"]', 'vessel_vlan.a["502"]', 'vessel_vlan.a["503"]']
      .filter((a) => !done.includes(a));
    assert.deepEqual(
      remaining.map((s) => [s.address, s.action]).sort(),
      [...expected.map((a) => [a, "create"]), ["vessel_vlan.b", "update"]].sort(),
    );
    const b = remaining.find((s) => s.address === "vessel_vlan.b")!;
    assert.deepEqual(b.changes.map((c) => [c.attribute, c.before, c.after]), [[
      "name",
      "by-hand",
      "from-vessel",
    ]]);
    assert.ok(b.notes.some((n) => /already exists on the device/.test(n)));
  } finally {
    store.close();
    await chassis.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
