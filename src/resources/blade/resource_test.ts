/**
 * `vessel_blade` and `data "vessel_inventory"` on the simulated chassis (HMM, iBMC Redfish),
 * through the engine: empty slots, power off with its disruption, drift, import.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../sim/mod.ts";
import { openChassis } from "../../chassis/chassis.ts";
import { blades } from "../../chassis/blade.ts";
import { openStore } from "../../store/db.ts";
import {
  applyPlanned,
  detectDrift,
  EngineState,
  importResource,
  planFiles,
  renderPlan,
} from "../../engine/mod.ts";
import { palette } from "../../util/color.ts";

const CONFIG = (power2: string) => `
data "vessel_inventory" "chassis" {}

resource "vessel_blade" "node" {
  for_each = toset([for s in data.vessel_inventory.chassis.present_slots : tostring(s) if s <= 2])
  slot     = tonumber(each.key)
  power    = each.key == "2" ? "${power2}" : "on"
}

resource "vessel_blade" "spare" {
  slot  = 5
  power = "on"
}

output "empty_slots" {
  value = data.vessel_inventory.chassis.empty_slots
}
`;

Deno.test("vessel_blade plans empty slots, powers off with a disruption, detects drift, imports", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSimulator({});
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: sim.endpoints.credentials!,
    timeoutMs: 20_000,
  });
  const store = openStore(":memory:");
  const state = new EngineState(store, "sim://");
  const file = `${dir}/blades.hcl`;
  const plan = async () => (await planFiles({ files: [file], chassis, state, env: {} }));
  try {
    await Deno.writeTextFile(file, CONFIG("on"));
    const first = await plan();
    const text = renderPlan(first.plan, palette(false));
    assert.match(text, /slot 5 is empty: power and boot settings apply when a blade is inserted/);
    assert.deepEqual(first.plan.outputs?.empty_slots.value, [5, 6, 7]);
    assert.ok((await applyPlanned(first.plan, { chassis, state, registry: first.registry })).ok);
    const again = await plan();
    assert.deepEqual(again.plan.steps.filter((s) => s.action !== "noop"), []);

    await Deno.writeTextFile(file, CONFIG("off"));
    const off = await plan();
    const step = off.plan.steps.find((s) => s.address === 'vessel_blade.node["2"]')!;
    assert.equal(step.action, "update");
    assert.equal(step.impact?.kind, "blade_reboot");
    assert.match(
      renderPlan(off.plan, palette(false)),
      /! vessel_blade\.node\["2"\]: \[blade reboot\] blade 2 powers off at once/,
    );
    const r = await applyPlanned(off.plan, { chassis, state, registry: off.registry });
    assert.ok(r.ok, String(r.results.find((x) => !x.ok)?.error));
    assert.equal(await blades(chassis).powerState(2), "Off");

    // Someone powers blade 2 on with another tool.
    await blades(chassis).power(2, "on");
    const { drift } = await detectDrift({ chassis, state });
    assert.deepEqual(
      drift.map((d) => [d.address, d.changes.map((c) => [c.attribute, c.recorded, c.live])]),
      [
        ['vessel_blade.node["2"]', [["power", "off", "on"]]],
      ],
    );

    // Import slot 3 under a new block: the plan is then empty for it.
    await importResource("vessel_blade.third", "blade3", { chassis, state });
    await Deno.writeTextFile(
      file,
      CONFIG("off") + '\nresource "vessel_blade" "third" {\n  slot  = 3\n  power = "on"\n}\n',
    );
    const imported = await plan();
    assert.equal(
      imported.plan.steps.find((s) => s.address === "vessel_blade.third")?.action,
      "noop",
    );
  } finally {
    store.close();
    await chassis.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
