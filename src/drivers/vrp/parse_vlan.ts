/**
 * Parsers for VRP VLAN output: `display vlan` and the VLAN part of
 * `display current-configuration`. Pure functions over cleaned text.
 *
 * `display vlan` (real sample: testdata/vrp_driver/display_vlan__ge_stat.raw, from
 * ntc-templates) prints two tables:
 *
 * ```
 * VID          Ports
 * --------------------------------------------------------------------------------
 *    3         TG:GE1/0/1(U)      GE1/0/2(U)      GE1/0/3(U)      GE1/0/4(U)
 *                 GE1/0/5(U)      GE1/0/6(U)      GE1/0/7(D)      GE1/0/8(U)
 *
 * VID  Type     Status  Property  MAC-LRN STAT    BC  MC  UC  Description
 * --------------------------------------------------------------------------------
 *    3 common   enable  default   enable  disable FWD FWD FWD SOME_TEST
 * ```
 *
 * - the `UT:`/`TG:` prefix is sticky: it is printed before the first port of a run only, and
 *   it carries over wrapped continuation lines (the sample's row 3 is tagged on all 23 ports)
 * - some builds print `VID Type Ports` in a single table
 * - interface names keep leading digits: CX310 `10GE2/17/1`, CE `40GE1/0/1`
 * - the Description column is the rest of the line and may be truncated by the device: the full
 *   text comes from the configuration
 */

import { parseVlanRanges } from "./display.ts";

/** How a port carries a VLAN. */
export type VrpPortMode = "untagged" | "tagged" | "mapping" | "stacking";

/** One port membership in `display vlan`. */
export interface VrpVlanPort {
  interface: string;
  mode: VrpPortMode;
  up: boolean;
}

/** One VLAN row of `display vlan`. */
export interface VrpVlanRow {
  id: number;
  type?: string;
  status?: string;
  description?: string;
  ports: VrpVlanPort[];
}

/** Parsed `display vlan`. */
export interface VrpVlanTable {
  /** `The total number of vlans is : N` when printed. */
  total?: number;
  vlans: VrpVlanRow[];
}

const MODE_PREFIX: Record<string, VrpPortMode> = {
  UT: "untagged",
  TG: "tagged",
  MP: "mapping",
  ST: "stacking",
};

