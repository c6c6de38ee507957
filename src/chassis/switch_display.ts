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
 * Pure functions: no I/O.
 */
import { z } from "zod";

/** VLAN list as VRP writes it in configuration: `10 20 to 22` → [10, 20, 21, 22]. */
export function parseVlanList(text: string): number[] {
  const out = new Set<number>();
  const t = text.trim().split(/[\s,]+/).filter(Boolean);
  for (let i = 0; i < t.length; i++) {
    if (t[i + 1] === "to" && /^\d+$/.test(t[i]) && /^\d+$/.test(t[i + 2] ?? "")) {
      for (let v = Number(t[i]); v <= Number(t[i + 2]); v++) out.add(v);
      i += 2;
      continue;
    }
    const m = /^(\d+)(?:-(\d+))?$/.exec(t[i]);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    for (let v = a; v <= b; v++) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

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

/** Parses `display interface brief`. */
export function parseInterfaceBrief(text: string): InterfaceBrief[] {
  const out: InterfaceBrief[] = [];
  let inTable = false;
  for (const line of text.split("\n")) {
    if (/^\s*Interface\s+PHY\s+Protocol/i.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    const m = /^(\s*)(\S+)\s+(\*?\^?down|up(?:\(\w+\))?|\S+)\s+(\S+)/.exec(line);
    if (!m || /^-+$/.test(m[2])) continue;
    const phy = m[3];
    out.push({
      name: m[2],
      phy,
      protocol: m[4],
      up: /^up/.test(phy),
      adminDown: phy.startsWith("*"),
      member: m[1].length > 0,
    });
  }
  return out;
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

/** Parses `display port vlan`. */
export function parsePortVlan(text: string): PortVlanRow[] {
  const out: PortVlanRow[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\S+)\s+(access|trunk|hybrid|auto|desirable|dot1q-tunnel|qinq)\s+(\d+)\s*(.*)$/i
      .exec(line);
    if (!m) continue;
    const rest = m[4].trim();
    out.push({
      name: m[1],
      linkType: m[2].toLowerCase(),
      pvid: Number(m[3]),
      vlans: rest === "-" || rest === "" ? [] : parseVlanList(rest),
    });
  }
  return out;
}

/** Configuration blocks: `interface X` → its indented lines, from `display current-configuration`. */
export function parseConfigBlocks(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+$/, "");
    const m = /^interface\s+(\S+)/.exec(line);
    if (m) {
      cur = [];
      out.set(m[1], cur);
      continue;
    }
    if (/^\S/.test(line) || line === "") {
      cur = undefined;
      continue;
    }
    cur?.push(line.trim());
  }
  return out;
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

/** Parses `display lldp neighbor brief`. */
export function parseLldpBrief(text: string): LldpNeighbor[] {
  const out: LldpNeighbor[] = [];
  let inTable = false;
  for (const line of text.split("\n")) {
    if (/^\s*Local\s+Interface/i.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable || /^-+\s*$/.test(line.trim()) || !line.trim()) continue;
    const m = /^\s*(\S+)\s+(\d+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (m) {
      out.push({
        localInterface: m[1],
        expiresInS: Number(m[2]),
        neighborInterface: m[3],
        neighborDevice: m[4],
      });
      continue;
    }
    const n = /^\s*(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (n) out.push({ localInterface: n[1], neighborInterface: n[2], neighborDevice: n[3] });
  }
  return out;
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

/** Parses `display mac-address` (VRP8 `VLAN/VSI/BD` and VRP5 `VLAN/VSI` layouts). */
export function parseMacTable(text: string): MacEntry[] {
  const out: MacEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})\s+(\S+)\s+(\S+)\s+(\S+)/i.exec(line);
    if (!m) continue;
    const v = /^(\d+)/.exec(m[2]);
    out.push({
      mac: normalizeMac(m[1]),
      ...(v ? { vlan: Number(v[1]) } : {}),
      interface: m[3],
      type: m[4],
    });
  }
  return out;
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

/** Parses `display arp [brief]`. */
export function parseArp(text: string): ArpEntry[] {
  const out: ArpEntry[] = [];
  for (const line of text.split("\n")) {
    const m =
      /^\s*(\d+\.\d+\.\d+\.\d+)\s+([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})\s+(?:(\d+)\s+)?(I\s*-|[A-Z]+-?\d*|[A-Z])\s+(\S+)(?:\s+(\d+)\S*)?/i
        .exec(line);
    if (!m) continue;
    out.push({
      ip: m[1],
      mac: normalizeMac(m[2]),
      type: m[4].replace(/\s+/g, ""),
      interface: m[5],
      ...(m[6] ? { vlan: Number(m[6]) } : {}),
    });
  }
  return out;
}
