import assert from "node:assert/strict";
import { Hono } from "hono";
import { createFaultRegistry, httpFaults } from "./faults.ts";
import { startSimulator } from "./mod.ts";
import { execOnce, openShell } from "./testing.ts";

const USER = "root";
const PW = "Huawei12#$";

Deno.test("createFaultRegistry merges, names, consumes and validates faults", () => {
  const r = createFaultRegistry();
  r.set({ device: "swi2", iface: "ssh", latencyMs: 100 });
  r.set({ device: "*", latencyMs: 50, errorRate: 0.2 });
  r.set({ device: "ibmc3", name: "firmware-flash-failure", params: { atPercent: 40 } });
  const e = r.effective("swi2", "ssh");
  assert.equal(e.latencyMs, 150);
  assert.equal(e.errorRate, 0.2);
  assert.equal(r.effective("swi2", "web").latencyMs, 50);
  assert.equal(r.named("blade3", "firmware-flash-failure")?.params?.atPercent, 40);
  assert.equal(r.effective("blade3", "redfish").latencyMs, 50, "named faults do not add effects");
  r.set({ device: "swi3", iface: "ssh", disconnectMidCommand: true });
  assert.equal(r.take("swi3", "ssh", "disconnectMidCommand"), true);
  assert.equal(r.take("swi3", "ssh", "disconnectMidCommand"), false, "one shot");
  assert.throws(() => r.set({ device: "swi9x" }), /device/);
  assert.throws(() => r.set({ device: "hmm", errorRate: 2 }), /errorRate.*0\.\.1/);
  assert.equal(r.clear({ device: "swi2" }), 1);
  assert.equal(r.clear(), 2);
  assert.deepEqual(r.list(), []);
  r.close();
});

Deno.test("httpFaults adds latency, fails requests and never answers on timeout", async () => {
  const r = createFaultRegistry();
  const app = new Hono();
  app.use("*", httpFaults({ faults: r }, "hmm", "web"));
  app.get("/x", (c) => c.text("ok"));
  assert.equal(await (await app.request("/x")).text(), "ok");
  const f = r.set({ device: "hmm", iface: "web", latencyMs: 120 });
  const t0 = performance.now();
  await (await app.request("/x")).text();
  assert.ok(performance.now() - t0 >= 110);
  r.clear({ id: f.id });
  r.set({ device: "hmm", iface: "web", errorRate: 1, status: 503 });
  const res = await app.request("/x");
  assert.equal(res.status, 503);
  await res.body?.cancel();
  r.clear();
  r.set({ device: "hmm", iface: "redfish", errorRate: 1 });
  assert.equal(await (await app.request("/x")).text(), "ok", "other interface unaffected");
  r.set({ device: "hmm", iface: "web", timeout: true });
  let settled = false;
  const p = Promise.resolve(app.request("/x")).then((x) => {
    settled = true;
    return x;
  });
  await new Promise((res) => setTimeout(res, 50));
  assert.equal(settled, false, "a timeout fault never answers");
  r.close();
  const late = await p;
  await late.body?.cancel();
});

