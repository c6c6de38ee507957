/**
 * `display ...` outputs of the simulated CX310, in the layouts of the real samples in
 * `testdata/vrp/` (see `docs/simulator.md` for the evidence of each).
 *
 * @module
 */
import type { BladeNic, BladeSpec } from "../context.ts";
import {
  compareIfName,
  defaultVlanDescription,
  type IfaceCfg,
  isPhysical,
  l2Source,
  membership,
  type SwitchConfig,
} from "./config.ts";
import type { SwitchDevice } from "./device.ts";

const DASH80 = "-".repeat(80);
const DASH79 = "-".repeat(79);

/** Blade NIC wired to a port of this switch. */
export function bladeOnPort(
  dev: SwitchDevice,
  port: string,
): { blade: BladeSpec; nic: BladeNic } | undefined {
  for (const blade of dev.topology.blades) {
    for (const nic of blade.nics) {
      if (nic.switch === dev.name && nic.port === port) return { blade, nic };
    }
  }
  return undefined;
}

/** Physical link state of an interface (before protocol). */
export function phyUp(dev: SwitchDevice, c: SwitchConfig, name: string): boolean {
  const i = c.ifaces[name];
  if (!i || i.shutdown) return false;
  if (name.startsWith("Eth-Trunk")) {
    const n = Number(name.slice(9));
    return Object.values(c.ifaces).some((m) => m.ethTrunk === n && phyUp(dev, c, m.name));
  }
  if (name.startsWith("Vlanif")) {
    const vid = Number(name.slice(6));
    if (!c.vlans[String(vid)]) return false;
    return portsOfVlan(dev, c, vid).some((p) => p.up);
  }
  if (name.startsWith("MEth") || name.startsWith("NULL")) return true;
  if (name === dev.spec.mgmt.uplink) return true;
  const b = bladeOnPort(dev, name);
  return !!b && dev.bladePower(b.blade.slot) === "On";
}

/** Ports (not Eth-Trunk members) of a VLAN with their tagging and state. */
export function portsOfVlan(
  dev: SwitchDevice,
  c: SwitchConfig,
  vid: number,
): { name: string; tagged: boolean; up: boolean }[] {
  return vlanPortMap(dev, c, new Set([vid])).get(vid) ?? [];
}

/** VLAN id -> ports (one pass over the interfaces; only the VLANs in `only`). */
export function vlanPortMap(
  dev: SwitchDevice,
  c: SwitchConfig,
  only: Set<number>,
): Map<number, { name: string; tagged: boolean; up: boolean }[]> {
  const out = new Map<number, { name: string; tagged: boolean; up: boolean }[]>();
  const names = Object.keys(c.ifaces).sort(compareIfName);
  for (const name of names) {
    const i = c.ifaces[name];
    if (!(isPhysical(i.name) || i.name.startsWith("Eth-Trunk"))) continue;
    if (i.ethTrunk !== undefined) continue;
    const m = membership(i, dev.mode);
    const up = phyUp(dev, c, i.name);
    const add = (vid: number, tagged: boolean) => {
      if (!only.has(vid)) return;
      let list = out.get(vid);
      if (!list) out.set(vid, list = []);
      list.push({ name: i.name, tagged, up });
    };
    for (const v of m.untagged) add(v, false);
    for (const v of m.tagged) add(v, true);
  }
  return out;
}

const pad = (s: string, n: number) => s.length >= n ? s : s + " ".repeat(n - s.length);
const lpad = (s: string, n: number) => s.length >= n ? s : " ".repeat(n - s.length) + s;

