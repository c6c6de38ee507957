import assert from "node:assert/strict";
import { openStore } from "../store/db.ts";
import { NotFoundError } from "../errors.ts";
import { type JobEvent, JobManager } from "./jobs.ts";

/** A promise with its resolve function. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

Deno.test("JobManager runs jobs that share a scope one after the other", async () => {
  const store = openStore(":memory:");
  try {
    const jobs = new JobManager(store);
    const order: string[] = [];
    const a = gate();
    const started = { a: gate(), c: gate() };
    const spec = (kind: string, scopes: string[]) => ({ kind, actor: "t", target: "x", scopes });
    jobs.submit(spec("a", ["switch:swi2", "switch:swi3"]), async () => {
      order.push("a start");
      started.a.open();
      await a.promise;
      order.push("a end");
    });
    const b = jobs.submit(spec("b", ["switch:swi3"]), () => {
      order.push("b");
      return Promise.resolve();
    });
    jobs.submit(spec("c", ["switch:swi4"]), () => {
      order.push("c");
      started.c.open();
      return Promise.resolve();
    });
    await started.a.promise;
    await started.c.promise; // another device: runs while a holds swi2/swi3
    assert.equal(jobs.get(b.id)!.status, "queued");
    a.open();
    await jobs.drain();
    assert.deepEqual(order, ["a start", "c", "a end", "b"]);
    assert.ok(jobs.list().every((j) => j.status === "succeeded"));
  } finally {
    store.close();
  }
});

Deno.test("JobManager keeps results, problems and events; follow streams them live", async () => {
  const store = openStore(":memory:");
  try {
    const jobs = new JobManager(store);
    const g = gate();
    const ok = jobs.submit({ kind: "k", actor: "alice", target: "t", scopes: ["s"] }, async (p) => {
      p("step one", { n: 1 });
      await g.promise;
      p("step two");
      return { answer: 42 };
    });
    const seen: JobEvent[] = [];
    const following = (async () => {
      for await (const e of jobs.follow(ok.id)) seen.push(e);
    })();
    g.open();
    await following;
    assert.deepEqual(seen.map((e) => e.message), [
      "queued",
      "running",
      "step one",
      "step two",
      "succeeded",
    ]);
    assert.deepEqual(seen.map((e) => e.seq), [1, 2, 3, 4, 5]);
    assert.deepEqual(jobs.get(ok.id)!.result, { answer: 42 });
    // Replay after the end, from a sequence number.
    const replay: JobEvent[] = [];
    for await (const e of jobs.follow(ok.id, 3)) replay.push(e);
    assert.deepEqual(replay.map((e) => e.seq), [4, 5]);

    const bad = jobs.submit({ kind: "k", actor: "alice", target: "t", scopes: ["s"] }, () => {
      throw new NotFoundError("VLAN 9 does not exist on swi2");
    });
    await jobs.drain();
    const j = jobs.get(bad.id)!;
    assert.equal(j.status, "failed");
    assert.equal(j.error!.status, 404);
    assert.match(j.error!.detail!, /VLAN 9/);
  } finally {
    store.close();
  }
});

Deno.test("JobManager marks jobs of a stopped server interrupted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = openStore(`${dir}/v.db`);
    const jobs = new JobManager(store);
    const never = gate();
    const j = jobs.submit(
      { kind: "k", actor: "a", target: "t", scopes: ["s"] },
      () => never.promise,
    );
    // The process "stops": a new manager opens the same store while the job is running.
    const store2 = openStore(`${dir}/v.db`);
    const again = new JobManager(store2);
    assert.equal(again.get(j.id)!.status, "interrupted");
    store2.close();
    never.open();
    await jobs.drain();
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
