/**
 * The HMM menu operations whose real wire format was never captured (docs/simulator.md H.4,
 * "assumption"): power hibernation and records, fan control, alarm simulation, security policy,
 * SSL certificate, chassis BIOS boot, black box, FC ports, reminder, configuration backup and
 * restore. Against one simulator: every write is read back (and seen by a second session), bad
 * input never reaches the device, the HMM's own refusals become ValidationErrors.
 */
import assert from "node:assert/strict";
import { AuthError, NotFoundError, ValidationError } from "../errors.ts";
import { startSimulator } from "../sim/mod.ts";
import type { HmmServicesHandle } from "../sim/hmm/mod.ts";
import { createCa, issueLeaf } from "../sim/tls.ts";
import { alarms } from "./alarms.ts";
import { basic, type ConfigRestore } from "./basic.ts";
import { openChassis } from "./chassis.ts";
import { fans } from "./fan.ts";
import { hubOf } from "./hub.ts";
import { power } from "./power.ts";
import { system } from "./system.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const sim = await startSimulator({});
const creds = sim.endpoints.credentials!;
const open = () => openChassis({ endpoints: sim.endpoints, credentials: creds });

/** Runs `fn` with two independent sessions (writer, observer). */
async function withTwo(
  fn: (a: Awaited<ReturnType<typeof open>>, b: Awaited<ReturnType<typeof open>>) => Promise<void>,
) {
  const [a, b] = [await open(), await open()];
  try {
    await fn(a, b);
  } finally {
    await a.close();
    await b.close();
  }
}

Deno.test({
  name: "power hibernation and records: write read back, records paged and cleared",
  ...opts,
  fn: () =>
    withTwo(async (a, b) => {
      const p = power(a);
      const h = await p.setHibernation({ enabled: true, redundancy: "N+1" });
      assert.deepEqual([h.enabled, h.redundancy], [true, "N+1"]);
      assert.deepEqual(await power(b).hibernation(), h);
      const calls = hubOf(a).calls.length;
      // deno-lint-ignore no-explicit-any
      await assert.rejects(p.setHibernation({ redundancy: "2N" as any }), ValidationError);
      await assert.rejects(p.records({ page: 0 }), ValidationError);
      assert.equal(hubOf(a).calls.length, calls, "nothing sent for invalid input");

      const first = await p.records({ perpage: 24 });
      assert.ok(first.sum > 24 && first.records.length === 24);
      const second = await p.records({ page: 2, perpage: 24 });
      assert.ok(Date.parse(first.records[23].timeIso!) > Date.parse(second.records[0].timeIso!));
      assert.ok(first.records.every((r) => r.peakWatts >= r.averageWatts && r.averageWatts > 0));
      await p.deleteRecords();
      assert.ok((await power(b).records()).sum <= 1);
    }),
});

Deno.test({
  name: "fan control: manual speed read back, range checked before sending",
  ...opts,
  fn: () =>
    withTwo(async (a, b) => {
      const f = fans(a);
      assert.equal((await f.control()).mode, "auto");
      const rpm = (await f.list()).filter((x) => x.present).map((x) => x.rpm ?? 0);
      const c = await f.setControl({ mode: "manual", speed: 80 });
      assert.deepEqual([c.mode, c.speed], ["manual", 80]);
      assert.deepEqual(await fans(b).control(), c);
      const faster = (await fans(b).list()).filter((x) => x.present).map((x) => x.rpm ?? 0);
      assert.ok(faster.every((r, i) => r > rpm[i]), "the fans speed up at 80 %");
      await assert.rejects(f.setControl({ speed: 10 }), ValidationError);
      await f.setControl({ mode: "auto" });
    }),
});