/** `display vlan [vid]`, layout of `display_vlan__ge_stat.raw`. */
export function displayVlan(dev: SwitchDevice, c: SwitchConfig, only?: number): string[] {
  const vlans = Object.values(c.vlans).filter((v) => only === undefined || v.id === only)
    .sort((a, b) => a.id - b.id);
  const out: string[] = [];
  if (dev.mode === "immediate" && only === undefined) {
    out.push(`The total number of vlans is : ${vlans.length}`);
  }
  out.push(
    DASH80,
    "U: Up;         D: Down;         TG: Tagged;         UT: Untagged;",
    "MP: Vlan-mapping;               ST: Vlan-stacking;",
    "#: ProtocolTransparent-vlan;    *: Management-vlan;",
    "MAC-LRN: MAC-address learning;  STAT: Statistic;",
    "BC: Broadcast; MC: Multicast;   UC: Unknown-unicast;",
    "FWD: Forward;  DSD: Discard;",
    DASH80,
    "",
    pad("VID          Ports", 76),
    DASH80,
  );
  const portMap = vlanPortMap(dev, c, new Set(vlans.map((v) => v.id)));
  for (const v of vlans) {
    const ports = portMap.get(v.id) ?? [];
    const groups: { mode: string; toks: string[] }[] = [];
    const ut = ports.filter((p) => !p.tagged).map((p) => `${p.name}(${p.up ? "U" : "D"})`);
    const tg = ports.filter((p) => p.tagged).map((p) => `${p.name}(${p.up ? "U" : "D"})`);
    if (ut.length) groups.push({ mode: "UT", toks: ut });
    if (tg.length) groups.push({ mode: "TG", toks: tg });
    if (!groups.length) {
      out.push(pad(lpad(String(v.id), 4), 80));
      continue;
    }
    let first = true;
    for (const g of groups) {
      for (let i = 0; i < g.toks.length; i += 4) {
        const chunk = g.toks.slice(i, i + 4).map((t) => pad(t, 16)).join("");
        let line: string;
        if (i === 0) {
          line = (first ? lpad(String(v.id), 4) + " ".repeat(9) : " ".repeat(13)) +
            `${g.mode}:` + chunk;
          first = false;
        } else line = " ".repeat(16) + chunk;
        out.push(pad(line, 80));
      }
    }
  }
  out.push(
    " ".repeat(80),
    "VID  Type     Status  Property  MAC-LRN STAT    BC  MC  UC  Description",
    DASH80,
  );
  for (const v of vlans) {
    out.push(
      `${lpad(String(v.id), 4)} ${pad("common", 8)} ${pad("enable", 7)} ${pad("default", 9)} ` +
        `${pad("enable", 7)} ${pad("disable", 7)} FWD FWD FWD ${
          v.description ?? defaultVlanDescription(v.id)
        }`,
    );
  }
  return out;
}

function dashRanges(ids: number[]): string {
  const s = [...new Set(ids)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    out.push(j > i ? `${s[i]}-${s[j]}` : `${s[i]}`);
    i = j;
  }
  return out.join(" ");
}

/** `display port vlan [iface]`, layout of `display_port_vlan__example1.raw`. */
export function displayPortVlan(dev: SwitchDevice, c: SwitchConfig, only?: string): string[] {
  const out = ["Port                        Link Type    PVID  Trunk VLAN List", DASH79];
  const ifaces = Object.values(c.ifaces).filter((i) =>
    (isPhysical(i.name) || i.name.startsWith("Eth-Trunk")) && i.ethTrunk === undefined &&
    (only === undefined || i.name === only)
  ).sort((a, b) => compareIfName(a.name, b.name));
  for (const i of ifaces) {
    const m = membership(i, dev.mode);
    const list = m.type === "access" ? "-" : dashRanges([...m.untagged, ...m.tagged]) || "-";
    out.push(`${pad(i.name, 28)}${pad(m.type, 13)}${pad(String(m.pvid), 6)}${list}`);
  }
  return out;
}

/** `display interface brief`, layout of `ce6850_display_interface_brief.txt`. */
export function displayInterfaceBrief(dev: SwitchDevice, c: SwitchConfig): string[] {
  const out = [
    "PHY: Physical",
    "*down: administratively down",
    "^down: standby",
    "(l): loopback",
    "(s): spoofing",
    "(b): BFD down",
    "(e): ETHOAM down",
    "(d): Dampening Suppressed",
    "(p): port alarm down",
    "(dl): DLDP down",
    "InUti/OutUti: input utility rate/output utility rate",
    "Interface                  PHY      Protocol  InUti OutUti   inErrors  outErrors",
  ];
  const names = Object.keys(c.ifaces).sort(compareIfName);
  for (const n of names) {
    const i = c.ifaces[n];
    const up = phyUp(dev, c, n);
    const phy = i.shutdown ? "*down" : up ? "up" : "down";
    const l3 = n.startsWith("Vlanif") || n.startsWith("MEth");
    const proto = up ? (l3 && !i.ip ? "down" : "up") : "down";
    const util = up && !l3 ? "0.01%" : l3 ? "--" : "0%";
    out.push(
      `${pad(n, 27)}${pad(phy, 9)}${pad(proto, 9)}${lpad(util, 6)}${lpad(util, 7)}` +
        `${lpad("0", 11)}${lpad("0", 11)}`,
    );
    if (n.startsWith("Eth-Trunk")) {
      const num = Number(n.slice(9));
      for (const m of names.filter((x) => c.ifaces[x].ethTrunk === num)) {
        const mu = phyUp(dev, c, m);
        const mi = c.ifaces[m];
        out.push(
          `  ${pad(m, 25)}${pad(mi.shutdown ? "*down" : mu ? "up" : "down", 9)}` +
            `${pad(mu ? "up" : "down", 9)}${lpad(mu ? "0.01%" : "0%", 6)}` +
            `${lpad(mu ? "0.01%" : "0%", 7)}${lpad("0", 11)}${lpad("0", 11)}`,
        );
      }
    }
  }
  return out;
}

