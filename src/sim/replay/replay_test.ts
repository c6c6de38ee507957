/**
 * Replay mode end to end: a hand-written recording served by `startSimulator({ replay })`, read
 * with real clients (fetch over TLS trusting the simulator CA, ssh2 shells and exec).
 */
import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { execOnce, openShell } from "../testing.ts";

const line = (o: Record<string, unknown>) => JSON.stringify({ v: 1, ts: "t", ms: 1, ...o });

const RECORDING = [
  line({ seq: 1, kind: "event", device: "swi2", event: "connect", detail: { host: "10.0.0.2" } }),
  line({
    seq: 2,
    kind: "ssh",
    device: "swi2",
    command: "",
    output: "\nInfo: The max number of VTY users is 21.\n<CX310_2>",
    prompt: "<CX310_2>",
  }),
  line({
    seq: 3,
    kind: "ssh",
    device: "swi2",
    command: "display vlan",
    output: "display vlan\nVID  Status\n10   enable\n<CX310_2>",
    prompt: "<CX310_2>",
  }),
  line({
    seq: 4,
    kind: "ssh",
    device: "swi2",
    command: "save",
    output:
      "save\nWarning: The current configuration will be written to the device. Continue? [Y/N]:y\n" +
      "Info: Save the configuration successfully.\n<CX310_2>",
    prompt: "<CX310_2>",
  }),
  line({
    seq: 5,
    kind: "http",
    device: "hmm",
    request: {
      method: "POST",
      url: "https://192.168.1.30/redfish/v1/SessionService/Sessions",
      headers: { "content-type": "application/json" },
      body: `{"UserName":"root","Password":"***"}`,
    },
    response: {
      status: 201,
      headers: {
        "content-type": "application/json",
        "x-auth-token": "***",
        location: "/redfish/v1/SessionService/Sessions/7",
        "content-length": "12",
      },
      body: `{"Id":"7"}`,
    },
  }),
  line({
    seq: 6,
    kind: "http",
    device: "ibmc3",
    request: { method: "GET", url: "https://172.31.1.131/redfish/v1/Systems/1", headers: {} },
    response: {
      status: 200,
      headers: { "content-type": "application/json" },
      body: `{"PowerState":"Off"}`,
    },
  }),
  line({
    seq: 7,
    kind: "http",
    device: "hmm",
    request: {
      method: "POST",
      url: "https://192.168.1.30/loginhandler.php",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" },
      body: "actiontype=login&username=root&userpasswd=***",
    },
    response: {
      status: 200,
      headers: { "content-type": "text/xml", "set-cookie": "SESSID=***; path=***; secure" },
      body: "<result><csrftoken>***</csrftoken><retcode>0</retcode></result>",
    },
  }),
  line({
    seq: 8,
    kind: "ssh",
    device: "hmm",
    command: "",
    output: "\nsmm@SMM:/>\nsmm@SMM:/>",
    prompt: "smm@SMM:/>",
  }),
  line({
    seq: 9,
    kind: "ssh",
    device: "hmm",
    command: "ssh 172.31.1.163 NoStricHostKeyChecking",
    output: "root@172.31.1.163's password:",
    prompt: "root@172.31.1.163's password:",
  }),
  line({
    seq: 10,
    kind: "ssh",
    device: "hmm",
    command: "***",
    secret: true,
    output: "",
    prompt: "<CX310_3>",
  }),
  line({
    seq: 11,
    kind: "ssh",
    device: "swi3",
    command: "",
    output: "\n<CX310_3>",
    prompt: "<CX310_3>",
  }),
  line({
    seq: 12,
    kind: "ssh",
    device: "swi3",
    command: "display version",
    output: "display version\nVRP (R) software, Version 8.150\n<CX310_3>",
    prompt: "<CX310_3>",
  }),
  line({
    seq: 13,
    kind: "ssh",
    device: "hmm",
    command: "smmget -d version",
    output: "SMM version 7.63",
    prompt: "smm@SMM:/>",
  }),
].join("\n") + "\n";

const dir = await Deno.makeTempDir({ prefix: "vessel-replay-" });
await Deno.writeTextFile(`${dir}/vessel-2026-11-25T19-50-00-000Z-1.jsonl`, RECORDING);
const sim = await startSimulator({ replay: dir });
const { username } = sim.endpoints.credentials;
const client = Deno.createHttpClient({ caCerts: [sim.endpoints.tls!.ca] });

Deno.test({
  name: "startSimulator replay serves recorded HTTP answers per device with any password",
  sanitizeResources: false,
  async fn() {
    assert.deepEqual(Object.keys(sim.endpoints.ibmc), ["3"]);
    assert.deepEqual(Object.keys(sim.endpoints.switches), ["swi2", "swi3"]);
    const login = await fetch(`${sim.endpoints.hmm!.redfish}/SessionService/Sessions`, {
      client,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ UserName: username, Password: "not-the-recorded-one" }),
    });
    assert.equal(login.status, 201);
    assert.equal(login.headers.get("location"), "/redfish/v1/SessionService/Sessions/7");
    assert.equal(login.headers.get("x-auth-token"), "***");
    assert.deepEqual(await login.json(), { Id: "7" });

    const sys = await fetch(`${sim.endpoints.ibmc["3"].redfish}/Systems/1`, { client });
    assert.deepEqual(await sys.json(), { PowerState: "Off" });

    const web = await fetch(`${sim.endpoints.hmm!.web}/loginhandler.php`, {
      client,
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" },
      body: "actiontype=login&username=root&userpasswd=Whatever1",
    });
    assert.equal(web.status, 200);
    assert.match(web.headers.get("set-cookie") ?? "", /^SESSID=\*\*\*; path=\/; secure/);
    assert.match(await web.text(), /<retcode>0<\/retcode>/);
  },
});

