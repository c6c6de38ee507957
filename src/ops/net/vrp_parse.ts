/**
 * The VRP displays the switch operations and diagnostics read, as the watchdog's tables (the
 * text parsing is the driver's, `src/drivers/vrp/display.ts`: one parser per display command),
 * plus a small model
 * of the running configuration (VLANs and interface blocks) and {@link reconcileCommands}, which
 * turns "live configuration" back into "configuration of the snapshot" as VRP commands (the
 * restore path of the immediate-mode watchdog).
 *
 * @module
 */
import {
  parseArp as vrpArp,
  parseCurrentConfiguration,
  parseInterfaceBrief as vrpInterfaceBrief,
  parseLldpNeighborBrief,
  parseMacAddress,
  parsePortVlan as vrpPortVlan,
  parseVlanRanges,
  type VrpConfigModel,
  type VrpLldpNeighbor,
} from "../../drivers/vrp/display.ts";
import { vlanRanges } from "./cli_text.ts";

export { parseDisplayDevice, parsePing } from "../../drivers/vrp/display.ts";

/** One ARP entry. */
export interface ArpEntry {
  ip: string;
  mac: string;
  /** `I` (interface), `D-0` (dynamic), `S` (static). */
  type: string;
  /** Port (dynamic entries) or L3 interface. */
  interface: string;
  vlan?: number;
}

/** `display arp [brief]` (the driver's parser; interface entries typed `I`). */
export function parseArp(text: string): ArpEntry[] {
  return vrpArp(text).map((e) => ({ ...e, type: e.type === "I-" ? "I" : e.type }));
}

/** One MAC table entry. */
export interface MacEntry {
  mac: string;
  vlan: number;
  port: string;
  type: string;
}

/** `display mac-address` (the driver's parser; entries learned in a VLAN). */
export function parseMac(text: string): MacEntry[] {
  return parseMacAddress(text).filter((m) => m.vlan !== undefined).map((m) => ({
    mac: m.mac,
    vlan: m.vlan!,
    port: m.interface,
    type: m.type,
  }));
}

/** One LLDP neighbour. */
export type LldpNeighbor = VrpLldpNeighbor;

/** `display lldp neighbor brief` (the driver's parser). */
export const parseLldpBrief: (text: string) => LldpNeighbor[] = parseLldpNeighborBrief;

/** One row of `display interface brief`. */
export interface IfaceBrief {
  name: string;
  phy: string;
  protocol: string;
  up: boolean;
}

/** `display interface brief` (the driver's parser). */
export function parseInterfaceBrief(text: string): IfaceBrief[] {
  return vrpInterfaceBrief(text).map((r) => ({
    name: r.interface,
    phy: r.phy,
    protocol: r.protocol,
    up: r.up,
  }));
}

/** One row of `display port vlan`. */
export interface PortVlan {
  port: string;
  linkType: string;
  pvid: number;
  /** VLANs the port carries (untagged + tagged); empty for access ports (`-`). */
  vlans: number[];
}

/** Expand `1-3 5` / `1 to 3` into ids (the driver's VLAN-list parser). */
export const expandRanges: (text: string) => number[] = parseVlanRanges;

/** `display port vlan [port]` (the driver's parser). */
export function parsePortVlan(text: string): PortVlan[] {
  return vrpPortVlan(text).map((r) => ({
    port: r.interface,
    linkType: r.linkType,
    pvid: r.pvid,
    vlans: r.allowed,
  }));
}

// ---------------------------------------------------------------------------------------------
// Running configuration model
// ---------------------------------------------------------------------------------------------

/** The parts of a running configuration the switch operations change (the driver's model). */
export type ConfigModel = VrpConfigModel;

/** Parse `display current-configuration` text into a {@link ConfigModel} (the driver's parser). */
export const parseConfig: (text: string) => ConfigModel = parseCurrentConfiguration;

/** The inverse of one interface-view configuration line (undefined when unknown). */
export function undoIfaceLine(line: string): string | undefined {
  let x: RegExpExecArray | null;
  if (line.startsWith("undo ")) {
    const rest = line.slice(5);
    if ((x = /^port trunk allow-pass vlan (.+)$/.exec(rest))) {
      return `port trunk allow-pass vlan ${x[1]}`;
    }
    if ((x = /^port hybrid vlan (.+)$/.exec(rest))) return `port hybrid untagged vlan ${x[1]}`;
    if (rest === "shutdown") return "shutdown";
    return undefined;
  }
  if ((x = /^port trunk allow-pass vlan (.+)$/.exec(line))) {
    return `undo port trunk allow-pass vlan ${x[1]}`;
  }
  if (/^port link-type /.test(line)) return "undo port link-type";
  if (/^port default vlan /.test(line)) return "undo port default vlan";
  if (/^port trunk pvid vlan /.test(line)) return "undo port trunk pvid vlan";
  if ((x = /^port hybrid (?:tagged|untagged) vlan (.+)$/.exec(line))) {
    return `undo port hybrid vlan ${x[1]}`;
  }
  // `port hybrid pvid vlan 1` restores the default on every build (some lack the undo form).
  if (/^port hybrid pvid vlan /.test(line)) return "port hybrid pvid vlan 1";
  if (/^description /.test(line)) return "undo description";
  if (line === "shutdown") return "undo shutdown";
  if (/^eth-trunk \d+$/.test(line)) return "undo eth-trunk";
  if (/^mode lacp-static$/.test(line)) return "undo mode";
  if (/^ip address /.test(line)) return "undo ip address";
  return undefined;
}