Deno.test("SSH faults: latency, errors, timeouts, session expiry, mid-command disconnect", async (t) => {
  const sim = await startSimulator({ hmm: false });
  const url = sim.endpoints.switches.swi2.ssh;
  try {
    await t.step("latency delays the handshake and every answer", async () => {
      const f = sim.faults.set({ device: "swi2", iface: "ssh", latencyMs: 150 });
      const t0 = performance.now();
      const sh = await openShell(url, USER, PW);
      await sh.waitFor(/<CX310_2>$/);
      const t1 = performance.now();
      await sh.cmd("display version");
      const t2 = performance.now();
      await sh.close();
      assert.ok(t1 - t0 >= 290, `login took ${t1 - t0} ms`);
      assert.ok(t2 - t1 >= 140, `command took ${t2 - t1} ms`);
      sim.faults.clear({ id: f.id });
    });

    await t.step("errorRate 1 drops every connection at once", async () => {
      sim.faults.set({ device: "swi2", iface: "ssh", errorRate: 1 });
      await assert.rejects(openShell(url, USER, PW), /closed|ECONNRESET|handshake|reset/i);
      sim.faults.clear();
    });

    await t.step("timeout accepts TCP but never completes the handshake", async () => {
      sim.faults.set({ device: "swi2", iface: "ssh", timeout: true });
      await assert.rejects(
        openShell(url, USER, PW, { readyTimeoutMs: 300 }),
        /handshake|timed out/i,
      );
      sim.faults.clear();
      // In an open session, answers stop while the fault is set and resume when it is cleared.
      const sh = await openShell(url, USER, PW);
      await sh.waitFor(/<CX310_2>$/);
      const f = sim.faults.set({ device: "swi2", iface: "ssh", timeout: true });
      sh.mark();
      sh.send("display device\r");
      await assert.rejects(sh.waitFor(/<CX310_2>$/, 300), /Timed out/);
      sim.faults.clear({ id: f.id });
      await sh.waitFor(/Device status:[\s\S]*<CX310_2>$/);
      await sh.close();
    });

    await t.step("sessionTtlMs ends the connection", async () => {
      sim.faults.set({ device: "swi2", iface: "ssh", sessionTtlMs: 200 });
      const sh = await openShell(url, USER, PW);
      await sh.waitFor(/<CX310_2>$/);
      await sh.closed;
      sim.faults.clear();
    });

    await t.step(
      "disconnectMidCommand cuts the next command's output and drops the link",
      async () => {
        const sh = await openShell(url, USER, PW);
        await sh.waitFor(/<CX310_2>$/);
        await sh.cmd("screen-length 0 temporary");
        sim.faults.set({ device: "swi2", iface: "ssh", disconnectMidCommand: true });
        sh.mark();
        sh.send("display current-configuration\r");
        await sh.closed;
        const got = sh.output.slice(sh.output.lastIndexOf("display current-configuration"));
        assert.match(got, /sysname CX310_2/);
        assert.doesNotMatch(got, /\r\nreturn\r\n/);
        assert.equal(sim.faults.list().length, 0, "the one-shot fault is consumed");
        // The same for an exec request.
        sim.faults.set({ device: "swi2", iface: "ssh", disconnectMidCommand: true });
        const partial = await execOnce(url, USER, PW, "display current-configuration");
        assert.match(partial, /sysname CX310_2/);
        assert.doesNotMatch(partial, /\nreturn\n/);
        const again = await openShell(url, USER, PW);
        await again.waitFor(/<CX310_2>$/);
        await again.close();
      },
    );

    await t.step("admin API sets, lists and clears faults, named ones included", async () => {
      const put = await fetch(`${sim.endpoints.admin}/admin/faults`, {
        method: "PUT",
        body: JSON.stringify([
          { device: "blade3", name: "firmware-flash-failure", params: { atPercent: 40 } },
          { device: "ibmc5", name: "ibmc-reboot", params: { durationMs: 3000 } },
        ]),
      });
      const created = await put.json();
      assert.equal(created.length, 2);
      assert.equal(sim.faults.named("blade5", "ibmc-reboot")?.params?.durationMs, 3000);
      const bad = await fetch(`${sim.endpoints.admin}/admin/faults`, {
        method: "PUT",
        body: JSON.stringify({ device: "swi2", latencyMs: -1 }),
      });
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).error, /latencyMs/);
      const list = await (await fetch(`${sim.endpoints.admin}/admin/faults`)).json();
      assert.equal(list.length, 2);
      const del = await fetch(`${sim.endpoints.admin}/admin/faults?device=blade3`, {
        method: "DELETE",
      });
      assert.equal((await del.json()).removed, 1);
      const del2 = await fetch(`${sim.endpoints.admin}/admin/faults/${created[1].id}`, {
        method: "DELETE",
      });
      assert.equal((await del2.json()).removed, 1);
      const ep = await (await fetch(`${sim.endpoints.admin}/admin/endpoints`)).json();
      assert.deepEqual(ep, sim.endpoints);
      sim.faults.set({ device: "*", latencyMs: 1 });
      const st = await (await fetch(`${sim.endpoints.admin}/admin/state`)).json();
      assert.deepEqual(Object.keys(st.switches), ["swi2", "swi3"]);
      const doc = await (await fetch(`${sim.endpoints.admin}/admin/state/faults`)).json();
      assert.equal(doc.length, 1);
      const missing = await fetch(`${sim.endpoints.admin}/admin/state/switches/swi9`);
      assert.equal(missing.status, 404);
      await missing.body?.cancel();
      const reset = await fetch(`${sim.endpoints.admin}/admin/reset`, { method: "POST" });
      assert.deepEqual(await reset.json(), { reset: true });
      assert.deepEqual(sim.faults.list(), []);
    });
  } finally {
    await sim.close();
  }
});
