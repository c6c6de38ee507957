import assert from "node:assert/strict";
import { loadConfig, parseConfigText } from "./load.ts";
import { validateConfig } from "./validate.ts";
import { defaultRegistry } from "../resources/mod.ts";
import { ConfigError } from "../errors.ts";

async function configError(fn: () => Promise<unknown> | unknown): Promise<ConfigError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e;
  }
  assert.fail("expected a ConfigError");
}

async function validate(file: string, text: string) {
  return validateConfig(
    { files: [file], resources: await parseConfigText(file, text) },
    defaultRegistry(),
  );
}

Deno.test("loadConfig reads HCL and YAML examples into the same instances", async () => {
  const hcl = validateConfig(await loadConfig(["examples/vlans.hcl"]), defaultRegistry());
  const yaml = validateConfig(await loadConfig(["examples/vlans.yaml"]), defaultRegistry());
  const strip = (xs: typeof hcl) =>
    xs.map((x) => ({ address: x.address, attributes: x.attributes }));
  assert.deepEqual(strip(hcl), strip(yaml));
  assert.equal(hcl.length, 4);
  assert.deepEqual(hcl.find((x) => x.address === "vessel_vlan.storage_a")?.attributes, {
    switch: "swi2",
    vlan_id: 200,
    name: "storage",
  });
});

Deno.test("loadConfig records block and attribute positions", async (t) => {
  await t.step("HCL", async () => {
    const [r] = await parseConfigText(
      "a.hcl",
      '\n\nresource "vessel_vlan" "x" {\n  switch = "swi2"\n  vlan_id = 5\n}\n',
    );
    assert.deepEqual(r.position, { file: "a.hcl", line: 3, column: 1 });
    assert.deepEqual(r.attributePositions.vlan_id, { file: "a.hcl", line: 5, column: 3 });
  });
  await t.step("YAML", async () => {
    const [r] = await parseConfigText(
      "a.yaml",
      "resource:\n  vessel_vlan:\n    x:\n      switch: swi2\n      vlan_id: 5\n",
    );
    assert.deepEqual(r.position, { file: "a.yaml", line: 3, column: 5 });
    assert.deepEqual(r.attributePositions.vlan_id, { file: "a.yaml", line: 5, column: 7 });
  });
});

Deno.test("loadConfig malformed input names file:line:col", async (t) => {
  await t.step("HCL syntax", async () => {
    const e = await configError(() =>
      parseConfigText("bad.hcl", 'resource "vessel_vlan" "x" {\n  vlan_id = \n}\n')
    );
    assert.equal(e.position?.file, "bad.hcl");
    assert.equal(e.position?.line, 2);
    assert.match(e.message, /Invalid expression/);
  });
  await t.step("YAML syntax", async () => {
    const e = await configError(() =>
      parseConfigText("bad.yaml", "resource:\n  vessel_vlan:\n    x: [1, 2\n")
    );
    assert.equal(e.position?.file, "bad.yaml");
    assert.ok((e.position?.line ?? 0) >= 3);
  });
  await t.step("JSON syntax", async () => {
    const e = await configError(() =>
      parseConfigText("bad.json", '{\n  "resource": {\n    "x": ,\n')
    );
    assert.equal(e.position?.file, "bad.json");
    assert.equal(e.position?.line, 3);
  });
  await t.step("missing file", async () => {
    const e = await configError(() => loadConfig(["does/not/exist.hcl"]));
    assert.match(e.message, /does not exist/);
  });
  await t.step("duplicate block names", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const block = 'resource "vessel_vlan" "x" {\n  switch = "swi2"\n  vlan_id = 5\n}\n';
      await Deno.writeTextFile(`${dir}/a.hcl`, block);
      await Deno.writeTextFile(`${dir}/b.hcl`, block);
      const e = await configError(() => loadConfig([dir]));
      assert.match(
        e.message,
        /Duplicate resource vessel_vlan\.x: already declared at .*a\.hcl:1:1/,
      );
      assert.equal(e.position?.file, `${dir}/b.hcl`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("validateConfig refuses bad VLAN input with field and position", async (t) => {
  const cases: [string, string, RegExp, number][] = [
    ["vlan_id = 4095", "vlan_id", /between 1 and 4094/, 3],
    ["vlan_id = 0", "vlan_id", /between 1 and 4094/, 3],
    ['vlan_id = 10\n  name = "a?b"', "name", /help request/, 4],
    ['vlan_id = 10\n  description = "one\\ntwo"', "description", /control character/, 4],
    ['vlan_id = 10\n  name = "bell\\u0007"', "name", /control character/, 4],
  ];
  for (const [body, field, re, line] of cases) {
    await t.step(body, async () => {
      const e = await configError(() =>
        validate("v.hcl", `resource "vessel_vlan" "x" {\n  switch = "swi2"\n  ${body}\n}\n`)
      );
      assert.match(e.message, re);
      assert.equal(e.path, `vessel_vlan.x.${field}`);
      assert.equal(e.position?.line, line);
    });
  }
  await t.step("unknown attribute gets a suggestion", async () => {
    const e = await configError(() =>
      validate(
        "v.hcl",
        'resource "vessel_vlan" "x" {\n  switch = "swi2"\n  vlan_id = 10\n  nmae = "a"\n}\n',
      )
    );
    assert.match(e.message, /unknown attribute "nmae"/);
    assert.equal(e.hint, 'Did you mean "name"?');
    assert.equal(e.position?.line, 4);
  });
  await t.step("unknown type gets a suggestion", async () => {
    const e = await configError(() =>
      validate("v.yaml", "resource:\n  vessel_vlna:\n    x:\n      vlan_id: 3\n")
    );
    assert.match(e.message, /Unknown resource type "vessel_vlna"/);
    assert.equal(e.hint, 'Did you mean "vessel_vlan"?');
    assert.equal(e.position?.line, 3);
  });
  await t.step("missing required attribute", async () => {
    const e = await configError(() =>
      validate("v.yaml", "resource:\n  vessel_vlan:\n    x:\n      vlan_id: 3\n")
    );
    assert.match(e.message, /vessel_vlan\.x\.switch: required attribute is missing/);
    assert.equal(e.hint, "Add switch = ... to the block");
  });
  await t.step("unknown top-level block", async () => {
    const e = await configError(() => validate("v.yaml", "resources:\n  vessel_vlan: {}\n"));
    assert.equal(e.hint, 'Did you mean "resource"?');
    assert.equal(e.position?.line, 1);
  });
});
