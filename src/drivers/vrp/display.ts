/**
 * Parsers for VRP display output, one per display command; pure functions over cleaned text.
 * Every layer reads the switch through these (the SDK's typed models in src/chassis and the
 * watchdog's tables in src/ops/net map their rows). Checked against real samples in
 * testdata/vrp_driver and testdata/vrp (ntc-templates, napalm-ce; Apache-2.0):
 *
 * | command                        | parser                   | sample                                           |
 * | ------------------------------ | ------------------------ | ------------------------------------------------ |
 * | `display interface brief`      | {@link parseInterfaceBrief} | display_interface_brief__ar.raw, ce6850_…     |
 * | `display port vlan`            | {@link parsePortVlan}    | display_port_vlan__example1.raw                  |
 * | `display lldp neighbor brief`  | {@link parseLldpNeighborBrief} | ce6850_display_lldp_neighbor_brief.txt     |
 * | `display mac-address`          | {@link parseMacAddress}  | ce6850_display_mac-address.txt, …__vsi.raw       |
 * | `display arp [brief]`          | {@link parseArp}         | display_arp_brief.raw                            |
 * | `display device`               | {@link parseDisplayDevice} | display_device__ce6850_stack.raw               |
 * | `display version`              | {@link parseDisplayVersion} | ce6850_display_version.txt                    |
 * | `ping`                         | {@link parsePing}        | –                                                |
 * | `display current-configuration` | {@link parseCurrentConfiguration} | VLANs and interface blocks            |
 * | `display vlan`, VLAN config    | `parse_vlan.ts`          | display_vlan__ge_stat.raw                        |
 *
 * @module
 */

/** One row of `display interface brief`. */
export interface VrpInterfaceBrief {
  /** Name without flag suffixes, e.g. `10GE2/1/1`, `GigabitEthernet0/0/5`. */
  interface: string;
  /** Suffix flags on the name, e.g. `v` for `(v)` (virtual port). */
  flags: string[];
  /** PHY column as printed: `up`, `down`, `*down` (admin down), `^down` (standby), `up(l)`. */
  phy: string;
  /** Protocol column as printed: `up`, `down`, `up(s)`. */
  protocol: string;
  /** PHY is up. */
  up: boolean;
  /** Shut down by configuration (`*down`). */
  adminDown: boolean;
  /** Indented under an Eth-Trunk (VRP8 layout): a member port. */
  member: boolean;
  /** Input/output utilisation as printed (`0.01%`, `--`; empty when the build omits them). */
  inUti: string;
  outUti: string;
  inErrors: number;
  outErrors: number;
}

/**
 * Parses `display interface brief` (legend lines skipped; header `Interface PHY Protocol …`).
 * Builds that print fewer columns (no utilisation or error counters) still give name and states.
 *
 * @example
 * parseInterfaceBrief(text).find((i) => i.interface === "10GE2/1/1")?.up
 */
export function parseInterfaceBrief(text: string): VrpInterfaceBrief[] {
  const out: VrpInterfaceBrief[] = [];
  let inTable = false;
  for (const line of text.replace(/\r/g, "").split("\n")) {
    if (/^\s*Interface\s+PHY\s+Protocol\b/i.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable || !line.trim() || /^\s*-{5,}/.test(line)) continue;
    const cols = line.trim().split(/\s+/);
    if (cols.length < 3) continue;
    const [name, phy, protocol, inUti = "", outUti = "", inErr, outErr] = cols;
    if (!/^\*?\^?(?:up|down)\b/i.test(phy)) continue;
    const flags = [...name.matchAll(/\(([a-z]+)\)/g)].map((m) => m[1]);
    out.push({
      interface: name.replace(/\([a-z]+\)/g, ""),
      flags,
      phy,
      protocol,
      up: /^up\b/.test(phy),
      adminDown: phy.startsWith("*"),
      member: /^\s/.test(line),
      inUti,
      outUti,
      inErrors: Number(inErr) || 0,
      outErrors: Number(outErr) || 0,
    });
  }
  return out;
}

