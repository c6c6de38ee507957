import assert from "node:assert/strict";
import { openStore } from "../store/db.ts";
import { AuthService, hashPassword, roleAllows, verifyPassword } from "./auth.ts";
import type { ApiError } from "./problem.ts";
import { startWorld } from "./testing/world.ts";

function cookieOf(res: Response): { header: string; attrs: string } {
  const set = res.headers.get("set-cookie") ?? "";
  const [pair, ...attrs] = set.split(";").map((s) => s.trim());
  return { header: pair, attrs: attrs.join("; ") };
}

Deno.test("AuthService stores tokens hashed and shows the secret once", () => {
  const store = openStore(":memory:");
  try {
    const auth = new AuthService(store);
    const { token, info } = auth.createToken({ name: "ci", role: "operator" });
    assert.match(token, /^vsl_[A-Za-z0-9]+_[A-Za-z0-9_-]{43}$/);
    const secret = token.split("_").slice(2).join("_");
    const dump = JSON.stringify(store.db.prepare("SELECT * FROM api_tokens").all());
    assert.ok(!dump.includes(secret), "the token secret is stored in clear");
    assert.equal(auth.authenticateToken(token)?.role, "operator");
    const flipped = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    assert.equal(auth.authenticateToken(flipped), undefined);
    assert.ok(!JSON.stringify(auth.listTokens()).includes(secret));
    auth.revokeToken(info.id);
    assert.equal(auth.authenticateToken(token), undefined);
  } finally {
    store.close();
  }
});

Deno.test("AuthService refuses an expired token", () => {
  const store = openStore(":memory:");
  let now = Date.parse("2026-11-25T00:00:00Z");
  try {
    const auth = new AuthService(store, { now: () => now });
    const { token } = auth.createToken({ name: "short", role: "viewer", expiresInDays: 1 });
    assert.ok(auth.authenticateToken(token));
    now += 86400_000 + 1;
    assert.equal(auth.authenticateToken(token), undefined);
  } finally {
    store.close();
  }
});

Deno.test("hashPassword verifies only the right password", async () => {
  const h = await hashPassword("correct horse", 1024);
  assert.match(h, /^scrypt\$1024\$/);
  assert.equal(await verifyPassword("correct horse", h), true);
  assert.equal(await verifyPassword("correct hors", h), false);
  assert.equal(roleAllows("admin", "operator"), true);
  assert.equal(roleAllows("viewer", "operator"), false);
});

Deno.test("AuthService locks a user after repeated failures and unlocks after the lockout", async () => {
  const store = openStore(":memory:");
  let now = Date.parse("2026-11-25T00:00:00Z");
  try {
    const auth = new AuthService(store, {
      now: () => now,
      scryptN: 1024,
      maxFailures: 3,
      lockoutMs: 60_000,
      loginRatePerMinute: 100,
    });
    await auth.setUser("alice", "right-password", "operator");
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        auth.login("alice", "wrong-password", "10.0.0.1"),
        (e: ApiError) => e.code === "unauthenticated",
      );
    }
    // Locked: even the right password is refused, with a retry time.
    await assert.rejects(
      auth.login("alice", "right-password", "10.0.0.2"),
      (e: ApiError) => e.code === "locked_out" && e.status === 423 && (e.retryAfter ?? 0) > 0,
    );
    now += 60_001;
    const s = await auth.login("alice", "right-password", "10.0.0.2");
    assert.equal(s.principal.role, "operator");
    assert.ok(auth.authenticateSession(s.sessionId));
  } finally {
    store.close();
  }
});

Deno.test("AuthService limits login attempts per client address", async () => {
  const store = openStore(":memory:");
  let now = 0;
  try {
    const auth = new AuthService(store, { now: () => now, scryptN: 1024, loginRatePerMinute: 3 });
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        auth.login(`u${i}`, "x", "10.0.0.9"),
        (e: ApiError) => e.code === "unauthenticated",
      );
    }
    await assert.rejects(
      auth.login("u9", "x", "10.0.0.9"),
      (e: ApiError) => e.code === "rate_limited" && e.status === 429,
    );
    // Another address is not affected; the same one recovers after a minute.
    await assert.rejects(
      auth.login("u9", "x", "10.0.0.8"),
      (e: ApiError) => e.code === "unauthenticated",
    );
    now += 60_001;
    await assert.rejects(
      auth.login("u9", "x", "10.0.0.9"),
      (e: ApiError) => e.code === "unauthenticated",
    );
  } finally {
    store.close();
  }
});

