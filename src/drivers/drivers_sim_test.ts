/**
 * Every driver against the simulator (an independent implementation of the E9000, src/sim) over
 * real SSH and HTTPS. One simulator per file; each test opens and closes its own sessions.
 */
import assert from "node:assert/strict";
import { AuthError, NotFoundError, UnsupportedError, ValidationError } from "../errors.ts";
import { startSimulator } from "../sim/mod.ts";
import { parseSshUrl } from "../chassis/endpoints.ts";
import { HmmShell } from "./hmmcli/shell.ts";
import { IbmcShell } from "./ibmccli/shell.ts";
import { parseSelPowerState } from "./hmmcli/parse.ts";
import { RedfishClient } from "./redfish/client.ts";
import { HmmWebClient } from "./webapi/client.ts";
import { parseDisplayVlan } from "./vrp/parse_vlan.ts";

const sim = await startSimulator({});
const ep = sim.endpoints as unknown as {
  hmm: { web: string; redfish: string; ssh: string };
  ibmc: Record<string, { redfish?: string; ssh?: string }>;
  credentials: { username: string; password: string };
  tls: { ca: string };
};
const creds = ep.credentials;
const hmmSsh = parseSshUrl(ep.hmm.ssh);
const openHmm = () => HmmShell.connect({ ...hmmSsh, ...creds, commandTimeoutMs: 10000 });

Deno.test("HmmShell learns the prompt and reads smmget items with typed errors", async () => {
  const hmm = await openHmm();
  try {
    assert.ok(hmm.prompt.length > 0);
    assert.match(await hmm.smmget({ location: "swi2", item: "presence" }), /Swi2 is present\./i);
    assert.match(await hmm.smmget({ item: "version" }), /Software Version/);
    await assert.rejects(hmm.smmget({ item: "sysinfo" }), UnsupportedError);
    await assert.rejects(
      hmm.smmget({ location: "blade1", item: "nonexistent_item" }),
      UnsupportedError,
    );
    await assert.rejects(hmm.exec("cat /etc/passwd"), UnsupportedError);
    assert.throws(
      () => hmm.smmget({ location: "hmm1; reboot", item: "presence" }),
      ValidationError,
    );
  } finally {
    await hmm.close();
  }
});

Deno.test("HmmShell exports a switch configuration and fetches it over SFTP", async () => {
  const hmm = await openHmm();
  try {
    const path = await hmm.swiconfexport(2);
    assert.equal(path, "/tmp/exchange/swi2/swi2.tar.gz");
    const data = await hmm.sftpGet(path);
    assert.ok(data.length > 0);
    assert.equal(data[0], 0x1f, "gzip magic");
    assert.equal(data[1], 0x8b);
    await assert.rejects(hmm.sftpGet("/tmp/exchange/none.tar.gz"), NotFoundError);
    // still usable after extended mode
    assert.match(await hmm.smmget({ location: "swi3", item: "presence" }), /present/);
  } finally {
    await hmm.close();
  }
});

Deno.test("HmmShell jumps to a blade iBMC and back", async () => {
  const hmm = await openHmm();
  try {
    const ibmc = await hmm.jumpToIbmc(1, creds.password);
    assert.match(ibmc.prompt, /@/);
    const boot = await ibmc.ipmcget({ item: "bootdevice" });
    assert.ok(boot.length > 0);
    await ibmc.close();
    assert.ok(hmm.usable);
    assert.match(await hmm.smmget({ location: "swi2", item: "presence" }), /present/);
    await assert.rejects(hmm.jumpToIbmc(2, "wrong-password"), AuthError);
    assert.match(await hmm.smmget({ location: "swi2", item: "presence" }), /present/);
  } finally {
    await hmm.close();
  }
});

Deno.test("HmmShell jumps to a switch and runs the VRP driver over the jump", async () => {
  const hmm = await openHmm();
  try {
    const vrp = await hmm.jumpToSwitch(2, creds.password);
    assert.equal(vrp.sysname.toLowerCase().includes("2") || vrp.sysname.length > 0, true);
    const t = parseDisplayVlan((await vrp.exec("display vlan")).output);
    assert.ok(t.vlans.some((v) => v.id === 1));
    await vrp.close();
    await hmm.returnFromJump();
    assert.match(await hmm.smmget({ location: "swi2", item: "presence" }), /present/);
  } finally {
    await hmm.close();
  }
});

Deno.test("IbmcShell confirms power commands only when asked", async () => {
  const b = await IbmcShell.connect({
    device: "ibmc1",
    ...parseSshUrl(ep.ibmc["1"].ssh!),
    ...creds,
  });
  try {
    await assert.rejects(b.ipmcset({ item: "powerstate", value: "0" }), /Declined/);
    await b.ipmcset({ item: "powerstate", value: "0" }, { confirm: true });
    assert.equal(parseSelPowerState(await b.ipmcget({ item: "sel", value: "list" })), "off");
    await b.ipmcset({ item: "powerstate", value: "1" }, { confirm: true });
    assert.equal(parseSelPowerState(await b.ipmcget({ item: "sel", value: "list" })), "on");
    await b.ipmcset({ item: "bootdevice", value: "1" }, { confirm: true });
    assert.match(await b.ipmcget({ item: "bootdevice" }), /PXE/i);
  } finally {
    await b.close();
  }
});

Deno.test("RedfishClient talks to the simulated HMM with the pinned CA and logs out", async () => {
  const rf = await RedfishClient.connect({
    device: "hmm",
    baseUrl: ep.hmm.redfish,
    ...creds,
    tls: { ca: ep.tls.ca },
  });
  try {
    const root = await rf.get<{ Chassis?: { "@odata.id": string } }>("/redfish/v1");
    assert.ok(root.data.Chassis);
    const chassis = await rf.get<{ Members: { "@odata.id": string }[] }>("/redfish/v1/Chassis");
    assert.ok(chassis.data.Members.some((m) => m["@odata.id"].endsWith("/Swi2")));
    await assert.rejects(rf.get("/redfish/v1/Chassis/Nope"), NotFoundError);
  } finally {
    await rf.close();
  }
  await assert.rejects(
    RedfishClient.connect({
      device: "hmm",
      baseUrl: ep.hmm.redfish,
      ...creds,
      password: "bad",
      tls: { ca: ep.tls.ca },
    }),
    AuthError,
  );
});

Deno.test("HmmWebClient logs in to the simulated HMM and reads versions", async () => {
  const web = await HmmWebClient.login({ baseUrl: ep.hmm.web, ...creds, tls: { ca: ep.tls.ca } });
  try {
    const r = await web.call("versionhandler.php", {
      actiontype: "get",
      chassisid: "0",
      bladename: "smm",
      fruid: "0",
    });
    assert.equal(r.retcode, 0);
  } finally {
    await web.logout();
  }
  await assert.rejects(
    HmmWebClient.login({ baseUrl: ep.hmm.web, ...creds, password: "bad", tls: { ca: ep.tls.ca } }),
    AuthError,
  );
});

Deno.test("drivers suite teardown", async () => {
  await sim.close();
});
