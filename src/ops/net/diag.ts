/**
 * Blade network diagnostics from the switch side (`vessel net diag <blade>`): for each switch
 * port facing the blade, the link state (`display interface brief`), the MAC addresses learned
 * on it (`display mac-address`), ARP entries on it (`display arp`), LLDP neighbours
 * (`display lldp neighbor brief`), and a `ping` from the switch to every IP the ARP table shows
 * behind the port. The watchdog takes it before and after every switch change and can require
 * chosen blades to stay reachable.
 *
 * Blade port naming (assumption, shared with the simulator's topology): blade slot B faces port
 * `10GE<S>/<B>/1` on the switch in slot S (CX310 in Swi2/Swi3). Real CX310 port names were never
 * captured upstream (`docs/hardware/vrp-cx310.md` §1, §5); LLDP neighbours confirm the mapping
 * when the blade OS runs LLDP.
 *
 * @module
 */
import type { CallOptions } from "../../drivers/deadline.ts";
import type { VrpSession } from "../../drivers/vrp/session.ts";
import type { Chassis } from "../../chassis/chassis.ts";
import { ValidationError } from "../../errors.ts";
import { closeQuietly, display, openVrpSession, switchSlot } from "./conn.ts";
import {
  type ArpEntry,
  type LldpNeighbor,
  type MacEntry,
  parseArp,
  parseInterfaceBrief,
  parseLldpBrief,
  parseMac,
  parsePing,
} from "./vrp_parse.ts";

/** Port of switch `sw` facing blade `slot` (assumption, see the module text). */
export function bladePort(sw: string, slot: number): string {
  return `10GE${switchSlot(sw)}/${slot}/1`;
}

/** Check a blade slot 1..32. */
export function bladeSlot(value: unknown): number {
  const n = typeof value === "string" ? Number(value.replace(/^blade/i, "")) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 32) {
    throw new ValidationError(`Invalid blade ${JSON.stringify(value)}: must be 1-32 or blade<N>`, {
      field: "blade",
    });
  }
  return n as number;
}

/** Everything read from one switch for diagnostics. */
export interface SwitchTables {
  switch: string;
  interfaces: { name: string; up: boolean; phy: string; protocol: string }[];
  mac: MacEntry[];
  arp: ArpEntry[];
  lldp: LldpNeighbor[];
}

/** Read the four tables over an open session. */
export async function readSwitchTables(
  s: VrpSession,
  sw: string,
  opts: CallOptions = {},
): Promise<SwitchTables> {
  const interfaces = parseInterfaceBrief(await display(s, "display interface brief", opts));
  const mac = parseMac(await display(s, "display mac-address", opts));
  const arp = parseArp(await display(s, "display arp", opts));
  const lldp = parseLldpBrief(await display(s, "display lldp neighbor brief", opts));
  return { switch: sw, interfaces, mac, arp, lldp };
}

/** Diagnostics of one blade port. */
export interface BladePortDiag {
  switch: string;
  port: string;
  link: "up" | "down" | "absent";
  macs: { mac: string; vlan: number }[];
  arp: { ip: string; mac: string }[];
  lldp: { neighborInterface: string; neighborDevice: string }[];
  ping: { ip: string; sent: number; received: number }[];
  /** Link up and at least one MAC learned, and every pinged IP answered. */
  reachable: boolean;
}

/** Diagnostics of one blade. */
export interface BladeDiag {
  blade: number;
  ports: BladePortDiag[];
  /** At least one port reachable. */
  reachable: boolean;
  /** Switches that could not be read (message). */
  errors: { switch: string; error: string }[];
}

/** Build one port's diagnostics from the tables (pings added by {@link pingBehind}). */
export function portDiag(t: SwitchTables, port: string): BladePortDiag {
  const i = t.interfaces.find((x) => x.name === port);
  const macs = t.mac.filter((m) => m.port === port).map((m) => ({ mac: m.mac, vlan: m.vlan }));
  const arp = t.arp.filter((a) => a.interface === port).map((a) => ({ ip: a.ip, mac: a.mac }));
  const lldp = t.lldp.filter((l) => l.localInterface === port).map((l) => ({
    neighborInterface: l.neighborInterface,
    neighborDevice: l.neighborDevice,
  }));
  const link = !i ? "absent" : i.up ? "up" : "down";
  return {
    switch: t.switch,
    port,
    link,
    macs,
    arp,
    lldp,
    ping: [],
    reachable: link === "up" && macs.length > 0,
  };
}

