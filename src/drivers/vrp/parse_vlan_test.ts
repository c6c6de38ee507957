import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { expandVlanList, parseDisplayVlan, parseVlanConfig } from "./parse_vlan.ts";

const dir = new URL("../../../testdata/vrp_driver/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, dir));

Deno.test("parseDisplayVlan reads the real ge_stat sample with sticky TG over wrapped lines", () => {
  const raw = read("display_vlan__ge_stat.raw");
  const table = parseDisplayVlan(raw);
  assert.equal(table.vlans.length, 1);
  const v = table.vlans[0];
  assert.equal(v.id, 3);
  assert.equal(v.type, "common");
  assert.equal(v.status, "enable");
  assert.equal(v.description, "SOME_TEST");
  // Every port token of the first table, counted independently of the parser.
  const first = raw.slice(0, raw.indexOf("VID  Type"));
  const tokens = [...first.matchAll(/([A-Z]+\d[\w/]*)\(([UD])\)/g)];
  assert.equal(v.ports.length, tokens.length);
  assert.ok(v.ports.every((p) => p.mode === "tagged"), "TG: is sticky across wrapped lines");
  // ntc-templates' parse (a subset) must be contained in ours, with the same states.
  const yml = parseYaml(read("display_vlan__ge_stat.yml")).parsed_sample[0];
  for (const [i, name] of (yml.interface as string[]).entries()) {
    const p = v.ports.find((x) => x.interface === name);
    assert.ok(p, `port ${name} parsed`);
    assert.equal(p.up, yml.interface_status[i] === "U");
  }
  assert.equal(v.ports.find((p) => p.interface === "GE1/0/7")?.up, false);
  assert.equal(v.ports.find((p) => p.interface === "GE1/0/27")?.up, false);
});

Deno.test("parseDisplayVlan keeps CX310 names with leading digits and resets the mode per row", () => {
  const t = parseDisplayVlan(read("cx310_display_vlan.synthetic.txt"));
  assert.equal(t.total, 4);
  assert.deepEqual(t.vlans.map((v) => v.id), [1, 10, 100, 4094]);
  const v1 = t.vlans[0];
  assert.equal(v1.type, "common");
  assert.deepEqual(
    v1.ports.map((p) => `${p.interface}:${p.mode[0]}:${p.up ? "U" : "D"}`),
    [
      "10GE2/1/1:u:U",
      "10GE2/1/2:u:D",
      "10GE2/1/3:u:U",
      "10GE2/1/4:u:U",
      "10GE2/1/5:u:U",
      "10GE2/1/6:u:U",
      "10GE2/17/1:t:U",
      "10GE2/17/2:t:D",
    ],
  );
  const v100 = t.vlans[2];
  assert.deepEqual(v100.ports.map((p) => [p.interface, p.mode]), [
    ["10GE2/1/7", "untagged"],
    ["10GE2/17/1", "tagged"],
  ]);
  assert.deepEqual(t.vlans[3].ports, []);
  assert.equal(t.vlans[1].description, "prod web tier");
});

Deno.test("parseDisplayVlan returns nothing without a header", () => {
  assert.deepEqual(parseDisplayVlan("Error: Unrecognized command\n").vlans, []);
  assert.deepEqual(parseDisplayVlan("").vlans, []);
});

Deno.test("parseVlanConfig reads vlan batch ranges and name/description blocks", () => {
  const c = parseVlanConfig(read("cx310_current_configuration.synthetic.txt"));
  assert.deepEqual(c.batch, [10, 100, 200, 201, 202, 203, 4094]);
  assert.deepEqual(c.vlans, [
    { id: 10, name: "prod", description: "prod web tier" },
    { id: 100, description: "storage" },
    { id: 4094, name: "mgmt" },
  ]);
  assert.deepEqual(c.ids, [10, 100, 200, 201, 202, 203, 4094]);
});

Deno.test("parseVlanConfig ignores name lines outside vlan blocks", () => {
  const c = parseVlanConfig("interface 10GE2/1/1\n description uplink\n#\nvlan 5\n#\n name x\n");
  assert.deepEqual(c.vlans, [{ id: 5 }]);
});

Deno.test("expandVlanList expands to-ranges", () => {
  assert.deepEqual(expandVlanList("2 5 to 7 9"), [2, 5, 6, 7, 9]);
});
