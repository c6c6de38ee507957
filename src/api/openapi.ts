/**
 * The committed OpenAPI document (`schemas/openapi.json`): generated from the zod routes, checked
 * for drift by `openapi_test.ts`. Regenerate after changing a route:
 *
 *   deno run -A src/api/openapi.ts
 *
 * @example
 * const doc = openApiDocument(); // the same document GET /api/openapi.json serves
 */
import { openStore } from "../store/db.ts";
import type { Chassis } from "../chassis/chassis.ts";
import { parseEndpoints } from "../chassis/endpoints.ts";
import { createApi } from "./app.ts";

/** Path of the committed document, relative to the repository root. */
export const OPENAPI_FILE = new URL("../../schemas/openapi.json", import.meta.url);

/**
 * Build the OpenAPI document without a chassis: routes are registered but never called, so an
 * unopened placeholder stands in for the SDK handle.
 */
export function openApiDocument(): Record<string, unknown> {
  const store = openStore(":memory:");
  try {
    const endpoints = parseEndpoints({
      kind: "vessel-endpoints",
      version: 1,
      hmm: { web: "https://hmm.invalid" },
    });
    const unopened = {
      endpoints,
      switch() {
        throw new Error("openApiDocument: no chassis");
      },
    } as unknown as Chassis;
    return createApi({ store, chassis: unopened, workspace: "openapi" }).document();
  } finally {
    store.close();
  }
}

/** The document as committed: 2-space JSON with a final newline. */
export function openApiText(): string {
  return JSON.stringify(openApiDocument(), null, 2) + "\n";
}

if (import.meta.main) {
  await Deno.writeTextFile(OPENAPI_FILE, openApiText());
  console.log(`wrote ${OPENAPI_FILE.pathname}`);
}
