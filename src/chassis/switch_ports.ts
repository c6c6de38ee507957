/**
 * Switch modules beyond VLANs (which live in `switch.ts`): ports (access / trunk / hybrid, PVID,
 * allowed VLANs), LAGs (Eth-Trunk), configuration export through the HMM (`swiconfexport`), and
 * display data (interfaces, LLDP neighbours, MAC and ARP tables). VRP CLI only: the CX310 has no
 * Redfish and no documented HMM web API for switch configuration.
 *
 * Writes are validated before any I/O, serialised per switch, run as one configuration unit
 * (`system-view` … `commit` in two-stage mode; the driver detects the mode) and read back: a
 * read-back that differs from the request is a {@link DeviceError} ("inconsistent result after
 * apply"). VRP's `port trunk allow-pass vlan` is additive, so Vessel computes the difference and
 * sends both the additions and the `undo` removals: the result *is* the requested list.
 * Nothing here runs `save`; that belongs to the change envelope (`SwitchClient.save`).
 *
 * @example
 * const p = switchPorts(chassis, "swi2");
 * await p.setPort("10GE2/1/1", { mode: "trunk", allowedVlans: [10, 20], pvid: 10 });
 * await p.createLag(1, { mode: "lacp-static", members: ["10GE2/17/2", "10GE2/17/3"] });
 * const neighbours = await p.lldp();
 */
import { z } from "zod";
import { DeviceError, NotFoundError, UnsupportedError, ValidationError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import type { VrpSession } from "../drivers/vrp/session.ts";
import type { Chassis } from "./chassis.ts";
import { SWITCH_NAMES } from "./endpoints.ts";
import { type DeviceHub, hubOf } from "./hub.ts";
import {
  type ArpEntry,
  formatVlanList,
  type InterfaceBrief,
  type LldpNeighbor,
  type MacEntry,
  parseArp,
  parseConfigBlocks,
  parseInterfaceBrief,
  parseLldpBrief,
  parseMacTable,
  parsePortVlan,
  parseVlanList,
} from "./switch_display.ts";

/** A switch port (physical or Eth-Trunk) as read. */
export const PortSchema = z.object({
  name: z.string().describe("Interface name, e.g. 10GE2/1/1 or Eth-Trunk1"),
  mode: z.enum(["access", "trunk", "hybrid", "other"]).describe("Link type"),
  pvid: z.number().int().describe("Default VLAN (access VLAN for access ports)"),
  allowedVlans: z.array(z.number().int()).describe("Trunk: VLANs allowed to pass"),
  taggedVlans: z.array(z.number().int()).describe("Hybrid: tagged VLANs"),
  untaggedVlans: z.array(z.number().int()).describe("Hybrid: untagged VLANs"),
  description: z.string().optional().describe("Port description"),
  enabled: z.boolean().describe("Not shut down"),
  up: z.boolean().optional().describe("Physical link up (display interface brief)"),
  lag: z.number().int().optional().describe("Eth-Trunk this port is a member of"),
});
/** A switch port as read. */
export type Port = z.infer<typeof PortSchema>;

/** What {@link SwitchPorts.setPort} sets (fields left out stay as they are). */
export type PortSpec =
  & (
    | { mode: "access"; vlan: number }
    | {
      mode: "trunk";
      allowedVlans: number[];
      pvid?: number;
    }
    | { mode: "hybrid"; taggedVlans?: number[]; untaggedVlans?: number[]; pvid?: number }
    | {
      mode?: undefined;
    }
  )
  & { description?: string | null; enabled?: boolean };

/** A LAG as read. */
export const LagSchema = z.object({
  id: z.number().int().describe("Eth-Trunk number"),
  name: z.string().describe("Eth-Trunk<N>"),
  mode: z.enum(["manual", "lacp-static"]).describe("manual load balancing or static LACP"),
  members: z.array(z.string()).describe("Member ports"),
  port: PortSchema.describe("Its L2 settings"),
});
/** A LAG as read. */
export type Lag = z.infer<typeof LagSchema>;

const IFACE = /^(?:\d*[A-Za-z][A-Za-z-]*)\d+(?:\/\d+){0,3}$/;

/**
 * Validates an interface name (VRP syntax; CX310 names start with a digit, `10GE2/1/1`).
 *
 * @throws {ValidationError} anything else (spaces, `?`, control characters: CLI injection)
 */
export function validateInterface(name: string): void {
  if (typeof name !== "string" || !IFACE.test(name)) {
    throw new ValidationError(`Invalid interface name ${JSON.stringify(name)}`, {
      field: "interface",
      hint: "Use the name the switch prints, e.g. 10GE2/1/1 or Eth-Trunk1",
    });
  }
}

function validateVlans(field: string, ids: unknown): number[] {
  if (!Array.isArray(ids) || ids.some((v) => !Number.isInteger(v) || v < 1 || v > 4094)) {
    throw new ValidationError(`Invalid ${field} ${JSON.stringify(ids)}: VLAN ids are 1-4094`, {
      field,
    });
  }
  return [...new Set(ids as number[])].sort((a, b) => a - b);
}

function validateText(field: string, v: string, max: number): void {
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f?]/.test(v) || /[^\x20-\x7e]/.test(v) || v.length > max || v !== v.trim()) {
    throw new ValidationError(
      `Invalid ${field} ${
        JSON.stringify(v)
      }: printable ASCII without '?', at most ${max} characters, no leading or trailing space`,
      { field },
    );
  }
}

