/**
 * The management-plane model: which devices the operator (and the HMM) can reach. A switch is
 * reachable while its management path is intact in its running configuration (see
 * `mgmtPathUp` in `vrp/config.ts`); blade data ports are reachable while their switch port is up
 * and lets a VLAN that exists through.
 *
 * @module
 */
import type { MgmtPlane } from "./context.ts";
import type { SwitchDevice } from "./vrp/device.ts";
import { learnedVlan, phyUp } from "./vrp/display.ts";
import type { Topology } from "./context.ts";

/** Create the management plane over the switch devices. */
export function createMgmtPlane(
  topology: Topology,
  devices: Map<string, SwitchDevice>,
): MgmtPlane & { close(): void } {
  const listeners = new Set<() => void>();
  const unsubs = [...devices.values()].map((d) =>
    d.onChange(() => {
      for (const l of [...listeners]) {
        try {
          l();
        } catch { /* ignore */ }
      }
    })
  );
  const plane = {
    isReachable(device: string): boolean {
      const d = device.toLowerCase();
      const sw = devices.get(d);
      if (sw) return sw.mgmtUp();
      return true;
    },
    reachableFromHmm(device: string): boolean {
      const sw = devices.get(device.toLowerCase());
      if (!sw) return true;
      return sw.spec.mgmt.hmmPath === "in-band" ? sw.mgmtUp() : true;
    },
    bladeLinks(slot: number) {
      const blade = topology.blades.find((b) => b.slot === slot);
      if (!blade) return [];
      return blade.nics.map((nic) => {
        const sw = nic.switch ? devices.get(nic.switch) : undefined;
        let up = false;
        if (sw && nic.port) {
          const c = sw.running;
          up = sw.mgmtUp() && phyUp(sw, c, nic.port) && learnedVlan(sw, c, nic.port) !== undefined;
        }
        return { nic: nic.name, switch: nic.switch, port: nic.port, up };
      });
    },
    onChange(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      for (const u of unsubs) u();
      listeners.clear();
    },
  };
  return plane;
}
