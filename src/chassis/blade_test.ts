/**
 * The blade module against the simulator: Redfish on the iBMC first, the iBMC CLI over SSH when
 * the iBMC has no Redfish (directly, or through the HMM shell's own `ssh`), typed errors.
 */
import assert from "node:assert/strict";
import { AuthError, NotFoundError, UnsupportedError, ValidationError } from "../errors.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";
import { blades, bootFromCli, powerFromSel, versionsFromCli } from "./blade.ts";
import { hubOf } from "./hub.ts";
import { ibmcFabricIp, slotOfIbmcIp } from "./ibmc.ts";

// Slot 3's iBMC has no Redfish listener (the simulator's per-blade option, docs/simulator.md H.2).
const sim = await startSimulator({ seed: { blades: [{ slot: 3, redfish: false }] } as never });
const creds = sim.endpoints.credentials!;

/**
 * The simulator writes `redfish: ""` for an iBMC without Redfish, which the endpoints schema
 * (src/chassis/endpoints.ts) refuses; an absent key means the same. Reported to the lead.
 */
function endpointsOf(ep: typeof sim.endpoints) {
  const out = structuredClone(ep) as unknown as {
    ibmc: Record<string, { redfish?: string; ssh?: string; via?: string }>;
  };
  for (const e of Object.values(out.ibmc)) if (e.redfish === "") delete e.redfish;
  return out;
}

/** Endpoints where slot 4's iBMC is only reachable through the HMM (as on a real chassis). */
function degradedEndpoints() {
  const ep = endpointsOf(sim.endpoints);
  ep.ibmc["4"] = { ssh: "ssh://172.31.1.132:22", via: "hmm" };
  return ep;
}