/** Ports, LAGs, export and diagnostics of one switch. */
export class SwitchPorts {
  readonly name: string;
  readonly hub: DeviceHub;
  readonly chassis: Chassis;

  constructor(chassis: Chassis, name: string) {
    this.chassis = chassis;
    this.name = name;
    this.hub = hubOf(chassis);
  }

  // ------------------------------------------------------------------ reads

  /** `display interface brief`, parsed. */
  async interfaces(o: CallOptions = {}): Promise<InterfaceBrief[]> {
    return parseInterfaceBrief(await this.#display("display interface brief", o));
  }

  /** LLDP neighbours (`display lldp neighbor brief`). */
  async lldp(o: CallOptions = {}): Promise<LldpNeighbor[]> {
    return parseLldpBrief(await this.#display("display lldp neighbor brief", o));
  }

  /** MAC address table (`display mac-address`). */
  async macTable(o: CallOptions = {}): Promise<MacEntry[]> {
    return parseMacTable(await this.#display("display mac-address", o));
  }

  /** ARP table (`display arp`). */
  async arp(o: CallOptions = {}): Promise<ArpEntry[]> {
    return parseArp(await this.#display("display arp", o));
  }

  /** The running configuration text (`display current-configuration`). */
  runningConfig(o: CallOptions = {}): Promise<string> {
    return this.#display("display current-configuration", o);
  }

  /** Every port with its L2 settings, link state and LAG membership. */
  async ports(o: CallOptions = {}): Promise<Port[]> {
    const pv = parsePortVlan(await this.#display("display port vlan", o));
    const brief = await this.interfaces(o);
    const blocks = parseConfigBlocks(await this.runningConfig(o));
    const l2 = (n: string) => !/^(Vlanif|MEth|NULL|LoopBack|Tunnel)/i.test(n);
    const names = new Set([
      ...pv.map((r) => r.name),
      ...brief.map((b) => b.name).filter(l2),
      ...[...blocks.keys()].filter(l2),
    ]);
    return [...names].map((name) => {
      const row = pv.find((r) => r.name === name);
      const b = blocks.get(name) ?? [];
      const has = (re: RegExp) => b.map((l) => re.exec(l)).filter(Boolean) as RegExpExecArray[];
      const cfgMode = has(/^port link-type (\w+)/)[0]?.[1];
      const mode = (row?.linkType ?? cfgMode ?? "other") as string;
      const m = ["access", "trunk", "hybrid"].includes(mode) ? mode : "other";
      const pvidCfg = has(/^port (?:default vlan|trunk pvid vlan|hybrid pvid vlan) (\d+)/)[0]?.[1];
      const tagged = has(/^port hybrid tagged vlan (.+)$/).flatMap((x) => parseVlanList(x[1]));
      const untagged = has(/^port hybrid untagged vlan (.+)$/).flatMap((x) => parseVlanList(x[1]));
      const desc = has(/^description (.+)$/)[0]?.[1];
      const lag = has(/^eth-trunk (\d+)/)[0]?.[1];
      const br = brief.find((x) => x.name === name);
      return PortSchema.parse({
        name,
        mode: m,
        pvid: row?.pvid ?? (pvidCfg ? Number(pvidCfg) : 1),
        allowedVlans: m === "trunk" ? row?.vlans ?? [] : [],
        taggedVlans: m === "hybrid" ? [...new Set(tagged)].sort((a, c) => a - c) : [],
        untaggedVlans: m === "hybrid"
          ? [
            ...new Set(
              untagged.length ? untagged : row?.vlans.filter((v) => !tagged.includes(v)) ?? [],
            ),
          ]
            .sort((a, c) => a - c)
          : [],
        ...(desc !== undefined ? { description: desc } : {}),
        enabled: !b.includes("shutdown") && !br?.adminDown,
        ...(br ? { up: br.up } : {}),
        ...(lag ? { lag: Number(lag) } : {}),
      });
    });
  }

  /**
   * One port.
   *
   * @throws {NotFoundError} no such interface (naming a few that exist)
   */
  async port(name: string, o: CallOptions = {}): Promise<Port> {
    validateInterface(name);
    const all = await this.ports(o);
    const p = all.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!p) {
      throw new NotFoundError(`Interface ${name} does not exist on ${this.name}`, {
        hint: `Interfaces include ${all.slice(0, 4).map((x) => x.name).join(", ")}`,
      });
    }
    return p;
  }

  /** LAGs (Eth-Trunk interfaces) with members and L2 settings. */
  async lags(o: CallOptions = {}): Promise<Lag[]> {
    const blocks = parseConfigBlocks(await this.runningConfig(o));
    const ports = await this.ports(o);
    const out: Lag[] = [];
    for (const [name, lines] of blocks) {
      const m = /^Eth-Trunk(\d+)$/i.exec(name);
      if (!m) continue;
      const id = Number(m[1]);
      const port = ports.find((p) => p.name === name) ??
        PortSchema.parse({
          name,
          mode: "other",
          pvid: 1,
          allowedVlans: [],
          taggedVlans: [],
          untaggedVlans: [],
          enabled: true,
        });
      out.push(LagSchema.parse({
        id,
        name,
        mode: lines.some((l) => /^mode lacp/.test(l)) ? "lacp-static" : "manual",
        members: ports.filter((p) => p.lag === id).map((p) => p.name),
        port,
      }));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  // ------------------------------------------------------------------ writes

  /**
   * Sets a port's link type and VLANs, description and admin state; reads it back.
   *
   * @throws {ValidationError} bad input (nothing sent)
   * @throws {NotFoundError} no such interface
   * @throws {DeviceError} the switch refused, or the read-back differs
   */
  async setPort(name: string, spec: PortSpec, o: CallOptions = {}): Promise<Port> {
    validateInterface(name);
    if (spec.mode === "access") validateVlans("vlan", [spec.vlan]);
    if (spec.mode === "trunk") {
      validateVlans("allowedVlans", spec.allowedVlans);
      if (spec.pvid !== undefined) validateVlans("pvid", [spec.pvid]);
    }
    if (spec.mode === "hybrid") {
      validateVlans("taggedVlans", spec.taggedVlans ?? []);
      validateVlans("untaggedVlans", spec.untaggedVlans ?? []);
      if (spec.pvid !== undefined) validateVlans("pvid", [spec.pvid]);
      const both = (spec.taggedVlans ?? []).filter((v) => (spec.untaggedVlans ?? []).includes(v));
      if (both.length) {
        throw new ValidationError(`VLANs ${both.join(", ")} cannot be both tagged and untagged`, {
          field: "taggedVlans",
        });
      }
    }
    if (spec.description) validateText("description", spec.description, 242);
    return await this.#write(async (s) => {
      const cur = await this.port(name, o);
      if (cur.lag !== undefined && spec.mode) {
        throw new UnsupportedError(
          `${name} on ${this.name} is a member of Eth-Trunk${cur.lag}: set VLANs on the Eth-Trunk`,
          { details: { capability: "member-port-l2" } },
        );
      }
      const cmds = portCommands(cur, spec);
      if (cmds.length) await this.#configure(s, [`interface ${cur.name}`, ...cmds, "quit"], o);
      const after = await this.port(name, o);
      checkPort(this.name, after, spec);
      return after;
    }, o);
  }

  /**
   * Creates Eth-Trunk `id` with a mode and member ports (members must have default L2 settings).
   *
   * @throws {ConflictError}-like {DeviceError} when it exists or the switch refuses a member
   */
  async createLag(
    id: number,
    spec: { mode?: "manual" | "lacp-static"; members?: string[] },
    o: CallOptions = {},
  ): Promise<Lag> {
    checkLagId(id);
    for (const m of spec.members ?? []) validateInterface(m);
    return await this.#write(async (s) => {
      if ((await this.lags(o)).some((l) => l.id === id)) {
        throw new ValidationError(`Eth-Trunk${id} already exists on ${this.name}`, {
          field: "id",
          hint: "Change its members with setLagMembers",
        });
      }
      const cmds = [`interface Eth-Trunk${id}`];
      if (spec.mode === "lacp-static") cmds.push("mode lacp-static");
      cmds.push("quit");
      for (const m of spec.members ?? []) cmds.push(`interface ${m}`, `eth-trunk ${id}`, "quit");
      await this.#configure(s, cmds, o);
      return await this.#checkLag(id, spec.members ?? [], spec.mode ?? "manual", o);
    }, o);
  }

  /** Sets the member list of Eth-Trunk `id` (adds and removes the difference). */
  async setLagMembers(id: number, members: string[], o: CallOptions = {}): Promise<Lag> {
    checkLagId(id);
    for (const m of members) validateInterface(m);
    return await this.#write(async (s) => {
      const lag = (await this.lags(o)).find((l) => l.id === id);
      if (!lag) throw new NotFoundError(`Eth-Trunk${id} does not exist on ${this.name}`);
      const lc = (x: string) => x.toLowerCase();
      const add = members.filter((m) => !lag.members.map(lc).includes(lc(m)));
      const del = lag.members.filter((m) => !members.map(lc).includes(lc(m)));
      const cmds: string[] = [];
      for (const m of del) cmds.push(`interface ${m}`, "undo eth-trunk", "quit");
      for (const m of add) cmds.push(`interface ${m}`, `eth-trunk ${id}`, "quit");
      if (cmds.length) await this.#configure(s, cmds, o);
      return await this.#checkLag(id, members, lag.mode, o);
    }, o);
  }

