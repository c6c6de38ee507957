/**
 * Parsers against the real VRP samples in testdata/vrp (ntc-templates, napalm-ce; see its
 * README), and the configuration model / restore commands.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  expandRanges,
  parseArp,
  parseConfig,
  parseDisplayDevice,
  parseInterfaceBrief,
  parseLldpBrief,
  parseMac,
  parsePing,
  parsePortVlan,
  reconcileCommands,
  sameConfigText,
  undoIfaceLine,
} from "./vrp_parse.ts";

const sample = (name: string) =>
  Deno.readTextFileSync(fileURLToPath(new URL(`../../../testdata/vrp/${name}`, import.meta.url)));

Deno.test("parseArp reads display_arp_brief.raw like the ntc-templates expectation", () => {
  const rows = parseArp(sample("display_arp_brief.raw"));
  assert.deepEqual(rows.map((r) => [r.ip, r.mac, r.type, r.interface, r.vlan]), [
    ["192.168.120.251", "60de-4474-9640", "I", "Vlanif1", undefined],
    ["192.168.120.1", "7054-f5df-9b40", "D-0", "GE0/0/0", 1],
    ["192.168.120.252", "04f9-3895-8300", "D-0", "GE0/0/0", 1],
  ]);
});

Deno.test("parseMac reads the CE6850 and VRP5 layouts", () => {
  const expected = JSON.parse(sample("ce6850_display_mac-address.expected.json")) as {
    interface: string;
    mac: string;
    vlan: number;
  }[];
  const got = parseMac(sample("ce6850_display_mac-address.txt"));
  assert.deepEqual(
    got.map((r) => [r.port, r.mac.replace(/-/g, "").match(/../g)!.join(":"), r.vlan]),
    expected.map((e) => [e.interface, e.mac, e.vlan]),
  );
  const vrp5 = parseMac(sample("display_mac-address__vsi.raw"));
  assert.ok(vrp5.length > 0 && vrp5.every((r) => r.vlan > 0 && r.port.length > 0));
});

Deno.test("parseLldpBrief matches the napalm-ce expectation", () => {
  const expected = JSON.parse(sample("ce6850_display_lldp_neighbor_brief.expected.json")) as Record<
    string,
    { hostname: string; port: string }[]
  >;
  const got = parseLldpBrief(sample("ce6850_display_lldp_neighbor_brief.txt"));
  const flat = Object.entries(expected).flatMap(([local, ns]) =>
    ns.map((n) => [local, n.port, n.hostname])
  );
  assert.deepEqual(got.map((n) => [n.localInterface, n.neighborInterface, n.neighborDevice]), flat);
});

Deno.test("parseInterfaceBrief reads PHY states with markers (*down, ^down, up(l), (v))", () => {
  const ar = parseInterfaceBrief(sample("display_interface_brief__ar.raw"));
  const by = new Map(ar.map((r) => [r.name, r]));
  assert.equal(by.get("GigabitEthernet0/0/1")?.phy, "^down");
  assert.equal(by.get("GigabitEthernet0/0/2")?.up, true);
  assert.equal(by.get("GigabitEthernet0/0/5")?.up, true);
  assert.equal(by.get("Vlanif2")?.up, false);
  const ce = parseInterfaceBrief(sample("ce6850_display_interface_brief.txt"));
  assert.equal(ce.find((r) => r.name === "40GE1/0/0")?.phy, "*down");
  assert.equal(ce.find((r) => r.name === "40GE3/0/2")?.up, true);
});

Deno.test("parsePortVlan, parseDisplayDevice and parsePing read the real layouts", () => {
  const pv = parsePortVlan(sample("display_port_vlan__example1.raw"));
  assert.equal(pv.length, 28);
  assert.deepEqual(pv[0], {
    port: "GigabitEthernet0/0/1",
    linkType: "hybrid",
    pvid: 1,
    vlans: [2],
  });
  assert.equal(pv[27].linkType, "trunk");
  assert.equal(pv[27].vlans.length, 4094);
  const dev = parseDisplayDevice(sample("display_device__ce6850_stack.raw"));
  assert.equal(dev.ok, true);
  assert.equal(dev.rows[0].type, "CE6850-48S4Q-EI");
  assert.equal(parseDisplayDevice("").ok, false);
  const ping = parsePing(
    "  PING 10.0.0.1: 56  data bytes, press CTRL_C to break\n    Request time out\n\n" +
      "  --- 10.0.0.1 ping statistics ---\n    1 packet(s) transmitted\n    0 packet(s) received\n",
  );
  assert.deepEqual(ping, { sent: 1, received: 0 });
  assert.deepEqual(expandRanges("1 to 3 7 9-10"), [1, 2, 3, 7, 9, 10]);
});

const BASE = `!Software Version X
#
sysname S
#
vlan batch 10 20 4094
#
vlan 4094
 description management
#
interface 10GE2/1/1
 port link-type trunk
 port trunk allow-pass vlan 10
#
interface 10GE2/17/1
 port link-type trunk
 undo port trunk allow-pass vlan 1
 port trunk allow-pass vlan 4094
#
interface 10GE2/17/2
#
interface Vlanif4094
 ip address 172.31.1.162 255.255.255.0
#
return`;

Deno.test("reconcileCommands turns a changed configuration back into the snapshot", () => {
  const want = parseConfig(BASE);
  assert.deepEqual([...want.vlanIds].sort((a, b) => a - b), [1, 10, 20, 4094]);
  assert.equal(want.vlans.get(4094)?.description, "management");
  const changed = BASE
    .replace("vlan batch 10 20 4094", "vlan batch 10 30")
    .replace("vlan 4094\n description management\n#\n", "")
    .replace(" port trunk allow-pass vlan 10\n", " port trunk allow-pass vlan 10 30\n")
    .replace(" undo port trunk allow-pass vlan 1\n port trunk allow-pass vlan 4094\n", "")
    .replace("interface 10GE2/17/2\n", "interface 10GE2/17/2\n eth-trunk 1\n")
    .replace("interface Vlanif4094", "interface Eth-Trunk1\n#\ninterface Vlanif4094");
  const plan = reconcileCommands(want, parseConfig(changed));
  assert.deepEqual(plan.unsupported, []);
  assert.deepEqual(plan.commands, [
    "vlan batch 20 4094",
    "vlan 4094",
    "description management",
    "quit",
    "interface 10GE2/17/2",
    "undo eth-trunk",
    "quit",
    "undo interface Eth-Trunk1",
    "interface 10GE2/1/1",
    "undo port trunk allow-pass vlan 10 30",
    "port trunk allow-pass vlan 10",
    "quit",
    "interface 10GE2/17/1",
    "undo port trunk allow-pass vlan 1",
    "port trunk allow-pass vlan 4094",
    "quit",
    "undo vlan batch 30",
  ]);
  assert.deepEqual(reconcileCommands(want, parseConfig(BASE)).commands, []);
  assert.ok(sameConfigText(BASE, BASE.replace("!Software Version X", "!Software Version Y")));
  assert.equal(undoIfaceLine("port hybrid pvid vlan 20"), "port hybrid pvid vlan 1");
  assert.equal(undoIfaceLine("undo port hybrid vlan 1"), "port hybrid untagged vlan 1");
  assert.equal(undoIfaceLine("ip address 1.2.3.4 255.0.0.0"), "undo ip address");
});
