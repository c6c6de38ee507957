/**
 * Phase-3 gate on the simulator, in both VRP modes: VLAN add/remove under a green heartbeat;
 * a change that cuts the management VLAN is rolled back automatically within its deadline, the
 * configuration afterwards equals the pre-change snapshot, and the audit record says so.
 */
import assert from "node:assert/strict";
import { vlanAdd, vlanRemove } from "./vlan.ts";
import { lagCreate, portSet } from "./port.ts";
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
        const sentBefore = dev.commandLog.length;
        const t0 = performance.now();
        await assert.rejects(
          () => vlanRemove(lab.net(), "swi2", { id: 4094 }),
          mode === "two-stage"
            ? /vlan\.remove on swi2 was rolled back .*heartbeat/i
            : /touches the management path .*Vlanif4094, VLAN 4094 via 10GE2\/17\/1/,
        );
        const elapsed = performance.now() - t0;
        const budget = FAST_WATCHDOG.deadlineMs! + FAST_WATCHDOG.trialSeconds! * 1000 + 3000;
        assert.ok(elapsed < budget, `rollback took ${elapsed} ms (budget ${budget})`);
        assert.equal(lab.sim.mgmt.isReachable("swi2"), true);
        assert.equal(stableConfig(dev.runningText()), before, "configuration equals the snapshot");
        assert.equal(dev.trial, undefined);
        const recs = lab.audit.list({ op: "vlan.remove" }).filter((r) =>
          (r.parameters as { vlan_id?: number }).vlan_id === 4094
        );
        const outcome = recs.find((r) => r.phase === "outcome")!;
        assert.equal(outcome.result, "failed");
        const rb = recs.find((r) => r.phase === "rollback")!;
        assert.equal(rb.result, "rollback");
        assert.equal(rb.evidence.restored, true);
        assert.deepEqual(rb.evidence.remaining_differences, {});
        const custom = rb.evidence.custom_rollback as Record<string, unknown>;
        assert.equal(custom.equal_to_pre_change, true);
        if (mode === "two-stage") {
          // The switch's own trial reverted it: the heartbeat evidence shows why.
          const hb = (outcome.evidence.health as Record<string, Record<string, unknown>>).heartbeat;
          assert.equal(hb.ok, false);
          assert.match(String(custom.method), /trial-expired|abort-trial/);
          assert.ok(dev.commandLog.slice(sentBefore).some((e) => e.line === "commit trial 3"));
        } else {
          // No confirmed commit: the guard refused before any configuration command was sent.
          assert.equal(custom.method, "not-sent");
          const err = outcome.evidence.error as { details: { mgmt_impact: string[] } };
          assert.match(err.details.mgmt_impact[0], /undo vlan 4094/);
          const sent = dev.commandLog.slice(sentBefore).map((e) => e.line);
          assert.ok(!sent.includes("undo vlan 4094"), sent.join(", "));
        }
      });

      await t.step("taking the management VLAN off the uplink rolls back too", async () => {
        const dev = lab.sim.switch("swi2");
        const before = stableConfig(dev.runningText());
        await assert.rejects(
          () => portSet(lab.net(), "swi2", { port: "10GE2/17/1", mode: "trunk", allow: [1] }),
          mode === "two-stage"
            ? /rolled back .*heartbeat/i
            : /undo port trunk allow-pass vlan 4094/,
        );
        assert.equal(stableConfig(dev.runningText()), before);
        assert.equal(lab.sim.mgmt.isReachable("swi2"), true);
      });

      if (mode === "immediate") {
        await t.step(
          "direct path lost after the change: restored through the HMM-jump lifeline",
          async () => {
            const dev = lab.sim.switch("swi2");
            const before = stableConfig(dev.runningText());
            // The moment VLAN 420 exists, the direct SSH path goes dark (a fault, not the switch's
            // configuration: the HMM still reaches the switch); it comes back once 420 is gone.
            let cut = false;
            const off = dev.onChange(() => {
              const has = dev.vlans().some((v) => v.id === 420);
              if (has && !cut) {
                cut = true;
                lab.sim.faults.set({ device: "swi2", iface: "ssh", timeout: true });
              } else if (!has && cut) lab.sim.faults.clear({ device: "swi2" });
            });
            try {
              await assert.rejects(
                () => vlanAdd(lab.net(), "swi2", { id: 420 }),
                /was rolled back \(restore-commands\).*switch:swi2/,
              );
            } finally {
              off();
              lab.sim.faults.clear({ device: "swi2" });
            }
            assert.ok(cut, "the fault was armed");
            assert.equal(stableConfig(dev.runningText()), before);
            const rb = lab.audit.list({ op: "vlan.add" }).filter((r) => r.phase === "rollback")
              .pop()!;
            assert.equal(rb.result, "rollback");
            const custom = rb.evidence.custom_rollback as Record<string, unknown>;
            assert.match(String(custom.path), /hmm-jump \(lifeline\)/);
            assert.deepEqual(custom.restore_commands, ["undo vlan batch 420"]);
            const outcome = lab.audit.list({ op: "vlan.add" }).filter((r) => r.phase === "outcome")
              .pop()!;
            const hb =
              (outcome.evidence.health as Record<string, Record<string, unknown>>).heartbeat;
            const last = (hb.details as {
              heartbeat: { rounds: { results: { probe: string; ok: boolean }[] }[] };
            })
              .heartbeat.rounds.at(-1)!.results;
            assert.deepEqual(last.map((r) => [r.probe, r.ok]), [["switch:swi2", false], [
              "hmm:swi2",
              true,
            ]]);
          },
        );
      }

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
      await t.step("diagnostics record a blade that lost reachability (not required)", async () => {
        const cut = mode === "immediate"
          ? { port: "10GE2/8/1", mode: "hybrid" as const, pvid: 20, allow: [20] }
          : { port: "10GE2/8/1", mode: "trunk" as const, allow: [20] };
        const r = await portSet(lab.net(), "swi2", cut);
        assert.equal(r.result, "changed");
        const o = lab.audit.list({ op: "port.set" }).filter((x) => x.phase === "outcome").pop()!;
        assert.equal(o.result, "success");
        const diag = (o.evidence.health as Record<string, Record<string, unknown>>).diagnostics;
        assert.deepEqual(diag.lost_reachability, ["10GE2/8/1"]);
        assert.equal(lab.sim.mgmt.bladeLinks(8).find((l) => l.switch === "swi2")?.up, false);
      });

      await t.step("a management plane that is red before the change refuses it", async () => {
        const dev = lab.sim.switch("swi2");
        const n = dev.commandLog.length;
        // Blade 5 has no iBMC in this chassis: that probe cannot pass.
        await assert.rejects(
          () => vlanAdd(lab.net({ ibmcs: [5] }), "swi2", { id: 530 }),
          /not healthy before vlan\.add: nothing was sent/,
        );
        assert.ok(!dev.commandLog.slice(n).some((e) => e.line === "vlan 530"));
        const rb = lab.audit.list({ op: "vlan.add" }).filter((r) => r.phase === "rollback").pop()!;
        assert.equal(rb.result, "rollback");
        assert.equal((rb.evidence.custom_rollback as { method: string }).method, "not-sent");
      });

      await t.step("a command the switch refuses midway leaves no trace", async () => {
        const dev = lab.sim.switch("swi2");
        const before = stableConfig(dev.runningText());
        // 10GE2/4/1 carries a VLAN configuration now: VRP refuses to put it in an Eth-Trunk
        // after 10GE2/17/4 already joined.
        await assert.rejects(
          () => lagCreate(lab.net(), "swi2", { id: 5, members: ["10GE2/17/4", "10GE2/4/1"] }),
          /rejected "eth-trunk 5"/,
        );
        assert.equal(stableConfig(dev.runningText()), before);
        const rb = lab.audit.list({ op: "lag.create" }).filter((r) => r.phase === "rollback")
          .pop()!;
        assert.equal(rb.result, "rollback");
        const custom = rb.evidence.custom_rollback as Record<string, unknown>;
        if (mode === "two-stage") assert.equal(custom.method, "candidate-discarded");
        else {
          assert.equal(custom.method, "restore-commands");
          assert.deepEqual(custom.restore_commands, [
            "interface 10GE2/17/4",
            "undo eth-trunk",
            "quit",
            "undo interface Eth-Trunk5",
          ]);
        }
      });
    } finally {
      await lab.close();
    }
  });
}
