/**
 * Phase-1 gate (issue 6, point 4) on the simulator: snapshot → wipe (factory reset of the whole
 * simulated chassis: switch configurations, iBMC settings, HMM settings) → restore → snapshot
 * again → equal apart from the volatile fields listed in docs/safety.md.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openStore } from "../store/db.ts";
import { AuditLog } from "../store/audit.ts";
import { startSimHarness } from "./testing/sim_session.ts";
import { chassisEnvelope, chassisScopes, runChange } from "./mod.ts";
import { applyRestore, planRestore } from "./restore.ts";
import { captureScopes, loadSnapshot, takeSnapshot } from "./snapshot/snapshot.ts";
import { redfishPatch } from "./scopes/redfish.ts";

const hubPresent = await Deno.stat(new URL("../chassis/hub.ts", import.meta.url)).then(
  () => true,
  () => false,
);

/** A blade port and a LAG changed before the snapshot; the restore must bring them back. */
const GATE_PORT = "10GE2/3/1";
const GATE_LAG = 7;
const GATE_MEMBERS = ["10GE2/17/2", "10GE2/17/3"];

Deno.test("redfishPatch sends only differing writable properties and never redacted values", () => {
  assert.deepEqual(
    redfishPatch(
      {
        "@odata.id": "/x",
        Id: "1",
        AssetTag: "rack-7",
        Status: { State: "Enabled" },
        Boot: { BootSourceOverrideTarget: "Pxe", BootOrder: ["Hdd", "Pxe"] },
        Oem: { Huawei: { A: 1, B: 2 } },
        Password: "x",
        Community: "***",
        DateTime: "now",
      },
      {
        AssetTag: "",
        Status: { State: "Disabled" },
        Boot: { BootOrder: ["Pxe", "Hdd"] },
        Oem: { Huawei: { A: 1, B: 3 } },
      },
    ),
    { AssetTag: "rack-7", Boot: { BootOrder: ["Hdd", "Pxe"] }, Oem: { Huawei: { B: 2 } } },
  );
});

Deno.test({
  name: "phase-1 gate: snapshot, factory reset, restore, snapshot again: equal",
  ignore: !hubPresent,
  fn: async () => {
    const h = await startSimHarness();
    const dir = await Deno.makeTempDir();
    const g = { statePath: join(dir, "vessel.db"), snapshotsDir: join(dir, "snapshots") };
    try {
      // 1. Make the chassis differ from factory defaults, through the envelope.
      await h.connect(g, async (s) => {
        const store = openStore(g.statePath);
        try {
          const ctx = chassisEnvelope({
            store,
            chassis: s.chassis,
            endpoints: s.endpoints,
            snapshotsDir: g.snapshotsDir,
          });
          await runChange(ctx, {
            target: { kind: "switch", id: "swi2" },
            operation: "vlan.add",
            scopes: ["switch:swi2"],
            apply: async () => ({
              vlan: await s.chassis.switch("swi2").createVlan({ id: 150, name: "gate" }),
            }),
          });
          const { switchPorts } = await import("../chassis/switch_ports.ts");
          const ports = switchPorts(s.chassis, "swi2");
          await runChange(ctx, {
            target: { kind: "switch", id: "swi2" },
            operation: "port.set",
            scopes: ["switch:swi2"],
            apply: async () => ({
              port: await ports.setPort(GATE_PORT, {
                mode: "trunk",
                allowedVlans: [150],
                description: "gate port",
              }),
            }),
          });
          await runChange(ctx, {
            target: { kind: "switch", id: "swi2" },
            operation: "lag.create",
            scopes: ["switch:swi2"],
            apply: async () => ({
              lag: await ports.createLag(GATE_LAG, { mode: "lacp-static", members: GATE_MEMBERS }),
            }),
          });
          const { hubOf } = await import("../chassis/hub.ts");
          await runChange(ctx, {
            target: { kind: "ibmc", id: "blade1" },
            operation: "system.asset_tag",
            scopes: ["ibmc:blade1"],
            apply: async () => {
              await hubOf(s.chassis).redfish(1, "PATCH", "/redfish/v1/Systems/1", {
                AssetTag: "gate-rack-7",
              });
              return {};
            },
          });
        } finally {
          store.close();
        }
      });

      // 2. Snapshot every scope.
      let snapId = "";
      let scopes: string[] = [];
      await h.connect(g, async (s) => {
        const store = openStore(g.statePath);
        try {
          const ctx = chassisEnvelope({
            store,
            chassis: s.chassis,
            endpoints: s.endpoints,
            snapshotsDir: g.snapshotsDir,
          });
          scopes = chassisScopes(s.endpoints);
          const snap = await takeSnapshot(
            { root: g.snapshotsDir, chassis: ctx.chassis!, registry: ctx.registry },
            scopes,
            { chassis: s.chassis },
          );
          snapId = snap.id;
          assert.match(
            await Deno.readTextFile(join(snap.dir, "ibmc", "blade1.json")),
            /gate-rack-7/,
          );
        } finally {
          store.close();
        }
      });

      // 3. Wipe: factory reset of the simulated chassis.
      await h.sim.reset();

      // 4. Restore everything, 5. capture again and compare.
      await h.connect(g, async (s) => {
        const store = openStore(g.statePath);
        try {
          const ctx = chassisEnvelope({
            store,
            chassis: s.chassis,
            endpoints: s.endpoints,
            snapshotsDir: g.snapshotsDir,
          });
          const plan = await planRestore(ctx, snapId);
          const changed = plan.scopes.filter((p) => p.diff.length).map((p) => p.scope);
          assert.ok(
            changed.includes("switch:swi2") && changed.includes("ibmc:blade1"),
            changed.join(),
          );
          const results = await applyRestore(ctx, plan, { actor: "gate@test" });
          for (const r of results) {
            assert.notEqual(r.result, "incomplete", `${r.scope}: ${r.remaining.join("\n")}`);
          }

          const snap = await loadSnapshot(g.snapshotsDir, snapId);
          const again = await captureScopes(scopes, { chassis: s.chassis }, ctx.registry!);
          for (const cap of again) {
            const d = ctx.registry!.resolve(cap.scope)!.diff!(snap.captures.get(cap.scope)!, cap);
            assert.deepEqual(d, [], `${cap.scope} differs after restore`);
          }
          // The port and the LAG came back through the switch's running configuration.
          const { switchPorts } = await import("../chassis/switch_ports.ts");
          const ports = switchPorts(s.chassis, "swi2");
          const port = await ports.port(GATE_PORT);
          assert.deepEqual(
            [port.mode, port.allowedVlans.includes(150), port.description],
            ["trunk", true, "gate port"],
          );
          const lag = (await ports.lags()).find((l) => l.id === GATE_LAG);
          assert.deepEqual([lag?.mode, lag?.members.sort()], ["lacp-static", GATE_MEMBERS]);
          const audit = new AuditLog(store).list({ op: "snapshot.restore" });
          assert.ok(audit.some((r) => r.phase === "outcome" && r.result === "success"));
        } finally {
          store.close();
        }
      });
    } finally {
      await h.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