Deno.test({
  name: "startSimulator replay answers an unrecorded request 501 naming it and lists the miss",
  sanitizeResources: false,
  async fn() {
    await fetch(`${sim.endpoints.admin}/admin/replay/misses`, { method: "DELETE" }).then((r) =>
      r.body?.cancel()
    );
    const r = await fetch(`${sim.endpoints.ibmc["3"].redfish}/Systems/1/Bios`, { client });
    assert.equal(r.status, 501);
    const body = await r.json();
    assert.match(body.error.message, /no answer for GET \/redfish\/v1\/Systems\/1\/Bios on ibmc3/);
    assert.equal(body.error["@Message.ExtendedInfo"][0].MessageId, "Base.1.0.ActionNotSupported");
    const misses = await (await fetch(`${sim.endpoints.admin}/admin/replay/misses`)).json();
    assert.equal(misses.length, 1);
    assert.deepEqual(
      { ...misses[0], time: undefined },
      {
        kind: "http",
        device: "ibmc3",
        method: "GET",
        path: "/redfish/v1/Systems/1/Bios",
        time: undefined,
      },
    );
    const stats = await (await fetch(`${sim.endpoints.admin}/admin/replay`)).json();
    assert.equal(stats.misses, 1);
    assert.deepEqual(stats.devices, ["hmm", "ibmc3", "swi2", "swi3"]);
  },
});

Deno.test({
  name: "startSimulator replay serves a VRP session: banner, commands, questions, misses, quit",
  sanitizeResources: false,
  async fn() {
    const sh = await openShell(sim.endpoints.switches.swi2.ssh, "anyone", "any-password");
    try {
      await sh.waitFor(/<CX310_2>$/);
      assert.match(await sh.cmd("display vlan"), /VID {2}Status\r\n10 {3}enable\r\n<CX310_2>$/);
      sh.mark();
      sh.send("save\r");
      await sh.waitFor(/Continue\? \[Y\/N\]:$/);
      sh.send("y\r");
      const saved = await sh.waitFor(/<CX310_2>$/);
      assert.match(saved, /^y\r\nInfo: Save the configuration successfully\.\r\n<CX310_2>$/);
      const miss = await sh.cmd("display arp");
      assert.match(miss, /Error: The recording has no answer for "display arp" on swi2/);
      const misses = sim.replay!.misses().filter((m) => m.kind === "ssh");
      assert.deepEqual(misses.at(-1), { ...misses.at(-1), device: "swi2", command: "display arp" });
      sh.send("quit\r");
      await sh.closed;
    } finally {
      await sh.close();
    }
  },
});

Deno.test({
  name: "startSimulator replay follows the HMM's jump to a switch and back",
  sanitizeResources: false,
  async fn() {
    const HMM = /smm@SMM:\/>$/;
    const sh = await openShell(sim.endpoints.hmm!.ssh, username, "x");
    try {
      // The login was recorded by prompt learning (Enter, prompt twice): the second prompt
      // answers the Enter, never ahead of it.
      await sh.waitFor(HMM);
      assert.equal(sh.output.match(/smm@SMM:\/>/g)?.length, 1);
      sh.send("\r");
      await sh.waitFor(HMM);
      assert.equal(sh.output.match(/smm@SMM:\/>/g)?.length, 2);
      sh.mark();
      sh.send("ssh 172.31.1.163 NoStricHostKeyChecking\r");
      await sh.waitFor(/password:$/);
      sh.send("Huawei12#$\r");
      await sh.waitFor(/<CX310_3>$/);
      sh.send("\r");
      await sh.waitFor(/<CX310_3>$/);
      assert.match(await sh.cmd("display version"), /Version 8\.150\r\n<CX310_3>$/);
      sh.mark();
      sh.send("quit\r");
      await sh.waitFor(HMM);
      assert.match(
        await sh.cmd("smmget -d version", HMM),
        /smmget -d version\r\nSMM version 7\.63\r\nsmm@SMM:\/>$/,
      );
    } finally {
      await sh.close();
    }
  },
});

Deno.test({
  name: "startSimulator replay answers exec requests from the recording",
  sanitizeResources: false,
  async fn() {
    const out = await execOnce(sim.endpoints.switches.swi3.ssh, "u", "p", "display version");
    assert.match(out, /VRP \(R\) software, Version 8\.150/);
    const miss = await execOnce(sim.endpoints.switches.swi3.ssh, "u", "p", "display nothing");
    assert.match(miss, /^Error: The recording has no answer for "display nothing" on swi3/);
  },
});

Deno.test({
  name: "startSimulator replay rejects a folder without recordings, naming it",
  sanitizeResources: false,
  async fn() {
    const empty = await Deno.makeTempDir({ prefix: "vessel-replay-empty-" });
    try {
      await assert.rejects(
        startSimulator({ replay: empty }),
        (e: Error) => e.name === "RecordingError" && e.message.includes(empty),
      );
    } finally {
      await Deno.remove(empty, { recursive: true });
    }
  },
});

Deno.test({
  name: "adminApp answers the replay routes 404 when the simulator is not replaying",
  sanitizeResources: false,
  async fn() {
    const plain = await startSimulator({ hmm: false });
    try {
      const r = await fetch(`${plain.endpoints.admin}/admin/replay/misses`);
      assert.equal(r.status, 404);
      assert.match((await r.json()).error, /not replaying a recording.*--replay DIR/);
      assert.equal(plain.replay, undefined);
    } finally {
      await plain.close();
    }
  },
});

Deno.test({
  name: "startSimulator replay closes every listener",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    client.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  },
});