Deno.test({
  name: "alarm simulation: a simulated alarm is active until stopped",
  ...opts,
  fn: () =>
    withTwo(async (a, b) => {
      const al = alarms(a);
      const before = await al.active({ perpage: 500 });
      const sim1 = await al.createSimulatedAlarm({
        source: "pem2",
        code: "0x0801abcd",
        level: 3,
        description: "drill",
      });
      assert.deepEqual([sim1.source, sim1.code, sim1.level], ["PEM2", "0X0801ABCD", 3]);
      const during = await alarms(b).active({ perpage: 500 });
      const shown = during.alarms.find((x) => x.code === "0X0801ABCD");
      assert.ok(shown, "the simulated alarm is listed among the active alarms");
      assert.equal(during.alarms.length, before.alarms.length + 1);
      await assert.rejects(
        al.createSimulatedAlarm({ source: "PEM2", code: "0X0801ABCD", level: 3 }),
        ValidationError,
        "the HMM refuses the same simulation twice",
      );
      await assert.rejects(
        al.createSimulatedAlarm({ source: "Slot99", code: "0X0801ABCD", level: 1 }),
        ValidationError,
      );
      await al.deleteSimulatedAlarm("PEM2", "0X0801ABCD");
      assert.equal((await alarms(b).simulatedAlarms()).length, 0);
      await assert.rejects(al.deleteSimulatedAlarm("PEM2", "0X0801ABCD"), NotFoundError);
      await al.deleteSimulatedAlarm("PEM2", "0X0801ABCD", { missingOk: true });
    }),
});

Deno.test({
  name: "security policy and SSL certificate: read back, bad certificates refused locally",
  ...opts,
  fn: () =>
    withTwo(async (a, b) => {
      const s = system(a);
      const sec = await s.setSecurity({ lockoutThreshold: 3, sessionTimeoutMinutes: 15 });
      assert.deepEqual([sec.lockoutThreshold, sec.sessionTimeoutMinutes], [3, 15]);
      assert.ok((await s.security()).passwordComplexity, "untouched fields keep their value");
      assert.deepEqual(await system(b).security(), sec);
      await assert.rejects(s.setSecurity({ minPasswordLength: 4 }), ValidationError);
      // The lockout threshold takes effect at once: one bad password locks a fresh account.
      await s.createAccount({ username: "lk", password: "Passw0rd12", role: "user" });
      await s.setSecurity({ lockoutThreshold: 1, lockoutMinutes: 1 });
      const login = async (password: string) => {
        const c = await openChassis({
          endpoints: sim.endpoints,
          credentials: { username: "lk", password },
        });
        try {
          await system(c).ntp();
        } finally {
          await c.close();
        }
      };
      await assert.rejects(login("Wrong-pass1"), AuthError);
      await assert.rejects(login("Passw0rd12"), /locked/i, "locked after one failure");
      await s.setSecurity({ lockoutThreshold: 5, lockoutMinutes: 5 });
      await s.deleteAccount("lk");

      const cur = await s.sslCertificate();
      assert.match(cur.subject, /hmm/);
      const ca = createCa("Test CA");
      const leaf = issueLeaf(ca, "hmm-new", "Test CA");
      const other = issueLeaf(ca, "other", "Test CA");
      const calls = hubOf(a).calls.length;
      await assert.rejects(
        s.updateSslCertificate({ certificate: leaf.cert, privateKey: other.key }),
        (e: unknown) => e instanceof ValidationError && !String(e.message).includes("PRIVATE"),
      );
      await assert.rejects(
        s.updateSslCertificate({ certificate: "junk", privateKey: leaf.key }),
        ValidationError,
      );
      assert.equal(hubOf(a).calls.length, calls, "nothing sent for a bad certificate");
      // A certificate from the simulator CA: clients trusting the CA keep working after the switch.
      const next = (sim.hmm as HmmServicesHandle).tlsLeaf("hmm-rotated");
      const got = await s.updateSslCertificate({ certificate: next.cert, privateKey: next.key });
      assert.match(got.subject, /hmm-rotated/);
      assert.notEqual(got.fingerprint, cur.fingerprint);
      assert.equal((await system(b).sslCertificate()).fingerprint, got.fingerprint);
      // A recorded session imports another one: the key never reaches the recording.
      const dir = await Deno.makeTempDir({ prefix: "vessel-ssl-rec-" });
      const rec = await openChassis({ endpoints: sim.endpoints, credentials: creds, record: dir });
      const third = (sim.hmm as HmmServicesHandle).tlsLeaf("hmm-rotated-2");
      try {
        const again = await system(rec).updateSslCertificate({
          certificate: third.cert,
          privateKey: third.key,
        });
        assert.equal((await system(rec).sslCertificate()).fingerprint, again.fingerprint);
      } finally {
        await rec.close();
      }
      const keyBody = third.key.split("\n")[1];
      let imports = 0;
      for await (const e of Deno.readDir(dir)) {
        if (!e.isFile) continue;
        const text = await Deno.readTextFile(`${dir}/${e.name}`);
        assert.ok(!text.includes(keyBody), `private key in recording ${e.name}`);
        imports += text.split("importcert").length - 1;
      }
      assert.ok(imports > 0, "the import itself was recorded");
      await Deno.remove(dir, { recursive: true });
    }),
});