/** Blade LLDP neighbours: one per wired, powered-on blade NIC on an up port. */
export function lldpNeighbors(
  dev: SwitchDevice,
  c: SwitchConfig,
): { port: string; blade: BladeSpec; nic: BladeNic }[] {
  const out: { port: string; blade: BladeSpec; nic: BladeNic }[] = [];
  for (const blade of dev.topology.blades) {
    for (const nic of blade.nics) {
      if (nic.switch !== dev.name || !nic.port) continue;
      if (!phyUp(dev, c, nic.port)) continue;
      out.push({ port: nic.port, blade, nic });
    }
  }
  return out.sort((a, b) => compareIfName(a.port, b.port));
}

/** `display lldp neighbor brief`, layout of `ce6850_display_lldp_neighbor_brief.txt`. */
export function displayLldpBrief(dev: SwitchDevice, c: SwitchConfig): string[] {
  const out = [
    "Local Interface         Exptime(s) Neighbor Interface      Neighbor Device",
    DASH79,
  ];
  for (const n of lldpNeighbors(dev, c)) {
    out.push(`${pad(n.port, 24)}${lpad("111", 9)}  ${pad(n.nic.name, 24)}${n.blade.hostname}`);
  }
  return out;
}

/** `display lldp neighbor [interface X]`, layout of `display_lldp_neighbor__cisco_peer.raw`. */
export function displayLldp(dev: SwitchDevice, c: SwitchConfig, only?: string): string[] {
  const out: string[] = [];
  const neigh = lldpNeighbors(dev, c);
  const ports = Object.keys(c.ifaces).filter((p) => isPhysical(p) && (!only || p === only))
    .sort(compareIfName);
  const kv = (k: string, v: string) => `${pad(k, 35)}:${v}`;
  for (const p of ports) {
    const ns = neigh.filter((n) => n.port === p);
    if (!ns.length) {
      out.push(`${p} has 0 neighbor(s)`, "");
      continue;
    }
    out.push(`${p} has ${ns.length} neighbor(s):`, "");
    ns.forEach((n, idx) => {
      const mac = n.nic.mac.replace(/:/g, "").replace(/(....)(....)(....)/, "$1-$2-$3");
      const src = l2Source(c, p);
      out.push(
        kv("Neighbor index", String(idx + 1)),
        kv("Chassis type", "MAC Address"),
        kv("Chassis ID", mac),
        kv("Port ID subtype", "Interface Name"),
        kv("Port ID", n.nic.name),
        kv("Port description", `${n.blade.model} slot ${n.blade.slot} ${n.nic.name}`),
        kv("System name", n.blade.hostname),
        kv("System description", `Huawei ${n.blade.model} blade, slot ${n.blade.slot}`),
        kv("System capabilities supported", "station"),
        kv("System capabilities enabled", "station"),
        kv("Management address type", "IPv4"),
        kv("Management address", n.blade.hostIps?.[n.nic.name] ?? "--"),
        kv("Expired time", "111s"),
        "",
        kv("Port VLAN ID(PVID)", String(src ? membership(src, dev.mode).pvid : 1)),
        kv("Port and Protocol VLAN ID(PPVID)", "--"),
        kv("Port and Protocol VLAN supported", "--"),
        kv("Port and Protocol VLAN enabled", "--"),
        kv("VLAN name of VLAN", "--"),
        kv("Protocol identity", "--"),
        kv("Auto-negotiation supported", "No"),
        kv("Auto-negotiation enabled", "No"),
        kv("OperMau", "speed (10000) /duplex (Full)"),
        kv("Link aggregation supported", "--"),
        kv("Link aggregation enabled", "--"),
        kv("Aggregation port ID", "--"),
        kv("Maximum frame Size", "--"),
        kv("Port Identity", "--"),
        kv("Discovered time", new Date(dev.startedAt).toISOString().slice(0, 19).replace("T", " ")),
        "",
      );
    });
  }
  return out;
}

