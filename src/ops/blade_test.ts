/** changeBlade on the simulator: only differences are sent, inside the envelope, read back. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "../chassis/chassis.ts";
import { openStore } from "../store/db.ts";
import { AuditLog } from "../store/audit.ts";
import { NotFoundError } from "../errors.ts";
import { ScopeRegistry } from "./scope.ts";
import { chassisEnvelope } from "./mod.ts";
import { changeBlade } from "./blade.ts";
import { bladeResource } from "../resources/blade/mod.ts";

Deno.test("changeBlade powers and boots a blade through the envelope and skips what is equal", async () => {
  const sim = await startSimulator({});
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: sim.endpoints.credentials,
    timeoutMs: 10000,
  });
  const dir = await Deno.makeTempDir();
  const store = openStore(":memory:");
  try {
    const envelope = chassisEnvelope({
      store,
      chassis,
      endpoints: sim.endpoints,
      snapshotsDir: join(dir, "snapshots"),
      registry: new ScopeRegistry(),
    });
    const slot = Number(Object.keys(sim.endpoints.ibmc).sort((a, b) => Number(a) - Number(b))[0]);
    const prior = await bladeResource.read({ chassis }, `blade${slot}`);
    const device = prior?.boot_device === "pxe" ? "hdd" : "pxe";
    const first = await changeBlade(envelope, chassis, slot, { boot_device: device }, {
      actor: "ops@test",
    });
    assert.equal(first.result, "changed");
    assert.equal(first.blade.boot_device, device);
    assert.ok(first.snapshotId);
    const again = await changeBlade(envelope, chassis, slot, { boot_device: device });
    assert.equal(again.result, "unchanged");
    const recs = new AuditLog(store).list({ op: "blade.update" });
    assert.deepEqual(recs.map((r) => `${r.phase}:${r.result}`), [
      "intent:pending",
      "outcome:success",
    ]);
    assert.equal(recs[0].actor, "ops@test");
    const empty = Array.from({ length: 16 }, (_, i) => i + 1).find((n) =>
      !(String(n) in sim.endpoints.ibmc)
    );
    if (empty) {
      await assert.rejects(
        () => changeBlade(envelope, chassis, empty, { power: "on" }),
        NotFoundError,
      );
    }
  } finally {
    store.close();
    await chassis.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
