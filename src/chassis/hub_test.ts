/**
 * Device manners of the SDK hub against the simulator: transient failures retried with backoff
 * on fake time (and 4xx never), session caps below the device's limit, every session logged out
 * on close and on Ctrl-C, deadlines, changed pins, and the critical-path arithmetic.
 */
import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { CancelledError, DeviceError, NotFoundError, TimeoutError } from "../errors.ts";
import { HostKeyChangedError } from "./trust.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";
import { blades } from "./blade.ts";
import { hubOf, Semaphore } from "./hub.ts";
import { inventory } from "./inventory.ts";
import { system } from "./system.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const sim = await startSimulator({});
const creds = sim.endpoints.credentials!;

/** Sessions the iBMC of `slot` holds right now, asked by an independent client. */
async function ibmcSessions(slot: number): Promise<number> {
  const probe = await openChassis({ endpoints: sim.endpoints, credentials: creds });
  try {
    const r = await hubOf(probe).redfish<{ "Members@odata.count"?: number }>(
      slot,
      "GET",
      "/redfish/v1/SessionService/Sessions",
    );
    return (r.data["Members@odata.count"] ?? 0) - 1; // minus the probe's own
  } finally {
    await probe.close();
  }
}

Deno.test({
  name: "DeviceHub retries 503 with backoff on fake time and never retries 404",
  ...opts,
  fn: async () => {
    const rec = await Deno.makeTempDir();
    const chassis = await openChassis({
      endpoints: sim.endpoints,
      credentials: creds,
      record: rec,
    });
    const realSetTimeout = globalThis.setTimeout;
    try {
      const hub = hubOf(chassis);
      await hub.ibmcRedfish(2); // logged in before the fault
      const f = sim.faults.set({ device: "blade2", iface: "redfish", errorRate: 1, status: 503 });
      const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
      let done = false;
      try {
        const p = hub.redfish(2, "GET", "/redfish/v1/Systems/1");
        p.then(() => (done = true), () => (done = true));
        while (!done) {
          await new Promise((r) => realSetTimeout(r, 2));
          await clock.tickAsync(500);
        }
        await assert.rejects(p, (e: unknown) => e instanceof DeviceError && /503/.test(e.message));
      } finally {
        clock.uninstall();
        sim.faults.clear({ id: f.id });
      }
      await assert.rejects(hub.redfish(2, "GET", "/redfish/v1/NoSuchThing"), NotFoundError);
    } finally {
      await chassis.close();
    }
    const lines = [...Deno.readDirSync(rec)].flatMap((f) =>
      Deno.readTextFileSync(`${rec}/${f.name}`).trim().split("\n").map((l) => JSON.parse(l))
    );
    const gets = (path: string) =>
      lines.filter((l) =>
        l.kind === "http" && l.request.method === "GET" && l.request.url.endsWith(path)
      );
    assert.ok(gets("/Systems/1").length > 1, "the 503 was retried");
    assert.ok(gets("/Systems/1").every((l) => l.response?.status === 503));
    assert.equal(gets("/NoSuchThing").length, 1, "a 404 is not retried");
    await Deno.remove(rec, { recursive: true });
  },
});

Deno.test({
  name: "DeviceHub caps sessions per iBMC below its limit and logs every one out on close",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
    const hub = hubOf(chassis);
    try {
      await Promise.all(
        Array.from({ length: 12 }, () => hub.redfish(4, "GET", "/redfish/v1/Systems/1")),
      );
      const held = await ibmcSessions(4);
      assert.ok(held >= 1 && held <= hub.caps.ibmcRedfish, `held ${held}`);
      const limit = (await hub.redfish<{ Oem?: { Huawei?: { MaxSessions?: number } } }>(
        4,
        "GET",
        "/redfish/v1/SessionService",
      )).data.Oem?.Huawei?.MaxSessions;
      if (limit) assert.ok(hub.caps.ibmcRedfish < limit, "cap below the device's limit");
    } finally {
      await chassis.close();
    }
    assert.equal(await ibmcSessions(4), 0, "logged out on close");
  },
});

Deno.test({
  name: "Ctrl-C aborts an inventory and every session is still logged out",
  ...opts,
  fn: async () => {
    const ac = new AbortController();
    const f = sim.faults.set({ device: "*", iface: "redfish", latencyMs: 50 });
    const chassis = await openChassis({
      endpoints: sim.endpoints,
      credentials: creds,
      signal: ac.signal,
    });
    try {
      const hub = hubOf(chassis);
      const p = inventory(chassis).read();
      // abort once the blades' sessions exist
      while (!hub.calls.some((c) => c.device.startsWith("ibmc") && c.op === "login")) {
        await new Promise((r) => setTimeout(r, 5));
      }
      ac.abort();
      await assert.rejects(p, CancelledError);
    } finally {
      await chassis.close();
      sim.faults.clear({ id: f.id });
    }
    for (const slot of [1, 2, 3]) assert.equal(await ibmcSessions(slot), 0, `slot ${slot}`);
  },
});

Deno.test({
  name: "DeviceHub gives every call a deadline",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({
      endpoints: sim.endpoints,
      credentials: creds,
      timeoutMs: 300,
    });
    const f = sim.faults.set({ device: "blade11", iface: "redfish", timeout: true });
    try {
      await assert.rejects(blades(chassis).powerState(11), TimeoutError);
    } finally {
      sim.faults.clear({ id: f.id });
      await chassis.close();
    }
  },
});

Deno.test({
  name: "a changed SSH host key of the HMM is an error naming both fingerprints",
  ...opts,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const file = `${dir}/known_hosts`;
    const u = new URL(sim.endpoints.hmm!.ssh!.replace("ssh:", "http:"));
    await Deno.writeTextFile(
      file,
      `ssh ${u.hostname}:${u.port} SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA hmm\n`,
    );
    const chassis = await openChassis({
      endpoints: sim.endpoints,
      credentials: creds,
      trust: { knownHostsFile: file },
    });
    try {
      await assert.rejects(
        system(chassis).shellLog("oplog"),
        (e: unknown) => e instanceof HostKeyChangedError && /SHA256:AAAA/.test(e.message),
      );
    } finally {
      await chassis.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("Semaphore and DeviceHub.all measure the longest chain, not the sum", async () => {
  const s = new Semaphore(1);
  const r1 = await s.acquire();
  let second = false;
  const p = s.acquire().then((r) => {
    second = true;
    r();
  });
  assert.equal(second, false);
  r1();
  await p;
  assert.equal(second, true);
  const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
  try {
    const hub = hubOf(chassis);
    const wait = (ms: number) => () =>
      hub.call("x", "web", `wait ${ms}`, () => new Promise<void>((r) => setTimeout(r, ms)));
    await hub.trace(async () => {
      await wait(30)();
      await hub.all([wait(50), async () => {
        await wait(20)();
        await wait(20)();
      }]);
    });
    assert.ok(hub.criticalPathMs >= 75 && hub.criticalPathMs < 120, `${hub.criticalPathMs}`);
  } finally {
    await chassis.close();
  }
});

Deno.test({ name: "simulator closes", ...opts, fn: () => sim.close() });
