import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { UsageError } from "../errors.ts";
import { startApiServer } from "./server.ts";
import { generateServerTls, loadOrCreateServerTls, readServerTls } from "./tls.ts";
import { startWorld } from "./testing/world.ts";

Deno.test("generateServerTls issues a CA-signed certificate for localhost and 127.0.0.1", () => {
  const t = generateServerTls();
  const leaf = new X509Certificate(t.cert);
  const ca = new X509Certificate(t.ca!);
  assert.ok(leaf.verify(ca.publicKey));
  assert.ok(leaf.checkIssued(ca));
  assert.match(leaf.subjectAltName ?? "", /DNS:localhost/);
  assert.match(leaf.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
  assert.equal(ca.ca, true);
  assert.equal(leaf.ca, false);
});

Deno.test("loadOrCreateServerTls reuses saved material and readServerTls checks the pair", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = loadOrCreateServerTls({ dir });
    const b = loadOrCreateServerTls({ dir });
    assert.equal(a.source, "generated");
    assert.equal(b.source, "reused");
    assert.equal(a.fingerprint, b.fingerprint);
    assert.equal((await Deno.stat(`${dir}/api-key.pem`)).mode! & 0o077, 0);
    const given = readServerTls(`${dir}/api-cert.pem`, `${dir}/api-key.pem`);
    assert.equal(given.fingerprint, a.fingerprint);
    const other = generateServerTls();
    await Deno.writeTextFile(`${dir}/other-key.pem`, other.key);
    assert.throws(() => readServerTls(`${dir}/api-cert.pem`, `${dir}/other-key.pem`), /pair/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startApiServer serves the API over HTTPS with a pinned CA", async (t) => {
  const w = await startWorld();
  const tls = generateServerTls();
  const server = await startApiServer(w.api, { port: 0, tls });
  const client = Deno.createHttpClient({ caCerts: [tls.ca!] });
  try {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);

    await t.step(
      "startApiServer answers health without a token and refuses reads without one",
      async () => {
        const h = await fetch(`${server.url}/api/v1/health`, { client });
        assert.equal(h.status, 200);
        assert.equal((await h.json()).status, "ok");
        const r = await fetch(`${server.url}/api/v1/switches/swi2/vlans`, { client });
        assert.equal(r.status, 401);
        assert.equal(r.headers.get("content-type"), "application/problem+json");
        await r.body?.cancel();
      },
    );

    await t.step(
      "startApiServer streams job progress as server-sent events over HTTPS",
      async () => {
        const auth = { authorization: `Bearer ${w.tokens.operator}` };
        const res = await fetch(`${server.url}/api/v1/switches/swi3/vlans`, {
          client,
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ vlan_id: 77, name: "over-https" }),
        });
        assert.equal(res.status, 202);
        const { links } = await res.json();
        const ev = await fetch(`${server.url}${links.events}`, { client, headers: auth });
        const text = await ev.text();
        assert.match(text, /event: result/);
        assert.match(text, /"status":"succeeded"/);
        const list = await fetch(`${server.url}/api/v1/switches/swi3/vlans/77`, {
          client,
          headers: auth,
        });
        assert.equal((await list.json()).name, "over-https");
      },
    );

    await t.step("startApiServer serves the spec and the docs page without assets", async () => {
      const viewer = { authorization: `Bearer ${w.tokens.viewer}` };
      const anon = await fetch(`${server.url}/api/openapi.json`, { client });
      assert.equal(anon.status, 401, "the spec needs authentication too");
      await anon.body?.cancel();
      const spec = await fetch(`${server.url}/api/openapi.json`, { client, headers: viewer });
      assert.equal((await spec.json()).openapi, "3.1.0");
      const docs = await fetch(`${server.url}/api/docs`, { client, headers: viewer });
      assert.match(docs.headers.get("content-security-policy") ?? "", /default-src 'none'/);
      assert.match(await docs.text(), /Vessel REST API/);
    });

    await t.step(
      "startApiServer passes login bodies and cookies through the TLS bridge",
      async () => {
        await w.api.deps.auth.setUser("https-user", "https-password", "viewer");
        const res = await fetch(`${server.url}/api/v1/auth/login`, {
          client,
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: "https-user", password: "https-password" }),
        });
        assert.equal(res.status, 200);
        await res.body?.cancel();
        const cookie = res.headers.getSetCookie()[0].split(";")[0];
        const who = await fetch(`${server.url}/api/v1/auth/whoami`, {
          client,
          headers: { cookie },
        });
        assert.equal((await who.json()).name, "https-user");
      },
    );

    await t.step("startApiServer is not trusted without the CA", async () => {
      await assert.rejects(fetch(`${server.url}/api/v1/health`), (e: Error) => {
        const text = `${e.message} ${(e.cause as Error)?.message ?? ""}`;
        return e instanceof TypeError && /fetch failed|certificate|UnknownIssuer/i.test(text);
      });
    });
  } finally {
    client.close();
    await server.close();
    await w.close();
  }
});

Deno.test("startApiServer serves through Deno.serve with tlsEngine deno", async () => {
  const w = await startWorld();
  const tls = generateServerTls();
  const server = await startApiServer(w.api, { port: 0, tls, tlsEngine: "deno" });
  const client = Deno.createHttpClient({ caCerts: [tls.ca!] });
  try {
    const r = await fetch(`${server.url}/api/v1/health`, { client });
    assert.equal((await r.json()).status, "ok");
  } finally {
    client.close();
    await server.close();
    await w.close();
  }
});

Deno.test("startApiServer refuses plain HTTP on a non-loopback address", async () => {
  const w = await startWorld();
  try {
    await assert.rejects(
      startApiServer(w.api, { hostname: "0.0.0.0", port: 0, tls: null }),
      (e: unknown) => e instanceof UsageError && /plain HTTP/.test(e.message),
    );
    const s = await startApiServer(w.api, { port: 0, tls: null });
    // The port in use is a usage error naming the address, for both engines.
    for (const tls of [null, generateServerTls()]) {
      await assert.rejects(
        startApiServer(w.api, { port: s.port, tls }),
        (e: unknown) =>
          e instanceof UsageError && /in use/.test(e.message) && e.message.includes(`:${s.port}`),
      );
    }
    const r = await fetch(`${s.url}/api/v1/health`);
    assert.equal(r.status, 200);
    await r.body?.cancel();
    await s.close();
  } finally {
    await w.close();
  }
});
