/**
 * easyLink network-info views as data sources (read during plan), through the SDK's
 * network_info module:
 *
 * - `data "vessel_network_overview"`: present blades, switch modules, fans, power modules;
 * - `data "vessel_network_ports"` (`view = "ethernet" | "fc" | "management"`): every blade port
 *   with its MAC and the switch port it is wired to;
 * - `data "vessel_blade_macs"` (`slot = 3`): a blade's mezzanine ports and MACs.
 *
 * @example HCL
 * data "vessel_network_ports" "eth" {
 *   view = "ethernet"
 * }
 * resource "vessel_switch_port" "blade3" {
 *   for_each  = { for p in data.vessel_network_ports.eth.ports : p.switch_port => p if p.slot == 3 }
 *   switch    = each.value.switch
 *   interface = each.key
 *   mode      = "access"
 *   vlan      = 100
 * }
 */
import { z } from "zod";
import type { DataSourceDefinition } from "../../engine/types.ts";
import { type NetPort, networkInfo } from "../../chassis/network_info.ts";

const Port = z.object({
  component: z.string().describe("Slot<N> (or HMM<N> for management ports)"),
  slot: z.number().optional().describe("Blade slot, when the port is a blade's"),
  port: z.string().describe("Port name, e.g. NIC1"),
  mac: z.string().optional().describe("MAC, lower-case colon form"),
  switch: z.string().optional().describe("Switch module it is wired to, swi<N>"),
  switch_port: z.string().optional().describe("Switch port, e.g. 10GE2/1/1"),
});

function port(p: NetPort) {
  const slot = /^Slot(\d+)$/.exec(p.component)?.[1];
  return {
    component: p.component,
    ...(slot ? { slot: Number(slot) } : {}),
    port: p.port,
    ...(p.mac ? { mac: p.mac } : {}),
    ...(p.switch ? { switch: p.switch.toLowerCase() } : {}),
    ...(p.switchPort ? { switch_port: p.switchPort } : {}),
  };
}

/** `data "vessel_network_overview"`. */
export const networkOverviewData: DataSourceDefinition = {
  type: "vessel_network_overview",
  description: "easyLink overview: present blades, switch modules, fans and power modules",
  schema: z.strictObject({}),
  result: z.strictObject({
    blades: z.array(z.string()).describe("Present blades, Slot<N>"),
    switches: z.array(z.string()).describe("Present switch modules, Swi<N>"),
    fans: z.array(z.string()).describe("Present fans"),
    psus: z.array(z.string()).describe("Present power modules"),
  }),
  scopes: () => ["hmm"],
  read: async (ctx) => await networkInfo(ctx.chassis).overview({ signal: ctx.signal }),
};

/** `data "vessel_network_ports"`. */
export const networkPortsData: DataSourceDefinition = {
  type: "vessel_network_ports",
  description:
    "easyLink port views (Ethernet, FC, management): blade ports, MACs and their switch ports",
  schema: z.strictObject({
    view: z.enum(["ethernet", "fc", "management"]).describe("ethernet, fc or management"),
  }) as unknown as z.ZodType<Record<string, unknown>>,
  result: z.strictObject({ ports: z.array(Port).describe("Every port of the view") }),
  scopes: () => ["hmm"],
  async read(ctx, args) {
    const n = networkInfo(ctx.chassis);
    const o = { signal: ctx.signal };
    const list = args.view === "fc"
      ? await n.fc(o)
      : args.view === "management"
      ? await n.management(o)
      : await n.ethernet(o);
    return { ports: list.map(port) };
  },
};

/** `data "vessel_blade_macs"`. */
export const bladeMacsData: DataSourceDefinition = {
  type: "vessel_blade_macs",
  description: "easyLink MAC view of one blade: mezzanine cards, ports and MACs",
  schema: z.strictObject({
    slot: z.number().int().min(1, "slot must be 1-16").max(16, "slot must be 1-16")
      .describe("Blade slot 1-16"),
  }) as unknown as z.ZodType<Record<string, unknown>>,
  result: z.strictObject({
    ports: z.array(z.object({
      card: z.string().describe("Mezzanine card, e.g. Mezz1"),
      type: z.string().optional().describe("Card model"),
      port: z.string().describe("Port name"),
      mac: z.string().optional().describe("MAC, lower-case colon form"),
    })).describe("Mezzanine ports"),
  }),
  scopes: (a) => [`ibmc:blade${a.slot}`],
  async read(ctx, args) {
    const rows = await networkInfo(ctx.chassis).mac(Number(args.slot), { signal: ctx.signal });
    return {
      ports: rows.map((r) => ({
        card: r.card,
        ...(r.type ? { type: r.type } : {}),
        port: r.port,
        ...(r.mac ? { mac: r.mac } : {}),
      })),
    };
  },
};