/** Result of {@link reconcileCommands}. */
export interface ReconcilePlan {
  /** System-view commands, in order. */
  commands: string[];
  /** Differences no command is known for (reported, not sent). */
  unsupported: string[];
}

/**
 * Commands (system view) that turn configuration `now` back into `want`: create missing VLANs,
 * fix VLAN names/descriptions, re-create missing logical interfaces, per interface undo the
 * lines that were added (last first, so link-type goes after its VLAN lists) and re-add the lines
 * that were removed (in the snapshot's order), remove Eth-Trunk membership before deleting an
 * Eth-Trunk, and delete extra VLANs last.
 */
export function reconcileCommands(want: ConfigModel, now: ConfigModel): ReconcilePlan {
  const commands: string[] = [];
  const unsupported: string[] = [];
  const missing = [...want.vlanIds].filter((v) => !now.vlanIds.has(v));
  if (missing.length) commands.push(`vlan batch ${vlanRanges(missing)}`);
  for (const id of [...want.vlanIds].sort((a, b) => a - b)) {
    const w = want.vlans.get(id) ?? {};
    const n = now.vlanIds.has(id) ? (now.vlans.get(id) ?? {}) : {};
    const sub: string[] = [];
    if ((w.name ?? null) !== (n.name ?? null)) sub.push(w.name ? `name ${w.name}` : "undo name");
    if ((w.description ?? null) !== (n.description ?? null)) {
      sub.push(w.description ? `description ${w.description}` : "undo description");
    }
    if (sub.length) commands.push(`vlan ${id}`, ...sub, "quit");
  }
  const extraIfaces = [...now.ifaces.keys()].filter((i) => !want.ifaces.has(i));
  // Interfaces that exist in both (or only in the snapshot): per-line fixes.
  const fixes: string[] = [];
  const memberUndo: string[] = [];
  // Logical interfaces the switch lacks (an Eth-Trunk, a Vlanif) are created before the ports
  // that join them (`eth-trunk 7` is refused while Eth-Trunk7 does not exist).
  const missingLogical = (n: string) => !now.ifaces.has(n) && /^(Eth-Trunk|Vlanif)\d+$/.test(n);
  const order = [
    ...want.ifaceOrder.filter(missingLogical),
    ...want.ifaceOrder.filter((n) => !missingLogical(n)),
  ];
  for (const name of order) {
    const w = want.ifaces.get(name)!;
    const n = now.ifaces.get(name) ?? [];
    const added = n.filter((l) => !w.includes(l));
    const removed = w.filter((l) => !n.includes(l));
    if (!added.length && !removed.length) continue;
    const sub: string[] = [];
    for (const l of [...added].reverse()) {
      const u = undoIfaceLine(l);
      if (u) sub.push(u);
      else unsupported.push(`interface ${name}: no inverse for "${l}"`);
    }
    sub.push(...removed);
    const block = [`interface ${name}`, ...sub, "quit"];
    if (added.some((l) => /^eth-trunk /.test(l))) memberUndo.push(...block);
    else fixes.push(...block);
  }
  // Eth-Trunk members leave first, then extra logical interfaces go, then the rest.
  commands.push(...memberUndo);
  for (const name of extraIfaces) {
    if (/^(Eth-Trunk|Vlanif)\d+$/.test(name)) {
      // Members of an extra Eth-Trunk that exist in the snapshot are fixed above; others here.
      commands.push(`undo interface ${name}`);
    } else unsupported.push(`interface ${name} is not in the snapshot and cannot be deleted`);
  }
  commands.push(...fixes);
  const extraVlans = [...now.vlanIds].filter((v) => !want.vlanIds.has(v) && v !== 1);
  if (extraVlans.length) commands.push(`undo vlan batch ${vlanRanges(extraVlans)}`);
  return { commands, unsupported };
}

/** Text compare of two configurations without the volatile `!` header lines. */
export function sameConfigText(a: string, b: string): boolean {
  const norm = (t: string) =>
    t.replace(/\r/g, "").split("\n").filter((l) => !l.startsWith("!")).map((l) => l.trimEnd())
      .filter(Boolean).join("\n");
  return norm(a) === norm(b);
}

