/**
 * Parsers for VRP display output used by the switch additions (ports, LAGs, diagnostics). Each
 * parser follows a real sample in `testdata/vrp/` (CloudEngine CE6850 and VRP5 captures from
 * ntc-templates / napalm-ce, Apache-2.0; see testdata/vrp/README.md):
 *
 * - `display interface brief`: ce6850_display_interface_brief.txt (PHY `*down` = shut down)
 * - `display port vlan`: display_port_vlan__example1.raw
 * - `display lldp neighbor brief`: ce6850_display_lldp_neighbor_brief.txt
 * - `display mac-address`: ce6850_display_mac-address.txt (VRP8) and display_mac-address__vsi.raw
 * - `display arp [brief]`: display_arp_brief.raw
 * - configuration blocks (`interface X` … `#`) of `display current-configuration`
 *
 * The text parsing is the driver's (`src/drivers/vrp/display.ts`, one parser per display
 * command); this module maps its rows to the SDK's typed models. Pure functions: no I/O.
 */
import { z } from "zod";
import {
  parseArp as vrpArp,
  parseCurrentConfiguration,
  parseInterfaceBrief as vrpInterfaceBrief,
  parseLldpNeighborBrief,
  parseMacAddress,
  parsePortVlan as vrpPortVlan,
  parseVlanRanges,
} from "../drivers/vrp/display.ts";

/** VLAN list as VRP writes it in configuration: `10 20 to 22` → [10, 20, 21, 22]. */
export const parseVlanList: (text: string) => number[] = parseVlanRanges;

/** VLAN ids to VRP's list syntax with ranges: [10, 20, 21, 22] → `10 20 to 22`. */
export function formatVlanList(ids: number[]): string {
  const s = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(j > i ? `${s[i]} to ${s[j]}` : String(s[i]));
    i = j + 1;
  }
  return parts.join(" ");
}

/** One row of `display interface brief`. */
export const InterfaceBriefSchema = z.object({
  name: z.string().describe("Interface name, e.g. 10GE2/1/1, Eth-Trunk1"),
  phy: z.string().describe("Physical state as printed: up, down, *down (shut down)"),
  protocol: z.string().describe("Protocol state: up or down"),
  up: z.boolean().describe("Physical state is up"),
  adminDown: z.boolean().describe("Shut down by configuration (*down)"),
  member: z.boolean().describe("Indented under an Eth-Trunk: a member port"),
});
/** One row of `display interface brief`. */
export type InterfaceBrief = z.infer<typeof InterfaceBriefSchema>;

/** Parses `display interface brief` (the driver's parser, as the SDK's model). */
export function parseInterfaceBrief(text: string): InterfaceBrief[] {
  return vrpInterfaceBrief(text).map((r) => ({
    name: r.interface,
    phy: r.phy,
    protocol: r.protocol,
    up: r.up,
    adminDown: r.adminDown,
    member: r.member,
  }));
}

/** One row of `display port vlan`. */
export const PortVlanRowSchema = z.object({
  name: z.string().describe("Interface name"),
  linkType: z.string().describe("access, trunk, hybrid (or auto/desirable on some builds)"),
  pvid: z.number().int().describe("Port default VLAN"),
  vlans: z.array(z.number().int()).describe("VLAN list column (trunk/hybrid allowed VLANs)"),
});
/** One row of `display port vlan`. */
export type PortVlanRow = z.infer<typeof PortVlanRowSchema>;

/** Parses `display port vlan` (the driver's parser, as the SDK's model). */
export function parsePortVlan(text: string): PortVlanRow[] {
  return vrpPortVlan(text).map((r) => ({
    name: r.interface,
    linkType: r.linkType,
    pvid: r.pvid,
    vlans: r.allowed,
  }));
}

/** Configuration blocks: `interface X` → its indented lines, from `display current-configuration`. */
export function parseConfigBlocks(text: string): Map<string, string[]> {
  return parseCurrentConfiguration(text).ifaces;
}

/** One LLDP neighbour. */
export const LldpNeighborSchema = z.object({
  localInterface: z.string().describe("Our port"),
  expiresInS: z.number().optional().describe("Seconds until the entry expires"),
  neighborInterface: z.string().describe("The neighbour's port id"),
  neighborDevice: z.string().describe("The neighbour's system name"),
});
/** One LLDP neighbour. */
export type LldpNeighbor = z.infer<typeof LldpNeighborSchema>;

/** Parses `display lldp neighbor brief` (the driver's parser, as the SDK's model). */
export function parseLldpBrief(text: string): LldpNeighbor[] {
  return parseLldpNeighborBrief(text).map((n) => ({
    localInterface: n.localInterface,
    ...(n.expiresS !== undefined ? { expiresInS: n.expiresS } : {}),
    neighborInterface: n.neighborInterface,
    neighborDevice: n.neighborDevice,
  }));
}

/** One MAC table entry. */
export const MacEntrySchema = z.object({
  mac: z.string().describe("MAC address, lower-case colon form"),
  vlan: z.number().int().optional().describe("VLAN it was learned in"),
  interface: z.string().describe("Port it was learned from"),
  type: z.string().describe("dynamic, static, …"),
});
/** One MAC table entry. */
export type MacEntry = z.infer<typeof MacEntrySchema>;

/** `aaaa-bbbb-cccc` → `aa:aa:bb:bb:cc:cc`. */
export function normalizeMac(m: string): string {
  const hex = m.replace(/[^0-9a-f]/gi, "").toLowerCase();
  return hex.length === 12 ? hex.match(/../g)!.join(":") : m.toLowerCase();
}

/** Parses `display mac-address` (the driver's parser, MACs in colon form). */
export function parseMacTable(text: string): MacEntry[] {
  return parseMacAddress(text).map((m) => ({ ...m, mac: normalizeMac(m.mac) }));
}

/** One ARP entry. */
export const ArpEntrySchema = z.object({
  ip: z.string().describe("IPv4 address"),
  mac: z.string().describe("MAC address, lower-case colon form"),
  type: z.string().describe("I (interface), D (dynamic), S (static) …"),
  interface: z.string().describe("Interface it was learned on"),
  vlan: z.number().int().optional().describe("VLAN, when printed"),
});
/** One ARP entry. */
export type ArpEntry = z.infer<typeof ArpEntrySchema>;

/** Parses `display arp [brief]` (the driver's parser, MACs in colon form). */
export function parseArp(text: string): ArpEntry[] {
  return vrpArp(text).map((e) => ({ ...e, mac: normalizeMac(e.mac) }));
}
