/**
 * On an immediate switch, `allowMgmtRisk` sends a change that cuts the in-band management path.
 * - When the HMM reaches the switch over the chassis base plane (the simulator's default,
 *   docs/simulator.md), the rollback goes through the HMM jump opened before the change: the
 *   switch is back, and the audit says `rollback`.
 * - When the HMM's path crosses the same VLAN (`hmmPath: in-band`), no path answers afterwards,
 *   so the rollback gives up at its deadline with `rollback-failed` and the error says manual
 *   recovery is needed. The test then repairs the switch through the simulator.
 */
import assert from "node:assert/strict";
import { SafetyError } from "../../errors.ts";
import { vlanRemove } from "./vlan.ts";
import { startNetLab } from "./testing/harness.ts";

const IN_BAND = { switches: [{ slot: 2, mgmt: { hmmPath: "in-band" as const } }] };

Deno.test("vlanRemove with allowMgmtRisk on an immediate switch rolls back through the HMM base plane", async () => {
  const lab = await startNetLab("immediate", { timeoutMs: 1500 });
  const dev = lab.sim.switch("swi2");
  const before = dev.runningText();
  try {
    await assert.rejects(
      () =>
        vlanRemove(
          { ...lab.net({ rollbackDeadlineMs: 5000 }), allowMgmtRisk: true },
          "swi2",
          { id: 4094 },
        ),
      (e: unknown) => e instanceof SafetyError && /rolled back/.test(e.message),
    );
    assert.equal(lab.sim.mgmt.isReachable("swi2"), true, "the management path is back");
    // Equal apart from VRP's volatile "!Last configuration was updated at ..." comment.
    const stable = (t: string) => t.replace(/^!Last configuration was updated.*\n/m, "");
    assert.equal(
      stable(dev.runningText()),
      stable(before),
      "configuration equals the pre-change one",
    );
    const rb = lab.audit.list({ op: "vlan.remove" }).find((r) => r.phase === "rollback")!;
    assert.equal(rb.result, "rollback");
  } finally {
    await lab.close();
  }
});

Deno.test("vlanRemove with allowMgmtRisk on an immediate in-band-only switch ends in rollback-failed, audited", async () => {
  const lab = await startNetLab("immediate", { timeoutMs: 1500, seed: IN_BAND });
  const dev = lab.sim.switch("swi2");
  try {
    const t0 = performance.now();
    await assert.rejects(
      () =>
        vlanRemove(
          { ...lab.net({ rollbackDeadlineMs: 1500 }), allowMgmtRisk: true },
          "swi2",
          { id: 4094 },
        ),
      (e: unknown) => e instanceof SafetyError && /manual recovery needed/.test(e.message),
    );
    assert.ok(performance.now() - t0 < 15_000);
    assert.equal(lab.sim.mgmt.isReachable("swi2"), false, "still cut: nothing could reach it");
    const recs = lab.audit.list({ op: "vlan.remove" });
    const rb = recs.find((r) => r.phase === "rollback")!;
    assert.equal(rb.result, "rollback-failed");
    const err = rb.evidence.rollback_error as { message: string; details: { attempts: unknown[] } };
    assert.match(err.message, /Could not reach swi2 on any path within 1500 ms/);
    assert.ok(err.details.attempts.length >= 2, "every path was tried");
  } finally {
    dev.revertToSaved();
    await lab.close();
  }
});