  /** Deletes Eth-Trunk `id` (members are released first). */
  async deleteLag(id: number, o: CallOptions & { missingOk?: boolean } = {}): Promise<void> {
    checkLagId(id);
    return await this.#write(async (s) => {
      const lag = (await this.lags(o)).find((l) => l.id === id);
      if (!lag) {
        if (o.missingOk) return;
        throw new NotFoundError(`Eth-Trunk${id} does not exist on ${this.name}`);
      }
      const cmds: string[] = [];
      for (const m of lag.members) cmds.push(`interface ${m}`, "undo eth-trunk", "quit");
      cmds.push(`undo interface Eth-Trunk${id}`);
      await this.#configure(s, cmds, o);
      if ((await this.lags(o)).some((l) => l.id === id)) {
        throw new DeviceError(
          `Inconsistent result after apply: Eth-Trunk${id} still exists on ${this.name}`,
          { device: this.name },
        );
      }
    }, o);
  }

  /**
   * Exports the switch configuration through the HMM (`swiconfexport swi<N>` in extended mode,
   * then SFTP of `/tmp/exchange/swi<N>/swi<N>.tar.gz`; hmm-cli.md §4). There is no import on SMM
   * v7.63: keep `runningConfig()` text as the restorable backup.
   *
   * @throws {UnsupportedError} no HMM shell
   */
  async exportConfig(o: CallOptions = {}): Promise<{ path: string; archive: Uint8Array }> {
    const n = Number(this.name.slice(3));
    return await this.hub.withHmmShell(async (hmm) => {
      const path = await this.hub.call(
        "hmm",
        "ssh",
        `swiconfexport swi${n}`,
        () => hmm.swiconfexport(n, this.hub.opts(o)),
        o,
      );
      const archive = await this.hub.call(
        "hmm",
        "ssh",
        `sftp ${path}`,
        () => hmm.sftpGet(path, this.hub.opts(o)),
        o,
      );
      return { path, archive };
    }, o);
  }

  // ------------------------------------------------------------------ internals

  async #checkLag(id: number, members: string[], mode: string, o: CallOptions): Promise<Lag> {
    const lag = (await this.lags(o)).find((l) => l.id === id);
    const lc = (xs: string[]) => xs.map((x) => x.toLowerCase()).sort();
    if (!lag || lag.mode !== mode || lc(lag.members).join() !== lc(members).join()) {
      throw new DeviceError(
        `Inconsistent result after apply: Eth-Trunk${id} on ${this.name} reads ${
          lag ? `${lag.mode} [${lag.members.join(", ")}]` : "absent"
        }, expected ${mode} [${members.join(", ")}]`,
        { device: this.name },
      );
    }
    return lag;
  }

  /**
   * The switch's one VRP session, shared with its {@link SwitchClient} (VLAN writes): the first
   * login of a chassis still goes through the hub's login gate.
   */
  async #session_(o: CallOptions): Promise<VrpSession> {
    const sw = this.chassis.switch(this.name);
    if (await sw.hasSession()) return await sw.vrpSession(o);
    return await this.hub.login(this.name, "ssh", () => sw.vrpSession(o), this.hub.opts(o));
  }

  async #display(cmd: string, o: CallOptions): Promise<string> {
    const s = await this.#session_(o);
    const oo = this.hub.opts(o);
    return (await this.hub.call(this.name, "ssh", cmd, () => s.exec(cmd, oo), oo)).output;
  }

  async #configure(_s: VrpSession, cmds: string[], o: CallOptions): Promise<void> {
    const oo = this.hub.opts(o);
    await this.#session_(oo); // open outside the traced call (its login is a call of its own)
    await this.hub.call(
      this.name,
      "ssh",
      `configure ${cmds.length} commands`,
      () => this.chassis.switch(this.name).applyCommands(cmds, oo),
      oo,
    );
  }

  /** Runs `fn` in the switch's one write queue (shared with VLAN writes). */
  #write<T>(fn: (s: VrpSession) => Promise<T>, o: CallOptions): Promise<T> {
    return this.chassis.switch(this.name).withWriteLock(async () => fn(await this.#session_(o)));
  }
}

