/**
 * restoreRunningConfig on the simulator, both VRP modes: a configuration changed in many ways
 * (VLANs, names, trunk lists, PVIDs, an Eth-Trunk with members, descriptions, shutdown) is put
 * back to the saved text exactly.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../sim/mod.ts";
import { openChassis } from "../../chassis/chassis.ts";
import { restoreRunningConfig } from "./restore.ts";
import { stableConfig } from "./testing/harness.ts";

for (const mode of ["immediate", "two-stage"] as const) {
  Deno.test(`restoreRunningConfig (${mode}) puts a heavily changed switch back to the snapshot text`, async () => {
    const sim = await startSimulator({ vrpMode: mode, hmm: false });
    const chassis = await openChassis({
      endpoints: { ...sim.endpoints, hmm: { web: "https://127.0.0.1:9" } },
      credentials: sim.endpoints.credentials,
      timeoutMs: 5000,
    });
    try {
      const dev = sim.switch("swi2");
      // Start from a configuration with some content of its own.
      const base = dev.running;
      base.vlans["10"] = { id: 10, name: "prod", description: "web tier" };
      base.vlans["20"] = { id: 20 };
      base.ifaces["10GE2/2/1"] = {
        name: "10GE2/2/1",
        linkType: "trunk",
        allowed: [1, 10],
        pvid: 10,
      };
      base.ifaces["10GE2/3/1"] = { name: "10GE2/3/1", description: "blade 3" };
      dev.setRunning(base, "test");
      const want = dev.runningText();

      const changed = dev.running;
      delete changed.vlans["20"];
      changed.vlans["10"].name = "other";
      delete changed.vlans["10"].description;
      changed.vlans["30"] = { id: 30 };
      changed.ifaces["10GE2/2/1"] = {
        ...changed.ifaces["10GE2/2/1"],
        allowed: [1, 10, 30],
        pvid: 30,
      };
      delete changed.ifaces["10GE2/3/1"].description;
      changed.ifaces["10GE2/3/1"].shutdown = true;
      changed.ifaces["Eth-Trunk3"] = { name: "Eth-Trunk3", lacpStatic: true };
      changed.ifaces["10GE2/17/5"] = { name: "10GE2/17/5", ethTrunk: 3 };
      changed.ifaces["10GE2/17/6"] = { name: "10GE2/17/6", ethTrunk: 3 };
      dev.setRunning(changed, "test");
      assert.notEqual(stableConfig(dev.runningText()), stableConfig(want));

      const r = await restoreRunningConfig(chassis, "swi2", want);
      assert.deepEqual(r.unsupported, []);
      assert.equal(r.equal, true, r.commands.join("\n"));
      assert.equal(stableConfig(dev.runningText()), stableConfig(want));
      assert.ok(r.commands.includes("undo interface Eth-Trunk3"));
      const again = await restoreRunningConfig(chassis, "swi2", want);
      assert.deepEqual(again.commands, []);
    } finally {
      await chassis.close();
      await sim.close();
    }
  });
}
