/**
 * VrpSession's confirmed commit against the simulated two-stage CX310 (real SSH):
 * `configure({ trial })` arms the switch's timer, `confirmTrial()` keeps the change,
 * `abortTrial()` reverts it, and an immediate switch ignores the trial option.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../sim/mod.ts";
import { parseSshUrl } from "../../chassis/endpoints.ts";
import { VrpSession } from "./session.ts";

for (const vrpMode of ["two-stage", "immediate"] as const) {
  Deno.test(`VrpSession.configure with a trial, confirmTrial and abortTrial (${vrpMode})`, async () => {
    const sim = await startSimulator({ vrpMode, hmm: false });
    const { host, port } = parseSshUrl(sim.endpoints.switches.swi2.ssh);
    const s = await VrpSession.connect({
      device: "swi2",
      host,
      port,
      ...sim.endpoints.credentials,
      commandTimeoutMs: 10000,
    });
    const dev = sim.switch("swi2");
    try {
      const kept = await s.configure(["vlan 701", "quit"], { trial: { seconds: 60 } });
      assert.equal(kept.mode, vrpMode);
      if (vrpMode === "two-stage") {
        assert.deepEqual(kept.trial && "seconds" in kept.trial ? kept.trial.seconds : 0, 60);
        assert.ok(dev.trial, "the switch armed its timer");
        assert.ok(dev.commandLog.some((e) => e.line === "commit trial 60"));
        await s.confirmTrial();
        assert.equal(dev.trial, undefined);
      } else {
        assert.equal(kept.trial, undefined);
        assert.equal(dev.trial, undefined);
      }
      assert.ok(dev.vlans().some((v) => v.id === 701));

      await s.configure(["vlan 702", "quit"], { trial: { seconds: 60 } });
      const a = await s.abortTrial();
      if (vrpMode === "two-stage") {
        assert.deepEqual(a.errors, []);
        assert.ok(!dev.vlans().some((v) => v.id === 702), "abort trial reverted the change");
      } else {
        assert.ok(a.errors.length > 0, "no trial on an immediate switch: the device says so");
        assert.ok(dev.vlans().some((v) => v.id === 702));
      }
      assert.ok(dev.vlans().some((v) => v.id === 701), "the confirmed change stays");
      assert.equal(s.prompt?.view, "user");
    } finally {
      await s.close();
      await sim.close();
    }
  });
}
