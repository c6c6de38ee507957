/**
 * Blade power set by the HMM/iBMC module reaches the switch side (`ctx.bladePower`): the HMM
 * services are started on their own (`startTestChassis`: no bridge in `startSimulator`), the power
 * is changed through the public interfaces (iBMC Redfish over HTTPS, `ipmcset` over the iBMC SSH
 * shell) and observed through a switch's VRP CLI over SSH.
 */
import assert from "node:assert/strict";
import { startTestChassis } from "../hmm/test_util.ts";
import { openShell, type TestShell } from "../testing.ts";

const USER = "root";
const PASS = "Huawei12#$";
const IBMC = /root@BMC:\/#$/;

/** `28:6e:d4:5d:ea:4b` -> `286e-d45d-ea4b` (VRP MAC notation). */
function vrpMac(mac: string): string {
  const h = mac.replace(/[:-]/g, "").toLowerCase();
  return `${h.slice(0, 4)}-${h.slice(4, 8)}-${h.slice(8, 12)}`;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

Deno.test("startHmmServices blade power reaches the switch links, LLDP and MAC table", async () => {
  const c = await startTestChassis();
  const client = Deno.createHttpClient({ caCerts: [c.hmm.tls.ca] });
  const shells: TestShell[] = [];
  try {
    // Two blades wired to swi2, each seen through the same switch CLI.
    const [rfBlade, cliBlade] = c.sim.topology.blades
      .filter((b) => b.power === "On" && b.nics.some((n) => n.switch === "swi2"))
      .slice(0, 2)
      .map((b) => ({ slot: b.slot, nic: b.nics.find((n) => n.switch === "swi2")! }));
    const sw = await openShell(c.sim.endpoints.switches.swi2.ssh, USER, PASS);
    shells.push(sw);
    await sw.waitFor(/<[^<>]+>$/);
    await sw.cmd("screen-length 0 temporary");

    /** What swi2 shows for one blade port: PHY state, LLDP neighbour, learned MAC. */
    const seen = async (nic: { port?: string; mac: string }) => {
      const port = escape(nic.port!);
      const brief = await sw.cmd("display interface brief");
      const phy = new RegExp(`^${port}\\s+(\\S+)\\s+(\\S+)`, "m").exec(brief);
      const lldp = await sw.cmd("display lldp neighbor brief");
      const macs = await sw.cmd("display mac-address");
      return {
        phy: phy ? `${phy[1]}/${phy[2]}` : "missing",
        lldp: new RegExp(`^${port}\\s`, "m").test(lldp),
        mac: new RegExp(`^${vrpMac(nic.mac)}\\s.*\\s${port}\\s`, "m").test(macs),
      };
    };
    const UP = { phy: "up/up", lldp: true, mac: true };
    const DOWN = { phy: "down/down", lldp: false, mac: false };

    const reset = async (slot: number, type: string) => {
      const r = await fetch(
        `${c.hmm.endpoints.ibmc[String(slot)].redfish}/Systems/1/Actions/ComputerSystem.Reset`,
        {
          client,
          method: "POST",
          headers: {
            authorization: `Basic ${btoa(`${USER}:${PASS}`)}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({ ResetType: type }),
        },
      );
      await r.body?.cancel();
      assert.ok(r.status < 300, `ResetType ${type}: HTTP ${r.status}`);
    };

    assert.deepEqual(await seen(rfBlade.nic), UP);
    assert.deepEqual(await seen(cliBlade.nic), UP);

    // Redfish ForceOff / On.
    await reset(rfBlade.slot, "ForceOff");
    assert.deepEqual(await seen(rfBlade.nic), DOWN);
    assert.deepEqual(await seen(cliBlade.nic), UP, "the other blade keeps its link");
    assert.equal(
      c.sim.mgmt.bladeLinks(rfBlade.slot).find((l) => l.switch === "swi2")?.up,
      false,
    );
    await reset(rfBlade.slot, "On");
    assert.deepEqual(await seen(rfBlade.nic), UP);

    // iBMC shell `ipmcset -d powerstate -v 0|1`, confirmed with Y.
    const ibmc = await openShell(c.hmm.endpoints.ibmc[String(cliBlade.slot)].ssh, USER, PASS);
    shells.push(ibmc);
    await ibmc.waitFor(IBMC);
    for (const [v, want] of [["0", DOWN], ["1", UP]] as const) {
      ibmc.mark();
      ibmc.send(`ipmcset -d powerstate -v ${v}\r`);
      await ibmc.waitFor(/\[Y\/N\]:$/);
      assert.match(await ibmc.cmd("Y", IBMC), /successfully/);
      assert.deepEqual(await seen(cliBlade.nic), want, `ipmcset -d powerstate -v ${v}`);
    }
  } finally {
    for (const s of shells) await s.close();
    client.close();
    await c.close();
  }
});
