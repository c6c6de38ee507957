/**
 * Phase-3 gate on the simulator, in both VRP modes: VLAN add/remove under a green heartbeat;
 * a change that cuts the management VLAN is rolled back automatically within its deadline, the
 * configuration afterwards equals the pre-change snapshot, and the audit record says so.
 */
import assert from "node:assert/strict";
import { vlanAdd, vlanRemove } from "./vlan.ts";
import { portSet } from "./port.ts";
import { FAST_WATCHDOG, stableConfig, startNetLab } from "./testing/harness.ts";

for (const mode of ["immediate", "two-stage"] as const) {
  Deno.test(`runSwitchChange (${mode}) commits under a green heartbeat and rolls back a management cut`, async (t) => {
    const lab = await startNetLab(mode);
    try {
      await t.step("VLAN add and remove succeed with the heartbeat green", async () => {
        const add = await vlanAdd(lab.net(), "swi2", {
          id: 310,
          name: "web",
          description: "web tier",
        });
        assert.equal(add.result, "created");
        assert.equal(add.watchdog, "committed");
        assert.equal(add.change?.heartbeat?.ok, true);
        assert.ok(add.change!.heartbeat!.probes.includes("switch:swi2"));
        assert.ok(add.change!.heartbeat!.probes.includes("hmm:swi2"));
        const v = lab.sim.switch("swi2").vlans().find((x) => x.id === 310);
        assert.equal(v?.name, "web");
        assert.equal(v?.description, "web tier");
        assert.equal(lab.sim.switch("swi2").trial, undefined, "no trial left pending");
        const again = await vlanAdd(lab.net(), "swi2", {
          id: 310,
          name: "web",
          description: "web tier",
        });
        assert.equal(again.result, "unchanged");
        const rm = await vlanRemove(lab.net(), "swi2", { id: 310 });
        assert.equal(rm.result, "removed");
        assert.ok(!lab.sim.switch("swi2").vlans().some((x) => x.id === 310));
        const recs = lab.audit.list({ op: "vlan.*" });
        const outcomes = recs.filter((r) => r.phase === "outcome");
        assert.equal(outcomes.length, 2);
        for (const o of outcomes) {
          assert.equal(o.result, "success");
          const health = o.evidence.health as Record<string, Record<string, unknown>>;
          assert.equal(health.heartbeat.ok, true);
          assert.equal(health.confirm.committed, true);
          if (mode === "two-stage") assert.equal(health.confirm.trial_confirmed, true);
          const apply = o.evidence.apply as Record<string, unknown>;
          assert.ok(Array.isArray(apply.diag_before), "diagnostics before the change");
          assert.ok(Array.isArray(health.diagnostics.diag_after), "diagnostics after the change");
        }
      });

      await t.step("removing the management VLAN rolls back within the deadline", async () => {
        const dev = lab.sim.switch("swi2");
        const before = stableConfig(dev.runningText());
        const t0 = performance.now();
        await assert.rejects(
          () => vlanRemove(lab.net(), "swi2", { id: 4094 }),
          /vlan\.remove on swi2 was rolled back .*heartbeat/i,
        );
        const elapsed = performance.now() - t0;
        const wd = { ...FAST_WATCHDOG };
        const budget = wd.deadlineMs! + wd.rollbackDeadlineMs! + 3000;
        assert.ok(elapsed < budget, `rollback took ${elapsed} ms (budget ${budget})`);
        assert.equal(lab.sim.mgmt.isReachable("swi2"), true);
        assert.equal(stableConfig(dev.runningText()), before, "configuration equals the snapshot");
        assert.equal(dev.trial, undefined);
        const recs = lab.audit.list({ op: "vlan.remove" }).filter((r) =>
          (r.parameters as { vlan_id?: number }).vlan_id === 4094
        );
        const outcome = recs.find((r) => r.phase === "outcome")!;
        assert.equal(outcome.result, "failed");
        const hb = (outcome.evidence.health as Record<string, Record<string, unknown>>).heartbeat;
        assert.equal(hb.ok, false);
        const rb = recs.find((r) => r.phase === "rollback")!;
        assert.equal(rb.result, "rollback");
        assert.equal(rb.evidence.restored, true);
        const custom = rb.evidence.custom_rollback as Record<string, unknown>;
        assert.equal(custom.equal_to_pre_change, true);
        if (mode === "two-stage") assert.match(String(custom.method), /trial|abort/);
        else {
          assert.match(String(custom.method), /restore-commands/);
          assert.match(String(custom.path), /lifeline/, "restored over the HMM-jump lifeline");
          assert.deepEqual(custom.restore_commands, [
            "vlan batch 4094",
            "vlan 4094",
            "description management",
            "quit",
          ]);
        }
        assert.deepEqual(rb.evidence.remaining_differences, {});
      });

      await t.step("taking the management VLAN off the uplink rolls back too", async () => {
        const dev = lab.sim.switch("swi2");
        const before = stableConfig(dev.runningText());
        await assert.rejects(
          () => portSet(lab.net(), "swi2", { port: "10GE2/17/1", mode: "trunk", allow: [1] }),
          /heartbeat/i,
        );
        assert.equal(stableConfig(dev.runningText()), before);
        assert.equal(lab.sim.mgmt.isReachable("swi2"), true);
      });

      await t.step("a blade that must stay reachable triggers the rollback", async () => {
        const dev = lab.sim.switch("swi2");
        const before = stableConfig(dev.runningText());
        // The blade's port carries only VLAN 20, which does not exist: its MAC is not learned.
        // (Immediate switches default to hybrid ports, two-stage ones to access ports.)
        const cut = mode === "immediate"
          ? { port: "10GE2/3/1", mode: "hybrid" as const, pvid: 20, allow: [20] }
          : { port: "10GE2/3/1", mode: "trunk" as const, allow: [20] };
        await assert.rejects(() => portSet(lab.net({ mustReach: [3] }), "swi2", cut), /heartbeat/i);
        assert.equal(stableConfig(dev.runningText()), before);
        const ok = await portSet(lab.net({ mustReach: [4] }), "swi2", {
          port: "10GE2/4/1",
          mode: mode === "immediate" ? "hybrid" : "trunk",
          allow: [1, 20],
        });
        assert.equal(ok.result, "changed");
      });
    } finally {
      await lab.close();
    }
  });
}
