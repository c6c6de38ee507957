import assert from "node:assert/strict";
import { join } from "node:path";
import { openStore, type Store } from "../store/db.ts";
import { AuditLog } from "../store/audit.ts";
import { LockManager } from "../store/locks.ts";
import { ConflictError, DeviceError, SafetyError } from "../errors.ts";
import { Redactor } from "../util/redact.ts";
import { ScopeRegistry } from "./scope.ts";
import {
  type Change,
  currentChange,
  type EnvelopeContext,
  insideChange,
  runChange,
} from "./envelope.ts";
import { FakeDevice, fakeScope } from "./testing/fake_scope.ts";
import { listSnapshotDirs, verifySnapshot } from "./snapshot/snapshot.ts";

interface World {
  store: Store;
  ctx: EnvelopeContext;
  dev: FakeDevice;
  dev2: FakeDevice;
  root: string;
  audit: AuditLog;
  done(): Promise<void>;
}

async function world(): Promise<World> {
  const root = await Deno.makeTempDir();
  const store = openStore(":memory:");
  const registry = new ScopeRegistry();
  const dev = new FakeDevice();
  const dev2 = new FakeDevice();
  registry.register("fake:*", fakeScope({ a: dev, b: dev2 }));
  const audit = new AuditLog(store);
  const ctx: EnvelopeContext = {
    store,
    env: {},
    registry,
    audit,
    snapshotsDir: join(root, "snapshots"),
    chassis: { model: "E9000", serial: "SIM-1" },
    redactor: new Redactor(),
  };
  return {
    store,
    ctx,
    dev,
    dev2,
    root,
    audit,
    done: async () => {
      store.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

function addVlan(w: World, v: number, over: Partial<Change> = {}): Change {
  return {
    actor: "tester@ws",
    target: { kind: "fake", id: "a" },
    operation: "vlan.add",
    parameters: { vlan_id: v },
    scopes: ["fake:a"],
    apply: () => {
      w.dev.vlans.add(v);
      return Promise.resolve({ added: v });
    },
    verify: () => Promise.resolve({ ok: w.dev.vlans.has(v) }),
    ...over,
  };
}

Deno.test("runChange success writes a snapshot, intent and outcome with before/after evidence", async () => {
  const w = await world();
  const res = await runChange(w.ctx, addVlan(w, 10));
  assert.equal(res.result, "success");
  const recs = w.audit.list();
  assert.deepEqual(recs.map((r) => [r.phase, r.result]), [["intent", "pending"], [
    "outcome",
    "success",
  ]]);
  assert.ok(recs.every((r) => r.snapshot_id === res.snapshotId && r.change_id === res.changeId));
  assert.deepEqual((recs[1].evidence.changes as Record<string, string[]>)["fake:a"], ["+ vlan 10"]);
  const v = await verifySnapshot(w.ctx.snapshotsDir!, res.snapshotId);
  assert.equal(v.ok, true, v.problems.join("; "));
  assert.deepEqual(v.manifest!.scopes, ["fake:a"]);
  assert.equal(v.manifest!.chassis.serial, "SIM-1");
  assert.equal(new LockManager(w.store).list().length, 0, "locks released");
  assert.equal(w.audit.verify().ok, true);
  await w.done();
});

Deno.test("runChange rolls back an injected failure after apply and writes both audit records", async () => {
  const w = await world();
  w.dev.vlans.add(5);
  const boom = new DeviceError("VLAN 10 not visible after apply", { device: "a" });
  await assert.rejects(
    () => runChange(w.ctx, addVlan(w, 10, { verify: () => Promise.reject(boom) })),
    (e) => e === boom,
  );
  assert.deepEqual([...w.dev.vlans].sort(), [1, 5], "device restored to the snapshot");
  const recs = w.audit.list();
  assert.deepEqual(recs.map((r) => [r.phase, r.result]), [
    ["intent", "pending"],
    ["outcome", "failed"],
    ["rollback", "rollback"],
  ]);
  assert.equal(new Set(recs.map((r) => r.change_id)).size, 1);
  assert.equal(recs[2].evidence.restored, true);
  assert.match(JSON.stringify(recs[1].evidence.error), /not visible/);
  assert.equal(w.dev.restores, 1);
  await w.done();
});

Deno.test("runChange rolls back when apply throws halfway and when a health check fails", async () => {
  const w = await world();
  await assert.rejects(() =>
    runChange(
      w.ctx,
      addVlan(w, 20, {
        apply: () => {
          w.dev.vlans.add(20);
          throw new Error("connection reset after vlan 20");
        },
      }),
    )
  );
  assert.equal(w.dev.vlans.has(20), false);
  await assert.rejects(
    () =>
      runChange({
        ...w.ctx,
        healthChecks: [{ name: "mgmt-heartbeat", check: () => Promise.resolve({ ok: false }) }],
      }, addVlan(w, 30)),
    (e) => e instanceof SafetyError && /mgmt-heartbeat/.test(e.message),
  );
  assert.equal(w.dev.vlans.has(30), false);
  const rb = w.audit.list().filter((r) => r.phase === "rollback");
  assert.equal(rb.length, 2);
  assert.ok(rb.every((r) => r.result === "rollback"));
  await w.done();
});

Deno.test("runChange reports rollback-failed with SafetyError when the scope does not come back", async () => {
  const w = await world();
  w.dev.brokenRestore = true;
  await assert.rejects(
    () => runChange(w.ctx, addVlan(w, 40, { verify: () => Promise.resolve({ ok: false }) })),
    (e) => e instanceof SafetyError && /manual recovery/.test(e.message),
  );
  const last = w.audit.list().at(-1)!;
  assert.equal(last.phase, "rollback");
  assert.equal(last.result, "rollback-failed");
  assert.deepEqual((last.evidence.remaining_differences as Record<string, string[]>)["fake:a"], [
    "+ vlan 40",
  ]);
  await w.done();
});

Deno.test("runChange does not apply when the intent record cannot be written", async () => {
  const w = await world();
  w.store.db.exec(
    "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END",
  );
  let applied = false;
  await assert.rejects(
    () => runChange(w.ctx, addVlan(w, 50, { apply: () => Promise.resolve(void (applied = true)) })),
    (e) => e instanceof SafetyError && /audit record/.test(e.message),
  );
  assert.equal(applied, false);
  assert.equal(new LockManager(w.store).list().length, 0);
  await w.done();
});

Deno.test("runChange refuses a held device lock, an unknown scope and an empty scope list", async () => {
  const w = await world();
  const held = new LockManager(w.store).acquire("device:fake:a", {
    owner: "carol@other pid 9",
    purpose: "vlan.remove",
  });
  let applied = false;
  const apply = () => Promise.resolve(void (applied = true));
  await assert.rejects(
    () => runChange(w.ctx, addVlan(w, 60, { apply })),
    (e) => e instanceof ConflictError && /carol@other pid 9/.test(e.message),
  );
  held.release();
  await assert.rejects(
    () => runChange(w.ctx, addVlan(w, 60, { apply, scopes: ["hmm"] })),
    (e) => e instanceof SafetyError && /No snapshot collector for scope hmm/.test(e.message),
  );
  await assert.rejects(() => runChange(w.ctx, addVlan(w, 60, { apply, scopes: [] })), SafetyError);
  assert.equal(applied, false);
  assert.equal(w.audit.list().length, 0);
  await w.done();
});

Deno.test("runChange reuses a verified identical snapshot and writes a new one after a change", async () => {
  const w = await world();
  const noop = (over: Partial<Change> = {}) => addVlan(w, 1, { ...over });
  const a = await runChange(w.ctx, noop());
  const b = await runChange(w.ctx, noop());
  assert.equal(a.snapshotReused, false);
  assert.equal(b.snapshotReused, true);
  assert.equal(b.snapshotId, a.snapshotId);
  const e = await runChange(w.ctx, addVlan(w, 70));
  assert.equal(
    e.snapshotId,
    a.snapshotId,
    "state before vlan 70 is still that of the first snapshot",
  );
  const c = await runChange(w.ctx, noop());
  assert.equal(c.snapshotReused, false);
  // A tampered snapshot is not reused.
  const dir = join(w.ctx.snapshotsDir!, c.snapshotId);
  await Deno.writeTextFile(join(dir, "fake/a.cfg"), "vlan 999\n");
  const d = await runChange(w.ctx, noop());
  assert.equal(d.snapshotReused, false);
  assert.equal((await listSnapshotDirs(w.ctx.snapshotsDir!)).length, 3);
  await w.done();
});

Deno.test("runChange nests: inner changes reuse held locks and see the change context", async () => {
  const w = await world();
  assert.equal(insideChange(), false);
  await runChange(w.ctx, {
    ...addVlan(w, 80),
    scopes: ["fake:a", "fake:b"],
    apply: async () => {
      assert.deepEqual(currentChange()?.locks, ["device:fake:a", "device:fake:b"]);
      await runChange(w.ctx, {
        ...addVlan(w, 81),
        scopes: ["fake:b"],
        apply: () => Promise.resolve(void w.dev2.vlans.add(81)),
        verify: undefined,
      });
      w.dev.vlans.add(80);
      return {};
    },
  });
  assert.equal(w.dev2.vlans.has(81), true);
  assert.equal(w.audit.list().filter((r) => r.phase === "outcome").length, 2);
  await w.done();
});

Deno.test("runChange keeps planted secrets out of snapshots and audit", async () => {
  const w = await world();
  const secret = "Planted-S3cret-Envelope";
  w.ctx.redactor = new Redactor([secret]);
  w.dev.password = "x"; // VRP cipher text, redacted by pattern
  await assert.rejects(() =>
    runChange(
      w.ctx,
      addVlan(w, 90, {
        parameters: { vlan_id: 90, password: secret },
        verify: () => Promise.reject(new Error(`device said: login ${secret} refused`)),
      }),
    )
  );
  const dump = JSON.stringify(w.audit.list());
  assert.ok(!dump.includes(secret));
  for await (const f of walk(w.ctx.snapshotsDir!)) {
    const text = await Deno.readTextFile(f);
    assert.ok(!text.includes(secret), f);
    assert.ok(!text.includes("%^%#x%^%#"), f);
  }
  await w.done();
});

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else yield p;
  }
}

Deno.test("runChange forwards its audit records to syslog from VESSEL_AUDIT_SYSLOG", async () => {
  const { createSocket } = await import("node:dgram");
  const server = createSocket("udp4");
  await new Promise<void>((r) => server.bind(0, "127.0.0.1", () => r()));
  const got: string[] = [];
  const two = new Promise<void>((resolve) =>
    server.on("message", (m) => {
      got.push(new TextDecoder().decode(m));
      if (got.length === 2) resolve();
    })
  );
  const w = await world();
  Deno.env.set("VESSEL_AUDIT_SYSLOG", `127.0.0.1:${server.address().port}`);
  try {
    await runChange({ ...w.ctx, audit: undefined }, addVlan(w, 11));
    await two;
    assert.ok(
      got.some((m) => /phase="intent"/.test(m)) && got.some((m) => /phase="outcome"/.test(m)),
    );
  } finally {
    Deno.env.delete("VESSEL_AUDIT_SYSLOG");
    await new Promise<void>((r) => server.close(() => r()));
    await w.done();
  }
});

Deno.test("engineWrap runs each plan step inside runChange with operation <type>.<action>", async () => {
  const { engineWrap } = await import("./envelope.ts");
  const w = await world();
  const wrap = engineWrap(w.ctx, { actor: "engine@ws" });
  const step = {
    address: "vessel_vlan.x",
    type: "vessel_vlan",
    action: "create",
    id: "a/12",
    scopes: ["fake:a"],
  };
  const out = await wrap(step, () => {
    w.dev.vlans.add(12);
    return Promise.resolve({ created: 12 });
  });
  assert.deepEqual(out, { created: 12 });
  const recs = w.audit.list();
  assert.deepEqual(recs.map((r) => `${r.operation}:${r.phase}:${r.result}`), [
    "vessel_vlan.create:intent:pending",
    "vessel_vlan.create:outcome:success",
  ]);
  assert.deepEqual(recs[0].target, { kind: "fake", id: "a" });
  assert.equal(recs[0].actor, "engine@ws");
  // A failing step is rolled back and its error reaches the engine.
  await assert.rejects(() =>
    wrap({ ...step, id: "a/13" }, () => {
      w.dev.vlans.add(13);
      return Promise.reject(new Error("device refused"));
    }), /device refused/);
  assert.equal(w.dev.vlans.has(13), false);
  await w.done();
});
