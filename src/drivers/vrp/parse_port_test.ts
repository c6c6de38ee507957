import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import {
  parseDisplayVersion,
  parseInterfaceBrief,
  parseLldpNeighborBrief,
  parsePortVlan,
  parseVlanRanges,
  vlanListChunks,
} from "./parse_port.ts";

const dir = new URL("../../../testdata/vrp_driver/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, dir));

Deno.test("parseInterfaceBrief matches the ntc-templates parse of a real AR sample", () => {
  const rows = parseInterfaceBrief(read("display_interface_brief__ar.raw"));
  const yml = parseYaml(read("display_interface_brief__ar.yml")).parsed_sample as Record<
    string,
    string
  >[];
  assert.equal(rows.length, yml.length);
  for (const [i, y] of yml.entries()) {
    const r = rows[i];
    assert.equal(r.interface + r.flags.map((f) => `(${f})`).join(""), y.interface);
    assert.deepEqual([r.phy, r.protocol, r.inUti, r.outUti], [
      y.phy,
      y.protocol,
      y.inuti,
      y.oututi,
    ]);
    assert.deepEqual([r.inErrors, r.outErrors], [Number(y.inerrors), Number(y.outerrors)]);
  }
  const v = rows.find((r) => r.interface === "GigabitEthernet0/0/5")!;
  assert.deepEqual(v.flags, ["v"]);
  assert.equal(rows.find((r) => r.interface === "GigabitEthernet0/0/1")?.up, false);
});

Deno.test("parseInterfaceBrief reads CE names with leading digits and admin-down", () => {
  const rows = parseInterfaceBrief(read("ce6850_display_interface_brief.txt"));
  assert.ok(rows.length > 0);
  assert.ok(rows.every((r) => /^40GE\d/.test(r.interface)), "40GE names keep their digits");
  assert.equal(rows.find((r) => r.interface === "40GE1/0/0")?.adminDown, true);
  assert.equal(rows.find((r) => r.interface === "40GE3/0/2")?.up, true);
});

Deno.test("parsePortVlan matches the real example and expands ranges", () => {
  const rows = parsePortVlan(read("display_port_vlan__example1.raw"));
  const yml = parseYaml(read("display_port_vlan__example1.yml")).parsed_sample as Record<
    string,
    unknown
  >[];
  assert.equal(rows.length, yml.length);
  for (const [i, y] of yml.entries()) {
    assert.equal(rows[i].interface, y.interface);
    assert.equal(rows[i].linkType, y.link_type);
    assert.equal(rows[i].pvid, Number(y.vlan_id));
  }
  assert.deepEqual(rows[0].allowed, [2]);
  const trunk = rows.find((r) => r.interface === "GigabitEthernet0/0/27")!;
  assert.equal(trunk.allowed.length, 4094);
  const wrapped = parsePortVlan(
    "Port   Link Type    PVID  Trunk VLAN List\n----------\n10GE2/17/1  trunk  1  10 20 4094\n                         100-102\n10GE2/1/1  access  1  -\n",
  );
  assert.deepEqual(wrapped[0].allowed, [10, 20, 100, 101, 102, 4094]);
  assert.deepEqual(wrapped[1].allowed, []);
});

Deno.test("vlanListChunks builds VRP lists of at most ten items", () => {
  assert.deepEqual(vlanListChunks([3, 1, 2, 10, 12, 11]), ["1 to 3 10 to 12"]);
  const many = Array.from({ length: 12 }, (_, i) => i * 2 + 1);
  const chunks = vlanListChunks(many);
  assert.equal(chunks.length, 2);
  assert.equal(chunks[0].split(" ").length, 10);
  assert.deepEqual(chunks.flatMap((c) => parseVlanRanges(c)), many);
});

Deno.test("parseLldpNeighborBrief matches napalm's expectation for a real CE sample", () => {
  const rows = parseLldpNeighborBrief(read("ce6850_display_lldp_neighbor_brief.txt"));
  const expected = JSON.parse(read("ce6850_display_lldp_neighbor_brief.expected.json")) as Record<
    string,
    { hostname: string; port: string }[]
  >;
  const got: Record<string, { hostname: string; port: string }[]> = {};
  for (const r of rows) {
    (got[r.localInterface] ??= []).push({ hostname: r.neighborDevice, port: r.neighborInterface });
  }
  assert.deepEqual(got, expected);
  assert.equal(rows[0].expiresS, 111);
});

Deno.test("parseDisplayVersion reads VRP version, software, model and uptime", () => {
  const v = parseDisplayVersion(read("ce6850_display_version.txt"));
  assert.deepEqual(v, {
    vrp: "8.100",
    software: "CE6850HI V100R005C10SPC200",
    model: "CE6850-48S6Q-HI",
    uptimeS: 43200,
  });
});