Deno.test({
  name: "BladeModule.list reads every slot over iBMC Redfish, with absent slots",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const chassis = await openChassis({
      endpoints: endpointsOf(sim.endpoints),
      credentials: creds,
    });
    try {
      const hub = hubOf(chassis);
      const list = await hub.trace(() => blades(chassis).list());
      assert.equal(list.length, 16);
      const present = list.filter((b) => b.present).map((b) => b.slot);
      assert.deepEqual(present, Object.keys(sim.endpoints.ibmc).map(Number).sort((a, b) => a - b));
      for (const b of list) {
        assert.equal(b.ibmc.fabricIp, `172.31.1.${128 + b.slot}`);
        if (!b.present) {
          assert.equal(b.model, undefined);
          continue;
        }
        assert.match(b.model ?? "", /^CH\d+/);
        assert.equal(b.ibmc.reachedBy, b.slot === 3 ? "ssh-direct" : "redfish");
        assert.equal(b.health, "OK", "the HMM fills in what the iBMC CLI cannot say");
        assert.ok(b.firmware.bios && b.firmware.ibmc);
        assert.ok(["On", "Off"].includes(b.power));
      }
      assert.ok(
        hub.criticalPathMs > 0 && hub.criticalPathMs <= hub.calls.reduce((s, c) => s + c.ms, 0),
      );
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({
  name: "BladeModule falls back to the iBMC CLI: direct SSH and through the HMM shell",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const chassis = await openChassis({ endpoints: degradedEndpoints(), credentials: creds });
    const full = await openChassis({ endpoints: endpointsOf(sim.endpoints), credentials: creds });
    try {
      const b = blades(chassis);
      const [b3, b4] = await Promise.all([b.get(3), b.get(4)]);
      assert.equal(b3.ibmc.reachedBy, "ssh-direct");
      assert.equal(b4.ibmc.reachedBy, "ssh-via-hmm");
      for (const x of [b3, b4]) {
        assert.equal(x.present, true);
        assert.ok(x.firmware.ibmc, "iMana version from ipmcget -d version");
      }
      // power off through the CLI, seen over Redfish by an independent session
      const before = await blades(full).powerState(3);
      if (before === "Off") await b.power(3, "on");
      const r = await b.power(3, "off");
      assert.deepEqual([r.transport, r.changed], ["ssh", true]);
      assert.equal(await blades(full).powerState(3), "Off");
      const again = await b.power(3, "off");
      assert.equal(again.changed, false, "no command when already off");
      await b.power(3, "on");
      assert.equal(await blades(full).powerState(3), "On");
      // through the HMM jump
      const set = await b.setBoot(4, { device: "pxe", persistence: "once" });
      assert.equal(set.device, "pxe");
      assert.equal((await blades(full).boot(4)).device, "pxe");
      await assert.rejects(b.setBoot(4, { device: "bios-setup" }), UnsupportedError);
      await assert.rejects(
        b.insertMedia(3, "http://10.0.0.1/a.iso"),
        (e: unknown) =>
          e instanceof UnsupportedError && /virtual-media/.test(String(e.details?.capability)),
      );
      await assert.rejects(
        b.power(4, "shutdown"),
        (e: unknown) =>
          e instanceof UnsupportedError && /shutdown/.test(String(e.details?.capability)),
      );
    } finally {
      await chassis.close();
      await full.close();
    }
  },
});

Deno.test({
  name: "BladeModule sets boot override over Redfish with read-back and validates input",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const chassis = await openChassis({
      endpoints: endpointsOf(sim.endpoints),
      credentials: creds,
    });
    try {
      const b = blades(chassis);
      const set = await b.setBoot(1, { device: "cd", persistence: "continuous" });
      assert.deepEqual([set.device, set.persistence], ["cd", "continuous"]);
      assert.deepEqual((await b.boot(1)).device, "cd");
      const none = await b.setBoot(1, { device: "none" });
      assert.equal(none.persistence, "disabled");
      await assert.rejects(
        b.get(17),
        (e: unknown) => e instanceof NotFoundError && /1 to 16/.test(e.hint ?? ""),
      );
      await assert.rejects(b.power(0, "on"), NotFoundError);
      // deno-lint-ignore no-explicit-any
      await assert.rejects(b.power(1, "explode" as any), ValidationError);
      // deno-lint-ignore no-explicit-any
      await assert.rejects(b.setBoot(1, { device: "usb" as any }), ValidationError);
      const on = await b.power(2, "on");
      assert.equal(on.transport, "redfish");
      if (on.before === "On") assert.equal(on.changed, false);
      const absent = await b.get(5);
      assert.equal(absent.present, false);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({
  name: "BladeModule stops after the first refused login (no lockout spiral)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const chassis = await openChassis({
      endpoints: endpointsOf(sim.endpoints),
      credentials: { username: creds.username, password: "wrong-password" },
      record: dir,
    });
    try {
      await assert.rejects(blades(chassis).list(), AuthError);
      await assert.rejects(blades(chassis).get(1), AuthError);
    } finally {
      await chassis.close();
    }
    const text = [...Deno.readDirSync(dir)].map((f) => Deno.readTextFileSync(`${dir}/${f.name}`))
      .join("");
    const logins = text.split("\n").filter((l) =>
      l.includes("SessionService/Sessions") && l.includes('"POST"')
    );
    assert.equal(logins.length, 1, "exactly one login attempt on the whole chassis");
    assert.ok(!text.includes("wrong-password"));
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("ibmcFabricIp maps slots to 172.31.1.(128+N) and back", () => {
  assert.equal(ibmcFabricIp(1), "172.31.1.129");
  assert.equal(ibmcFabricIp(16), "172.31.1.144");
  assert.equal(slotOfIbmcIp("172.31.1.137"), 9);
  assert.equal(slotOfIbmcIp("172.31.1.162"), undefined);
  assert.throws(() => ibmcFabricIp(17), NotFoundError);
});

Deno.test("powerFromSel, bootFromCli and versionsFromCli read iBMC CLI text", () => {
  const sel = "   ID | Time | Sensor | Event | Status\n" +
    "    2 | 2026-11-25 19:56:12 | ACPI State | S5 state | Asserted\n" +
    "    1 | 2026-11-25 19:56:09 | ACPI State | S0 state | Asserted";
  assert.equal(powerFromSel(sel), "Off");
  assert.equal(powerFromSel("nothing"), "Unknown");
  assert.deepEqual(bootFromCli("Boot device: No override"), {
    device: "none",
    persistence: "disabled",
  });
  assert.equal(bootFromCli("Boot device: Force PXE (once)").device, "pxe");
  assert.deepEqual(
    versionsFromCli(
      "Active iMana   Version:           (U4005)6.05\nBIOS           Version:           (U41)3.63",
    ),
    { ibmc: "6.05", bios: "3.63" },
  );
});

Deno.test({
  name: "BladeModule virtual media: eject before insert, OEM task, chassis-wide lock",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const chassis = await openChassis({
      endpoints: endpointsOf(sim.endpoints),
      credentials: creds,
    });
    try {
      const b = blades(chassis);
      const hub = hubOf(chassis);
      const a = await b.insertMedia(8, "http://10.0.0.1/a.iso");
      assert.deepEqual([a.inserted, a.image, a.kind], [true, "http://10.0.0.1/a.iso", "standard"]);
      // a second image replaces the first (the iBMC refuses insert while inserted)
      const a2 = await b.insertMedia(8, "http://10.0.0.1/b.iso");
      assert.equal(a2.image, "http://10.0.0.1/b.iso");
      // the OEM path runs a task and polls it
      const oem = await b.insertMedia(9, "nfs://10.0.0.1/c.iso", {
        preferOem: true,
        taskIntervalMs: 100,
      });
      assert.equal(oem.image, "nfs://10.0.0.1/c.iso");
      assert.ok(hub.calls.some((c) => c.device === "ibmc9" && c.op.startsWith("task ")));
      // two mounts at once never interleave: the lock holds one per chassis
      hub.resetTrace();
      await Promise.all([
        b.ejectMedia(8),
        b.ejectMedia(9, { preferOem: true, taskIntervalMs: 100 }),
      ]);
      const c8 = hub.calls.filter((c) => c.device === "ibmc8");
      const c9 = hub.calls.filter((c) => c.device === "ibmc9");
      const end = (cs: typeof c8) => Math.max(...cs.map((c) => c.start + c.ms));
      const start = (cs: typeof c8) => Math.min(...cs.map((c) => c.start));
      assert.ok(end(c8) <= start(c9) || end(c9) <= start(c8), "no overlap");
      assert.equal((await b.media(8)).inserted, false);
      assert.equal((await b.ejectMedia(8)).inserted, false, "eject when empty sends nothing");
      await assert.rejects(b.insertMedia(8, "file:///etc/passwd"), ValidationError);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({
  name: "simulator closes",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => sim.close(),
});
