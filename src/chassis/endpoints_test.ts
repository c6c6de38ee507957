import assert from "node:assert/strict";
import { ConfigError, UsageError } from "../errors.ts";
import { deriveEndpoints, parseEndpoints, parseSshUrl, resolveChassis } from "./endpoints.ts";

const sample = {
  kind: "vessel-sim-endpoints",
  version: 1,
  chassis: { model: "E9000", serial: "SIM0001" },
  hmm: {
    web: "https://127.0.0.1:41001",
    redfish: "https://127.0.0.1:41001/redfish/v1",
    ssh: "ssh://127.0.0.1:41002",
  },
  ibmc: { "1": { redfish: "https://127.0.0.1:41010/redfish/v1", ssh: "ssh://127.0.0.1:41011" } },
  switches: { swi2: { ssh: "ssh://127.0.0.1:41050" }, swi3: { ssh: "ssh://127.0.0.1:41051" } },
  admin: "http://127.0.0.1:41099",
  credentials: { username: "root", password: "pw" },
  tls: { ca: "-----BEGIN CERTIFICATE-----..." },
};

Deno.test("parseEndpoints accepts the architecture sample", () => {
  const e = parseEndpoints(sample);
  assert.equal(e.switches.swi2.ssh, "ssh://127.0.0.1:41050");
  assert.equal(e.ibmc["1"].ssh, "ssh://127.0.0.1:41011");
});

Deno.test("parseEndpoints names the bad field", () => {
  assert.throws(
    () => parseEndpoints({ ...sample, switches: { swi9: { ssh: "ssh://x:1" } } }, "f.json"),
    (e: unknown) =>
      e instanceof ConfigError && /switches/.test(e.message) && e.where() === "f.json",
  );
  assert.throws(() => parseEndpoints({ ...sample, hmm: { web: "ftp://x" } }), /hmm\.web/);
});

Deno.test("resolveChassis reads endpoints: files (the last JSON line)", async () => {
  const f = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(f, "starting…\n" + JSON.stringify(sample) + "\n");
    const e = await resolveChassis(`endpoints:${f}`);
    assert.equal(e.hmm?.web, sample.hmm?.web);
    await assert.rejects(resolveChassis("endpoints:/nonexistent/x.json"), ConfigError);
  } finally {
    await Deno.remove(f);
  }
});

Deno.test("resolveChassis derives a real chassis from the HMM address", async () => {
  const e = await resolveChassis("https://192.168.1.30");
  assert.equal(e.kind, "vessel-endpoints");
  assert.equal(e.hmm?.web, "https://192.168.1.30");
  assert.equal(e.hmm?.redfish, "https://192.168.1.30/redfish/v1");
  assert.equal(e.hmm?.ssh, "ssh://192.168.1.30:22");
  assert.deepEqual(e.switches.swi2, { ssh: "ssh://172.31.1.162:22", via: "hmm" });
  assert.equal(e.switches.swi4.ssh, "ssh://172.31.1.164:22");
  assert.equal(e.ibmc["1"].ssh, "ssh://172.31.1.129:22");
  assert.equal(e.ibmc["16"].redfish, "https://172.31.1.144/redfish/v1");
  assert.equal(Object.keys(e.ibmc).length, 16);
  assert.equal(deriveEndpoints("https://hmm.example:8443").hmm?.web, "https://hmm.example:8443");
});

Deno.test("resolveChassis refuses sim:// and unknown forms", async () => {
  await assert.rejects(resolveChassis("sim://"), UsageError);
  await assert.rejects(resolveChassis("ftp://x"), UsageError);
  await assert.rejects(resolveChassis("http://hmm"), UsageError);
});

Deno.test("parseSshUrl defaults to port 22", () => {
  assert.deepEqual(parseSshUrl("ssh://10.0.0.1"), { host: "10.0.0.1", port: 22 });
  assert.deepEqual(parseSshUrl("ssh://127.0.0.1:41050"), { host: "127.0.0.1", port: 41050 });
});
