/**
 * easyLink network information (HMM menu "easyLink Network Info": Overview, Ethernet, FC, MAC),
 * read-only.
 *
 * Transport: HMM web API `networkhandler.php list bladename=eth|fc|mgmt` and `listpresentfru`
 * ([live] request shapes, hmm-web-api.md §4.1; reply elements per docs/simulator.md H.4), and
 * `mezzhandler.php deviceinfo` per blade for the MAC view.
 *
 * @example
 * const ports = await networkInfo(chassis).ethernet();
 */
import { z } from "zod";
import type { CallOptions } from "../drivers/deadline.ts";
import { children, childText } from "../drivers/webapi/xml.ts";
import type { Chassis } from "./chassis.ts";
import { checkSlot, type DeviceHub, perChassis } from "./hub.ts";
import { normalizeMac } from "./switch_display.ts";

/** One blade port and where it is wired. */
export const NetPortSchema = z.object({
  component: z.string().describe("Slot<N> (or HMM<N> for management ports)"),
  port: z.string().describe("Port name, e.g. NIC1"),
  mac: z.string().optional().describe("MAC, lower-case colon form"),
  switch: z.string().optional().describe("Switch module it is wired to, swi<N>"),
  switchPort: z.string().optional().describe("Switch port, e.g. 10GE2/1/1"),
});
/** One blade port. */
export type NetPort = z.infer<typeof NetPortSchema>;

/** The overview: which modules are present. */
export const NetOverviewSchema = z.object({
  blades: z.array(z.string()).describe("Present blades, Slot<N>"),
  switches: z.array(z.string()).describe("Present switch modules, Swi<N>"),
  fans: z.array(z.string()).describe("Present fans"),
  psus: z.array(z.string()).describe("Present power modules"),
});

/** One mezzanine port of a blade. */
export const MezzPortSchema = z.object({
  card: z.string().describe("Mezzanine card, e.g. Mezz1"),
  type: z.string().optional().describe("Card model, e.g. MZ510"),
  port: z.string().describe("Port name"),
  mac: z.string().optional().describe("MAC, lower-case colon form"),
  switch: z.string().optional(),
  switchPort: z.string().optional(),
});

const opt = (k: string, v: string | undefined) => (v ? { [k]: v } : {});

/** Network information of one chassis. */
export class NetworkInfoModule {
  readonly hub: DeviceHub;
  constructor(hub: DeviceHub) {
    this.hub = hub;
  }

  async #list(scope: "eth" | "fc" | "mgmt", o: CallOptions): Promise<NetPort[]> {
    const r = await this.hub.web("networkhandler.php", {
      actiontype: "list",
      chassisid: "0",
      bladename: scope,
    }, {
      ...o,
      idempotent: true,
    });
    return children(r.doc, "port").map((p) => {
      const mac = childText(p, "mac");
      return NetPortSchema.parse({
        component: childText(p, "bladename") ?? "",
        port: childText(p, "name") ?? "",
        ...(mac ? { mac: normalizeMac(mac) } : {}),
        ...opt("switch", childText(p, "switch")),
        ...opt("switchPort", childText(p, "switchport")),
      });
    });
  }

  /** Present modules. */
  async overview(o: CallOptions = {}): Promise<z.infer<typeof NetOverviewSchema>> {
    const kinds = ["blade", "swi", "fan", "pem"] as const;
    const lists = await this.hub.map(kinds, async (k) => {
      const r = await this.hub.web("networkhandler.php", {
        actiontype: "listpresentfru",
        chassisid: "0",
        bladename: k,
      }, { ...o, idempotent: true });
      return children(r.doc, "fru").map((f) => f.text.trim());
    });
    return NetOverviewSchema.parse({
      blades: lists[0],
      switches: lists[1],
      fans: lists[2],
      psus: lists[3],
    });
  }
  /** Ethernet ports of the blades and their switch ports. */
  ethernet(o: CallOptions = {}): Promise<NetPort[]> {
    return this.#list("eth", o);
  }
  /** FC ports. */
  fc(o: CallOptions = {}): Promise<NetPort[]> {
    return this.#list("fc", o);
  }
  /** Management ports. */
  management(o: CallOptions = {}): Promise<NetPort[]> {
    return this.#list("mgmt", o);
  }
  /** MAC view: a blade's mezzanine ports. */
  async mac(slot: number, o: CallOptions = {}): Promise<z.infer<typeof MezzPortSchema>[]> {
    checkSlot(slot);
    const r = await this.hub.web("mezzhandler.php", {
      actiontype: "deviceinfo",
      chassisid: "0",
      bladename: `Slot${slot}`,
    }, {
      ...o,
      idempotent: true,
    });
    return children(r.doc, "mezz").map((m) => {
      const mac = childText(m, "mac");
      return MezzPortSchema.parse({
        card: childText(m, "name") ?? "",
        ...opt("type", childText(m, "type")),
        port: childText(m, "port") ?? "",
        ...(mac ? { mac: normalizeMac(mac) } : {}),
        ...opt("switch", childText(m, "switch")),
        ...opt("switchPort", childText(m, "switchport")),
      });
    });
  }
}

/**
 * The network-information module of a chassis (cached per chassis).
 *
 * @example
 * await networkInfo(chassis).overview();
 */
export const networkInfo: (chassis: Chassis) => NetworkInfoModule = perChassis((_c, hub) =>
  new NetworkInfoModule(hub)
);
