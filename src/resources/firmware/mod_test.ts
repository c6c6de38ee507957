/**
 * `vessel_firmware` on the simulated HMM: the plan shows the version change with its disruption,
 * apply flashes (followed on fake time: the simulator's job advances with the clock) and reads
 * the version back; then the plan is empty.
 */
import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { startSimulator } from "../../sim/mod.ts";
import { openChassis } from "../../chassis/chassis.ts";
import { openStore } from "../../store/db.ts";
import { applyPlanned, EngineState, planFiles, renderPlan } from "../../engine/mod.ts";
import { palette } from "../../util/color.ts";

/** Runs `fn` on fake time, advancing the clock while real I/O still flows. */
async function onFakeTime<T>(fn: () => Promise<T>): Promise<T> {
  const realSetTimeout = globalThis.setTimeout;
  const clock = FakeTimers.install({ toFake: ["Date", "setTimeout", "clearTimeout"] });
  let done = false;
  try {
    const p = fn().finally(() => (done = true));
    while (!done) {
      await new Promise((r) => realSetTimeout(r, 2));
      await clock.tickAsync(1000);
    }
    return await p;
  } finally {
    clock.uninstall();
  }
}

Deno.test({
  name: "vessel_firmware flashes a switch module when its version differs, then plans nothing",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const sim = await startSimulator({});
    const chassis = await openChassis({
      endpoints: sim.endpoints,
      credentials: sim.endpoints.credentials!,
      timeoutMs: 20_000,
    });
    const store = openStore(":memory:");
    const state = new EngineState(store, "sim://");
    try {
      await Deno.writeFile(`${dir}/cx310_2.0.1.hpm`, new Uint8Array(4096).fill(0x5a));
      await Deno.writeTextFile(
        `${dir}/fw.hcl`,
        `resource "vessel_firmware" "swi2" {\n  component = "swi2"\n  version   = "2.0.1"\n  image     = "${dir}/cx310_2.0.1.hpm"\n}\n`,
      );
      const p = await planFiles({ files: [`${dir}/fw.hcl`], chassis, state, env: {} });
      const text = renderPlan(p.plan, palette(false));
      assert.match(text, /~ version\s+= "CX310 V100R001C00SPC100" -> "2\.0\.1"/);
      assert.match(
        text,
        /! vessel_firmware\.swi2: \[link flap\] Swi2 reboots to load the new firmware.*\(about 10 min\)/,
      );
      const r = await onFakeTime(() =>
        applyPlanned(p.plan, { chassis, state, registry: p.registry })
      );
      assert.ok(r.ok, String(r.results.find((x) => !x.ok)?.error));
      const again = await planFiles({ files: [`${dir}/fw.hcl`], chassis, state, env: {} });
      assert.deepEqual(again.plan.steps.map((s) => s.action), ["noop"]);
    } finally {
      store.close();
      await chassis.close();
      await sim.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
