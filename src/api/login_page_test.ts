/**
 * The browser's way to the documentation: the spec and the docs page need authentication, a
 * browser without a session is sent to a plain login form, and the form opens a cookie session.
 */
import assert from "node:assert/strict";
import { startWorld } from "./testing/world.ts";

Deno.test("createApi guards the spec and docs; the login form opens a session", async (t) => {
  const w = await startWorld();
  try {
    await w.api.deps.auth.setUser("alice", "alice-password-1", "viewer");
    await t.step("spec and docs refuse anonymous callers", async () => {
      for (const path of ["/api/openapi.json", "/api/docs"]) {
        const r = await w.request("GET", path);
        assert.equal(r.status, 401, path);
        await r.body?.cancel();
      }
    });
    await t.step("a browser without a session is sent to the login form", async () => {
      const r = await w.request("GET", "/api/docs", { headers: { accept: "text/html" } });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get("location"), "/api/login");
      const form = await w.request("GET", "/api/login");
      assert.equal(form.status, 200);
      assert.match(await form.text(), /<form method="post" action="\/api\/login">/);
      assert.doesNotMatch(form.headers.get("content-security-policy") ?? "", /script-src/);
    });
    await t.step("a wrong password goes back to the form, no cookie", async () => {
      const r = await w.api.app.request("/api/login", {
        method: "POST",
        body: new URLSearchParams({ username: "alice", password: "nope" }),
      });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get("location"), "/api/login?failed=1");
      assert.equal(r.headers.get("set-cookie"), null);
    });
    await t.step("a cross-origin form post is refused", async () => {
      const r = await w.api.app.request("http://localhost/api/login", {
        method: "POST",
        headers: { origin: "https://evil.example" },
        body: new URLSearchParams({ username: "alice", password: "alice-password-1" }),
      });
      assert.equal(r.status, 403);
      await r.body?.cancel();
    });
    await t.step("the right password opens a session that reads the docs", async () => {
      const r = await w.api.app.request("http://localhost/api/login", {
        method: "POST",
        headers: { origin: "http://localhost" },
        body: new URLSearchParams({ username: "alice", password: "alice-password-1" }),
      });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get("location"), "/api/docs");
      const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0];
      assert.match(cookie, /=/);
      const docs = await w.request("GET", "/api/docs", { cookie });
      assert.equal(docs.status, 200);
      assert.match(await docs.text(), /Vessel REST API/);
      const spec = await w.request("GET", "/api/openapi.json", { cookie });
      assert.equal((await spec.json()).openapi, "3.1.0");
    });
  } finally {
    await w.close();
  }
});