function checkLagId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 1024) {
    throw new ValidationError(`Invalid Eth-Trunk number ${id}: use 0-1024`, { field: "id" });
  }
}

/** The commands that take `cur` to `spec` (inside the interface view). */
export function portCommands(cur: Port, spec: PortSpec): string[] {
  const cmds: string[] = [];
  if (spec.mode) {
    let allowed = cur.allowedVlans;
    let tagged = cur.taggedVlans;
    let untagged = cur.untaggedVlans;
    let pvid = cur.pvid;
    if (spec.mode !== cur.mode) {
      // Back to defaults first: VRP refuses a link-type change on a port with VLAN settings.
      if (cur.mode === "access" && cur.pvid !== 1) cmds.push("undo port default vlan");
      if (cur.mode === "trunk") {
        if (cur.pvid !== 1) cmds.push("undo port trunk pvid vlan");
        const extra = cur.allowedVlans.filter((v) => v !== 1);
        if (extra.length) cmds.push(`undo port trunk allow-pass vlan ${formatVlanList(extra)}`);
        if (!cur.allowedVlans.includes(1)) cmds.push("port trunk allow-pass vlan 1");
      }
      if (cur.mode === "hybrid") {
        if (cur.pvid !== 1) cmds.push("undo port hybrid pvid vlan");
        const all = [...cur.taggedVlans, ...cur.untaggedVlans].filter((v) => v !== 1);
        if (all.length) cmds.push(`undo port hybrid vlan ${formatVlanList(all)}`);
      }
      cmds.push(`port link-type ${spec.mode}`);
      allowed = [1];
      tagged = [];
      untagged = spec.mode === "hybrid" ? [1] : [];
      pvid = 1;
    }
    if (spec.mode === "access") {
      if (spec.vlan !== pvid) {
        cmds.push(spec.vlan === 1 ? "undo port default vlan" : `port default vlan ${spec.vlan}`);
      }
    } else if (spec.mode === "trunk") {
      const want = [...new Set(spec.allowedVlans)];
      const add = want.filter((v) => !allowed.includes(v));
      const del = allowed.filter((v) => !want.includes(v));
      if (add.length) cmds.push(`port trunk allow-pass vlan ${formatVlanList(add)}`);
      if (del.length) cmds.push(`undo port trunk allow-pass vlan ${formatVlanList(del)}`);
      const p = spec.pvid ?? 1;
      if (p !== pvid) {
        cmds.push(p === 1 ? "undo port trunk pvid vlan" : `port trunk pvid vlan ${p}`);
      }
    } else if (spec.mode === "hybrid") {
      const t = spec.taggedVlans ?? tagged;
      const u = spec.untaggedVlans ?? untagged;
      const gone = [...tagged, ...untagged].filter((v) => !t.includes(v) && !u.includes(v));
      const moveT = t.filter((v) => !tagged.includes(v));
      const moveU = u.filter((v) => !untagged.includes(v));
      if (gone.length) cmds.push(`undo port hybrid vlan ${formatVlanList(gone)}`);
      if (moveT.length) cmds.push(`port hybrid tagged vlan ${formatVlanList(moveT)}`);
      if (moveU.length) cmds.push(`port hybrid untagged vlan ${formatVlanList(moveU)}`);
      const p = spec.pvid ?? 1;
      if (p !== pvid) {
        cmds.push(p === 1 ? "undo port hybrid pvid vlan" : `port hybrid pvid vlan ${p}`);
      }
    }
  }
  if (spec.description !== undefined) {
    if (spec.description === null || spec.description === "") {
      if (cur.description !== undefined) cmds.push("undo description");
    } else if (spec.description !== cur.description) cmds.push(`description ${spec.description}`);
  }
  if (spec.enabled !== undefined && spec.enabled !== cur.enabled) {
    cmds.push(spec.enabled ? "undo shutdown" : "shutdown");
  }
  return cmds;
}

