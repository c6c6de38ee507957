/**
 * The engine's switch steps under the watchdog (`engineApplyWrap`): an engine apply of a VLAN on
 * a two-stage switch goes out as `commit trial` and is confirmed; an engine change that cuts the
 * management VLAN is rolled back (two-stage) or refused before anything is sent (immediate), and
 * the audit says so. Real resources, real SDK, the simulated CX310.
 */
import assert from "node:assert/strict";
import { applyPlanned, EngineState, planFiles, verifyStep } from "../../engine/mod.ts";
import { engineApplyWrap, switchOfStep } from "./engine_wrap.ts";
import { FAST_WATCHDOG, stableConfig, startNetLab } from "./testing/harness.ts";

Deno.test("switchOfStep picks steps that touch exactly one switch", () => {
  assert.equal(switchOfStep({ scopes: ["switch:swi3"] }), "swi3");
  assert.equal(switchOfStep({ scopes: ["switch:swi2", "hmm"] }), undefined);
  assert.equal(switchOfStep({ scopes: ["ibmc:blade1"] }), undefined);
});

for (const mode of ["immediate", "two-stage"] as const) {
  Deno.test(`engineApplyWrap (${mode}) runs engine switch steps under the watchdog`, async (t) => {
    const lab = await startNetLab(mode);
    const dir = await Deno.makeTempDir();
    const state = new EngineState(lab.store, "lab");
    const apply = async (hcl: string) => {
      await Deno.writeTextFile(`${dir}/main.hcl`, hcl);
      const p = await planFiles({
        files: [`${dir}/main.hcl`],
        chassis: lab.chassis,
        state,
        env: {},
      });
      return await applyPlanned(p.plan, {
        chassis: lab.chassis,
        state,
        registry: p.registry,
        wrap: engineApplyWrap(lab.envelope, {
          chassis: lab.chassis,
          actor: "engine@lab",
          watchdog: FAST_WATCHDOG,
          verify: (st) =>
            verifyStep(p.plan, st.address, { chassis: lab.chassis, registry: p.registry }),
        }),
      });
    };
    try {
      await t.step("a VLAN create is committed under the watchdog and confirmed", async () => {
        const dev = lab.sim.switch("swi2");
        const n = dev.commandLog.length;
        const r = await apply(`resource "vessel_vlan" "web" {
  switch  = "swi2"
  vlan_id = 620
  name    = "web"
}`);
        assert.equal(r.ok, true, String(r.results.find((x) => !x.ok)?.error));
        assert.equal(dev.vlans().find((v) => v.id === 620)?.name, "web");
        assert.equal(dev.trial, undefined, "no trial left pending");
        const sent = dev.commandLog.slice(n).map((e) => e.line);
        const trial = sent.indexOf(`commit trial ${FAST_WATCHDOG.trialSeconds}`);
        if (mode === "two-stage") {
          assert.ok(trial >= 0, sent.join(", "));
          assert.ok(sent.indexOf("vlan 620") < trial, "the VLAN went out before the trial");
          assert.ok(sent.slice(trial + 1).includes("commit"), "the trial was confirmed");
        } else assert.equal(trial, -1);
        const recs = lab.audit.list({ op: "vessel_vlan.create" });
        assert.deepEqual(recs.map((x) => `${x.phase}:${x.result}`), [
          "intent:pending",
          "outcome:success",
        ]);
        const ev = recs[1].evidence as Record<string, Record<string, Record<string, unknown>>>;
        assert.equal(ev.health.heartbeat.ok, true);
        assert.equal(ev.health.readback.verified, true);
        assert.equal(ev.health.confirm.committed, true);
        assert.equal(ev.health.confirm.trial_confirmed, mode === "two-stage" ? true : undefined);
        assert.ok((ev.apply.commands as unknown as string[]).includes("vlan 620"));
        // One envelope per step: one snapshot, no nested change.
        assert.equal(lab.audit.list({ op: "vlan.*" }).length, 0);
      });

      await t.step("a change that cuts the management VLAN is rolled back or refused", async () => {
        const dev = lab.sim.switch("swi2");
        const before = stableConfig(dev.runningText());
        const n = dev.commandLog.length;
        const r = await apply(`resource "vessel_vlan" "web" {
  switch  = "swi2"
  vlan_id = 620
  name    = "web"
}
resource "vessel_switch_port" "uplink" {
  switch        = "swi2"
  interface     = "10GE2/17/1"
  mode          = "trunk"
  allowed_vlans = [1]
}`);
        assert.equal(r.ok, false);
        const failed = r.results.find((x) => !x.ok && !x.skipped)!;
        assert.equal(failed.address, "vessel_switch_port.uplink");
        assert.match(
          String((failed.error as Error).message),
          // Two-stage: the step's own read-back waits on the held session until the trial
          // reverts the switch, or the heartbeat goes red first: either way rolled back.
          mode === "two-stage"
            ? /vessel_switch_port\.update on swi2 was rolled back \((abort-trial|trial-expired)\)/
            : /touches the management path .*Vlanif4094/,
        );
        assert.equal(stableConfig(dev.runningText()), before, "configuration equals the snapshot");
        assert.equal(lab.sim.mgmt.isReachable("swi2"), true);
        assert.equal(dev.trial, undefined);
        const sent = dev.commandLog.slice(n).map((e) => e.line);
        const recs = lab.audit.list({ op: "vessel_switch_port.update" });
        assert.deepEqual(recs.map((x) => `${x.phase}:${x.result}`), [
          "intent:pending",
          "outcome:failed",
          "rollback:rollback",
        ]);
        const rb = recs[2].evidence;
        assert.equal(rb.restored, true);
        assert.deepEqual(rb.remaining_differences, {});
        const custom = rb.custom_rollback as Record<string, unknown>;
        if (mode === "two-stage") {
          assert.ok(sent.includes(`commit trial ${FAST_WATCHDOG.trialSeconds}`), sent.join(", "));
          assert.match(String(custom.method), /abort-trial|trial-expired/);
          assert.equal(custom.equal_to_pre_change, true);
        } else {
          assert.equal(custom.method, "not-sent");
          assert.ok(!sent.some((l) => /allow-pass vlan 4094/.test(l)), sent.join(", "));
        }
        // The engine's state does not claim the port.
        assert.equal(state.get("vessel_switch_port.uplink"), undefined);
      });
    } finally {
      await lab.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
