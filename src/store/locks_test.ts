import assert from "node:assert/strict";
import { openStore } from "./db.ts";
import { LockManager } from "./locks.ts";
import { ConflictError, NotFoundError } from "../errors.ts";

Deno.test("LockManager.acquire refuses a held lock naming holder, purpose and since when", () => {
  const store = openStore(":memory:");
  const locks = new LockManager(store, { now: () => Date.parse("2026-11-25T10:00:00Z") });
  const a = locks.acquire("device:switch:swi2", { owner: "alice@ws pid 1", purpose: "vlan.add" });
  assert.throws(
    () => locks.acquire("device:switch:swi2", { owner: "bob@ws pid 2" }),
    (e: unknown) => {
      assert.ok(e instanceof ConflictError);
      assert.match(
        e.message,
        /held by alice@ws pid 1 \(vlan\.add\) since 2026-11-25T10:00:00\.000Z/,
      );
      assert.ok(e.hint);
      return true;
    },
  );
  a.release();
  const b = locks.acquire("device:switch:swi2", { owner: "bob@ws pid 2" });
  assert.equal(locks.get("device:switch:swi2")?.owner, "bob@ws pid 2");
  b.release();
  assert.equal(locks.get("device:switch:swi2"), undefined);
  store.close();
});

Deno.test("LockManager contention across two store connections to one file", async () => {
  const dir = await Deno.makeTempDir();
  const s1 = openStore(`${dir}/v.db`);
  const s2 = openStore(`${dir}/v.db`);
  const l1 = new LockManager(s1);
  const l2 = new LockManager(s2);
  const held = l1.acquire("state:ws", { owner: "p1" });
  assert.throws(() => l2.acquire("state:ws", { owner: "p2" }), ConflictError);
  held.release();
  l2.acquire("state:ws", { owner: "p2" }).release();
  s1.close();
  s2.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("LockManager.acquire takes over an expired lock and the old holder cannot release it", () => {
  let now = 1_000_000;
  const store = openStore(":memory:");
  const locks = new LockManager(store, { now: () => now });
  const old = locks.acquire("device:hmm", { owner: "crashed", ttlMs: 1000 });
  now += 999;
  assert.throws(() => locks.acquire("device:hmm", { owner: "new" }), ConflictError);
  now += 2;
  const fresh = locks.acquire("device:hmm", { owner: "new" });
  assert.equal(fresh.tookOverFrom?.owner, "crashed");
  old.release(); // must not free the new holder's lock
  assert.equal(locks.get("device:hmm")?.owner, "new");
  assert.throws(() => old.renew(), ConflictError);
  fresh.renew(5000);
  assert.equal(locks.list()[0].expired, false);
  fresh.release();
  store.close();
});

Deno.test("LockManager.forceUnlock removes any lock and names unknown ones", () => {
  const store = openStore(":memory:");
  const locks = new LockManager(store);
  locks.acquire("device:switch:swi3", { owner: "ghost" });
  assert.equal(locks.forceUnlock("device:switch:swi3").owner, "ghost");
  assert.throws(() => locks.forceUnlock("device:switch:swi3"), NotFoundError);
  locks.acquire("device:switch:swi3", { owner: "me" }).release();
  store.close();
});

Deno.test("LockManager.acquireAll is all-or-nothing", () => {
  const store = openStore(":memory:");
  const locks = new LockManager(store);
  locks.acquire("device:switch:swi3", { owner: "other" });
  assert.throws(
    () => locks.acquireAll(["device:switch:swi2", "device:switch:swi3"]),
    ConflictError,
  );
  assert.equal(locks.get("device:switch:swi2"), undefined);
  store.close();
});

Deno.test("LockManager.acquire takes over the lock of a dead process on this host", async () => {
  const store = openStore(":memory:");
  const locks = new LockManager(store);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "0"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await child.status; // exited and reaped
  const { hostname } = await import("node:os");
  const dead = `ghost@${hostname()} pid ${child.pid}`;
  locks.acquire("device:switch:swi2", { owner: dead, ttlMs: 3_600_000 });
  const taken = locks.acquire("device:switch:swi2", { owner: "next" });
  assert.equal(taken.tookOverFrom?.owner, dead);
  // A live holder (this process) is respected; so is one on another host.
  locks.acquire("device:switch:swi3");
  assert.throws(() => locks.acquire("device:switch:swi3", { owner: "other" }), ConflictError);
  locks.acquire("device:hmm", { owner: "x@elsewhere.example pid 1" });
  assert.throws(() => locks.acquire("device:hmm", { owner: "other" }), ConflictError);
  store.close();
});
