/**
 * Device manners under the simulator's fault injection: a handshake that never finishes, a
 * connection dropped mid-command, a Redfish service answering 503.
 */
import assert from "node:assert/strict";
import { TimeoutError, TransportError } from "../errors.ts";
import { RedfishError } from "../drivers/redfish/errors.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";

const sim = await startSimulator({});
const creds = sim.endpoints.credentials!;

Deno.test("SwitchClient gives a TimeoutError when the switch never finishes the SSH handshake", async () => {
  const f = sim.faults.set({ device: "swi3", iface: "ssh", timeout: true });
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: creds,
    timeoutMs: 500,
  });
  try {
    const t0 = Date.now();
    await assert.rejects(chassis.switch("swi3").listVlans(), TimeoutError);
    assert.ok(Date.now() - t0 < 5000, "within the deadline, not a hang");
  } finally {
    sim.faults.clear({ id: f.id });
    await chassis.close();
  }
});

Deno.test("SwitchClient reconnects after a connection dropped mid-command", async () => {
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: creds,
    timeoutMs: 5000,
  });
  try {
    const sw = chassis.switch("swi2");
    const before = await sw.listVlans();
    sim.faults.set({ device: "swi2", iface: "ssh", disconnectMidCommand: true });
    await assert.rejects(sw.listVlans(), TransportError);
    assert.deepEqual((await sw.listVlans()).map((v) => v.id), before.map((v) => v.id));
  } finally {
    sim.faults.clear({ device: "swi2" });
    await chassis.close();
  }
});

Deno.test("RedfishClient retries 503 from the simulated HMM, then reports it typed", async () => {
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: creds,
    timeoutMs: 5000,
  });
  try {
    const rf = await chassis.context.hmmRedfish();
    const f = sim.faults.set({ device: "hmm", iface: "redfish", errorRate: 1, status: 503 });
    try {
      await assert.rejects(
        rf.get("/redfish/v1/Chassis", { attempts: 2 }),
        (e: unknown) => e instanceof RedfishError && e.status === 503,
      );
    } finally {
      sim.faults.clear({ id: f.id });
    }
    assert.ok((await rf.get("/redfish/v1/Chassis")).status === 200);
  } finally {
    await chassis.close();
  }
});

Deno.test("SwitchClient retries a connection the switch drops at once, then reports it", async () => {
  const f = sim.faults.set({ device: "swi3", iface: "ssh", errorRate: 1 });
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: creds,
    timeoutMs: 5000,
  });
  try {
    await assert.rejects(chassis.switch("swi3").listVlans(), TransportError);
    sim.faults.clear({ id: f.id });
    assert.ok(
      (await chassis.switch("swi3").listVlans()).length > 0,
      "recovers once the fault is gone",
    );
  } finally {
    sim.faults.clear({ id: f.id });
    await chassis.close();
  }
});

Deno.test("faults suite teardown", async () => {
  await sim.close();
});
