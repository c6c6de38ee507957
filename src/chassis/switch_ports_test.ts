/**
 * Switch ports, LAGs, display data and configuration export against the simulated CX310 in both
 * VRP modes, and the display parsers against the real samples in testdata/vrp/.
 */
import assert from "node:assert/strict";
import { NotFoundError, UnsupportedError, ValidationError } from "../errors.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";
import { portCommands, switchPorts } from "./switch_ports.ts";
import {
  formatVlanList,
  parseArp,
  parseInterfaceBrief,
  parseLldpBrief,
  parseMacTable,
  parsePortVlan,
  parseVlanList,
} from "./switch_display.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const full = await startSimulator({ vrpMode: "two-stage" });
const lean = await startSimulator({ vrpMode: "immediate", hmm: false });

for (const sim of [full, lean]) {
  const mode = sim === full ? "two-stage" : "immediate";
  Deno.test({
    name: `SwitchPorts sets access, trunk and hybrid ports with read-back (${mode})`,
    ...opts,
    fn: async () => {
      const chassis = await openChassis({
        endpoints: sim.endpoints,
        credentials: sim.endpoints.credentials!,
      });
      try {
        const sw = chassis.switch("swi2");
        for (const id of [10, 20, 30]) await sw.createVlan({ id });
        const p = switchPorts(chassis, "swi2");
        const t = await p.setPort("10GE2/1/1", { mode: "trunk", allowedVlans: [10, 20], pvid: 10 });
        assert.deepEqual([t.mode, t.allowedVlans, t.pvid], ["trunk", [10, 20], 10]);
        // allow-pass is additive on VRP: Vessel removes what is no longer wanted
        const t2 = await p.setPort("10GE2/1/1", { mode: "trunk", allowedVlans: [20, 30] });
        assert.deepEqual([t2.allowedVlans, t2.pvid], [[20, 30], 1]);
        const trunkOnDevice = sim.switch("swi2").runningText();
        assert.match(trunkOnDevice, /interface 10GE2\/1\/1[\s\S]*?allow-pass vlan 20 30/);
        const h = await p.setPort("10GE2/2/1", {
          mode: "hybrid",
          taggedVlans: [10],
          untaggedVlans: [20],
          pvid: 20,
        });
        assert.deepEqual([h.mode, h.taggedVlans, h.untaggedVlans, h.pvid], [
          "hybrid",
          [10],
          [20],
          20,
        ]);
        const a = await p.setPort("10GE2/3/1", {
          mode: "access",
          vlan: 30,
          description: "web tier",
          enabled: false,
        });
        assert.deepEqual([a.mode, a.pvid, a.description, a.enabled], [
          "access",
          30,
          "web tier",
          false,
        ]);
        // nothing to do: no command sent
        assert.deepEqual(portCommands(a, { mode: "access", vlan: 30, enabled: false }), []);
        await assert.rejects(p.port("10GE9/9/9"), NotFoundError);
        await assert.rejects(p.setPort("10GE2/1/1; reboot", { enabled: true }), ValidationError);
        await assert.rejects(
          p.setPort("10GE2/1/1", { mode: "trunk", allowedVlans: [0] }),
          ValidationError,
        );
        assert.throws(() => switchPorts(chassis, "swi7"), NotFoundError);
        assert.throws(
          () => switchPorts(chassis, "swi1"),
          (e: unknown) => e instanceof NotFoundError && /swi2/.test(e.hint ?? ""),
        );
      } finally {
        await chassis.close();
      }
    },
  });

  Deno.test({
    name: `SwitchPorts manages Eth-Trunk LAGs and their members (${mode})`,
    ...opts,
    fn: async () => {
      const chassis = await openChassis({
        endpoints: sim.endpoints,
        credentials: sim.endpoints.credentials!,
      });
      try {
        const p = switchPorts(chassis, "swi2");
        const lag = await p.createLag(5, {
          mode: "lacp-static",
          members: ["10GE2/17/2", "10GE2/17/3"],
        });
        assert.deepEqual([lag.mode, lag.members], ["lacp-static", ["10GE2/17/2", "10GE2/17/3"]]);
        const vl = await p.setPort("Eth-Trunk5", { mode: "trunk", allowedVlans: [10] });
        assert.deepEqual(vl.allowedVlans, [10]);
        await assert.rejects(
          p.setPort("10GE2/17/2", { mode: "access", vlan: 10 }),
          (e: unknown) => e instanceof UnsupportedError && /Eth-Trunk5/.test(e.message),
        );
        const moved = await p.setLagMembers(5, ["10GE2/17/3", "10GE2/17/4"]);
        assert.deepEqual(moved.members, ["10GE2/17/3", "10GE2/17/4"]);
        await p.deleteLag(5);
        assert.ok(!(await p.lags()).some((l) => l.id === 5));
        await p.deleteLag(5, { missingOk: true });
        await assert.rejects(p.deleteLag(5), NotFoundError);
      } finally {
        await chassis.close();
      }
    },
  });
}