Deno.test("createApi cookie sessions", async (t) => {
  const w = await startWorld({ auth: { scryptN: 1024, maxFailures: 3 } });
  try {
    await w.api.deps.auth.setUser("root-admin", "admin-password", "admin");

    await t.step("createApi login sets an HttpOnly SameSite=Strict cookie", async () => {
      const res = await w.request("POST", "/api/v1/auth/login", {
        body: { username: "root-admin", password: "admin-password" },
      });
      assert.equal(res.status, 200);
      const body = await res.json();
      const c = cookieOf(res);
      assert.match(c.header, /^vessel_session=/);
      assert.match(c.attrs, /HttpOnly/);
      assert.match(c.attrs, /SameSite=Strict/);
      assert.match(c.attrs, /Path=\/api/);
      assert.equal(body.role, "admin");
      assert.ok(body.csrf_token.length > 20);
    });

    await t.step("createApi enforces the CSRF token on cookie writes", async () => {
      const login = await w.request("POST", "/api/v1/auth/login", {
        body: { username: "root-admin", password: "admin-password" },
      });
      const { csrf_token } = await login.json();
      const cookie = cookieOf(login).header;
      // Reads need no CSRF token.
      const who = await w.request("GET", "/api/v1/auth/whoami", { cookie });
      assert.equal(who.status, 200);
      assert.equal((await who.json()).csrf_token, csrf_token);
      const body = { name: "from-browser", role: "viewer" };
      const none = await w.request("POST", "/api/v1/tokens", { cookie, body });
      assert.equal(none.status, 403);
      assert.equal((await none.json()).code, "csrf");
      const wrong = await w.request("POST", "/api/v1/tokens", {
        cookie,
        body,
        csrf: csrf_token.slice(0, -2) + (csrf_token.endsWith("xx") ? "yy" : "xx"),
      });
      assert.equal(wrong.status, 403);
      await wrong.body?.cancel();
      const vlan = await w.request("DELETE", "/api/v1/switches/swi2/vlans/10", { cookie });
      assert.equal((await vlan.json()).code, "csrf");
      const ok = await w.request("POST", "/api/v1/tokens", { cookie, body, csrf: csrf_token });
      assert.equal(ok.status, 201);
      await ok.body?.cancel();
      // Logging out ends the session.
      const out = await w.request("POST", "/api/v1/auth/logout", { cookie, csrf: csrf_token });
      assert.equal(out.status, 204);
      const after = await w.request("GET", "/api/v1/auth/whoami", { cookie });
      assert.equal(after.status, 401);
      await after.body?.cancel();
    });

    await t.step("createApi locks out a user after failed logins", async () => {
      await w.api.deps.auth.setUser("bob", "bob-password", "viewer");
      for (let i = 0; i < 3; i++) {
        const r = await w.request("POST", "/api/v1/auth/login", {
          body: { username: "bob", password: "nope" },
        });
        assert.equal(r.status, 401);
        await r.body?.cancel();
      }
      const locked = await w.request("POST", "/api/v1/auth/login", {
        body: { username: "bob", password: "bob-password" },
      });
      assert.equal(locked.status, 423);
      assert.ok(Number(locked.headers.get("retry-after")) > 0);
      const p = await locked.json();
      assert.equal(p.code, "locked_out");
      assert.ok(!JSON.stringify(p).includes("bob-password"));
    });

    await t.step("createApi answers a malformed login with a field problem", async () => {
      const r = await w.request("POST", "/api/v1/auth/login", { body: { username: "x" } });
      assert.equal(r.status, 400);
      const p = await r.json();
      assert.equal(p.field, "body.password");
    });
  } finally {
    await w.close();
  }
});
