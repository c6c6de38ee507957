/**
 * Blade power reaches the switch links through `startSimulator` (the HMM/iBMC module registers
 * `ctx.bladePower`'s source): a power action on a blade's iBMC (Redfish `ComputerSystem.Reset`)
 * takes the blade's downlinks down on both switches (link, LLDP neighbour, management-plane blade
 * links) and powering it on brings them back. `src/sim/ibmc/power_links_test.ts` covers the
 * module alone (Redfish and `ipmcset`).
 */
import assert from "node:assert/strict";
import { startSimulator } from "./mod.ts";
import { openShell } from "./testing.ts";

Deno.test("startSimulator blade power set on the iBMC reaches the switch links", async () => {
  const sim = await startSimulator();
  const client = Deno.createHttpClient({ caCerts: [sim.endpoints.tls!.ca] });
  const { username, password } = sim.endpoints.credentials;
  const sh = await openShell(sim.endpoints.switches.swi2.ssh, username, password);
  const reset = async (type: string) => {
    const r = await fetch(
      `${sim.endpoints.ibmc["3"].redfish}/Systems/1/Actions/ComputerSystem.Reset`,
      {
        client,
        method: "POST",
        headers: {
          authorization: `Basic ${btoa(`${username}:${password}`)}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ ResetType: type }),
      },
    );
    await r.body?.cancel();
    assert.ok(r.status < 300, `ResetType ${type}: HTTP ${r.status}`);
  };
  const up = (sw: string) => sim.mgmt.bladeLinks(3).find((l) => l.switch === sw)?.up;
  try {
    await sh.waitFor(/<CX310_2>$/);
    await sh.cmd("screen-length 0 temporary");
    assert.equal(up("swi2"), true);
    assert.match(await sh.cmd("display lldp neighbor brief"), /^10GE2\/3\/1 /m);

    await reset("ForceOff");
    assert.equal(up("swi2"), false);
    assert.equal(up("swi3"), false);
    assert.doesNotMatch(await sh.cmd("display lldp neighbor brief"), /^10GE2\/3\/1 /m);
    assert.match(await sh.cmd("display interface brief"), /^10GE2\/3\/1\s+down\s+down/m);
    assert.match(await sh.cmd("display lldp neighbor brief"), /^10GE2\/4\/1 /m);

    await reset("On");
    assert.equal(up("swi2"), true);
    assert.match(await sh.cmd("display lldp neighbor brief"), /^10GE2\/3\/1 /m);
  } finally {
    await sh.close();
    client.close();
    await sim.close();
  }
});