async function pingBehind(
  s: VrpSession,
  d: BladePortDiag,
  opts: CallOptions,
): Promise<void> {
  for (const a of d.arp) {
    const out = await display(s, `ping -c 1 ${a.ip}`, opts).catch(() => "");
    const p = parsePing(out);
    d.ping.push({ ip: a.ip, ...p });
  }
  if (d.ping.some((p) => p.received === 0)) d.reachable = false;
}

/** Options of {@link diagnoseBlades}. */
export interface DiagOptions extends CallOptions {
  /** Switches to read (default: every present switch). */
  switches?: string[];
  /** Ping the IPs behind the port (default true). */
  ping?: boolean;
}

/**
 * Diagnose blades over fresh sessions (one per switch).
 *
 * @example
 * const [d] = await diagnoseBlades(chassis, [3]);
 * d.reachable; d.ports[0].macs;
 */
export async function diagnoseBlades(
  chassis: Chassis,
  blades: number[],
  opts: DiagOptions = {},
): Promise<BladeDiag[]> {
  const sws = opts.switches ?? Object.keys(chassis.endpoints.switches).sort();
  const out: BladeDiag[] = blades.map((b) => ({
    blade: b,
    ports: [],
    reachable: false,
    errors: [],
  }));
  await Promise.all(sws.map(async (sw) => {
    let s: VrpSession | undefined;
    try {
      s = (await openVrpSession(chassis, sw, opts)).session;
      const t = await readSwitchTables(s, sw, opts);
      for (const d of out) {
        const pd = portDiag(t, bladePort(sw, d.blade));
        if (opts.ping !== false) await pingBehind(s, pd, opts);
        d.ports.push(pd);
      }
    } catch (e) {
      for (const d of out) d.errors.push({ switch: sw, error: (e as Error).message });
    } finally {
      await closeQuietly(s);
    }
  }));
  for (const d of out) {
    d.ports.sort((a, b) => a.switch.localeCompare(b.switch));
    d.reachable = d.ports.some((p) => p.reachable);
  }
  return out;
}

/** Diagnose blades over an already open session of one switch. */
export async function diagnoseOnSession(
  s: VrpSession,
  sw: string,
  blades: number[],
  opts: CallOptions & { ping?: boolean } = {},
): Promise<BladePortDiag[]> {
  const t = await readSwitchTables(s, sw, opts);
  const out: BladePortDiag[] = [];
  for (const b of blades) {
    const pd = portDiag(t, bladePort(sw, b));
    if (opts.ping !== false) await pingBehind(s, pd, opts);
    out.push(pd);
  }
  return out;
}

/** Flatten for tables: one row per blade port. */
export function diagRows(d: BladeDiag[]): Record<string, string | number | boolean>[] {
  const rows: Record<string, string | number | boolean>[] = [];
  for (const b of d) {
    for (const p of b.ports) {
      rows.push({
        blade: b.blade,
        switch: p.switch,
        port: p.port,
        link: p.link,
        macs: p.macs.map((m) => `${m.mac}@${m.vlan}`).join(" ") || "-",
        arp: p.arp.map((a) => a.ip).join(" ") || "-",
        lldp: p.lldp.map((l) => `${l.neighborDevice}/${l.neighborInterface}`).join(" ") || "-",
        ping: p.ping.map((x) => `${x.ip}:${x.received}/${x.sent}`).join(" ") || "-",
        reachable: p.reachable,
      });
    }
    for (const e of b.errors) {
      rows.push({
        blade: b.blade,
        switch: e.switch,
        port: "-",
        link: "unknown",
        macs: "-",
        arp: "-",
        lldp: "-",
        ping: "-",
        reachable: false,
      });
    }
  }
  return rows;
}