/** How the switch's own management address is reached (from its configuration and ARP table). */
export interface MgmtPath {
  /** The management address, e.g. `172.31.1.162`. */
  ip: string;
  /** The L3 interface holding it (`Vlanif4094`, `MEth0/0/0`), if found. */
  iface?: string;
  /** The VLAN of a Vlanif. */
  vlan?: number;
  /** Ports (and their Eth-Trunks) the management VLAN reaches the fabric through. */
  uplinks: string[];
  /** Where `uplinks` came from: the ARP table (learned peers) or every port carrying the VLAN. */
  uplinkSource: "arp" | "port-vlan" | "none";
}

/**
 * Find the management path: the interface with `ip address <ip> …`, its VLAN, and the ports
 * the management VLAN uses — where the ARP table learned peers on it (the HMM, the gateway), else
 * every port `display port vlan` shows carrying it. Eth-Trunk members and their trunk count alike.
 */
export function findMgmtPath(
  cfg: ConfigModel,
  ip: string,
  arp: ArpEntry[],
  portVlans: PortVlan[],
): MgmtPath {
  const path: MgmtPath = { ip, uplinks: [], uplinkSource: "none" };
  for (const [name, lines] of cfg.ifaces) {
    if (lines.some((l) => l.startsWith(`ip address ${ip} `))) path.iface = name;
  }
  const m = path.iface ? /^Vlanif(\d+)$/.exec(path.iface) : null;
  if (!m) return path;
  path.vlan = Number(m[1]);
  let ports = arp.filter((a) => a.vlan === path.vlan && !/^(Vlanif|MEth)/.test(a.interface))
    .map((a) => a.interface);
  if (ports.length) path.uplinkSource = "arp";
  else {
    ports = portVlans.filter((p) => p.vlans.includes(path.vlan!)).map((p) => p.port);
    if (ports.length) path.uplinkSource = "port-vlan";
  }
  const out = new Set(ports);
  for (const p of ports) {
    const member = cfg.ifaces.get(p)?.find((l) => /^eth-trunk \d+$/.test(l));
    if (member) out.add(`Eth-Trunk${member.slice(10)}`);
    const t = /^Eth-Trunk(\d+)$/.exec(p);
    if (t) {
      for (const [n, l] of cfg.ifaces) if (l.includes(`eth-trunk ${t[1]}`)) out.add(n);
    }
  }
  path.uplinks = [...out].sort();
  return path;
}

/**
 * Which of `commands` (system view, as Vessel sends them) would touch the management path:
 * deleting its VLAN, shutting or un-addressing its L3 interface, or changing how an uplink carries
 * the VLAN (VLAN lists, link type, PVID, shutdown, Eth-Trunk membership). Conservative: any such
 * command counts, even when the end state would still carry the VLAN.
 */
export function mgmtImpact(commands: string[], path: MgmtPath): string[] {
  const reasons: string[] = [];
  const vlan = path.vlan;
  const hits = (list: string) => vlan !== undefined && expandRanges(list).includes(vlan);
  let view: string | undefined;
  for (const c of commands) {
    let x: RegExpExecArray | null;
    if ((x = /^interface (\S+)$/.exec(c))) {
      view = x[1];
      continue;
    }
    if (c === "quit") {
      view = undefined;
      continue;
    }
    if (!view) {
      if ((x = /^undo vlan (?:batch )?(.+)$/.exec(c)) && hits(x[1])) {
        reasons.push(`"${c}" deletes management VLAN ${vlan}`);
      } else if (
        (x = /^undo interface (\S+)$/.exec(c)) &&
        (x[1] === path.iface || path.uplinks.includes(x[1]))
      ) {
        reasons.push(`"${c}" deletes ${x[1]} on the management path`);
      }
      continue;
    }
    if (view === path.iface) {
      if (/^(shutdown|undo ip address)/.test(c)) {
        reasons.push(`"${c}" on ${view} (management interface)`);
      }
      continue;
    }
    if (!path.uplinks.includes(view)) continue;
    if (
      c === "shutdown" || /^port link-type /.test(c) || /^undo port link-type/.test(c) ||
      /^(undo )?eth-trunk/.test(c) || /^port default vlan /.test(c) ||
      ((x = /^undo port (?:trunk allow-pass|hybrid) vlan (.+)$/.exec(c)) &&
        (x[1] === "all" || hits(x[1]))) ||
      /^(undo )?port (?:trunk|hybrid) pvid vlan/.test(c)
    ) {
      reasons.push(`"${c}" on ${view} (carries management VLAN ${vlan ?? "?"})`);
    }
  }
  return reasons;
}
