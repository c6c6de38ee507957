import assert from "node:assert/strict";
import { join } from "node:path";
import { startSimulator } from "../../sim/mod.ts";
import { openChassis } from "../../chassis/chassis.ts";
import { openStore } from "../../store/db.ts";
import { AuditLog } from "../../store/audit.ts";
import { Redactor } from "../../util/redact.ts";
import { DeviceError } from "../../errors.ts";
import { ScopeRegistry } from "../scope.ts";
import { runChange } from "../envelope.ts";
import { captureScopes, loadSnapshot, takeSnapshot } from "../snapshot/snapshot.ts";
import { splitSwitchConfig, switchScope } from "./switch.ts";

for (const mode of ["immediate", "two-stage"] as const) {
  Deno.test(`switchScope on the simulator (${mode}): rollback after an injected failure, snapshot gate`, async (t) => {
    const sim = await startSimulator({ vrpMode: mode });
    // Until the simulator's HMM services land, give the SDK a placeholder HMM it never contacts.
    const endpoints = {
      ...sim.endpoints,
      hmm: sim.endpoints.hmm ?? { web: "https://127.0.0.1:9" },
      admin: sim.endpoints.admin || undefined,
    };
    const chassis = await openChassis({ endpoints, credentials: sim.endpoints.credentials });
    const root = await Deno.makeTempDir();
    const store = openStore(":memory:");
    const registry = new ScopeRegistry();
    registry.register("switch:*", switchScope());
    const redactor = new Redactor([sim.endpoints.credentials.password]);
    const audit = new AuditLog(store, { redactor });
    const ctx = {
      store,
      env: { chassis },
      registry,
      audit,
      redactor,
      snapshotsDir: join(root, "snapshots"),
      chassis: { model: sim.endpoints.chassis.model, serial: sim.endpoints.chassis.serial },
    };
    const sw = chassis.switch("swi2");
    try {
      await t.step("capture holds running and startup sections and the VLAN list", async () => {
        const [cap] = await captureScopes(["switch:swi2"], { chassis }, registry);
        const cfg = splitSwitchConfig(cap.files["switches/swi2.cfg"]);
        assert.match(cfg.running, /sysname/);
        assert.ok(
          JSON.parse(cap.files["switches/swi2.vlans.json"]).some((v: { id: number }) => v.id === 1),
        );
      });

      await t.step("a change that fails verification is rolled back on the switch", async () => {
        const before = (await sw.listVlans()).map((v) => v.id);
        await assert.rejects(
          () =>
            runChange(ctx, {
              actor: "test@ws",
              target: { kind: "switch", id: "swi2" },
              operation: "vlan.add",
              parameters: { vlan_id: 321, name: "doomed" },
              scopes: ["switch:swi2"],
              apply: async () => ({ vlan: await sw.createVlan({ id: 321, name: "doomed" }) }),
              verify: () =>
                Promise.reject(new DeviceError("injected failure after apply", { device: "swi2" })),
            }),
          /injected failure/,
        );
        assert.deepEqual((await sw.listVlans()).map((v) => v.id), before);
        assert.equal(sim.switch("swi2").vlans().some((v) => v.id === 321), false);
        const recs = audit.list({ target: "switch:swi2" });
        assert.deepEqual(recs.map((r) => `${r.phase}:${r.result}`), [
          "intent:pending",
          "outcome:failed",
          "rollback:rollback",
        ]);
        assert.deepEqual(
          (recs[2].evidence.restore as Record<string, { deleted: number[] }>)["switch:swi2"]
            .deleted,
          [321],
        );
      });

      await t.step("a successful change records the configuration diff", async () => {
        const res = await runChange(ctx, {
          actor: "test@ws",
          target: { kind: "switch", id: "swi2" },
          operation: "vlan.add",
          parameters: { vlan_id: 322 },
          scopes: ["switch:swi2"],
          apply: async () => ({ vlan: await sw.createVlan({ id: 322, name: "kept" }) }),
        });
        const changes = (res.evidence.changes as Record<string, string[]>)["switch:swi2"];
        assert.ok(changes.some((l) => l.startsWith("+") && l.includes("322")), changes.join("\n"));
      });

      await t.step("gate: snapshot, wipe the switch, restore, snapshot again: equal", async () => {
        await runChange(ctx, {
          target: { kind: "switch", id: "swi2" },
          operation: "vlan.add",
          scopes: ["switch:swi2"],
          apply: async () => ({ vlan: await sw.createVlan({ id: 323, description: "web tier" }) }),
        });
        const settings = { root: ctx.snapshotsDir, chassis: ctx.chassis, registry, redactor };
        const snap = await takeSnapshot(settings, ["switch:swi2"], { chassis });
        sim.switch("swi2").factoryReset();
        assert.equal(sim.switch("swi2").vlans().some((v) => v.id === 323), false, "wiped");
        const loaded = await loadSnapshot(ctx.snapshotsDir, snap.id);
        await runChange(ctx, {
          target: { kind: "switch", id: "swi2" },
          operation: "snapshot.restore",
          scopes: ["switch:swi2"],
          apply: () =>
            registry.resolve("switch:swi2")!.restore!(
              "switch:swi2",
              loaded.captures.get("switch:swi2")!,
              { chassis },
            ),
        });
        const [after] = await captureScopes(["switch:swi2"], { chassis }, registry);
        const d = registry.resolve("switch:swi2")!.diff!(
          loaded.captures.get("switch:swi2")!,
          after,
        );
        assert.deepEqual(d, []);
      });
    } finally {
      await chassis.close();
      await sim.close();
      store.close();
      await Deno.remove(root, { recursive: true });
    }
  });
}