/** One row of `display port vlan`. */
export interface VrpPortVlan {
  interface: string;
  /** `access`, `trunk`, `hybrid`, `dot1q-tunnel`, `auto`, … (lower case) */
  linkType: string;
  pvid: number;
  /** Trunk/hybrid VLAN list, ranges expanded, sorted; empty for `-`. */
  allowed: number[];
}

const PORT_VLAN_ROW = /^(\S+)\s+([A-Za-z][\w-]*)\s+(\d+)\s*(.*)$/;

/**
 * Parses `display port vlan [port]` (`Port  Link Type  PVID  Trunk VLAN List`). VLAN lists may
 * be `2`, `1-4094`, `10 20 4094`, `10 to 20`, and may wrap onto indented continuation lines.
 * Without the header (a build that omits it) rows are recognised by their known link types.
 */
export function parsePortVlan(text: string): VrpPortVlan[] {
  const out: VrpPortVlan[] = [];
  let inTable = false;
  let cur: VrpPortVlan | undefined;
  for (const line of text.replace(/\r/g, "").split("\n")) {
    if (/^\s*Port\s+Link\s*Type\s+PVID\b/i.test(line)) {
      inTable = true;
      continue;
    }
    if (!line.trim() || /^\s*-{5,}/.test(line)) continue;
    if (/^\s/.test(line) && cur && /^[\d\s,-]+$|\bto\b/.test(line.trim())) {
      cur.allowed.push(...parseVlanRanges(line.trim()));
      continue;
    }
    const m = PORT_VLAN_ROW.exec(line.trim());
    if (!m || (!inTable && !KNOWN_LINK_TYPES.test(m[2]))) continue;
    cur = {
      interface: m[1],
      linkType: m[2].toLowerCase(),
      pvid: Number(m[3]),
      allowed: parseVlanRanges(m[4]),
    };
    out.push(cur);
  }
  for (const p of out) p.allowed = [...new Set(p.allowed)].sort((a, b) => a - b);
  return out;
}

const KNOWN_LINK_TYPES = /^(access|trunk|hybrid|auto|desirable|dot1q-tunnel|qinq)$/i;

/**
 * Parses a VRP VLAN list (`1-4094`, `10 20 30-32`, `2 to 5`, `-` for none) into sorted, unique
 * VLAN ids (1-4094). The one VLAN-list parser: `display port vlan`, `display vlan`, `vlan batch`,
 * `port trunk allow-pass vlan` lines all use it.
 */
