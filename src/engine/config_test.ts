import assert from "node:assert/strict";
import { Config, resolveVariables } from "./config.ts";
import { parseConfigDocument } from "./load.ts";
import { validateStatic } from "./validate.ts";
import { defaultRegistry } from "../resources/mod.ts";
import { ConfigError } from "../errors.ts";

const VARS = `
variable "base" {
  type    = number
  default = 100
}
variable "name" {
  type    = string
  default = "from-default"
}
variable "slots" {
  type    = list(number)
  default = []
}
variable "pw" {
  type      = string
  sensitive = true
  default   = "x"
}
`;

Deno.test("resolveVariables: default < VESSEL_VAR_ < var files in order < --var", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const doc = await parseConfigDocument("v.hcl", VARS);
    await Deno.writeTextFile(`${dir}/a.tfvars`, 'base = 200\nname = "from-a"\n');
    await Deno.writeTextFile(`${dir}/b.json`, '{ "name": "from-b", "slots": [1, 2] }');
    await Deno.writeTextFile(`${dir}/c.yaml`, "slots: [3]\n");
    const env = { VESSEL_VAR_base: "150", VESSEL_VAR_name: "from-env", VESSEL_VAR_unknown: "1" };
    const only = await resolveVariables(doc, { env });
    assert.deepEqual([only.values.base, only.values.name], [150, "from-env"]);
    const files = await resolveVariables(doc, {
      env,
      varFiles: [`${dir}/a.tfvars`, `${dir}/b.json`, `${dir}/c.yaml`],
    });
    assert.deepEqual([files.values.base, files.values.name, files.values.slots], [200, "from-b", [
      3,
    ]]);
    const cli = await resolveVariables(doc, {
      env,
      varFiles: [`${dir}/a.tfvars`],
      vars: { base: "300", slots: "[7, 8]" },
    });
    assert.deepEqual([cli.values.base, cli.values.slots], [300, [7, 8]]);
    assert.ok(cli.sensitive.has("pw"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveVariables refuses bad values with where they came from", async (t) => {
  const doc = await parseConfigDocument("v.hcl", VARS);
  const fails = async (inputs: Parameters<typeof resolveVariables>[1], re: RegExp) => {
    await assert.rejects(resolveVariables(doc, { env: {}, ...inputs }), (e) => {
      assert.ok(e instanceof ConfigError);
      assert.match(`${e.message} ${e.hint ?? ""}`, re);
      return true;
    });
  };
  await t.step(
    "type from --var",
    () => fails({ vars: { base: "abc" } }, /a number is required[\s\S]*-var/),
  );
  await t.step(
    "undeclared --var",
    () => fails({ vars: { bse: "1" } }, /undeclared variable "bse"[\s\S]*Did you mean "base"/),
  );
  await t.step(
    "missing var file",
    () => fails({ varFiles: ["/nonexistent.tfvars"] }, /does not exist/),
  );
});

Deno.test("Config evaluates Terraform JSON syntax with expressions", async () => {
  const json = JSON.stringify({
    variable: { base: { default: 40 } },
    locals: { ids: "${[for i in range(2) : var.base + i]}" },
    resource: {
      vessel_vlan: {
        v: { count: "${length(local.ids)}", switch: "swi2", vlan_id: "${local.ids[count.index]}" },
      },
    },
  });
  const config = await Config.create(await parseConfigDocument("c.json", json), defaultRegistry(), {
    env: {},
  });
  const desired = validateStatic(config);
  assert.deepEqual(desired.map((d) => [d.address, d.attributes.vlan_id]), [
    ["vessel_vlan.v[0]", 40],
    ["vessel_vlan.v[1]", 41],
  ]);
});