function checkPort(sw: string, got: Port, spec: PortSpec): void {
  const fail = (what: string, want: unknown, have: unknown): never => {
    throw new DeviceError(
      `Inconsistent result after apply: ${got.name} on ${sw} ${what} is ${
        JSON.stringify(have)
      }, expected ${JSON.stringify(want)}`,
      { device: sw, details: { interface: got.name, field: what } },
    );
  };
  const eq = (a: number[], b: number[]) => [...a].sort().join() === [...b].sort().join();
  if (spec.mode && got.mode !== spec.mode) fail("link type", spec.mode, got.mode);
  if (spec.mode === "access" && got.pvid !== spec.vlan) fail("default VLAN", spec.vlan, got.pvid);
  if (spec.mode === "trunk") {
    if (!eq(got.allowedVlans, spec.allowedVlans)) {
      fail("allowed VLANs", spec.allowedVlans, got.allowedVlans);
    }
    if (got.pvid !== (spec.pvid ?? 1)) fail("PVID", spec.pvid ?? 1, got.pvid);
  }
  if (spec.mode === "hybrid") {
    if (spec.taggedVlans && !eq(got.taggedVlans, spec.taggedVlans)) {
      fail("tagged VLANs", spec.taggedVlans, got.taggedVlans);
    }
  }
  if (spec.enabled !== undefined && got.enabled !== spec.enabled) {
    fail("enabled", spec.enabled, got.enabled);
  }
  if (
    typeof spec.description === "string" && spec.description && got.description !== spec.description
  ) {
    fail("description", spec.description, got.description);
  }
}

