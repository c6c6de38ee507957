/**
 * The configuration model of a simulated CX310 (VLANs, interfaces, Eth-Trunks, Vlanifs), its
 * rendering as VRP configuration text, and derived views (VLAN membership, management path).
 *
 * @module
 */
import type { SwitchSpec, VrpMode } from "../context.ts";

/** A VLAN. */
export interface VlanCfg {
  id: number;
  name?: string;
  description?: string;
}

/** Port link types. */
export type LinkType = "access" | "trunk" | "hybrid";

/** An interface (physical, Eth-Trunk, Vlanif, MEth). */
export interface IfaceCfg {
  name: string;
  description?: string;
  shutdown?: boolean;
  /** Undefined = the default link type of the mode. */
  linkType?: LinkType;
  /** access: `port default vlan`; trunk: `port trunk pvid vlan`; hybrid: `port hybrid pvid vlan`. */
  pvid?: number;
  /** trunk `allow-pass` list (sorted); undefined = default (VLAN 1). */
  allowed?: number[];
  /** hybrid lists; undefined = default (untagged VLAN 1). */
  tagged?: number[];
  untagged?: number[];
  /** Physical port: member of Eth-Trunk N. */
  ethTrunk?: number;
  /** Eth-Trunk: `mode lacp-static`. */
  lacpStatic?: boolean;
  /** Vlanif / MEth: IPv4 address and mask. */
  ip?: { address: string; mask: string };
}

/** A whole switch configuration. */
export interface SwitchConfig {
  sysname: string;
  vlans: Record<string, VlanCfg>;
  ifaces: Record<string, IfaceCfg>;
}

/** Deep copy. */
export function cloneConfig(c: SwitchConfig): SwitchConfig {
  return structuredClone(c);
}

/** Equal configurations. */
export function sameConfig(a: SwitchConfig, b: SwitchConfig): boolean {
  if (a.sysname !== b.sysname) return false;
  return sameRecord(a.vlans, b.vlans) && sameRecord(a.ifaces, b.ifaces);
}

function sameRecord<T>(a: Record<string, T>, b: Record<string, T>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!(k in b)) return false;
    if (!sameValue(a[k], b[k])) return false;
  }
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || !a || !b) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !sameValue(a[i], b[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>, rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue(ra[k], rb[k]));
}

/** Prefix length -> dotted mask. */
export function prefixToMask(prefix: number): string {
  const n = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join(".");
}

