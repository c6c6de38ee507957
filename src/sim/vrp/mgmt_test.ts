import assert from "node:assert/strict";
import { type Simulator, startSimulator } from "../mod.ts";
import { openShell } from "../testing.ts";

const USER = "root";
const PW = "Huawei12#$";

/** Resolves when the predicate holds (checked on every management-plane change). */
function until(sim: Simulator, pred: () => boolean, timeoutMs = 8000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const t = setTimeout(() => {
      off();
      reject(new Error("condition not reached"));
    }, timeoutMs);
    const off = sim.mgmt.onChange(() => {
      if (pred()) {
        clearTimeout(t);
        off();
        resolve();
      }
    });
  });
}

Deno.test("management plane: a committed cut makes the switch unreachable until reverted", async (t) => {
  // A short reboot window keeps the reboot step fast (the default is 1500 ms).
  const sim = await startSimulator({
    hmm: false,
    seed: { switches: [{ slot: 2, rebootMs: 200 }] },
  });
  const url = sim.endpoints.switches.swi2.ssh;
  const a = await openShell(url, USER, PW);
  try {
    await a.waitFor(/<CX310_2>$/);
    await a.cmd("screen-length 0 temporary");
    await a.cmd("system-view");

    await t.step("commit trial that deletes the management VLAN reverts on expiry", async () => {
      assert.equal(sim.mgmt.isReachable("swi2"), true);
      await a.cmd("undo vlan 4094");
      a.mark();
      // The shortest trial the CLI accepts (1 s): the cut is checked while it runs.
      a.send("commit trial 1\r");
      await until(sim, () => !sim.mgmt.isReachable("swi2"));
      await assert.rejects(
        openShell(url, USER, PW, { readyTimeoutMs: 300 }),
        /handshake|timed out/i,
      );
      assert.doesNotMatch(a.output.slice(-40), /\[~CX310_2\]$/, "output is held while cut");
      assert.equal(sim.mgmt.isReachable("swi3"), true, "the other switch is unaffected");
      await a.waitFor(/\[~CX310_2\]$/, 5000);
      assert.equal(sim.mgmt.isReachable("swi2"), true);
      assert.ok(sim.switch("swi2").vlans().some((v) => v.id === 4094));
      const b = await openShell(url, USER, PW);
      await b.waitFor(/<CX310_2>$/);
      await b.close();
    });

    await t.step(
      "removing the VLAN from the uplink cuts; admin API rollback restores",
      async () => {
        await a.cmd("interface 10GE2/17/1");
        await a.cmd("undo port trunk allow-pass vlan 4094");
        await a.cmd("quit");
        a.mark();
        a.send("commit\r");
        await until(sim, () => !sim.mgmt.isReachable("swi2"));
        const id = sim.switch("swi2").commits[0].id;
        const res = await fetch(`${sim.endpoints.admin}/admin/state/switches/swi2/rollback`, {
          method: "POST",
          body: JSON.stringify({ commitId: id }),
        });
        const body = await res.json();
        assert.equal(res.status, 200);
        assert.equal(body.reachable, true);
        await a.waitFor(/\[~CX310_2\]$/);
      },
    );

    await t.step(
      "shutting the Vlanif cuts; rollback configuration to commit-id restores",
      async () => {
        await a.cmd("interface Vlanif4094");
        await a.cmd("shutdown");
        await a.cmd("quit");
        a.send("commit\r");
        await until(sim, () => !sim.mgmt.isReachable("swi2"));
        // In-process recovery.
        sim.switch("swi2").rollbackTo(sim.switch("swi2").commits[0].id, "test");
        await until(sim, () => sim.mgmt.isReachable("swi2"));
        await a.waitFor(/\[~CX310_2\]$/);
        const list = await a.cmd("display configuration commit list");
        assert.match(list, /No\.\s+CommitId\s+Label\s+User\s+Date/);
        const ids = [...list.matchAll(/^ {2}\d+\s+(\d{10})\s/gm)].map((m) => m[1]);
        assert.ok(ids.length >= 4, list);
        // CLI rollback from user view: undo the VLAN creation below.
        await a.cmd("vlan 77");
        await a.cmd("commit");
        const id77 = sim.switch("swi2").commits[0].id;
        await a.cmd("return");
        const out = await a.cmd(`rollback configuration to commit-id ${id77}`);
        assert.match(out, /Info: /);
        assert.equal(sim.switch("swi2").vlans().some((v) => v.id === 77), false);
        await a.cmd("system-view");
      },
    );

    await t.step("abort trial reverts at once; commit confirms a trial", async () => {
      await a.cmd("vlan 88");
      await a.cmd("quit");
      assert.match(await a.cmd("commit trial 600"), /Info: /);
      assert.ok(sim.switch("swi2").trial);
      assert.match(await a.cmd("abort trial"), /Info: /);
      assert.equal(sim.switch("swi2").vlans().some((v) => v.id === 88), false);
      await a.cmd("vlan 89");
      await a.cmd("quit");
      await a.cmd("commit trial 600");
      await a.cmd("commit");
      assert.equal(sim.switch("swi2").trial, undefined);
      assert.ok(sim.switch("swi2").vlans().some((v) => v.id === 89));
    });

    await t.step("blade reachability follows the blade port's VLANs", async () => {
      assert.equal(sim.mgmt.bladeLinks(1).find((l) => l.switch === "swi2")?.up, true);
      await a.cmd("interface 10GE2/1/1");
      await a.cmd("port link-type trunk");
      await a.cmd("undo port trunk allow-pass vlan 1");
      await a.cmd("quit");
      await a.cmd("commit");
      assert.equal(sim.mgmt.bladeLinks(1).find((l) => l.switch === "swi2")?.up, false);
      assert.equal(sim.mgmt.bladeLinks(1).find((l) => l.switch === "swi3")?.up, true);
      assert.equal(sim.mgmt.isReachable("swi2"), true);
      // Live blade power (registered by the HMM/iBMC module): a powered-off blade drops its links.
      let fired = 0;
      const off = sim.mgmt.onChange(() => fired++);
      sim.context.bladePower.setSource((slot) => slot === 9 ? "Off" : "On");
      assert.ok(fired > 0, "the switches are told");
      off();
      assert.equal(sim.mgmt.bladeLinks(9).find((l) => l.switch === "swi3")?.up, false);
      const lldp = await a.cmd("display lldp neighbor brief");
      assert.doesNotMatch(lldp, /^10GE2\/9\/1 /m);
      assert.match(lldp, /^10GE2\/8\/1 /m);
      sim.context.bladePower.setSource((slot) =>
        sim.topology.blades.find((b) => b.slot === slot)?.power
      );
    });

    await t.step(
      "uncommitted changes are offered for commit when leaving system view",
      async () => {
        await a.cmd("vlan 91");
        a.mark();
        a.send("return\r");
        await a.waitFor(/\[Y\(yes\)\/N\(no\)\/C\(cancel\)\]:$/);
        assert.match(await a.cmd("n"), /<CX310_2>$/);
        assert.equal(sim.switch("swi2").vlans().some((v) => v.id === 91), false);
      },
    );

    await t.step(
      "reboot drops sessions, is unreachable, comes back with the saved config",
      async () => {
        const r = await openShell(url, USER, PW);
        await r.waitFor(/<CX310_2>$/);
        const before = sim.switch("swi2").saved;
        r.send("reboot\r");
        await r.waitFor(/Warning: The system will reboot\. Continue\? \[Y\/N\]:$/);
        r.send("y\r");
        await r.closed;
        assert.match(r.output, /Info: The system is rebooting/);
        assert.equal(sim.mgmt.isReachable("swi2"), false);
        await until(sim, () => sim.mgmt.isReachable("swi2"));
        assert.deepEqual(sim.switch("swi2").running.vlans, before?.vlans);
        const again = await openShell(url, USER, PW);
        await again.waitFor(/<CX310_2>$/);
        again.send("reset saved-configuration\r");
        await again.waitFor(/Continue\? \[Y\/N\]:$/);
        assert.match(await again.cmd("y"), /Info: Succeeded in clearing the configuration/);
        assert.equal(sim.switch("swi2").saved, undefined);
        assert.match(
          await again.cmd("display saved-configuration"),
          /Error: The saved configuration file does not exist\./,
        );
        await again.close();
      },
    );
  } finally {
    await a.close();
    await sim.close();
  }
});
