import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { TimeoutError } from "../../errors.ts";
import { WebApiError } from "./client.ts";
import { pollUpgrade } from "./upgrade.ts";
import { parseXml } from "./xml.ts";

const job = (p1: number, p2: number, rc2 = 0) =>
  parseXml(
    `<upgrade><blade name="Swi2:fru0"><retcode>0</retcode><progress>${p1}</progress></blade>` +
      `<blade name="Swi3:fru0"><retcode>${rc2}</retcode><desp>${
        rc2 ? "Image checksum mismatch" : "OK"
      }</desp><progress>${p2}</progress></blade></upgrade>`,
  );

Deno.test("pollUpgrade follows progress on fake time until every target is done", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    const steps = [job(10, 0), job(60, 30), job(100, 80), job(100, 100)];
    let i = 0;
    const seen: string[] = [];
    const p = pollUpgrade(() => Promise.resolve(steps[Math.min(i++, steps.length - 1)]), {
      onProgress: (t) => seen.push(t.map((x) => x.progress).join("/")),
    });
    await clock.runAllAsync();
    const targets = await p;
    assert.deepEqual(seen, ["10/0", "60/30", "100/80", "100/100"]);
    assert.equal(targets.length, 2);
    assert.equal(clock.now, 9000, "three waits of the default 3 s");
  } finally {
    clock.uninstall();
  }
});

Deno.test("pollUpgrade reports a failed target and the deadline", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    // Swi3 failed while Swi2 still flashes: keep polling (never abandon a running flash)
    const steps = [job(40, 0, 5), job(100, 0, 5)];
    let i = 0;
    const failed = pollUpgrade(() => Promise.resolve(steps[Math.min(i++, 1)]));
    const a = assert.rejects(
      failed,
      (e: unknown) => e instanceof WebApiError && /Swi3.*checksum/.test(e.message),
    );
    await clock.runAllAsync();
    await a;
    assert.equal(i, 2);
    const slow = pollUpgrade(() => Promise.resolve(job(50, 50)), {
      deadlineMs: 10_000,
      intervalMs: 3000,
    });
    const b = assert.rejects(
      slow,
      (e: unknown) => e instanceof TimeoutError && /Swi2:fru0 50%/.test(e.message),
    );
    await clock.runAllAsync();
    await b;
    const none = pollUpgrade(() => Promise.resolve(parseXml("<upgrade></upgrade>")), {
      emptyPolls: 1,
    });
    const c = assert.rejects(none, /No firmware upgrade/);
    await clock.runAllAsync();
    await c;
  } finally {
    clock.uninstall();
  }
});
