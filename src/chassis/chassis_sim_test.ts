/**
 * openChassis against the full simulator: the real-chassis path (switches and iBMCs reached
 * through the HMM shell's ssh command), shared HMM clients, and logout on close.
 */
import assert from "node:assert/strict";
import { NotFoundError } from "../errors.ts";
import { startSimulator } from "../sim/mod.ts";
import { readRecording } from "../drivers/record/format.ts";
import { openChassis } from "./chassis.ts";
import type { Endpoints } from "./endpoints.ts";

const sim = await startSimulator({});
const creds = sim.endpoints.credentials!;

Deno.test("openChassis reaches switches through the HMM jump like on a real chassis", async () => {
  const direct = sim.endpoints as unknown as Endpoints;
  const viaHmm = {
    ...direct,
    switches: {
      swi2: { ssh: "ssh://172.31.1.162:22", via: "hmm" },
      swi3: { ssh: "ssh://172.31.1.163:22", via: "hmm" },
    },
  };
  const chassis = await openChassis({ endpoints: viaHmm, credentials: creds, timeoutMs: 10000 });
  try {
    const sw = chassis.switch("swi2");
    const v = await sw.createVlan({ id: 3501, description: "via hmm" });
    assert.equal(v.description, "via hmm");
    // the same VLAN seen over the direct path
    const d = await openChassis({ endpoints: direct, credentials: creds });
    try {
      assert.equal((await d.switch("swi2").getVlan(3501))?.description, "via hmm");
    } finally {
      await d.close();
    }
    await sw.deleteVlan(3501);
    assert.equal(await chassis.switch("swi3").getVlan(3501), undefined);
  } finally {
    await chassis.close();
  }
});

Deno.test("ChassisContext shares HMM clients and opens iBMC shells", async () => {
  const rec = await Deno.makeTempDir();
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: creds,
    timeoutMs: 10000,
    record: rec,
  });
  try {
    const ctx = chassis.context;
    const rf = await ctx.hmmRedfish();
    assert.equal(rf, await ctx.hmmRedfish());
    const root = await rf.get<{ Chassis?: unknown }>("/redfish/v1");
    assert.ok(root.data.Chassis);
    const web = await ctx.hmmWeb();
    assert.equal(
      (await web.call("versionhandler.php", {
        actiontype: "get",
        chassisid: "0",
        bladename: "smm",
        fruid: "0",
      })).retcode,
      0,
    );
    const ibmc = await ctx.ibmcShell(1);
    assert.ok((await ibmc.ipmcget({ item: "bootdevice" })).length > 0);
    await ibmc.close();
    await assert.rejects(ctx.ibmcShell(6), NotFoundError);
    const hmm = await ctx.hmmShell();
    assert.match(await hmm.smmget({ location: "swi2", item: "presence" }), /present/);
  } finally {
    await chassis.close();
  }
  // everything was recorded, validly and without secrets
  const [file] = [...Deno.readDirSync(rec)];
  const lines = await readRecording(`${rec}/${file.name}`);
  const kinds = new Set(lines.map((l) => `${l.kind}:${l.device}`));
  for (const k of ["http:hmm", "ssh:hmm", "ssh:ibmc1"]) assert.ok(kinds.has(k), k);
  const text = await Deno.readTextFile(`${rec}/${file.name}`);
  assert.ok(!text.includes(creds.password), "password never recorded");
  assert.ok(lines.some((l) => l.kind === "http" && l.response?.headers["x-auth-token"] === "***"));
  await Deno.remove(rec, { recursive: true });
});

Deno.test("chassis sim suite teardown", async () => {
  await sim.close();
});
