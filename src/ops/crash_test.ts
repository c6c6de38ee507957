/**
 * Vessel killed in the middle of a change: the audit log shows the intent without an outcome
 * (a dangling intent), the dead process's device lock is taken over, and the intent's snapshot
 * brings the switch back.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openStore } from "../store/db.ts";
import { AuditLog } from "../store/audit.ts";
import { LockManager } from "../store/locks.ts";
import { startSimHarness } from "./testing/sim_session.ts";
import { chassisEnvelope } from "./mod.ts";
import { applyRestore, planRestore } from "./restore.ts";

const CHILD = `
import { openStore } from "${new URL("../store/db.ts", import.meta.url)}";
import { openChassis } from "${new URL("../chassis/chassis.ts", import.meta.url)}";
import { chassisEnvelope, runChange } from "${new URL("./mod.ts", import.meta.url)}";
const [epFile, dbFile, snaps] = Deno.args;
const endpoints = JSON.parse(await Deno.readTextFile(epFile));
const chassis = await openChassis({ endpoints, credentials: endpoints.credentials });
const store = openStore(dbFile);
const ctx = chassisEnvelope({ store, chassis, endpoints, snapshotsDir: snaps });
await runChange(ctx, {
  actor: "doomed@ws",
  target: { kind: "switch", id: "swi2" },
  operation: "vlan.add",
  parameters: { vlan_id: 420 },
  scopes: ["switch:swi2"],
  apply: async () => {
    await chassis.switch("swi2").createVlan({ id: 420, name: "halfway" });
    console.log("APPLIED");
    await new Promise(() => {}); // killed here, before verify and the outcome record
    return {};
  },
});
`;

Deno.test("a change killed after apply leaves a dangling intent; its snapshot restores the switch", async () => {
  const h = await startSimHarness();
  const dir = await Deno.makeTempDir();
  const g = { statePath: join(dir, "vessel.db"), snapshotsDir: join(dir, "snapshots") };
  try {
    await Deno.writeTextFile(join(dir, "ep.json"), JSON.stringify(h.endpoints));
    await Deno.writeTextFile(join(dir, "child.ts"), CHILD);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        join(dir, "child.ts"),
        join(dir, "ep.json"),
        g.statePath,
        g.snapshotsDir,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.getReader();
    let seen = "";
    while (!seen.includes("APPLIED")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    assert.match(seen, /APPLIED/);
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
    assert.ok(h.sim.switch("swi2").vlans().some((v) => v.id === 420), "the change was half done");

    const store = openStore(g.statePath);
    try {
      const audit = new AuditLog(store);
      const [dangling] = audit.danglingIntents();
      assert.equal(dangling?.operation, "vlan.add");
      assert.ok(dangling.snapshot_id);
      assert.match(new LockManager(store).get("device:switch:swi2")?.owner ?? "", /pid \d+$/);

      await h.connect(g, async (s) => {
        const ctx = chassisEnvelope({
          store,
          chassis: s.chassis,
          endpoints: s.endpoints,
          snapshotsDir: g.snapshotsDir,
        });
        const plan = await planRestore(ctx, dangling.snapshot_id!, { scopes: ["switch:swi2"] });
        assert.ok(
          plan.scopes[0].diff.some((l) => l.includes("420")),
          plan.scopes[0].diff.join("\n"),
        );
        const [r] = await applyRestore(ctx, plan, { actor: "recovery@ws" });
        assert.equal(r.result, "restored");
      });
      assert.equal(h.sim.switch("swi2").vlans().some((v) => v.id === 420), false);
      assert.equal(audit.verify().ok, true);
    } finally {
      store.close();
    }
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});
