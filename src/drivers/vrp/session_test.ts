// deno-lint-ignore-file no-control-regex -- terminal control characters are the subject here
import assert from "node:assert/strict";
import { AuthError, TimeoutError } from "../../errors.ts";
import { MemoryRecorder } from "../record/recorder.ts";
import { VrpCommandError, VrpCommitError } from "./errors.ts";
import { parseDisplayVlan } from "./parse_vlan.ts";
import { VrpSession } from "./session.ts";
import { type FakeVrpOptions, startFakeVrp } from "./testing/fake_vrp.ts";

async function withFake(
  opts: FakeVrpOptions,
  fn: (s: VrpSession, fake: Awaited<ReturnType<typeof startFakeVrp>>) => Promise<void>,
) {
  const fake = await startFakeVrp(opts);
  const s = await VrpSession.connect({
    device: "swi2",
    host: "127.0.0.1",
    port: fake.port,
    username: "admin",
    password: "Admin@123",
    commandTimeoutMs: 3000,
  });
  try {
    await fn(s, fake);
  } finally {
    await s.close();
    await fake.close();
  }
}

Deno.test("VrpSession.connect turns paging off and reads the sysname from the prompt", async () => {
  await withFake({}, async (s, fake) => {
    assert.equal(s.sysname, "swi2");
    assert.equal(s.pagingDisabled, true);
    assert.equal(fake.received[0], "screen-length 0 temporary");
    const r = await s.exec("display vlan");
    assert.equal(r.view, "user");
    assert.ok(!r.output.includes("display vlan"), "echo stripped");
    assert.ok(!r.output.includes("<swi2>"), "prompt stripped");
    assert.deepEqual(parseDisplayVlan(r.output).vlans.map((v) => v.id), [1]);
  });
});

Deno.test("VrpSession.exec pages through ---- More ---- and strips the erase sequence", async () => {
  for (const crErase of [false, true]) {
    await withFake({ noScreenLength: true, pageLines: 2, crErase }, async (s, fake) => {
      assert.equal(s.pagingDisabled, false);
      await s.configure(["vlan 10", "quit", "vlan 20", "quit"]);
      const r = await s.exec("display vlan");
      assert.ok(r.pages > 0);
      assert.ok(!/More|\x1b/.test(r.output), `clean output (crErase=${crErase})`);
      const t = parseDisplayVlan(r.output);
      assert.deepEqual(t.vlans.map((v) => v.id), [1, 10, 20]);
      assert.equal(t.total, 3);
      assert.deepEqual(t.vlans[0].ports.map((p) => p.interface), [
        "10GE2/1/1",
        "10GE2/1/2",
        "10GE2/1/3",
      ]);
      assert.ok(fake.received.includes("display vlan"));
    });
  }
});

Deno.test("VrpSession.exec turns Error: and the caret into VrpCommandError", async () => {
  await withFake({}, async (s) => {
    await assert.rejects(s.exec("dispaly vlan"), (e: unknown) => {
      assert.ok(e instanceof VrpCommandError);
      assert.equal(e.command, "dispaly vlan");
      assert.match(e.messageId ?? "", /Unrecognized command/);
      assert.match(e.message, /swi2/);
      return true;
    });
    const r = await s.exec("dispaly vlan", { allowError: true });
    assert.equal(r.errors.length, 1);
    // the session is still usable
    assert.equal((await s.exec("display vlan")).errors.length, 0);
  });
});

Deno.test("VrpSession.mode detects immediate and two-stage from the system-view prompt", async () => {
  await withFake({ mode: "immediate" }, async (s) => {
    assert.equal(await s.mode(), "immediate");
    assert.equal(s.prompt?.view, "user");
  });
  await withFake({ mode: "two-stage" }, async (s) => {
    assert.equal(await s.mode(), "two-stage");
  });
});

Deno.test("VrpSession.configure commits in two-stage mode and returns to user view", async () => {
  await withFake({ mode: "two-stage" }, async (s, fake) => {
    const r = await s.configure(["vlan 30", "description web", "quit"]);
    assert.equal(r.mode, "two-stage");
    assert.ok(r.commit);
    assert.equal(fake.vlans.get(30)?.description, "web");
    assert.equal(s.prompt?.view, "user");
    assert.deepEqual(fake.received.slice(-6), [
      "system-view",
      "vlan 30",
      "description web",
      "quit",
      "commit",
      "return",
    ]);
  });
});

Deno.test("VrpSession.configure reports a failed commit and discards the candidate", async () => {
  await withFake({ mode: "two-stage", failCommit: true }, async (s, fake) => {
    await assert.rejects(s.configure(["vlan 40", "quit"]), VrpCommitError);
    assert.equal(fake.vlans.has(40), false);
    assert.ok(fake.received.includes("clear configuration candidate"));
    assert.equal(s.prompt?.view, "user");
    await s.configure(["vlan 41", "quit"]);
    assert.equal(fake.vlans.has(41), true);
  });
});

Deno.test("VrpSession.configure stops at a rejected command and leaves system view", async () => {
  await withFake({ mode: "immediate" }, async (s, fake) => {
    await assert.rejects(s.configure(["vlan 50", "quit", "vlan 5000", "quit"]), (e: unknown) => {
      assert.ok(e instanceof VrpCommandError);
      assert.equal(e.command, "vlan 5000");
      assert.deepEqual(e.details?.applied, ["vlan 50", "quit"]);
      return true;
    });
    assert.equal(s.prompt?.view, "user");
    assert.equal(fake.vlans.has(50), true, "immediate mode: applied before the failure");
  });
});

Deno.test("VrpSession.save answers the [Y/N] question", async () => {
  await withFake({}, async (s) => {
    const r = await s.save();
    assert.equal(r.questions.length, 1);
    assert.match(r.info[0], /Save the configuration successfully/);
  });
});

Deno.test("VrpSession.exec times out with TimeoutError and retires the session", async () => {
  await withFake({ hang: ["display device"] }, async (s) => {
    await assert.rejects(s.exec("display device", { timeoutMs: 150 }), TimeoutError);
    assert.equal(s.usable, false);
    await assert.rejects(s.exec("display vlan"), /no longer usable/);
  });
});

Deno.test("VrpSession.connect refuses wrong credentials with AuthError", async () => {
  const fake = await startFakeVrp({});
  try {
    await assert.rejects(
      VrpSession.connect({
        device: "swi2",
        host: "127.0.0.1",
        port: fake.port,
        username: "admin",
        password: "wrong",
      }),
      AuthError,
    );
  } finally {
    await fake.close();
  }
});

Deno.test("VrpSession records commands and outputs", async () => {
  const fake = await startFakeVrp({});
  const rec = new MemoryRecorder();
  const s = await VrpSession.connect({
    device: "swi2",
    host: "127.0.0.1",
    port: fake.port,
    username: "admin",
    password: "Admin@123",
    recorder: rec,
  });
  await s.exec("display vlan");
  await s.close();
  await fake.close();
  const cmds = rec.exchanges.filter((x) => x.kind === "ssh").map((x) =>
    x.kind === "ssh" && x.command
  );
  assert.deepEqual(cmds, ["", "screen-length 0 temporary", "display vlan"]);
  assert.ok(!JSON.stringify(rec.exchanges).includes("Admin@123"));
});
