import assert from "node:assert/strict";
import { request } from "undici";
import { TransportError } from "../errors.ts";
import { VrpSession } from "../drivers/vrp/session.ts";
import { startFakeVrp } from "../drivers/vrp/testing/fake_vrp.ts";
import { makeAgent, pemFingerprint } from "../drivers/tls.ts";
import { HostKeyChangedError, TrustStore } from "./trust.ts";

const td = new URL("../../testdata/trust/", import.meta.url);
const pem = (n: string) => Deno.readTextFileSync(new URL(n, td));

function serve(cert: string, key: string, port = 0) {
  return Deno.serve(
    { port, hostname: "127.0.0.1", cert, key, onListen() {} },
    () => new Response("ok"),
  );
}

Deno.test("TrustStore pins an SSH host key on first use and refuses a changed one", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/known_hosts`;
  const a = await startFakeVrp({});
  const b = await startFakeVrp({});
  const login = (port: number, trust: TrustStore) =>
    VrpSession.connect({
      device: "swi2",
      host: "127.0.0.1",
      port,
      username: "admin",
      password: "Admin@123",
      verifyHostKey: trust.sshVerifier(),
    });
  try {
    const t1 = await TrustStore.open({ knownHostsFile: file });
    await (await login(a.port, t1)).close();
    const text = await Deno.readTextFile(file);
    assert.match(
      text,
      new RegExp(`^ssh 127\\.0\\.0\\.1:${a.port} SHA256:[A-Za-z0-9+/]{43} swi2$`, "m"),
    );
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);

    // a new process with the same file accepts the same key…
    const t2 = await TrustStore.open({ knownHostsFile: file });
    await (await login(a.port, t2)).close();
    // …and refuses another key at the same address (simulate by re-pointing the pin)
    const pinned = t2.pins()[0].fingerprint;
    await Deno.writeTextFile(file, text.replace(`:${a.port} `, `:${b.port} `));
    const t3 = await TrustStore.open({ knownHostsFile: file });
    await assert.rejects(login(b.port, t3), (e: unknown) => {
      assert.ok(e instanceof HostKeyChangedError);
      assert.equal(e.device, "swi2");
      assert.equal(e.expected, pinned);
      assert.match(e.actual, /^SHA256:/);
      assert.notEqual(e.actual, pinned);
      assert.ok(e.message.includes(pinned) && e.message.includes(e.actual));
      return true;
    });
    // without trust on first use an unknown key is refused
    const t4 = await TrustStore.open({ knownHostsFile: null, trustOnFirstUse: false });
    await assert.rejects(login(a.port, t4), TransportError);
    // insecure accepts anything
    const t5 = await TrustStore.open({ knownHostsFile: file, insecure: true });
    await (await login(b.port, t5)).close();
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TrustStore pins a self-signed TLS certificate and names both fingerprints on change", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/known_hosts`;
  let srv = serve(pem("self1.pem"), pem("self1.key"));
  const port = srv.addr.port;
  const url = `https://127.0.0.1:${port}`;
  try {
    const t1 = await TrustStore.open({ knownHostsFile: file });
    const tls = await t1.tlsFor("hmm", url);
    assert.equal(tls.pinned, true);
    const agent = makeAgent(tls);
    const r = await request(url, { dispatcher: agent });
    assert.equal(await r.body.text(), "ok");
    await agent.close();
    assert.match(await Deno.readTextFile(file), /^tls 127\.0\.0\.1:\d+ SHA256:\S+ hmm \S+$/m);

    await srv.shutdown();
    srv = serve(pem("self2.pem"), pem("self2.key"), port);
    const t2 = await TrustStore.open({ knownHostsFile: file });
    const tls2 = await t2.tlsFor("hmm", url);
    const agent2 = makeAgent(tls2);
    await assert.rejects(request(url, { dispatcher: agent2 }));
    await agent2.close();
    const err = await t2.explainTlsFailure("hmm", url);
    assert.ok(err instanceof HostKeyChangedError);
    assert.equal(err.expected, pemFingerprint(pem("self1.pem")));
    assert.equal(err.actual, pemFingerprint(pem("self2.pem")));
  } finally {
    await srv.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TrustStore uses a CA when given one, insecure when asked", async () => {
  const srv = serve(pem("leaf.pem"), pem("leaf.key"));
  const url = `https://127.0.0.1:${srv.addr.port}`;
  try {
    const t = await TrustStore.open({ knownHostsFile: null, caPem: pem("ca.pem") });
    const agent = makeAgent(await t.tlsFor("hmm", url));
    assert.equal((await request(url, { dispatcher: agent })).statusCode, 200);
    await agent.close();
    const wrong = makeAgent({ ca: pem("self1.pem") });
    await assert.rejects(request(url, { dispatcher: wrong }));
    await wrong.close();
    const ins = await TrustStore.open({ knownHostsFile: null, insecure: true });
    assert.deepEqual(await ins.tlsFor("hmm", url), { insecure: true });
  } finally {
    await srv.shutdown();
  }
});