/** The VLAN a blade's untagged traffic is learned in, if the port lets it through. */
export function learnedVlan(dev: SwitchDevice, c: SwitchConfig, port: string): number | undefined {
  const src = l2Source(c, port);
  if (!src) return undefined;
  const m = membership(src, dev.mode);
  const cands = [...m.untagged, ...m.tagged].filter((v) => c.vlans[String(v)]);
  if (m.untagged.includes(m.pvid) && c.vlans[String(m.pvid)]) return m.pvid;
  return cands[0];
}

/** MAC table entries learned from blades. */
export function macEntries(
  dev: SwitchDevice,
  c: SwitchConfig,
): { mac: string; vlan: number; port: string }[] {
  const out: { mac: string; vlan: number; port: string }[] = [];
  for (const n of lldpNeighbors(dev, c)) {
    const vlan = learnedVlan(dev, c, n.port);
    if (vlan === undefined) continue;
    const i = c.ifaces[n.port];
    const port = i?.ethTrunk !== undefined ? `Eth-Trunk${i.ethTrunk}` : n.port;
    out.push({ mac: n.nic.mac, vlan, port });
  }
  return out;
}

const dotted = (mac: string) =>
  mac.replace(/:/g, "").toLowerCase().replace(/(....)(....)(....)/, "$1-$2-$3");

/** `display mac-address`: CE layout (two-stage) or VRP5 layout (immediate). */
export function displayMac(dev: SwitchDevice, c: SwitchConfig): string[] {
  const entries = macEntries(dev, c);
  if (dev.mode === "two-stage") {
    const out = [
      "Flags: * - Backup",
      "BD   : bridge-domain   Age : dynamic MAC learned time in seconds",
      DASH79,
      "MAC Address    VLAN/VSI/BD   Learned-From        Type                Age",
      DASH79,
    ];
    for (const e of entries) {
      out.push(
        `${dotted(e.mac)} ${pad(`${e.vlan}/-/-`, 14)}${pad(e.port, 20)}${pad("dynamic", 7)}` +
          lpad(String(Math.floor((Date.now() - dev.startedAt) / 1000)), 16),
      );
    }
    out.push(DASH79, `Total items: ${entries.length}`);
    return out;
  }
  const out = [
    DASH79,
    "MAC Address    VLAN/VSI                          Learned-From        Type      ",
    DASH79,
  ];
  for (const e of entries) {
    out.push(`${dotted(e.mac)} ${pad(`${e.vlan}/-`, 34)}${pad(e.port, 20)}${pad("dynamic", 10)}`);
  }
  out.push(DASH79, `Total items displayed = ${entries.length}`);
  return out;
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((a, b) => (a << 8) + Number(b), 0) >>> 0;
}

/** ARP entries: own Vlanif/MEth addresses and blade hosts in a Vlanif's subnet. */
export function arpEntries(
  dev: SwitchDevice,
  c: SwitchConfig,
): { ip: string; mac: string; type: "I" | "D"; iface: string; vlan?: number; port?: string }[] {
  const out: {
    ip: string;
    mac: string;
    type: "I" | "D";
    iface: string;
    vlan?: number;
    port?: string;
  }[] = [];
  const l3 = Object.values(c.ifaces).filter((
    i,
  ): i is IfaceCfg & { ip: NonNullable<IfaceCfg["ip"]> } => !!i.ip && !i.shutdown);
  for (const i of l3) out.push({ ip: i.ip.address, mac: dev.spec.mac, type: "I", iface: i.name });
  const macs = macEntries(dev, c);
  for (const n of lldpNeighbors(dev, c)) {
    const ip = n.blade.hostIps?.[n.nic.name];
    if (!ip) continue;
    const learned = macs.find((m) => m.mac === n.nic.mac);
    if (!learned) continue;
    const vlanif = l3.find((i) =>
      i.name === `Vlanif${learned.vlan}` && phyUp(dev, c, i.name) &&
      (ipToInt(i.ip.address) & ipToInt(i.ip.mask)) === (ipToInt(ip) & ipToInt(i.ip.mask))
    );
    if (!vlanif) continue;
    out.push({
      ip,
      mac: n.nic.mac,
      type: "D",
      iface: vlanif.name,
      vlan: learned.vlan,
      port: learned.port,
    });
  }
  // The HMM side of the management network, learned on the management uplink.
  const m = dev.spec.mgmt;
  if (dev.mgmtUp()) {
    const active = dev.topology.hmm.modules.find((x) => x.role === "active");
    if (active) {
      out.push({
        ip: active.internalIp,
        mac: active.mac,
        type: "D",
        iface: m.iface,
        vlan: m.iface.startsWith("Vlanif") ? m.vlan : undefined,
        port: m.iface.startsWith("Vlanif") ? m.uplink : undefined,
      });
    }
  }
  return out;
}

