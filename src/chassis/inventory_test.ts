/**
 * The chassis map against the simulator: every part of the map matches what the simulated
 * chassis exposes; parallelism 1 really runs one device call at a time; the critical path is
 * measured from the calls.
 */
import assert from "node:assert/strict";
import { AuthError } from "../errors.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";
import { type CallRecord, hubOf } from "./hub.ts";
import { inventory, InventorySchema, renderInventory } from "./inventory.ts";

const sim = await startSimulator({});
const creds = sim.endpoints.credentials!;
const opts = { sanitizeResources: false, sanitizeOps: false };

function maxOverlap(calls: CallRecord[]): number {
  const ev = calls.flatMap((c) => [[c.start, 1], [c.start + c.ms, -1]] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of ev) max = Math.max(max, cur += d);
  return max;
}

Deno.test({
  name: "InventoryModule.read maps enclosure, management modules, blades and switches",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
    try {
      const hub = hubOf(chassis);
      const inv = await hub.trace(() => inventory(chassis).read());
      InventorySchema.parse(inv);
      assert.deepEqual(inv.errors, []);
      assert.equal(inv.chassis.model, sim.endpoints.chassis?.model);
      assert.equal(inv.chassis.serial, sim.endpoints.chassis?.serial);
      assert.deepEqual(
        inv.blades.filter((b) => b.present).map((b) => String(b.slot)),
        Object.keys(sim.endpoints.ibmc).sort((a, b) => Number(a) - Number(b)),
      );
      assert.deepEqual(
        inv.switches.filter((s) => s.present).map((s) => s.name),
        Object.keys(sim.endpoints.switches).sort(),
      );
      for (const s of inv.switches.filter((x) => x.present)) {
        assert.ok(Object.keys(s.firmware).length > 0, `${s.name} firmware from versionhandler`);
      }
      assert.deepEqual(inv.managementModules.map((m) => m.role).sort(), ["active", "standby"]);
      for (const m of inv.managementModules) assert.ok(m.firmware["Software Version"]);
      // a call overlapped another, and the chain is shorter than the sum of the calls
      assert.ok(maxOverlap(hub.calls) > 1);
      const sum = hub.calls.reduce((s, c) => s + c.ms, 0);
      assert.ok(hub.criticalPathMs > 0 && hub.criticalPathMs < sum);
      const text = renderInventory(inv);
      assert.match(text, /SLOT\s+MODEL/);
      assert.match(text, /swi2\s+CX310/);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({
  name: "InventoryModule.read with parallelism 1 runs one device call at a time",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
    try {
      const hub = hubOf(chassis).configure({ parallelism: 1 });
      const t0 = performance.now();
      const inv = await hub.trace(() => inventory(chassis).read());
      const wall = performance.now() - t0;
      assert.equal(
        inv.blades.filter((b) => b.present).length,
        Object.keys(sim.endpoints.ibmc).length,
      );
      assert.equal(maxOverlap(hub.calls), 1);
      // serial: the wall time holds every call; the critical path is still the dependency chain
      const sum = hub.calls.reduce((s, c) => s + c.ms, 0);
      assert.ok(wall >= sum - 1, `wall ${wall} >= sum of calls ${sum}`);
      assert.ok(hub.criticalPathMs < sum);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({
  name: "InventoryModule.read keeps going when one iBMC fails and reports it",
  ...opts,
  fn: async () => {
    const f = sim.faults.set({ device: "blade9", iface: "*", errorRate: 1, status: 500 });
    const chassis = await openChassis({
      endpoints: sim.endpoints,
      credentials: creds,
      timeoutMs: 5000,
    });
    try {
      const inv = await inventory(chassis).read();
      const b9 = inv.blades.find((b) => b.slot === 9)!;
      assert.equal(b9.present, true, "presence then comes from the HMM");
      assert.ok(inv.errors.some((e) => e.device === "ibmc9"));
      assert.ok(inv.blades.filter((b) => b.present && b.slot !== 9).every((b) => !b.error));
    } finally {
      sim.faults.clear({ id: f.id });
      await chassis.close();
    }
  },
});

Deno.test({
  name: "InventoryModule.read fails once with AuthError for a wrong password",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({
      endpoints: sim.endpoints,
      credentials: { username: creds.username, password: "nope-nope" },
    });
    try {
      const hub = hubOf(chassis);
      await assert.rejects(inventory(chassis).read(), AuthError);
      assert.equal(hub.calls.filter((c) => c.op === "login").length, 1);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({ name: "simulator closes", ...opts, fn: () => sim.close() });
