/**
 * The HMM menu modules backed by web API settings pages and record lists (network, stateless,
 * easyLink, network info, power, fans, alarm settings, system, basic) against the simulator: every
 * write is read back by an independent session; invalid input never reaches the device. The menus
 * added later (hibernation, records, fan control, alarm simulation, security, SSL, BIOS boot, black
 * box, FC ports, reminder, restore) are exercised in menus_sim_test.ts.
 */
import assert from "node:assert/strict";
import { NotFoundError, ValidationError } from "../errors.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";
import { alarms } from "./alarms.ts";
import { basic } from "./basic.ts";
import { easylink } from "./easylink.ts";
import { fans } from "./fan.ts";
import { hubOf } from "./hub.ts";
import { network } from "./network.ts";
import { networkInfo } from "./network_info.ts";
import { power } from "./power.ts";
import { stateless } from "./stateless.ts";
import { system } from "./system.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const sim = await startSimulator({});
const creds = sim.endpoints.credentials!;
const open = () => openChassis({ endpoints: sim.endpoints, credentials: creds });

Deno.test({
  name: "network sets management addresses of MMs, blades and switches with read-back",
  ...opts,
  fn: async () => {
    const [a, b] = [await open(), await open()];
    try {
      const n = network(a);
      const before = await n.bladeAddress(3);
      assert.equal(before.ipaddr, "172.31.1.131");
      await n.setBladeAddress(3, {
        ipaddr: "10.20.0.3",
        netmask: "255.255.255.0",
        gateway: "10.20.0.1",
        vlan: 20,
      });
      const seen = await network(b).bladeAddress(3);
      assert.deepEqual([seen.ipaddr, seen.vlan, seen.mode], ["10.20.0.3", 20, before.mode]);
      const sw = await n.setSwitchAddress("swi2", { gateway: "172.31.1.254" });
      assert.equal(sw.gateway, "172.31.1.254");
      const mm = await n.mmAddresses();
      assert.ok(mm.floatingIp && mm.hmm1Ip && mm.hmm2Ip);
      const hub = hubOf(a);
      const calls = hub.calls.length;
      await assert.rejects(n.setBladeAddress(3, { vlan: 5000 }), ValidationError);
      await assert.rejects(n.setBladeAddress(17, { vlan: 1 }), NotFoundError);
      await assert.rejects(n.switchAddress("swi9"), NotFoundError);
      assert.equal(hub.calls.length, calls, "nothing sent for invalid input");
    } finally {
      await a.close();
      await b.close();
    }
  },
});

Deno.test({
  name: "stateless manages profiles, pools and node assignment",
  ...opts,
  fn: async () => {
    const c = await open();
    try {
      const s = stateless(c);
      const p = await s.createProfile({
        name: "web",
        description: "web tier",
        bootMode: "UEFI",
        bootOrder: ["Pxe", "Hdd"],
        nics: 2,
        vlans: ["10", "20"],
      });
      assert.deepEqual([p.bootMode, p.bootOrder, p.vlans], ["UEFI", ["Pxe", "Hdd"], ["10", "20"]]);
      const u = await s.updateProfile("web", { vlans: ["30"] });
      assert.deepEqual([u.vlans, u.description], [["30"], "web tier"], "untouched fields kept");
      const pool = await s.setMacPool({ startMac: "28:6E:D4:10:00:00", count: 64 });
      assert.equal(pool.count, 64);
      assert.equal((await s.setUuidPool({ count: 8 })).count, 8);
      const node = await s.assign(1, "web");
      assert.deepEqual(node, { slot: "Slot1", profile: "web" });
      await assert.rejects(s.deleteProfile("web"), ValidationError, "still assigned");
      await s.unassign(1);
      await s.deleteProfile("web");
      assert.deepEqual(await s.profiles(), []);
      await assert.rejects(s.updateProfile("nope", { nics: 1 }), NotFoundError);
      await assert.rejects(
        s.createProfile({ name: "x", bootMode: "BIOS" as "UEFI" }),
        (e: unknown) => e instanceof ValidationError && e.field === "bootMode",
      );
    } finally {
      await c.close();
    }
  },
});

