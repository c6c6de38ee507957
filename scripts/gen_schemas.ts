/**
 * Regenerate `schemas/vessel.schema.json` (the JSON Schema of the YAML/JSON configuration
 * format) from the zod models of every registered resource. Run after changing a model:
 *
 *   deno run -A scripts/gen_schemas.ts          # write
 *   deno run -A scripts/gen_schemas.ts --check  # exit 1 when the committed file is stale
 */
import { configJsonSchemaText, SCHEMA_PATH } from "../src/engine/schema.ts";
import { defaultRegistry } from "../src/resources/mod.ts";

const root = new URL("../", import.meta.url);
const path = new URL(SCHEMA_PATH, root);
const text = configJsonSchemaText(defaultRegistry());
if (Deno.args.includes("--check")) {
  let current = "";
  try {
    current = await Deno.readTextFile(path);
  } catch { /* missing counts as stale */ }
  if (current !== text) {
    console.error(`${SCHEMA_PATH} is stale: run deno run -A scripts/gen_schemas.ts`);
    Deno.exit(1);
  }
  console.log(`${SCHEMA_PATH} is up to date`);
} else {
  await Deno.writeTextFile(path, text);
  console.log(`wrote ${SCHEMA_PATH}`);
}
