/**
 * The seed example of issue 5 (testdata/seed/k8s_workers.hcl), verbatim: statically (the
 * language), and planned and applied on the simulated chassis.
 */
import assert from "node:assert/strict";
import { loadConfig } from "./load.ts";
import { Config } from "./config.ts";
import { validateStatic } from "./validate.ts";
import { defaultRegistry } from "../resources/mod.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "../chassis/chassis.ts";
import { stateless } from "../chassis/stateless.ts";
import { openStore } from "../store/db.ts";
import { applyPlanned, EngineState, planFiles, renderPlan } from "./mod.ts";
import { palette } from "../util/color.ts";

const SEED = "testdata/seed/k8s_workers.hcl";
const PRESENT = ["1", "2", "3", "4", "8", "9", "10"];
const EMPTY = ["5", "6", "7"];

Deno.test("the seed example evaluates: ten blades on slots 1-10 bound to the k8s_worker profile", async () => {
  const config = await Config.create(await loadConfig([SEED]), defaultRegistry(), { env: {} });
  const desired = validateStatic(config);
  const workers = desired.filter((d) => d.address.startsWith("vessel_blade.worker"));
  assert.deepEqual(
    workers.map((w) => w.attributes.slot).sort((a, b) => Number(a) - Number(b)),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  const at = (a: string) => config.order.indexOf(a);
  assert.ok(at("vessel_mac_pool.k8s") < at("vessel_compute_profile.k8s_worker"));
  assert.ok(at("vessel_vnic_profile.data_b") < at("vessel_compute_profile.k8s_worker"));
  assert.ok(at("vessel_compute_profile.k8s_worker") < at("vessel_blade.worker"));
});

Deno.test("the seed example plans and applies on the simulated chassis", async () => {
  const sim = await startSimulator({});
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: sim.endpoints.credentials!,
    timeoutMs: 20_000,
  });
  const store = openStore(":memory:");
  const state = new EngineState(store, "sim://");
  try {
    const p = await planFiles({ files: [SEED], chassis, state, env: {} });
    const text = renderPlan(p.plan, palette(false));
    assert.match(text, /\+ resource "vessel_compute_profile" "k8s_worker"/);
    assert.match(text, /nics\s+= 4/);
    assert.match(text, /vlans\s+= \["100","200"\]/);
    assert.match(text, /description = "Kubernetes worker \(vNICs k8s-data-a, k8s-data-b\)"/);
    for (const s of EMPTY) {
      assert.match(
        text,
        new RegExp(
          `slot ${s} is empty: the profile is bound to the slot and takes effect when a blade is inserted`,
        ),
      );
      const step = p.plan.steps.find((x) => x.address === `vessel_blade.worker["${s}"]`)!;
      assert.equal(step.impact?.kind, "none");
    }
    for (const s of PRESENT) {
      const step = p.plan.steps.find((x) => x.address === `vessel_blade.worker["${s}"]`)!;
      assert.equal(step.impact?.kind, "blade_reboot", `slot ${s}`);
    }
    // Apply all of it, the empty slots included: as in stateless computing the identity stays
    // with the slot, so binding a profile to an empty slot is accepted.
    const r = await applyPlanned(p.plan, { chassis, state, registry: p.registry });
    assert.ok(r.ok, String(r.results.find((x) => !x.ok)?.error));
    const nodes = await stateless(chassis).nodes();
    for (const s of [...PRESENT, ...EMPTY]) {
      assert.equal(nodes.find((n) => n.slot === `Slot${s}`)?.profile, "k8s-worker", `slot ${s}`);
    }
    const after = await planFiles({ files: [SEED], chassis, state, env: {} });
    assert.deepEqual(
      after.plan.steps.filter((s) => s.action !== "noop").map((s) => s.address),
      [],
      "a second plan is empty",
    );
  } finally {
    store.close();
    await chassis.close();
    await sim.close();
  }
});
