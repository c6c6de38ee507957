/**
 * Link-type changes depend on the port's VLAN configuration, not on its history: once a trunk's
 * allowed list (or a hybrid port's VLANs) is back at the default, `port link-type` and
 * `undo port link-type` work again (reported by the drivers: the simulator refused them with
 * "Please renew the default configurations" although only `port link-type trunk` was left).
 */
import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { openShell, type TestShell } from "../testing.ts";

const USER = "root";
const PW = "Huawei12#$";
const RENEW = /Error: Please renew the default configurations\./;

/** The interface block of the running configuration, without the echo and prompt lines. */
async function block(sh: TestShell, port: string): Promise<string> {
  const out = (await sh.cmd(`display current-configuration interface ${port}`)).split("\r\n");
  return out.slice(1, -1).join("\n");
}

Deno.test("port link-type works again once the port VLAN configuration is back at default", async (t) => {
  const sim = await startSimulator({
    hmm: false,
    seed: { switches: [{ slot: 3, vrpMode: "immediate" }] },
  });
  try {
    for (const [name, commit] of [["swi2", true], ["swi3", false]] as const) {
      await t.step(`${name} (${commit ? "two-stage" : "immediate"})`, async () => {
        const n = name.slice(3);
        const port = `10GE${n}/1/1`;
        const sh = await openShell(sim.endpoints.switches[name].ssh, USER, PW);
        const run = async (c: string) => {
          const out = await sh.cmd(c);
          assert.doesNotMatch(out, /Error:/, `${c}: ${out}`);
          if (commit && !/^(interface|system-view|vlan batch)/.test(c)) {
            assert.doesNotMatch(await sh.cmd("commit"), /Error:/);
          }
        };
        try {
          await sh.waitFor(new RegExp(`<CX310_${n}>$`));
          await sh.cmd("screen-length 0 temporary");
          await sh.cmd("system-view");
          await run("vlan batch 20 30");
          if (commit) await sh.cmd("commit");
          await run(`interface ${port}`);
          await run("port link-type trunk");
          await run("port trunk allow-pass vlan 20");
          // Non-default VLAN configuration remains: refused, as on real VRP.
          assert.match(await sh.cmd("port link-type access"), RENEW);
          assert.match(await sh.cmd("undo port link-type"), RENEW);
          await run("undo port trunk allow-pass vlan 20");
          assert.match(await block(sh, port), /^ port link-type trunk$/m);
          assert.doesNotMatch(await block(sh, port), /allow-pass/);
          await run("port link-type access");
          assert.doesNotMatch(await block(sh, port), /link-type trunk/);
          assert.match(await sh.cmd(`display interface ${port}`), /Link type : access/);
          await run("undo port link-type");
          assert.doesNotMatch(await block(sh, port), /link-type/);

          // The same within one uncommitted change set, and for a hybrid port.
          await sh.cmd("port link-type trunk");
          await sh.cmd("port trunk allow-pass vlan 30");
          await sh.cmd("undo port trunk allow-pass vlan 30");
          assert.doesNotMatch(await sh.cmd("port link-type hybrid"), /Error:/);
          await sh.cmd("port hybrid tagged vlan 20");
          assert.match(await sh.cmd("undo port link-type"), RENEW);
          await sh.cmd("undo port hybrid vlan 20");
          assert.doesNotMatch(await sh.cmd("undo port link-type"), /Error:/);
          if (commit) await sh.cmd("commit");
          assert.doesNotMatch(await block(sh, port), /link-type|hybrid|allow-pass/);

          // Removing VLAN 1 from a trunk is a non-default configuration.
          await run("port link-type trunk");
          await run("undo port trunk allow-pass vlan 1");
          assert.match(await block(sh, port), /undo port trunk allow-pass vlan 1/);
          assert.match(await sh.cmd("undo port link-type"), RENEW);
          await run("port trunk allow-pass vlan 1");
          await run("undo port link-type");
          await sh.cmd("return");
        } finally {
          await sh.close();
        }
      });
    }
  } finally {
    await sim.close();
  }
});