const cache = new WeakMap<Chassis, Map<string, SwitchPorts>>();

/**
 * Ports, LAGs, export and display data of one switch (cached per chassis and switch).
 *
 * @throws {NotFoundError} not swi1–swi4, or not present (naming the present ones)
 * @example
 * await switchPorts(chassis, "swi2").setPort("10GE2/1/1", { mode: "access", vlan: 10 });
 */
export function switchPorts(chassis: Chassis, name: string): SwitchPorts {
  const key = name.toLowerCase();
  if (!(SWITCH_NAMES as readonly string[]).includes(key)) {
    throw new NotFoundError(`Unknown switch ${name}`, {
      hint: `Use one of ${SWITCH_NAMES.join(", ")}`,
    });
  }
  if (!chassis.endpoints.switches[key]) {
    const present = Object.keys(chassis.endpoints.switches).sort();
    throw new NotFoundError(`Switch ${key} is not present in this chassis`, {
      hint: `Present switch modules: ${present.join(", ") || "none"}`,
    });
  }
  let m = cache.get(chassis);
  if (!m) {
    m = new Map();
    cache.set(chassis, m);
  }
  let p = m.get(key);
  if (!p) {
    p = new SwitchPorts(chassis, key);
    m.set(key, p);
  }
  return p;
}
