import assert from "node:assert/strict";
import { join } from "node:path";
import { openStore } from "../../store/db.ts";
import { SnapshotCatalog } from "../../store/snapshots.ts";
import { Redactor } from "../../util/redact.ts";
import { SafetyError } from "../../errors.ts";
import { ScopeRegistry } from "../scope.ts";
import { FakeDevice, fakeScope } from "../testing/fake_scope.ts";
import {
  listSnapshotDirs,
  loadSnapshot,
  resolveSnapshotDir,
  snapshotStamp,
  takeSnapshot,
  verifySnapshot,
  writeSnapshot,
} from "./snapshot.ts";
import { diffJson, diffText } from "./diff.ts";

async function setup() {
  const root = await Deno.makeTempDir();
  const store = openStore(":memory:");
  const registry = new ScopeRegistry();
  const dev = new FakeDevice();
  registry.register("fake:*", fakeScope({ a: dev }));
  const now = new Date("2026-11-25T19:45:00.5Z");
  const settings = {
    root,
    chassis: { model: "E9000", serial: "SER-1" },
    catalog: new SnapshotCatalog(store),
    registry,
    redactor: new Redactor(["Snap-Secret-42"]),
    now: () => now,
    actor: "tester@ws",
  };
  return {
    root,
    store,
    dev,
    settings,
    done: async () => {
      store.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("snapshotStamp is the UTC YYYYMMDDTHHMMSSZ form", () => {
  assert.equal(snapshotStamp(new Date("2026-05-02T23:00:00.999Z")), "20260502T230000Z");
});

Deno.test("takeSnapshot writes redacted files, a manifest with hashes and a catalog entry", async () => {
  const s = await setup();
  s.dev.password = "abc";
  s.dev.vlans.add(77);
  const snap = await takeSnapshot(s.settings, ["fake:a"], {}, { reason: "test Snap-Secret-42" });
  assert.equal(snap.id, "20261125T194500Z");
  const text = await Deno.readTextFile(join(snap.dir, "fake/a.cfg"));
  assert.match(text, /vlan 77/);
  assert.match(text, /password cipher \*\*\*/);
  const manifest = await Deno.readTextFile(join(snap.dir, "manifest.yaml"));
  assert.ok(!manifest.includes("Snap-Secret-42"), "reason redacted");
  assert.match(manifest, /created_by: tester@ws/);
  assert.equal(snap.manifest.files[0].bytes, new TextEncoder().encode(text).length);
  const cat = s.settings.catalog.get(snap.id)!;
  assert.deepEqual(cat.scopes, ["fake:a"]);
  assert.equal(cat.chassis_serial, "SER-1");
  assert.equal((await Deno.stat(join(snap.dir, "fake/a.cfg"))).mode! & 0o777, 0o600);
  await s.done();
});

Deno.test("writeSnapshot gives a second snapshot in the same second its own id", async () => {
  const s = await setup();
  const a = await takeSnapshot(s.settings, ["fake:a"], {});
  const b = await takeSnapshot(s.settings, ["fake:a"], {});
  assert.deepEqual([a.id, b.id], ["20261125T194500Z", "20261125T194500Z-2"]);
  assert.deepEqual(await listSnapshotDirs(s.root), [a.id, b.id]);
  assert.equal(await resolveSnapshotDir(s.root, "latest"), b.dir);
  assert.equal(await resolveSnapshotDir(s.root, "20261125T194500Z-"), b.dir, "unique prefix");
  await assert.rejects(() => resolveSnapshotDir(s.root, "20261125T19"), /ambiguous/);
  await assert.rejects(() => resolveSnapshotDir(s.root, "20251125"), /not found/);
  await s.done();
});

Deno.test("verifySnapshot reports modified, missing and unlisted files and an edited manifest", async () => {
  const s = await setup();
  const snap = await takeSnapshot(s.settings, ["fake:a"], {});
  assert.equal((await verifySnapshot(s.root, snap.id, s.settings.catalog)).ok, true);
  const f = join(snap.dir, "fake/a.cfg");
  const orig = await Deno.readTextFile(f);
  await Deno.writeTextFile(f, orig + "vlan 666\n");
  await Deno.writeTextFile(join(snap.dir, "extra.txt"), "x");
  let v = await verifySnapshot(s.root, snap.id, s.settings.catalog);
  assert.equal(v.ok, false);
  assert.ok(
    v.problems.some((p) => /fake\/a\.cfg: SHA-256 does not match/.test(p)),
    v.problems.join(),
  );
  assert.ok(v.problems.some((p) => /extra\.txt: not listed/.test(p)));
  await Deno.remove(f);
  v = await verifySnapshot(s.root, snap.id);
  assert.ok(v.problems.some((p) => /fake\/a\.cfg: missing/.test(p)));
  await Deno.writeTextFile(f, orig);
  await Deno.remove(join(snap.dir, "extra.txt"));
  const m = join(snap.dir, "manifest.yaml");
  await Deno.writeTextFile(
    m,
    (await Deno.readTextFile(m)).replace("reason: null", "reason: edited"),
  );
  v = await verifySnapshot(s.root, snap.id, s.settings.catalog);
  assert.ok(v.problems.some((p) => /manifest\.yaml: changed since/.test(p)), v.problems.join());
  await assert.rejects(() => loadSnapshot(s.root, snap.id, s.settings.catalog), SafetyError);
  await s.done();
});

Deno.test("a snapshot without manifest (interrupted) is neither listed nor loadable", async () => {
  const s = await setup();
  await Deno.mkdir(join(s.root, "20261125T000000Z/fake"), { recursive: true });
  await Deno.writeTextFile(join(s.root, "20261125T000000Z/fake/a.cfg"), "vlan 1\n");
  assert.deepEqual(await listSnapshotDirs(s.root), []);
  await assert.rejects(() => loadSnapshot(s.root, "20261125T000000Z"), /incomplete/);
  await s.done();
});

Deno.test("writeSnapshot refuses collector paths that escape the snapshot and leaves no temp dir", async () => {
  const s = await setup();
  await assert.rejects(
    () => writeSnapshot(s.settings, [{ scope: "fake:a", files: { "../evil.cfg": "x" } }]),
    (e) => e instanceof SafetyError && /Invalid snapshot file path/.test(e.message),
  );
  const left: string[] = [];
  for await (const e of Deno.readDir(s.root)) left.push(e.name);
  assert.deepEqual(left, []);
  await s.done();
});

Deno.test("diffText and diffJson report changes and ignore volatile content", () => {
  assert.deepEqual(
    diffText(
      "!Last configuration was updated at 1\nvlan 1\nvlan 10\n",
      "!Last configuration was updated at 2\nvlan 1\nvlan 20\n",
    ),
    ["- vlan 10", "+ vlan 20"],
  );
  assert.deepEqual(
    diffJson(
      { a: { b: 1, DateTime: "x" }, l: [1, 2], gone: true },
      { a: { b: 2, DateTime: "y" }, l: [1, 2, 3], added: "v" },
    ),
    [
      "a.b: 1 -> 2",
      '+ added: added ("v")',
      "- gone: removed (was true)",
      "l: list changed (2 -> 3 items)",
    ],
  );
});