/** Physical interface order: type, then numeric parts. */
export function compareIfName(a: string, b: string): number {
  const key = (s: string) => {
    const m = /^([0-9]*)([A-Za-z-]+)(.*)$/.exec(s);
    const nums = (m?.[3] ?? "").split("/").map((x) => Number(x) || 0);
    const kind = m ? m[2] : s;
    const rank = /^GE$/.test(kind) ? 0 : kind === "MEth" ? 3 : kind === "Eth-Trunk" ? 1 : 2;
    return { rank, kind: (m?.[1] ?? "") + kind, nums };
  };
  const ka = key(a), kb = key(b);
  if (ka.rank !== kb.rank) return ka.rank - kb.rank;
  if (ka.kind !== kb.kind) return ka.kind.localeCompare(kb.kind);
  for (let i = 0; i < Math.max(ka.nums.length, kb.nums.length); i++) {
    const d = (ka.nums[i] ?? 0) - (kb.nums[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Is this a physical (Ethernet) port name? */
export function isPhysical(name: string): boolean {
  return /^(10GE|40GE|GE|100GE|25GE)\d+\/\d+\/\d+$/.test(name);
}

/** The factory configuration of a switch (plus its management path from the seed). */
export function initialConfig(spec: SwitchSpec): SwitchConfig {
  const c: SwitchConfig = { sysname: spec.sysname, vlans: { "1": { id: 1 } }, ifaces: {} };
  for (const p of [...spec.downlinks, ...spec.uplinks]) c.ifaces[p] = { name: p };
  for (const v of [spec.mgmt.vlan, ...(spec.vlans ?? [])]) c.vlans[String(v)] = { id: v };
  const m = spec.mgmt;
  c.ifaces[m.iface] = { name: m.iface, ip: { address: m.ip, mask: prefixToMask(m.prefix) } };
  if (!m.iface.startsWith("MEth")) {
    c.vlans[String(m.vlan)].description = "management";
    const up = c.ifaces[m.uplink] ?? (c.ifaces[m.uplink] = { name: m.uplink });
    up.linkType = "trunk";
    up.allowed = [m.vlan];
    up.description = "uplink-mgmt";
  }
  return c;
}

/** Effective L2 membership of one port: untagged and tagged VLANs and PVID. */
export function membership(
  iface: IfaceCfg,
  mode: VrpMode,
): { type: LinkType; pvid: number; untagged: number[]; tagged: number[] } {
  const type = iface.linkType ?? defaultLinkType(mode);
  if (type === "access") {
    const pvid = iface.pvid ?? 1;
    return { type, pvid, untagged: [pvid], tagged: [] };
  }
  if (type === "trunk") {
    const pvid = iface.pvid ?? 1;
    const allowed = iface.allowed ?? [1];
    return {
      type,
      pvid,
      untagged: allowed.includes(pvid) ? [pvid] : [],
      tagged: allowed.filter((v) => v !== pvid),
    };
  }
  const untagged = iface.untagged ?? [1];
  return {
    type,
    pvid: iface.pvid ?? 1,
    untagged,
    tagged: (iface.tagged ?? []).filter((v) => !untagged.includes(v)),
  };
}

/** Default link type: VRP5 switches default to hybrid, VRP8 (CE) to access (assumption). */
export function defaultLinkType(mode: VrpMode): LinkType {
  return mode === "immediate" ? "hybrid" : "access";
}

const onlyVlan1 = (ids: number[] | undefined) =>
  ids === undefined || (ids.length === 1 && ids[0] === 1);

/**
 * Does the port carry a non-default L2 configuration? What counts is the configuration, not its
 * history: a trunk whose allowed list is back to VLAN 1 only (after `port trunk allow-pass vlan
 * 20` and its `undo`) is at its default, as is a hybrid port untagged in VLAN 1 only. Real VRP
 * refuses a link-type change only while non-default port VLAN configuration remains.
 */
export function hasL2Config(i: IfaceCfg): boolean {
  return i.pvid !== undefined || !onlyVlan1(i.allowed) || (i.tagged?.length ?? 0) > 0 ||
    !onlyVlan1(i.untagged);
}

/** Drop port VLAN fields that are back at their defaults (so the stored config has no trace). */
export function tidyL2(i: IfaceCfg): void {
  if (i.allowed !== undefined && onlyVlan1(i.allowed)) delete i.allowed;
  if (i.tagged !== undefined && i.tagged.length === 0) delete i.tagged;
  if (i.untagged !== undefined && onlyVlan1(i.untagged)) delete i.untagged;
}

/** The L2 configuration that applies to a port: its Eth-Trunk's when it is a member. */
export function l2Source(c: SwitchConfig, port: string): IfaceCfg | undefined {
  const i = c.ifaces[port];
  if (!i) return undefined;
  if (i.ethTrunk !== undefined) return c.ifaces[`Eth-Trunk${i.ethTrunk}`];
  return i;
}

/** Compress VLAN ids to VRP's `a to b` form: `[1,2,3,5]` -> `1 to 3 5`. */
export function vlanRanges(ids: number[], sep = " to "): string {
  const s = [...new Set(ids)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    out.push(j > i ? `${s[i]}${sep}${s[j]}` : `${s[i]}`);
    i = j;
  }
  return out.join(" ");
}

/** Default description VRP gives a VLAN: `VLAN 0010`. */
export function defaultVlanDescription(id: number): string {
  return `VLAN ${String(id).padStart(4, "0")}`;
}

/** Render one interface block (without the leading `#`). */
export function renderIface(i: IfaceCfg, mode: VrpMode): string[] {
  const out = [`interface ${i.name}`];
  if (i.description) out.push(` description ${i.description}`);
  if (i.shutdown) out.push(" shutdown");
  if (i.ethTrunk !== undefined) out.push(` eth-trunk ${i.ethTrunk}`);
  const type = i.linkType;
  if (type && type !== defaultLinkType(mode)) out.push(` port link-type ${type}`);
  const eff = type ?? defaultLinkType(mode);
  if (eff === "access" && i.pvid !== undefined) out.push(` port default vlan ${i.pvid}`);
  if (eff === "trunk") {
    if (i.pvid !== undefined) out.push(` port trunk pvid vlan ${i.pvid}`);
    if (i.allowed !== undefined) {
      const rest = i.allowed.filter((v) => v !== 1);
      if (!i.allowed.includes(1)) out.push(" undo port trunk allow-pass vlan 1");
      if (rest.length) out.push(` port trunk allow-pass vlan ${vlanRanges(rest)}`);
    }
  }
  if (eff === "hybrid") {
    if (i.pvid !== undefined) out.push(` port hybrid pvid vlan ${i.pvid}`);
    if (i.untagged !== undefined && !i.untagged.includes(1)) out.push(" undo port hybrid vlan 1");
    if (i.tagged?.length) out.push(` port hybrid tagged vlan ${vlanRanges(i.tagged)}`);
    const ut = (i.untagged ?? []).filter((v) => v !== 1);
    if (ut.length) out.push(` port hybrid untagged vlan ${vlanRanges(ut)}`);
  }
  if (i.lacpStatic) out.push(" mode lacp-static");
  if (i.ip) out.push(` ip address ${i.ip.address} ${i.ip.mask}`);
  return out;
}

/** Render the configuration as VRP configuration text (lines, without trailing newline). */
export function renderConfig(
  c: SwitchConfig,
  mode: VrpMode,
  header: { version: string; updated?: string; saved?: string },
): string[] {
  const out: string[] = [`!Software Version ${header.version}`];
  if (header.updated) out.push(`!Last configuration was updated at ${header.updated}`);
  if (header.saved) out.push(`!Last configuration was saved at ${header.saved}`);
  out.push("#", `sysname ${c.sysname}`, "#");
  const ids = Object.values(c.vlans).map((v) => v.id).filter((v) => v !== 1);
  if (ids.length) out.push(`vlan batch ${vlanRanges(ids)}`, "#");
  for (const v of Object.values(c.vlans).sort((a, b) => a.id - b.id)) {
    if (!v.name && !v.description) continue;
    out.push(`vlan ${v.id}`);
    if (v.name) out.push(` name ${v.name}`);
    if (v.description) out.push(` description ${v.description}`);
    out.push("#");
  }
  const ifaces = Object.values(c.ifaces).sort((a, b) => compareIfName(a.name, b.name));
  for (const i of ifaces) out.push(...renderIface(i, mode), "#");
  out.push("return");
  return out;
}

/**
 * Is the management path intact? MEth (out of band): the interface exists and is not shut down.
 * Vlanif: the VLAN exists, the Vlanif exists and is up, and the uplink (or its Eth-Trunk) is up
 * and carries the VLAN.
 */
export function mgmtPathUp(c: SwitchConfig, spec: SwitchSpec, mode: VrpMode): boolean {
  const m = spec.mgmt;
  const l3 = c.ifaces[m.iface];
  if (!l3 || l3.shutdown || !l3.ip) return false;
  if (m.iface.startsWith("MEth")) return true;
  if (!c.vlans[String(m.vlan)]) return false;
  const port = c.ifaces[m.uplink];
  if (!port || port.shutdown) return false;
  const src = l2Source(c, m.uplink);
  if (!src || src.shutdown) return false;
  const mem = membership(src, mode);
  return mem.untagged.includes(m.vlan) || mem.tagged.includes(m.vlan);
}