export function parseVlanRanges(s: string): number[] {
  const t = s.trim();
  if (!t || t === "-") return [];
  const out = new Set<number>();
  const toks = t.replace(/\s+to\s+/g, "-").split(/[\s,]+/);
  for (const tok of toks) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(tok);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    for (let v = Math.max(a, 1); v <= b && v <= 4094; v++) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Formats VLAN ids as VRP list items (`10`, `20 to 30`), grouped in chunks of at most 10 items:
 * VRP accepts `vlan-id1 [ to vlan-id2 ] &<1-10>` per command.
 *
 * @example
 * vlanListChunks([1, 2, 3, 10]) // ["1 to 3 10"]
 */
export function vlanListChunks(ids: number[], perCommand = 10): string[] {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const items: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    items.push(j > i ? `${sorted[i]} to ${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  const chunks: string[] = [];
  for (let i = 0; i < items.length; i += perCommand) {
    chunks.push(items.slice(i, i + perCommand).join(" "));
  }
  return chunks;
}

/** One LLDP neighbour from `display lldp neighbor brief`. */
export interface VrpLldpNeighbor {
  localInterface: string;
  expiresS?: number;
  neighborInterface: string;
  neighborDevice: string;
}

/** Parses `display lldp neighbor brief` (`Local Interface  Exptime(s)  Neighbor Interface  Neighbor Device`). */
export function parseLldpNeighborBrief(text: string): VrpLldpNeighbor[] {
  const out: VrpLldpNeighbor[] = [];
  let cols: { exp: number; nif: number; ndev: number } | undefined;
  for (const line of text.replace(/\r/g, "").split("\n")) {
    if (/^\s*Local\s+Interface\b/i.test(line)) {
      const exp = line.search(/Exptime/i);
      cols = {
        exp,
        nif: line.search(/Neighbor\s+Interface/i),
        ndev: line.search(/Neighbor\s+Device/i),
      };
      continue;
    }
    if (!cols || !line.trim() || /^\s*-{5,}/.test(line)) continue;
    const toks = line.trim().split(/\s+/);
    if (toks.length < 3) continue;
    if (cols.exp >= 0 && /^\d+$/.test(toks[1])) {
      out.push({
        localInterface: toks[0],
        expiresS: Number(toks[1]),
        neighborInterface: toks[2],
        neighborDevice: toks.slice(3).join(" "),
      });
    } else {
      out.push({
        localInterface: toks[0],
        neighborInterface: toks[1],
        neighborDevice: toks.slice(2).join(" "),
      });
    }
  }
  return out;
}

/** Facts from `display version`. */
export interface VrpVersion {
  /** VRP version, e.g. `8.150`. */
  vrp?: string;
  /** Product software, e.g. `CX310 V100R001C00SPC100`. */
  software?: string;
  /** Model from `HUAWEI <model> uptime is …`. */
  model?: string;
  /** Uptime in seconds. */
  uptimeS?: number;
}

/** Parses `display version`. */
export function parseDisplayVersion(text: string): VrpVersion {
  const out: VrpVersion = {};
  const v = /VRP \(R\) software, Version\s+([\d.]+)\s*\(([^)]+)\)/.exec(text);
  if (v) {
    out.vrp = v[1];
    out.software = v[2].trim();
  }
  const u = /HUAWEI\s+(\S+)\s+uptime is\s+(.+)/.exec(text);
  if (u) {
    out.model = u[1];
    const part = (re: RegExp) => Number(re.exec(u[2])?.[1] ?? 0);
    out.uptimeS = part(/(\d+)\s*week/) * 604800 + part(/(\d+)\s*day/) * 86400 +
      part(/(\d+)\s*hour/) * 3600 + part(/(\d+)\s*minute/) * 60;
  }
  return out;
}

/** One MAC table entry from `display mac-address`. */
export interface VrpMacEntry {
  /** As printed, lower case: `0000-0000-0033`. */
  mac: string;
  /** VLAN it was learned in (absent for VSI/BD entries). */
  vlan?: number;
  interface: string;
  /** `dynamic`, `static`, … */
  type: string;
}

/** Parses `display mac-address` (VRP8 `VLAN/VSI/BD` and VRP5 `VLAN/VSI` layouts). */
export function parseMacAddress(text: string): VrpMacEntry[] {
  const out: VrpMacEntry[] = [];
  for (const line of text.replace(/\r/g, "").split("\n")) {
    const m = /^\s*([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})\s+(\S+)\s+(\S+)\s+(\S+)/i.exec(line);
    if (!m) continue;
    const v = /^(\d+)/.exec(m[2]);
    out.push({
      mac: m[1].toLowerCase(),
      ...(v ? { vlan: Number(v[1]) } : {}),
      interface: m[3],
      type: m[4],
    });
  }
  return out;
}

/** One ARP entry from `display arp [brief]`. */
export interface VrpArpEntry {
  ip: string;
  /** As printed, lower case: `60de-4474-9640`. */
  mac: string;
  /** Type as printed without spaces: `I-` (interface), `D-0` (dynamic), `S` (static). */
  type: string;
  /** Port (dynamic entries) or L3 interface. */
  interface: string;
  /** VLAN, when printed (`1/-`). */
  vlan?: number;
}

/** Parses `display arp [brief]` (layout of `display_arp_brief.raw`). */
export function parseArp(text: string): VrpArpEntry[] {
  const out: VrpArpEntry[] = [];
  for (const line of text.replace(/\r/g, "").split("\n")) {
    const m =
      /^\s*(\d+\.\d+\.\d+\.\d+)\s+([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})\s+(?:(\d+)\s+)?(I\s*-|[A-Z]+-?\d*|[A-Z])\s+(\S+)(?:\s+(\d+)\S*)?/i
        .exec(line);
    if (!m) continue;
    out.push({
      ip: m[1],
      mac: m[2].toLowerCase(),
      type: m[4].replace(/\s+/g, ""),
      interface: m[5],
      ...(m[6] ? { vlan: Number(m[6]) } : {}),
    });
  }
  return out;
}

/** `display device`: is it a device status table, and the rows. */
export function parseDisplayDevice(text: string): {
  ok: boolean;
  rows: { slot: string; type: string; online: string; status: string }[];
} {
  const rows: { slot: string; type: string; online: string; status: string }[] = [];
  for (const l of text.split("\n")) {
    const m = /^(\d+)\s+(\S+)\s+(\S+)\s+(Present|Offline|Absent)\s+\S+\s+\S+\s+(\S+)/.exec(l);
    if (m) rows.push({ slot: m[1], type: m[3], online: m[4], status: m[5] });
  }
  // Upstream's rule (vrp-cx310.md §8.4): alive when the call works and the output names the
  // device or is longer than 16 characters; we also accept the real "Device status:" table.
  const ok = /device status|device/i.test(text) || text.trim().length > 16;
  return { ok, rows };
}

/** `ping`: packets sent and received (VRP: `N packet(s) transmitted` / `received`). */
export function parsePing(text: string): { sent: number; received: number } {
  const sent = Number(/(\d+)\s+packet\(s\)\s+transmitted/.exec(text)?.[1] ?? 0);
  const received = Number(/(\d+)\s+packet\(s\)\s+received/.exec(text)?.[1] ?? 0);
  return { sent, received };
}

/** The parts of a running configuration the switch operations change. */
export interface VrpConfigModel {
  vlanIds: Set<number>;
  vlans: Map<number, { name?: string; description?: string }>;
  /** Interface name -> its indented lines (trimmed), in order. */
  ifaces: Map<string, string[]>;
  ifaceOrder: string[];
}

/**
 * Parses `display current-configuration` into the VLANs (ids from `vlan batch` and `vlan N`
 * blocks, VLAN 1 always; names, descriptions) and the interface blocks (their indented lines,
 * trimmed, in order).
 */
export function parseCurrentConfiguration(text: string): VrpConfigModel {
  const m: VrpConfigModel = {
    vlanIds: new Set([1]),
    vlans: new Map(),
    ifaces: new Map(),
    ifaceOrder: [],
  };
  let block: { kind: "vlan"; id: number } | { kind: "iface"; name: string } | undefined;
  for (const raw of text.replace(/\r/g, "").split("\n")) {
    const line = raw.trimEnd();
    if (!line || line.startsWith("!")) continue;
    if (line === "#" || line === "return") {
      block = undefined;
      continue;
    }
    if (!line.startsWith(" ")) {
      block = undefined;
      let x: RegExpExecArray | null;
      if ((x = /^vlan batch (.+)$/.exec(line))) {
        for (const id of parseVlanRanges(x[1])) m.vlanIds.add(id);
      } else if ((x = /^vlan (\d+)$/.exec(line))) {
        const id = Number(x[1]);
        m.vlanIds.add(id);
        if (!m.vlans.has(id)) m.vlans.set(id, {});
        block = { kind: "vlan", id };
      } else if ((x = /^interface (\S+)$/.exec(line))) {
        if (!m.ifaces.has(x[1])) {
          m.ifaces.set(x[1], []);
          m.ifaceOrder.push(x[1]);
        }
        block = { kind: "iface", name: x[1] };
      }
      continue;
    }
    const sub = line.trim();
    if (block?.kind === "vlan") {
      const v = m.vlans.get(block.id)!;
      let x: RegExpExecArray | null;
      if ((x = /^name (.+)$/.exec(sub))) v.name = x[1];
      else if ((x = /^description (.+)$/.exec(sub))) v.description = x[1];
    } else if (block?.kind === "iface") {
      m.ifaces.get(block.name)!.push(sub);
    }
  }
  return m;
}