/** `display arp [brief]`, layout of `display_arp_brief.raw`. */
export function displayArp(dev: SwitchDevice, c: SwitchConfig): string[] {
  const e = arpEntries(dev, c);
  const sep = "------------------------------------------------------------------------------  ";
  const out = [
    "IP ADDRESS      MAC ADDRESS    EXPIRE(M) TYPE  INTERFACE           VLAN/CEVLAN  ",
    sep,
  ];
  for (const a of e) {
    if (a.type === "I") {
      out.push(`${pad(a.ip, 16)}${pad(dotted(a.mac), 15)}${pad("", 10)}I -   ${pad(a.iface, 33)}`);
    } else {
      out.push(
        `${pad(a.ip, 16)}${pad(dotted(a.mac), 15)}${pad("20", 10)}D-0   ${
          pad(a.port ?? a.iface, 22)
        }${pad(a.vlan !== undefined ? `${a.vlan}/-` : "", 11)}`,
      );
    }
  }
  const dyn = e.filter((x) => x.type === "D").length;
  out.push(
    sep,
    `${pad(`Total:${e.length}`, 16)}${pad(`Dynamic:${dyn}`, 16)}${pad("Static:0", 13)}Interface:${
      e.length - dyn
    }  `,
  );
  return out;
}

/** `display eth-trunk [N]`. Layout from the VRP8 command reference (assumption). */
export function displayEthTrunk(dev: SwitchDevice, c: SwitchConfig, only?: number): string[] {
  const trunks = Object.values(c.ifaces).filter((i) => i.name.startsWith("Eth-Trunk"))
    .map((i) => Number(i.name.slice(9))).filter((n) => only === undefined || n === only)
    .sort((a, b) => a - b);
  const out: string[] = [];
  for (const n of trunks) {
    const t = c.ifaces[`Eth-Trunk${n}`];
    const members = Object.values(c.ifaces).filter((i) => i.ethTrunk === n)
      .sort((a, b) => compareIfName(a.name, b.name));
    const ups = members.filter((m) => phyUp(dev, c, m.name));
    const status = phyUp(dev, c, t.name) ? "up" : "down";
    out.push(`Eth-Trunk${n}'s state information is:`);
    if (t.lacpStatic) {
      const sysid = dotted(dev.spec.mac);
      out.push(
        "Local:",
        `${pad(`LAG ID: ${n}`, 28)}WorkingMode: STATIC`,
        `${pad("Preempt Delay: Disabled", 28)}Hash arithmetic: According to SIP-XOR-DIP`,
        `${pad("System Priority: 32768", 28)}System ID: ${sysid}`,
        `${pad("Least Active-linknumber: 1", 28)}Max Active-linknumber: 8`,
        `${pad(`Operate status: ${status}`, 28)}Number Of Up Port In Trunk: ${ups.length}`,
        DASH80,
        "ActorPortName          Status   PortType PortPri PortNo PortKey PortState Weight",
      );
      members.forEach((m, idx) => {
        const up = phyUp(dev, c, m.name);
        out.push(
          `${pad(m.name, 23)}${pad(up ? "Selected" : "Unselect", 9)}${pad("10GE", 9)}` +
            `${pad("32768", 8)}${pad(String(idx + 1), 7)}${pad(String(289 + n * 256), 8)}` +
            `${pad(up ? "10111100" : "10100010", 10)}1`,
        );
      });
    } else {
      out.push(
        `${pad("WorkingMode: NORMAL", 30)}Hash arithmetic: According to SIP-XOR-DIP`,
        `${pad("Least Active-linknumber: 1", 30)}Max Bandwidth-affected-linknumber: 8`,
        `${pad(`Operate status: ${status}`, 30)}Number Of Up Port In Trunk: ${ups.length}`,
        DASH80,
        "PortName                      Status      Weight",
      );
      for (const m of members) {
        out.push(`${pad(m.name, 30)}${pad(phyUp(dev, c, m.name) ? "Up" : "Down", 12)}1`);
      }
    }
    out.push("");
  }
  return out;
}

