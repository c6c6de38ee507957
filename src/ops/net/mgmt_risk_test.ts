/**
 * The honest failure: on an immediate switch, `allowMgmtRisk` sends a change that cuts the
 * management path; no path answers afterwards (the simulator black-holes direct and jumped
 * sessions alike), so the rollback gives up at its deadline with `rollback-failed` and the error
 * says manual recovery is needed. The test then repairs the switch through the simulator.
 */
import assert from "node:assert/strict";
import { SafetyError } from "../../errors.ts";
import { vlanRemove } from "./vlan.ts";
import { startNetLab } from "./testing/harness.ts";

Deno.test("vlanRemove with allowMgmtRisk on an immediate switch ends in rollback-failed, audited", async () => {
  const lab = await startNetLab("immediate", { timeoutMs: 1500 });
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
