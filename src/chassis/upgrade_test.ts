/**
 * Firmware inventory, pre-flight and flashing against the simulated HMM. Flashes are followed on
 * fake time (the simulator's job advances with the clock), so a 30-second flash takes
 * milliseconds; the device-side failure comes from the simulator's `firmware-flash-failure` fault.
 */
import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { ConflictError, DeviceError, ValidationError } from "../errors.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";
import { encodeBladelist, planWaves, upgrade } from "./upgrade.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const sim = await startSimulator({});
const creds = sim.endpoints.credentials!;
const image = { name: "fw.hpm", data: new Uint8Array(4096).fill(0x5a) };

/** Runs `fn` on fake time, advancing the clock while real I/O still flows. */
async function onFakeTime<T>(fn: () => Promise<T>): Promise<T> {
  const realSetTimeout = globalThis.setTimeout;
  const clock = FakeTimers.install({ toFake: ["Date", "setTimeout", "clearTimeout"] });
  let done = false;
  try {
    const p = fn();
    p.then(() => (done = true), () => (done = true));
    while (!done) {
      await new Promise((r) => realSetTimeout(r, 2));
      await clock.tickAsync(1000);
    }
    return await p;
  } finally {
    clock.uninstall();
  }
}

Deno.test("encodeBladelist and planWaves follow the HMM's rules", () => {
  assert.equal(encodeBladelist(["Swi2", { name: "slot7", fru: 1 }]), "Swi2:fru0;Slot7:fru1;");
  assert.equal(encodeBladelist(["smm", "othersmm"]), "bothsmm");
  assert.throws(() => encodeBladelist(["bothsmm", "Swi2"]), ValidationError);
  assert.throws(() => encodeBladelist(["Slot17"]), ValidationError);
  assert.throws(() => encodeBladelist([]), ValidationError);
  // one kind per wave, the two switches of a pair never together
  const w = planWaves(["Swi2", "Swi3", "Slot1", "Slot2"], { strategy: "rolling", batchSize: 4 });
  for (const wave of w) {
    assert.ok(!(wave.includes("Swi2") && wave.includes("Swi3")));
    assert.ok(new Set(wave.map((t) => t.slice(0, 3))).size === 1);
  }
  assert.deepEqual(w.flat().sort(), ["Slot1", "Slot2", "Swi2", "Swi3"]);
  assert.deepEqual(planWaves(["Slot1", "Slot2", "Slot3"], { strategy: "canary", batchSize: 2 }), [
    ["Slot1"],
    ["Slot2", "Slot3"],
  ]);
  assert.throws(() => planWaves(["Slot1"], { strategy: "canary" }), ValidationError);
});

Deno.test({
  name: "UpgradeModule.inventory and preflight read the HMM",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
    try {
      const up = upgrade(chassis);
      const inv = await up.inventory();
      assert.equal(inv.length, 22);
      const present = inv.filter((c) => c.present).map((c) => c.component);
      for (const slot of Object.keys(sim.endpoints.ibmc)) {
        assert.ok(present.includes(`Slot${slot}`));
      }
      assert.ok(!present.includes("Slot5"));
      assert.ok(inv.find((c) => c.component === "smm")?.versions["Software Version"]);
      const pf = await up.preflight();
      assert.equal(pf.ok, true);
      assert.equal(pf.upgrading, false);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({
  name: "UpgradeModule.flash uploads, updates, polls to done and cleans up (fake time)",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
    try {
      const up = upgrade(chassis);
      const seen: number[] = [];
      const r = await onFakeTime(() =>
        up.flash(["Swi2"], image, { onProgress: (t) => seen.push(t[0]?.progress ?? 0) })
      );
      assert.equal(r.bladelist, "Swi2:fru0;");
      assert.ok(r.targets.every((t) => t.progress >= 100 && !t.failed));
      assert.ok(seen.length > 1 && seen.every((v, i) => i === 0 || v >= seen[i - 1]));
      assert.equal((await up.progress()).targets.length, 0, "delete cleaned the job");
      assert.equal((await up.preflight()).upgrading, false);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({
  name: "UpgradeModule.flashWaves stops at a failing wave with the device's text",
  ...opts,
  fn: async () => {
    const f = sim.faults.set(
      {
        device: "blade1",
        name: "firmware-flash-failure",
        params: { atPercent: 40 },
      } as Parameters<typeof sim.faults.set>[0],
    );
    const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
    try {
      const up = upgrade(chassis);
      const waves = planWaves(["Slot1", "Slot2"], { strategy: "rolling", batchSize: 1 });
      const started: number[] = [];
      await assert.rejects(
        onFakeTime(() => up.flashWaves(waves, image, { onWave: (i) => started.push(i) })),
        (e: unknown) => e instanceof DeviceError && /Slot1/.test(e.message),
      );
      assert.deepEqual(started, [0], "the second wave never started");
      assert.equal((await up.preflight()).upgrading, false);
      await assert.rejects(
        up.flash(["Slot1"], { name: "e.hpm", data: new Uint8Array() }),
        ValidationError,
      );
    } finally {
      sim.faults.clear({ id: f.id });
      await chassis.close();
    }
  },
});

Deno.test({
  name: "UpgradeModule.flash refuses while another upgrade runs",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
    const other = await openChassis({ endpoints: sim.endpoints, credentials: creds });
    try {
      // another client starts a job and leaves it running
      const web = await other.context.hmmWeb();
      await web.upload("swi", image);
      await web.call("smmupgradehandler.php", { actiontype: "update", bladelist: "Swi3:fru0;" }, {
        referer: "/system_manage_smm.html?chassisid=0",
      });
      const pf = await upgrade(chassis).preflight();
      if (pf.upgrading) {
        await assert.rejects(upgrade(chassis).flash(["Swi2"], image), ConflictError);
      }
      await upgrade(chassis).cancel();
    } finally {
      await other.close();
      await chassis.close();
    }
  },
});

Deno.test({ name: "simulator closes", ...opts, fn: () => sim.close() });