/** `[UT:]10GE2/17/1(U)`; name = letters/digits/-/./: and slashes, state U or D. */
const PORT_TOKEN = /^(?:(UT|TG|MP|ST):)?([A-Za-z0-9][A-Za-z0-9\-./:]*)\(([UD])\)$/;
const VLAN_ROW = /^\s*[*#]?(\d{1,4})[*#]?(?:\s+(.*))?$/;
const DASHES = /^\s*-{5,}\s*$/;

/**
 * Parses `display vlan` output.
 *
 * @example
 * parseDisplayVlan(text).vlans[0] // { id: 3, type: "common", ports: [{ interface: "GE1/0/1", mode: "tagged", up: true }, …] }
 */
export function parseDisplayVlan(text: string): VrpVlanTable {
  const rows = new Map<number, VrpVlanRow>();
  const get = (id: number) => {
    let r = rows.get(id);
    if (!r) rows.set(id, r = { id, ports: [] });
    return r;
  };
  let total: number | undefined;
  let section: "none" | "ports" | "attrs" = "none";
  let portsHasType = false;
  let descCol = -1;
  let attrCols: string[] = [];
  let cur: VrpVlanRow | undefined;
  let sticky: VrpPortMode = "untagged";

  const addPorts = (s: string) => {
    for (const tok of s.trim().split(/\s+/)) {
      if (!tok) continue;
      const m = PORT_TOKEN.exec(tok);
      if (!m) continue;
      if (m[1]) sticky = MODE_PREFIX[m[1]];
      cur!.ports.push({ interface: m[2], mode: sticky, up: m[3] === "U" });
    }
  };

  for (const line of text.replace(/\r/g, "").split("\n")) {
    const t = line.trim();
    const tm = /total number of vlans is\s*:\s*(\d+)/i.exec(t);
    if (tm) {
      total = Number(tm[1]);
      continue;
    }
    if (/^VID\s/i.test(t)) {
      if (/\bPorts?\b/i.test(t) && !/\bStatus\b/i.test(t)) {
        section = "ports";
        portsHasType = /^VID\s+Type\s+Ports?\b/i.test(t);
      } else {
        section = "attrs";
        descCol = line.search(/Description/i);
        attrCols = (descCol >= 0 ? line.slice(0, descCol) : line).trim().split(/\s+/)
          .map((c) => c.toLowerCase());
      }
      cur = undefined;
      continue;
    }
    if (section === "none" || DASHES.test(line)) continue;
    if (t === "") {
      cur = undefined;
      continue;
    }
    const m = VLAN_ROW.exec(line);
    if (section === "ports") {
      if (m) {
        // A new row: "<vid> [type] ports…" (a wrapped line never starts with a bare number:
        // even CX310 names such as 10GE2/17/1 have letters right after the digits)
        cur = get(Number(m[1]));
        sticky = "untagged";
        let rest = m[2] ?? "";
        if (portsHasType) {
          const [type, ...more] = rest.trim().split(/\s+/);
          if (type && !PORT_TOKEN.test(type)) {
            cur.type = type;
            rest = more.join(" ");
          }
        }
        addPorts(rest);
      } else if (cur) {
        addPorts(t); // wrapped continuation: the sticky mode carries over
      }
    } else if (section === "attrs" && m) {
      const r = get(Number(m[1]));
      const cols = (descCol >= 0 ? line.slice(0, descCol) : line).trim().split(/\s+/);
      const ti = attrCols.indexOf("type");
      const si = attrCols.indexOf("status");
      if (ti > 0 && cols[ti]) r.type = cols[ti];
      if (si > 0 && cols[si]) r.status = cols[si];
      if (descCol >= 0 && line.length > descCol) {
        const d = line.slice(descCol).trim();
        if (d) r.description = d;
      }
    }
  }
  return {
    ...(total !== undefined ? { total } : {}),
    vlans: [...rows.values()].sort((a, b) => a.id - b.id),
  };
}

/** One `vlan N` block of the configuration. */
export interface VrpVlanConfig {
  id: number;
  name?: string;
  description?: string;
}

/** The VLAN part of `display current-configuration`. */
export interface VrpVlanConfigSet {
  /** VLAN ids from `vlan batch …` lines (ranges expanded). */
  batch: number[];
  /** `vlan N` blocks in order, with their `name`/`description`. */
  vlans: VrpVlanConfig[];
  /** Every VLAN id the configuration creates (batch ∪ blocks), sorted. */
  ids: number[];
}

/**
 * Parses the VLAN statements of `display current-configuration`:
 * `vlan batch 10 20 to 30`, and blocks `vlan 10` / ` name prod` / ` description …` / `#`.
 */
export function parseVlanConfig(text: string): VrpVlanConfigSet {
  const batch = new Set<number>();
  const blocks = new Map<number, VrpVlanConfig>();
  let cur: VrpVlanConfig | undefined;
  for (const raw of text.replace(/\r/g, "").split("\n")) {
    const line = raw.replace(/\s+$/, "");
    if (/^\S/.test(line) || line === "") cur = undefined;
    let m = /^vlan batch\s+(.+)$/.exec(line);
    if (m) {
      for (const id of expandVlanList(m[1])) batch.add(id);
      continue;
    }
    m = /^vlan (\d{1,4})$/.exec(line);
    if (m) {
      const id = Number(m[1]);
      cur = blocks.get(id) ?? { id };
      blocks.set(id, cur);
      continue;
    }
    if (!cur) continue;
    m = /^\s+name (.+)$/.exec(line);
    if (m) {
      cur.name = m[1].trim();
      continue;
    }
    m = /^\s+description (.+)$/.exec(line);
    if (m) cur.description = m[1].trim();
  }
  const ids = [...new Set([...batch, ...blocks.keys()])].sort((a, b) => a - b);
  return { batch: [...batch].sort((a, b) => a - b), vlans: [...blocks.values()], ids };
}

/** Expands a VRP VLAN list such as `10 20 to 30 40` into ids (the one parser in display.ts). */
export const expandVlanList: (s: string) => number[] = parseVlanRanges;