Deno.test({
  name: "SwitchPorts reads LLDP, MAC, ARP, interfaces and exports the configuration via the HMM",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({
      endpoints: full.endpoints,
      credentials: full.endpoints.credentials!,
    });
    try {
      const p = switchPorts(chassis, "swi3");
      const lldp = await p.lldp();
      const present = Object.keys(full.endpoints.ibmc).length;
      assert.equal(lldp.length, present, "one neighbour per powered blade");
      assert.ok(lldp.every((n) => /^blade\d+$/.test(n.neighborDevice)));
      const macs = await p.macTable();
      assert.ok(
        macs.length >= present && macs.every((m) => /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(m.mac)),
      );
      const arp = await p.arp();
      assert.ok(arp.some((e) => e.ip === "172.31.1.163"), "own management address");
      const ifs = await p.interfaces();
      assert.ok(ifs.some((i) => i.name === "10GE3/17/1" && i.up));
      const ex = await p.exportConfig();
      assert.equal(ex.path, "/tmp/exchange/swi3/swi3.tar.gz");
      assert.deepEqual([...ex.archive.slice(0, 2)], [0x1f, 0x8b], "a gzip archive");
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({
  name: "SwitchPorts reaches a switch through the HMM shell's ssh when it has no direct address",
  ...opts,
  fn: async () => {
    const ep = structuredClone(full.endpoints) as unknown as {
      switches: Record<string, { ssh: string; via?: string }>;
    };
    ep.switches.swi3 = { ssh: "ssh://172.31.1.163:22", via: "hmm" };
    const chassis = await openChassis({ endpoints: ep, credentials: full.endpoints.credentials! });
    try {
      const p = switchPorts(chassis, "swi3");
      const port = await p.setPort("10GE3/5/1", { description: "via hmm" });
      assert.equal(port.description, "via hmm");
      assert.match(full.switch("swi3").runningText(), /description via hmm/);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test("switch display parsers read the real VRP samples", async () => {
  const t = (f: string) => Deno.readTextFile(new URL(`../../testdata/vrp/${f}`, import.meta.url));
  const brief = parseInterfaceBrief(await t("ce6850_display_interface_brief.txt"));
  assert.deepEqual(brief.find((b) => b.name === "40GE3/0/2")?.up, true);
  assert.deepEqual(brief.find((b) => b.name === "40GE1/0/0")?.adminDown, true);
  const lldp = parseLldpBrief(await t("ce6850_display_lldp_neighbor_brief.txt"));
  assert.deepEqual(lldp.map((n) => [n.localInterface, n.neighborInterface, n.neighborDevice]), [
    ["10GE4/0/1", "10GE4/0/25", "HUAWEI"],
    ["10GE4/0/1", "10GE4/0/26", "HUAWEI2"],
  ]);
  const mac8 = parseMacTable(await t("ce6850_display_mac-address.txt"));
  assert.deepEqual(mac8[0], {
    mac: "00:00:00:00:00:33",
    vlan: 100,
    interface: "10GE1/0/1",
    type: "dynamic",
  });
  const mac5 = parseMacTable(await t("display_mac-address__vsi.raw"));
  assert.equal(mac5.length, 2);
  const arp = parseArp(await t("display_arp_brief.raw"));
  assert.deepEqual(arp.map((a) => [a.ip, a.type, a.interface]), [
    ["192.168.120.251", "I-", "Vlanif1"],
    ["192.168.120.1", "D-0", "GE0/0/0"],
    ["192.168.120.252", "D-0", "GE0/0/0"],
  ]);
  assert.equal(arp[1].vlan, 1);
  const pv = parsePortVlan(await t("display_port_vlan__example1.raw"));
  assert.deepEqual(pv[0], {
    name: "GigabitEthernet0/0/1",
    linkType: "hybrid",
    pvid: 1,
    vlans: [2],
  });
  assert.equal(pv.find((r) => r.name === "GigabitEthernet0/0/27")?.vlans.length, 4094);
  assert.deepEqual(parseVlanList("10 20 to 22"), [10, 20, 21, 22]);
  assert.equal(formatVlanList([22, 10, 20, 21]), "10 20 to 22");
});

Deno.test({
  name: "simulators close",
  ...opts,
  fn: async () => {
    await full.close();
    await lean.close();
  },
});
