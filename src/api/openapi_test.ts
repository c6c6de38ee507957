import assert from "node:assert/strict";
import { validate } from "@readme/openapi-parser";
import { OPENAPI_FILE, openApiDocument, openApiText } from "./openapi.ts";
import { renderDocsPage } from "./docs_page.ts";

Deno.test("openApiText matches the committed schemas/openapi.json", async () => {
  const committed = await Deno.readTextFile(OPENAPI_FILE);
  assert.equal(
    committed,
    openApiText(),
    "schemas/openapi.json is stale: run `deno run -A src/api/openapi.ts` and commit it",
  );
});

Deno.test("openApiDocument is a valid OpenAPI 3.1 document (@readme/openapi-parser)", async () => {
  const doc = openApiDocument();
  assert.equal(doc.openapi, "3.1.0");
  // The validator dereferences in place: give it a copy.
  const result = await validate(structuredClone(doc) as never);
  assert.equal(
    result.valid,
    true,
    JSON.stringify(result.valid ? result.warnings : result.errors, null, 2),
  );
  assert.equal(result.specification, "OpenAPI");
  // The validator is real: a broken copy is refused.
  // deno-lint-ignore no-explicit-any
  const broken = structuredClone(doc) as any;
  broken.paths["/api/v1/health"].get.responses = { 200: { content: {} } };
  const bad = await validate(broken);
  assert.equal(bad.valid, false);
});

Deno.test("openApiDocument documents a summary, responses and security for every operation", () => {
  // deno-lint-ignore no-explicit-any
  const doc = openApiDocument() as any;
  for (const [path, item] of Object.entries(doc.paths)) {
    // deno-lint-ignore no-explicit-any
    for (const [method, op] of Object.entries(item as any)) {
      // deno-lint-ignore no-explicit-any
      const o = op as any;
      assert.ok(o.summary, `${method} ${path} has no summary`);
      assert.ok(o.responses && Object.keys(o.responses).length, `${method} ${path} no responses`);
      if (o["x-vessel-role"] !== "public") {
        assert.ok(o.responses["401"], `${method} ${path} does not document 401`);
        assert.deepEqual(o.security, [{ bearerToken: [] }, { sessionCookie: [] }]);
      }
    }
  }
});

Deno.test("renderDocsPage lists every route offline (no external assets, no scripts)", () => {
  // deno-lint-ignore no-explicit-any
  const doc = openApiDocument() as any;
  const html = renderDocsPage(doc);
  for (const path of Object.keys(doc.paths)) {
    assert.ok(html.includes(`<code>${path}</code>`), `${path} missing from the docs page`);
  }
  assert.doesNotMatch(html, /<script|<link|src="http|href="http/i);
});
