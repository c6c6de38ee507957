import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { loadSimTls } from "./tls.ts";

Deno.test("loadSimTls serves HTTPS that a client pinning the CA accepts", async () => {
  const tls = loadSimTls({ devices: ["hmm"] });
  const leaf = tls.leaf("hmm");
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", cert: leaf.cert, key: leaf.key, onListen() {} },
    () => new Response("ok"),
  );
  const client = Deno.createHttpClient({ caCerts: [tls.ca] });
  try {
    for (const host of ["127.0.0.1", "localhost"]) {
      const res = await fetch(`https://${host}:${server.addr.port}/`, { client });
      assert.equal(await res.text(), "ok");
    }
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("loadSimTls rejects a client that trusts another CA", async () => {
  const tls = loadSimTls();
  const other = loadSimTls();
  const leaf = tls.leaf("ibmc1");
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", cert: leaf.cert, key: leaf.key, onListen() {} },
    () => new Response("ok"),
  );
  const client = Deno.createHttpClient({ caCerts: [other.ca] });
  try {
    await assert.rejects(fetch(`https://127.0.0.1:${server.addr.port}/`, { client }));
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("loadSimTls leaves carry SAN 127.0.0.1/localhost and chain to the CA", () => {
  const tls = loadSimTls();
  const ca = new X509Certificate(tls.ca);
  const leaf = new X509Certificate(tls.leaf("ibmc3").cert);
  assert.ok(ca.ca);
  assert.equal(leaf.ca, false);
  assert.ok(leaf.checkIssued(ca));
  assert.ok(leaf.verify(ca.publicKey));
  assert.match(leaf.subjectAltName ?? "", /DNS:localhost/);
  assert.match(leaf.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
});

Deno.test("loadSimTls persists CA and leaves in the state dir across restarts", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const first = loadSimTls({ dir, devices: ["hmm"] });
    const second = loadSimTls({ dir });
    assert.equal(second.ca, first.ca);
    assert.equal(second.leaf("hmm").cert, first.leaf("hmm").cert);
    assert.equal(Deno.statSync(`${dir}/tls/ca.key`).mode! & 0o077, 0);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadSimTls creates a CA and 17 leaves well under the one-second start budget", () => {
  const t0 = performance.now();
  const tls = loadSimTls();
  for (let i = 1; i <= 16; i++) tls.leaf(`ibmc${i}`);
  tls.leaf("hmm");
  const ms = performance.now() - t0;
  assert.ok(ms < 300, `TLS generation took ${ms.toFixed(0)} ms`);
});

Deno.test("loadSimTls save writes the material back after the state dir was wiped", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const first = loadSimTls({ dir, devices: ["hmm"] });
    Deno.removeSync(`${dir}/tls`, { recursive: true });
    first.save();
    const second = loadSimTls({ dir });
    assert.equal(second.ca, first.ca);
    assert.equal(second.leaf("hmm").key, first.leaf("hmm").key);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
