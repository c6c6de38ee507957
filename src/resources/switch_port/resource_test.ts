/**
 * `vessel_switch_port` and `vessel_lag` on the simulated CX310 through the engine: ports that
 * refer to VLANs by reference, a LAG whose members change (link flap disruption), re-plan empty,
 * destroy of the LAG.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../sim/mod.ts";
import { openChassis } from "../../chassis/chassis.ts";
import { switchPorts } from "../../chassis/switch_ports.ts";
import { openStore } from "../../store/db.ts";
import { applyPlanned, EngineState, planFiles, renderPlan } from "../../engine/mod.ts";
import { palette } from "../../util/color.ts";

const CONFIG = (members: string, allowed: string) => `
resource "vessel_vlan" "v" {
  for_each = toset(["10", "20"])
  switch   = "swi2"
  vlan_id  = tonumber(each.key)
}

resource "vessel_switch_port" "uplink" {
  switch        = "swi2"
  interface     = "10GE2/17/2"
  mode          = "trunk"
  allowed_vlans = ${allowed}
  description   = "to the core"
}

resource "vessel_switch_port" "blade1" {
  switch    = "swi2"
  interface = "10GE2/1/1"
  mode      = "access"
  vlan      = vessel_vlan.v["20"].vlan_id
}

resource "vessel_lag" "core" {
  switch  = "swi2"
  lag_id  = 7
  members = ${members}
}
`;

Deno.test("vessel_switch_port and vessel_lag converge, re-plan empty, flag link flaps", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSimulator({ hmm: false });
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: sim.endpoints.credentials!,
    timeoutMs: 20_000,
  });
  const store = openStore(":memory:");
  const state = new EngineState(store, "sim://");
  const file = `${dir}/ports.hcl`;
  const plan = async () => await planFiles({ files: [file], chassis, state, env: {} });
  const apply = async (p: Awaited<ReturnType<typeof plan>>) => {
    const r = await applyPlanned(p.plan, { chassis, state, registry: p.registry });
    assert.ok(r.ok, String(r.results.find((x) => !x.ok)?.error));
  };
  try {
    await Deno.writeTextFile(
      file,
      CONFIG('["10GE2/17/3", "10GE2/17/4"]', "[for v in vessel_vlan.v : v.vlan_id]"),
    );
    const first = await plan();
    assert.deepEqual(first.plan.summary, { add: 3, change: 2, destroy: 0 }, "ports exist: updates");
    await apply(first);
    const port = await switchPorts(chassis, "swi2").port("10GE2/17/2");
    assert.deepEqual([port.mode, port.allowedVlans], ["trunk", [10, 20]]);
    assert.equal((await switchPorts(chassis, "swi2").port("10GE2/1/1")).pvid, 20);
    const again = await plan();
    assert.deepEqual(
      again.plan.steps.filter((s) => s.action !== "noop").map((s) => [s.address, s.changes]),
      [],
    );

    await Deno.writeTextFile(file, CONFIG('["10GE2/17/3"]', "[10]"));
    const change = await plan();
    const text = renderPlan(change.plan, palette(false));
    assert.match(text, /# vessel_lag\.core will be updated in place/);
    assert.match(text, /! vessel_lag\.core: \[link flap\] 10GE2\/17\/4 leave Eth-Trunk7 on swi2/);
    assert.match(
      text,
      /! vessel_switch_port\.uplink: \[traffic loss\] 10GE2\/17\/2 on swi2 stops carrying VLAN 20/,
    );
    await apply(change);
    assert.deepEqual((await switchPorts(chassis, "swi2").lags()).find((l) => l.id === 7)?.members, [
      "10GE2/17/3",
    ]);
    const settled = await plan();
    assert.deepEqual(
      settled.plan.steps.filter((s) => s.action !== "noop").map((s) => s.address),
      [],
    );

    const gone = await planFiles({ files: [file], chassis, state, env: {}, destroy: true });
    assert.ok(
      gone.plan.steps.some((s) => s.address === "vessel_lag.core" && s.action === "delete"),
    );
    await apply(gone);
    assert.equal((await switchPorts(chassis, "swi2").lags()).find((l) => l.id === 7), undefined);
  } finally {
    store.close();
    await chassis.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
