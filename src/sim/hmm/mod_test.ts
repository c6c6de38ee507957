import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { openShell } from "../testing.ts";
import type { Seed } from "../topology.ts";

const USER = "root";
const PASS = "Huawei12#$";

async function login(web: string, client: Deno.HttpClient, password: string): Promise<string> {
  const r = await fetch(`${web}/loginhandler.php`, {
    client,
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Custom-Token": "0" },
    body: new URLSearchParams({
      actiontype: "login",
      username: USER,
      userpasswd: password,
      usermode: "1",
      code: "",
      language: "en",
    }),
  });
  return await r.text();
}

async function redfishPower(url: string, client: Deno.HttpClient): Promise<string> {
  const auth = "Basic " + btoa(`${USER}:${PASS}`);
  const r = await fetch(`${url}/Systems/1`, { client, headers: { Authorization: auth } });
  return (await r.json()).PowerState;
}

Deno.test("startHmmServices through startSimulator: endpoints, seed options, start time", async () => {
  const seed = {
    hmm: { lockoutThreshold: 2 },
    blades: [{ slot: 9, redfish: false }, {
      slot: 4,
      taskMessages: "object",
      bootdeviceConfirm: true,
    }],
  } as unknown as Seed;
  const t0 = performance.now();
  const sim = await startSimulator({ seed });
  const ms = performance.now() - t0;
  const client = Deno.createHttpClient({ caCerts: [sim.endpoints.tls!.ca] });
  try {
    assert.ok(ms < 1000, `the simulator started in ${ms.toFixed(0)} ms`);
    const e = sim.endpoints;
    assert.match(e.hmm!.web, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(e.hmm!.redfish, `${e.hmm!.web}/redfish/v1`);
    assert.match(e.hmm!.ssh, /^ssh:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(
      Object.keys(e.ibmc).map(Number).sort((a, b) => a - b),
      sim.topology.blades.map((b) => b.slot),
    );
    assert.equal(e.ibmc["9"].redfish, "");
    assert.match(e.ibmc["9"].ssh, /^ssh:\/\//);
    assert.match(e.ibmc["1"].redfish, /^https:\/\/127\.0\.0\.1:\d+\/redfish\/v1$/);
    assert.match(e.tls!.ca, /^-----BEGIN CERTIFICATE-----/);

    // Real HTTPS pinned to the simulator CA, HTTP Basic on the iBMC.
    assert.equal(await redfishPower(e.ibmc["1"].redfish, client), "On");

    // Seed option hmm.lockoutThreshold = 2.
    for (let i = 0; i < 2; i++) {
      assert.match(await login(e.hmm!.web, client, "bad"), /<retcode>[12]</);
    }
    assert.match(await login(e.hmm!.web, client, PASS), /locked/);

    // Seed option blades[].bootdeviceConfirm: bootdevice asks [Y/N] on slot 4 only.
    const sh = await openShell(e.ibmc["4"].ssh, USER, PASS);
    try {
      await sh.waitFor(/root@BMC:\/#$/);
      sh.mark();
      sh.send("ipmcset -d bootdevice -v 2\r");
      await sh.waitFor(/\[Y\/N\]:$/);
      assert.match(await sh.cmd("Y", /root@BMC:\/#$/), /Set boot device successfully/);
    } finally {
      await sh.close();
    }
  } finally {
    client.close();
    await sim.close();
  }
});

Deno.test("startHmmServices keeps TLS, blade and HMM state in the state dir; reset restores defaults", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vessel-hmm-state-" });
  try {
    let ca: string;
    {
      const sim = await startSimulator({ stateDir: dir });
      const client = Deno.createHttpClient({ caCerts: [sim.endpoints.tls!.ca] });
      ca = sim.endpoints.tls!.ca;
      const auth = "Basic " + btoa(`${USER}:${PASS}`);
      const r = await fetch(
        `${sim.endpoints.ibmc["2"].redfish}/Systems/1/Actions/ComputerSystem.Reset`,
        {
          client,
          method: "POST",
          headers: { Authorization: auth, "Content-Type": "application/json" },
          body: JSON.stringify({ ResetType: "ForceOff" }),
        },
      );
      await r.body?.cancel();
      assert.equal(r.status, 200);
      client.close();
      await sim.close();
    }
    {
      const sim = await startSimulator({ stateDir: dir });
      const client = Deno.createHttpClient({ caCerts: [ca] });
      try {
        assert.equal(sim.endpoints.tls!.ca, ca, "the CA survives a restart");
        assert.equal(await redfishPower(sim.endpoints.ibmc["2"].redfish, client), "Off");
        await sim.reset();
        assert.equal(await redfishPower(sim.endpoints.ibmc["2"].redfish, client), "On");
      } finally {
        client.close();
        await sim.close();
      }
    }
    {
      const sim = await startSimulator({ stateDir: dir });
      assert.equal(sim.endpoints.tls!.ca, ca, "the CA survives a reset");
      await sim.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
