/**
 * The easyLink network-info data sources on the simulated HMM, used the way a configuration
 * would: the Ethernet view picks the switch ports a blade is wired to.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../sim/mod.ts";
import { openChassis } from "../../chassis/chassis.ts";
import { openStore } from "../../store/db.ts";
import { EngineState, planFiles } from "../../engine/mod.ts";

const CONFIG = `
data "vessel_network_overview" "o" {}

data "vessel_network_ports" "eth" {
  view = "ethernet"
}

data "vessel_blade_macs" "b1" {
  slot = 1
}

locals {
  blade1 = [for p in data.vessel_network_ports.eth.ports : p if try(p.slot, 0) == 1 && try(p.switch_port, "") != ""]
}

output "present" {
  value = data.vessel_network_overview.o.blades
}

output "blade1_ports" {
  value = [for p in local.blade1 : "\${p.switch}:\${p.switch_port}"]
}

output "blade1_macs" {
  value = length(data.vessel_blade_macs.b1.ports)
}
`;

Deno.test("network-info data sources feed expressions at plan time", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSimulator({});
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: sim.endpoints.credentials!,
    timeoutMs: 20_000,
  });
  const store = openStore(":memory:");
  try {
    await Deno.writeTextFile(`${dir}/n.hcl`, CONFIG);
    const { plan } = await planFiles({
      files: [`${dir}/n.hcl`],
      chassis,
      state: new EngineState(store, "sim://"),
      env: {},
    });
    const present = plan.outputs!.present.value as string[];
    for (const slot of Object.keys(sim.endpoints.ibmc)) assert.ok(present.includes(`Slot${slot}`));
    assert.ok(!present.includes("Slot5"));
    const ports = plan.outputs!.blade1_ports.value as string[];
    assert.ok(ports.length > 0, "blade 1 is wired to switch ports");
    for (const p of ports) assert.match(p, /^swi\d:\S+$/);
    assert.equal(typeof plan.outputs!.blade1_macs.value, "number");
  } finally {
    store.close();
    await chassis.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
