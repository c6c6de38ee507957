/**
 * The heartbeat's polling logic with fake timers and scripted probes (no device): green as soon
 * as one round is all green, red at the deadline with every round's evidence, probe deadlines
 * capped by what is left, and the settings' derived values.
 */
import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { heartbeat, heartbeatFailure, type Probe, watchdogConfig } from "./watchdog.ts";

/** A probe that fails `failures` times, then passes; records the deadlines it was given. */
function scripted(name: string, failures: number, budgets: number[] = []): Probe {
  let n = 0;
  return {
    name,
    run(opts) {
      budgets.push(opts.timeoutMs ?? -1);
      n++;
      if (n <= failures) return Promise.reject(new Error(`${name} down (${n})`));
      return Promise.resolve({ ok: true, attempt: n });
    },
  };
}

Deno.test("heartbeat turns green in the first round where every probe passes", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  try {
    const p = heartbeat(
      [scripted("switch:swi2", 2), scripted("hmm:swi2", 1)],
      { deadlineMs: 10_000, probeTimeoutMs: 3000, intervalMs: 1000 },
      { now: () => clock.now },
    );
    await clock.tickAsync(5000);
    const hb = await p;
    assert.equal(hb.ok, true);
    assert.equal(hb.rounds.length, 3);
    assert.deepEqual(hb.rounds.map((r) => r.results.map((x) => x.ok)), [
      [false, false],
      [false, true],
      [true, true],
    ]);
    assert.equal(hb.rounds[2].at_ms, 2000);
    assert.deepEqual(hb.probes, ["switch:swi2", "hmm:swi2"]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("heartbeat stays red until the deadline and caps probe deadlines by what is left", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  try {
    const budgets: number[] = [];
    const p = heartbeat(
      [scripted("switch:swi2", 1000, budgets)],
      { deadlineMs: 2500, probeTimeoutMs: 1000, intervalMs: 1000 },
      { now: () => clock.now },
    );
    await clock.tickAsync(10_000);
    const hb = await p;
    assert.equal(hb.ok, false);
    assert.equal(hb.deadline_ms, 2500);
    assert.deepEqual(budgets, [1000, 1000, 500]);
    assert.match(hb.rounds.at(-1)!.results[0].error!, /switch:swi2 down \(3\)/);
    const err = heartbeatFailure("swi2", hb);
    assert.match(
      err.message,
      /stayed red for 2500 ms \(3 round\(s\)\).*switch:swi2: switch:swi2 down/,
    );
    assert.equal((err.details as { heartbeat: unknown }).heartbeat, hb);
  } finally {
    clock.uninstall();
  }
});

Deno.test("watchdogConfig derives the trial and rollback deadlines from the heartbeat", () => {
  const d = watchdogConfig();
  assert.equal(d.deadlineMs, 60_000);
  assert.equal(d.trialSeconds, 120);
  assert.equal(d.rollbackDeadlineMs, 120_000 + 60_000 + 30_000);
  const c = watchdogConfig({ deadlineMs: 5000, trialSeconds: undefined, mustReach: [3] });
  assert.equal(c.trialSeconds, 65);
  assert.deepEqual(c.mustReach, [3]);
  assert.equal(c.hmmProbe, true);
  assert.throws(() => watchdogConfig({ deadlineMs: 5000, trialSeconds: 5 }), /outlast/);
});
