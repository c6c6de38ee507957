import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { backoffDelay, withRetry } from "./retry.ts";

class Transient extends Error {}

Deno.test("backoffDelay grows exponentially under a cap with full jitter", () => {
  const top = { baseMs: 100, maxMs: 1000, random: () => 0.999999 };
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, top)), [
    99,
    199,
    399,
    799,
    999,
    999,
  ]);
  assert.equal(backoffDelay(3, { baseMs: 100, random: () => 0 }), 0);
  assert.equal(
    backoffDelay(1, { baseMs: 100, maxMs: 1000, random: () => 0 }, 700),
    700,
    "Retry-After wins",
  );
  assert.equal(
    backoffDelay(1, { baseMs: 100, maxMs: 1000, random: () => 0 }, 60000),
    1000,
    "capped",
  );
});

Deno.test("withRetry retries transient failures with backoff on fake time", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    const delays: number[] = [];
    let calls = 0;
    const p = withRetry(
      () => {
        calls++;
        if (calls < 4) return Promise.reject(new Transient("503"));
        return Promise.resolve("ok");
      },
      (e) => e instanceof Transient,
      {
        attempts: 5,
        baseMs: 100,
        maxMs: 250,
        random: () => 0.5,
        onRetry: (i) => delays.push(i.delayMs),
      },
    );
    await clock.runAllAsync();
    assert.equal(await p, "ok");
    assert.equal(calls, 4);
    assert.deepEqual(delays, [50, 100, 125]);
    assert.equal(clock.now, 275, "slept exactly the backoff, no more");
  } finally {
    clock.uninstall();
  }
});

Deno.test("withRetry never retries a permanent error and stops after the last attempt", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    let calls = 0;
    await assert.rejects(
      withRetry(() => {
        calls++;
        return Promise.reject(new Error("400"));
      }, (e) => e instanceof Transient),
      /400/,
    );
    assert.equal(calls, 1);
    calls = 0;
    const p = withRetry(
      () => {
        calls++;
        return Promise.reject(new Transient("reset"));
      },
      (e) => e instanceof Transient,
      { attempts: 3, baseMs: 10 },
    );
    const done = assert.rejects(p, Transient);
    await clock.runAllAsync();
    await done;
    assert.equal(calls, 3);
  } finally {
    clock.uninstall();
  }
});

Deno.test("withRetry stops sleeping when the signal aborts", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    const ctl = new AbortController();
    const p = withRetry(
      () => Promise.reject(new Transient("x")),
      () => true,
      { attempts: 10, baseMs: 1000, random: () => 1 },
      ctl.signal,
    );
    const done = assert.rejects(p, /stop/);
    await clock.tickAsync(500);
    ctl.abort(new Error("stop"));
    await done;
  } finally {
    clock.uninstall();
  }
});