Deno.test({
  name: "easylink, network info, power, fans and alarm settings",
  ...opts,
  fn: async () => {
    const c = await open();
    try {
      const e = easylink(c);
      assert.equal((await e.setSettings({ enabled: true })).enabled, true);
      const sp = await e.createSwitchProfile({
        name: "up",
        switch: "Swi2",
        vlans: ["10"],
        uplinkPorts: ["10GE2/17/2"],
        lacp: true,
      });
      assert.deepEqual(sp.uplinkPorts, ["10GE2/17/2"]);
      await e.deleteSwitchProfile("up");
      await assert.rejects(
        e.createNicProfile({ name: "np", bandwidth: 250 }),
        (x: unknown) => x instanceof ValidationError && x.field === "bandwidth",
      );
      const np = await e.createNicProfile({ name: "np", vnics: 4, bandwidth: 50, pxe: true });
      assert.equal(np.pxe, true);

      const info = networkInfo(c);
      const ov = await info.overview();
      assert.equal(ov.blades.length, Object.keys(sim.endpoints.ibmc).length);
      const eth = await info.ethernet();
      assert.ok(eth.some((p) => p.component === "Slot1" && p.switchPort === "10GE2/1/1"));
      const mez = await info.mac(1);
      assert.ok(mez.every((m) => /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(m.mac ?? "")));

      const pw = power(c);
      const meter = await pw.meter();
      assert.ok(meter.psus.length >= 4 && (meter.consumedWatts ?? 0) > 0);
      const cap = await pw.setCapping({ enabled: true, limit: 9000 });
      assert.deepEqual([cap.enabled, cap.limit], [true, 9000]);
      assert.equal((await pw.meter()).limitWatts, 9000, "Redfish shows the same limit");
      await assert.rejects(pw.setCapping({ enabled: true, limit: 500 }), ValidationError);
      assert.equal(typeof (await pw.hibernation()).enabled, "boolean");
      assert.ok((await pw.bladeMeter(1)).consumedWatts !== undefined);

      const f = await fans(c).list();
      assert.ok(f.filter((x) => x.present).length >= 10 && f.some((x) => (x.rpm ?? 0) > 0));

      const al = alarms(c);
      const set = await al.setSettings({
        trapEnabled: true,
        trapServer: "10.0.0.9",
        community: "s3cret",
      });
      assert.equal(set.trapServer, "10.0.0.9");
      assert.ok(!("community" in set), "secrets are never read back");
      await assert.rejects(
        al.createSimulatedAlarm({ source: "PSU", code: "0X1", level: 1 }),
        ValidationError,
      );
    } finally {
      await c.close();
    }
  },
});

Deno.test({
  name: "system and basic settings: accounts, NTP, LDAP, logs, aliases, time",
  ...opts,
  fn: async () => {
    const c = await open();
    try {
      const s = system(c);
      const acc = await s.createAccount({
        username: "ops",
        password: "Passw0rd12",
        role: "operator",
        enabled: true,
      });
      assert.deepEqual([acc.username, acc.role, acc.enabled], ["ops", "operator", true]);
      // the new account logs in on its own
      const other = await openChassis({
        endpoints: sim.endpoints,
        credentials: { username: "ops", password: "Passw0rd12" },
      });
      try {
        assert.ok((await system(other).ntp()).timezone);
      } finally {
        await other.close();
      }
      await s.updateAccount("ops", { enabled: false });
      await s.deleteAccount("ops");
      await s.deleteAccount("ops", { missingOk: true });
      assert.ok((await s.redfishAccounts()).some((a) => a.username === creds.username));
      const ntp = await s.setNtp({ enabled: true, server1: "10.0.0.1", timezone: "GMT+8" });
      assert.deepEqual([ntp.enabled, ntp.server1, ntp.timezone], [true, "10.0.0.1", "GMT+8"]);
      await assert.rejects(s.setNtp({ server1: "a\nb" }), ValidationError);
      const ldap = await s.setLdap({ server: "10.0.0.5", bindPassword: "x-secret-1" });
      assert.ok(!("bindPassword" in ldap));
      const hist = await s.eventHistory({ perpage: 3 });
      assert.ok(hist.sum > 0 && hist.events.length <= 3);
      assert.equal(typeof await s.shellLog("oplog", { tail: true }), "string");
      // deno-lint-ignore no-explicit-any
      await assert.rejects(s.shellLog("passwd" as any), ValidationError);
      assert.match((await s.sslCertificate()).fingerprint, /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);

      const b = basic(c);
      const bs = await b.set({ location: "DC1 row 4", assetTag: "E9K-0042" });
      assert.deepEqual([bs.location, bs.assetTag], ["DC1 row 4", "E9K-0042"]);
      assert.equal(await b.setSlotAlias(3, "db-primary"), "db-primary");
      assert.equal((await b.slotAliases())[3], "db-primary");
      const t = await b.serverTime();
      assert.ok(t.timeIso && Math.abs(Date.parse(t.timeIso) - Date.now()) < 24 * 3600_000);
      assert.ok(Array.isArray(await b.fcPorts()));
    } finally {
      await c.close();
    }
  },
});

Deno.test({ name: "simulator closes", ...opts, fn: () => sim.close() });