/** `display device`, layout of `display_device__ce6850_stack.raw`. */
export function displayDevice(dev: SwitchDevice): string[] {
  const d86 = "-".repeat(86);
  return [
    dev.mode === "immediate" ? `${dev.spec.model}'s Device status:` : "Device status:",
    d86,
    "Slot  Card   Type                Online   Power Register     Alarm     Primary",
    d86,
    `${pad(String(dev.spec.slot), 6)}${pad("-", 7)}${pad(dev.spec.model, 20)}${pad("Present", 9)}` +
    `${pad("On", 6)}${pad("Registered", 13)}${pad("Normal", 10)}Master`,
    d86,
  ];
}

function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60);
  return `${d} day, ${h} hour${h === 1 ? "" : "s"}, ${m} minute${m === 1 ? "" : "s"}`;
}

/** `display version`, layout of `ce6850_display_version.txt`. */
export function displayVersion(dev: SwitchDevice): string[] {
  const up = uptime(Date.now() - dev.startedAt);
  const start = new Date(dev.startedAt).toISOString();
  return [
    "Huawei Versatile Routing Platform Software",
    `VRP (R) software, Version ${dev.vrpVersion} (${dev.spec.software.release})`,
    "Copyright (C) 2012-2018 Huawei Technologies Co., Ltd.",
    `HUAWEI ${dev.spec.model} uptime is ${up}`,
    "",
    `${dev.spec.model}(Master) ${dev.spec.slot} : uptime is  ${up}`,
    `        StartupTime ${start.slice(0, 10).replace(/-/g, "/")}   ${start.slice(11, 19)}`,
    "Memory    Size    : 2048 M bytes",
    "Flash     Size    : 512 M bytes",
    "NVRAM     Size    : 512  K bytes",
    `${dev.spec.model} version information`,
    "1. PCB    Version : BC11MXSA     VER A",
    "2. MAB    Version : 1",
    `3. Board  Type    : ${dev.spec.model}`,
    "4. CPLD1  Version : 102",
    "5. BIOS   Version : 386",
  ];
}

/** `display interface <name>` (short VRP8-style block; layout assumption). */
export function displayInterface(dev: SwitchDevice, c: SwitchConfig, name: string): string[] {
  const i = c.ifaces[name];
  const up = phyUp(dev, c, name);
  const state = i.shutdown ? "Administratively DOWN" : up ? "UP" : "DOWN";
  const l3 = name.startsWith("Vlanif") || name.startsWith("MEth");
  const out = [
    `${name} current state : ${state}`,
    `Line protocol current state : ${up && (!l3 || i.ip) ? "UP" : "DOWN"}`,
    `Description: ${i.description ?? ""}`,
  ];
  if (l3) {
    out.push(
      i.ip
        ? `Internet Address is ${i.ip.address}/${
          i.ip.mask.split(".").reduce(
            (n, o) => n + Number(o).toString(2).replace(/0/g, "").length,
            0,
          )
        }`
        : "Internet protocol processing : disabled",
      `IP Sending Frames' Format is PKTFMT_ETHNT_2, Hardware address is ${dotted(dev.spec.mac)}`,
    );
  } else {
    const src = l2Source(c, name);
    const m = src ? membership(src, dev.mode) : undefined;
    out.push(
      "Switch Port, TPID : 8100(Hex), The Maximum Frame Length is 9216",
      `PVID : ${m?.pvid ?? 1}, Link type : ${m?.type ?? "-"}`,
      `IP Sending Frames' Format is PKTFMT_ETHNT_2, Hardware address is ${dotted(dev.spec.mac)}`,
    );
    if (isPhysical(name)) {
      out.push(
        `Speed: ${name.startsWith("40GE") ? 40000 : 10000}, Loopback: NONE`,
        "Duplex: FULL, Negotiation: DISABLE",
      );
      const b = bladeOnPort(dev, name);
      if (b) out.push(`Connected to: ${b.blade.model} slot ${b.blade.slot} ${b.nic.name}`);
    }
  }
  return out;
}
