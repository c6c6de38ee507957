import assert from "node:assert/strict";
import { configJsonSchema, configJsonSchemaText, SCHEMA_PATH } from "./schema.ts";
import { defaultRegistry } from "../resources/mod.ts";
import { parseConfigDocument } from "./load.ts";

Deno.test("configJsonSchema matches the committed schemas/vessel.schema.json", async () => {
  const committed = await Deno.readTextFile(new URL(`../../${SCHEMA_PATH}`, import.meta.url));
  assert.equal(
    committed,
    configJsonSchemaText(defaultRegistry()),
    `${SCHEMA_PATH} disagrees with the zod models: run deno run -A scripts/gen_schemas.ts`,
  );
});

Deno.test("configJsonSchema describes every resource attribute and accepts expressions", () => {
  const s = configJsonSchema(defaultRegistry()) as {
    properties: {
      resource: {
        properties: Record<
          string,
          {
            additionalProperties: {
              properties: Record<string, { description?: string; anyOf?: unknown[] }>;
              required?: string[];
            };
          }
        >;
      };
    };
  };
  const registry = defaultRegistry();
  for (const type of registry.types()) {
    const block = s.properties.resource.properties[type].additionalProperties;
    for (const [k, v] of Object.entries(block.properties)) {
      assert.ok(v.description, `${type}.${k} has a description`);
    }
  }
  const vlan = s.properties.resource.properties.vessel_vlan.additionalProperties;
  assert.deepEqual(vlan.required, ["switch", "vlan_id"]);
  assert.ok(vlan.properties.vlan_id.anyOf?.length === 2, "vlan_id: a number or an expression");
});

Deno.test("examples/vlans.yaml references the schema and satisfies its required keys", async () => {
  const text = await Deno.readTextFile("examples/vlans.yaml");
  assert.match(text, /\$schema=\.\.\/schemas\/vessel\.schema\.json/);
  const doc = await parseConfigDocument("examples/vlans.yaml", text);
  const s = configJsonSchema(defaultRegistry()) as {
    properties: {
      resource: {
        properties: Record<
          string,
          { additionalProperties: { required?: string[]; properties: Record<string, unknown> } }
        >;
      };
    };
  };
  for (const r of doc.resources) {
    const block = s.properties.resource.properties[r.type].additionalProperties;
    for (const k of block.required ?? []) assert.ok(k in r.body, `${r.type}.${r.name} has ${k}`);
    for (const k of Object.keys(r.body)) assert.ok(k in block.properties, `${k} is in the schema`);
  }
});
