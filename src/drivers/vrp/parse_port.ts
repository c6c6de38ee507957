/**
 * Parsers for VRP port, interface, LLDP and version displays. Pure functions over cleaned text;
 * checked against real samples in testdata/vrp_driver (ntc-templates, napalm-ce).
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
  /** Input/output utilisation as printed (`0.01%`, `--`). */
  inUti: string;
  outUti: string;
  inErrors: number;
  outErrors: number;
}

/**
 * Parses `display interface brief` (legend lines skipped; header `Interface PHY Protocol …`).
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
    if (cols.length < 7) continue;
    const [name, phy, protocol, inUti, outUti, inErr, outErr] = cols;
    const flags = [...name.matchAll(/\(([a-z]+)\)/g)].map((m) => m[1]);
    out.push({
      interface: name.replace(/\([a-z]+\)/g, ""),
      flags,
      phy,
      protocol,
      up: /^up\b/.test(phy),
      adminDown: phy.startsWith("*"),
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
  /** `access`, `trunk`, `hybrid`, `dot1q-tunnel`, `auto`, … */
  linkType: string;
  pvid: number;
  /** Trunk/hybrid allowed VLANs, ranges expanded; empty for `-`. */
  allowed: number[];
}

/**
 * Parses `display port vlan` (`Port  Link Type  PVID  Trunk VLAN List`). VLAN lists may be
 * `2`, `1-4094`, `10 20 4094`, and may wrap onto indented continuation lines.
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
    if (!inTable || !line.trim() || /^\s*-{5,}/.test(line)) continue;
    if (/^\s/.test(line) && cur) {
      cur.allowed.push(...parseVlanRanges(line.trim()));
      continue;
    }
    const m = /^(\S+)\s+(\S+)\s+(\d+)\s*(.*)$/.exec(line.trim());
    if (!m) continue;
    cur = { interface: m[1], linkType: m[2], pvid: Number(m[3]), allowed: parseVlanRanges(m[4]) };
    out.push(cur);
  }
  for (const p of out) p.allowed = [...new Set(p.allowed)].sort((a, b) => a - b);
  return out;
}

/** Parses `1-4094`, `10 20 30-32`, `2 to 5`, `-` (none) into VLAN ids. */
export function parseVlanRanges(s: string): number[] {
  const t = s.trim();
  if (!t || t === "-") return [];
  const out: number[] = [];
  const toks = t.replace(/\s+to\s+/g, "-").split(/[\s,]+/);
  for (const tok of toks) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(tok);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    for (let v = a; v <= b && v <= 4094; v++) out.push(v);
  }
  return out;
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