Deno.test({
  name: "BIOS boot, black box, FC ports and reminder: per slot and per port with read-back",
  ...opts,
  fn: () =>
    withTwo(async (a, b) => {
      const ba = basic(a);
      const boot = await ba.setBiosBoot(3, { bootOrder: ["Pxe", "Hdd"], effective: "once" });
      assert.deepEqual([boot.bootOrder, boot.effective], [["Pxe", "Hdd"], "once"]);
      assert.deepEqual(await basic(b).biosBoot(3), boot);
      assert.notDeepEqual((await basic(b).biosBoot(4)).bootOrder, ["Pxe", "Hdd"]);
      await assert.rejects(ba.setBiosBoot(3, { bootOrder: ["Pxe", "Pxe"] }), ValidationError);
      await assert.rejects(ba.setBiosBoot(17, { bootMode: "UEFI" }), NotFoundError);
      await assert.rejects(ba.biosBoot(5), NotFoundError, "slot 5 is empty");

      assert.equal((await ba.setBlackBox(8, { enabled: false })).enabled, false);
      assert.equal((await basic(b).blackBox(8)).enabled, false);
      assert.equal((await basic(b).blackBox(9)).enabled, true);

      const ports = await ba.fcPorts();
      const switches = new Set(sim.topology.switches.map((s) => `Swi${s.slot}`));
      assert.deepEqual(new Set(ports.map((p) => p.switch)), switches);
      const sw = ports[0].switch;
      const fc = await ba.setFcPort(sw.toLowerCase(), "fc2", { speed: "8G", mode: "E" });
      assert.deepEqual([fc.port, fc.speed, fc.mode, fc.enabled], ["FC2", "8G", "E", true]);
      const seen = (await basic(b).fcPorts()).find((p) => p.switch === sw && p.port === "FC2");
      assert.deepEqual(seen, fc);
      await assert.rejects(ba.setFcPort(sw, "FC9", { enabled: false }), NotFoundError);
      await assert.rejects(ba.setFcPort("swi7", "FC1", { enabled: false }), NotFoundError);
      // deno-lint-ignore no-explicit-any
      await assert.rejects(ba.setFcPort(sw, "FC1", { speed: "2G" as any }), ValidationError);

      const r = await ba.setReminder({ enabled: true, intervalDays: 90, content: "Filters" });
      assert.deepEqual([r.enabled, r.intervalDays, r.content], [true, 90, "Filters"]);
      await assert.rejects(
        ba.setReminder({ content: "" }),
        ValidationError,
        "the HMM refuses an empty reminder text while enabled",
      );
    }),
});

Deno.test({
  name: "configuration restore: backup then restore returns settings; needs confirm",
  ...opts,
  fn: () =>
    withTwo(async (a, b) => {
      const ba = basic(a);
      await assert.rejects(
        ba.applyConfigRestore({ source: "backup", confirm: false } as unknown as ConfigRestore),
        ValidationError,
      );
      await ba.set({ location: "before backup" });
      const saved = await ba.saveConfigBackup();
      assert.ok(saved.backupTime);
      await ba.set({ location: "after backup" });
      const done = await ba.applyConfigRestore({ source: "backup", confirm: true });
      assert.equal(done.restoreSource, "backup");
      assert.equal((await basic(b).get()).location, "before backup");
      await ba.applyConfigRestore({ source: "factory", confirm: true });
      assert.equal((await basic(b).get()).location, sim.topology.chassis.location ?? "");
      assert.equal((await basic(b).configRecovery()).restoreSource, "factory");
    }),
});

Deno.test({ name: "simulator closes", ...opts, fn: () => sim.close() });
