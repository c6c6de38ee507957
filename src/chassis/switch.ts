/**
 * Switch modules (Swi1–Swi4, CX310, Huawei VRP): VLANs through the VRP CLI driver.
 *
 * One SSH session per switch, opened on first use, reused across calls and closed by
 * `Chassis.close()`. Writes are serialised per switch, validated before any device I/O, and read
 * back afterwards: a write whose read-back differs from the request fails with a
 * {@link DeviceError} ("inconsistent result after apply") instead of silently succeeding.
 * VLAN calls never `save`; saving belongs to the change envelope and is exposed as
 * {@link SwitchClient.save}.
 */
import { z } from "zod";
import {
  AuthError,
  ConflictError,
  DeviceError,
  NotFoundError,
  UnsupportedError,
  ValidationError,
} from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { parseDisplayVlan, parseVlanConfig, type VrpVlanRow } from "../drivers/vrp/parse_vlan.ts";
import {
  parseDisplayVersion,
  parseInterfaceBrief,
  parseLldpNeighborBrief,
  parsePortVlan,
  vlanListChunks,
} from "../drivers/vrp/parse_port.ts";
import type {
  VrpCommandResult,
  VrpConfigCommand,
  VrpConfigureResult,
  VrpMode,
  VrpSession,
} from "../drivers/vrp/session.ts";
import { AsyncLocalStorage } from "node:async_hooks";

/** Longest VLAN name VRP accepts (CloudEngine/VRP `name` in VLAN view: 1–31 characters). */
export const VLAN_NAME_MAX = 31;
/** Longest VLAN description VRP accepts (VLAN view `description`: 1–80 characters). */
export const VLAN_DESCRIPTION_MAX = 80;

/** A port's membership in a VLAN. */
export const VlanPortSchema = z.object({
  interface: z.string().describe("Interface name as the switch prints it, e.g. 10GE2/17/1"),
  tagged: z.boolean().describe(
    "True for tagged (TG, also mapping/stacking), false for untagged (UT)",
  ),
  up: z.boolean().describe("Link state in `display vlan`: U = up, D = down"),
});
/** A port's membership in a VLAN. */
export type VlanPort = z.infer<typeof VlanPortSchema>;

/** A VLAN as read from a switch. */
export const VlanSchema = z.object({
  id: z.number().int().min(1).max(4094).describe("VLAN id, 1-4094"),
  name: z.string().optional().describe("VLAN name (`name` in VLAN view); absent when unset"),
  description: z.string().optional().describe(
    "VLAN description (`description` in VLAN view); absent when unset",
  ),
  type: z.string().optional().describe("VLAN type from `display vlan`, e.g. common, super, sub"),
  ports: z.array(VlanPortSchema).describe("Member ports from `display vlan`"),
});
/** A VLAN as read from a switch. */
export type Vlan = z.infer<typeof VlanSchema>;

/** What a caller asks for: create, or the fields an update sets (`""`/`null` clears). */
export interface VlanSpec {
  id: number;
  name?: string | null;
  description?: string | null;
}

/** Options of {@link validateVlanSpec}. */
export interface ValidateVlanOptions {
  /** `delete` additionally refuses VLAN 1. */
  operation?: "create" | "update" | "delete";
}

/**
 * Validates a VLAN request before any device I/O.
 *
 * Rules (VRP CLI): id 1–4094; VLAN 1 is the default VLAN and cannot be deleted; name at most 31
 * and description at most 80 characters (Huawei CloudEngine/VRP VLAN view, as documented for
 * Ansible `ce_vlan`: "name 1-31, description 1-80"); printable ASCII only — a newline or other
 * control character would end the command line and run the rest as a new command, and `?` makes
 * VRP print help instead of taking the value (CLI injection); no leading/trailing spaces (VRP
 * trims them: the read-back would differ); no double quote at either end (VRP strips them); the
 * name has no spaces (Huawei's VLAN naming rules: "cannot contain question marks (?) or spaces").
 *
 * @example
 * validateVlanSpec({ id: 10, name: "prod", description: "web tier" });
 * @throws {ValidationError} with `field` (id, name, description) and the rule in `details.rule`
 */
export function validateVlanSpec(spec: VlanSpec, opts: ValidateVlanOptions = {}): void {
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new ValidationError(`Invalid VLAN ${field} ${JSON.stringify(value)}: ${rule}`, {
      field,
      details: { rule },
      hint: "Nothing was sent to the switch",
    });
  };
  if (typeof spec.id !== "number" || !Number.isInteger(spec.id) || spec.id < 1 || spec.id > 4094) {
    fail("id", "must be an integer from 1 to 4094", spec.id);
  }
  if (opts.operation === "delete" && spec.id === 1) {
    fail("id", "VLAN 1 is the default VLAN and cannot be deleted", spec.id);
  }
  checkText("name", spec.name, VLAN_NAME_MAX, false, fail);
  checkText("description", spec.description, VLAN_DESCRIPTION_MAX, true, fail);
}

function checkText(
  field: string,
  v: string | null | undefined,
  max: number,
  spaces: boolean,
  fail: (field: string, rule: string, value: unknown) => never,
) {
  if (v === undefined || v === null || v === "") return;
  if (typeof v !== "string") fail(field, "must be a string", v);
  if (/[\r\n]/.test(v)) fail(field, "must not contain a newline (it would end the VRP command)", v);
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(v)) fail(field, "must not contain control characters", v);
  if (v.includes("?")) fail(field, "must not contain '?' (VRP answers it with command help)", v);
  if (/[^\x20-\x7e]/.test(v)) fail(field, "must be printable ASCII", v);
  if (v.length > max) fail(field, `must be at most ${max} characters (got ${v.length})`, v);
  if (v !== v.trim()) fail(field, "must not start or end with a space (VRP trims it)", v);
  if (v.startsWith('"') || v.endsWith('"')) {
    fail(field, "must not start or end with a double quote (VRP strips it)", v);
  }
  if (!spaces && /\s/.test(v)) fail(field, "must not contain spaces", v);
}

/** One interface from `display interface brief`. */
export const SwitchInterfaceSchema = z.object({
  interface: z.string().describe(
    "Interface name, e.g. 10GE2/1/1 (blade-facing) or 10GE2/17/1 (uplink)",
  ),
  up: z.boolean().describe("Physical link up"),
  adminDown: z.boolean().describe("Shut down by configuration"),
  phy: z.string().describe("PHY column as printed (up, down, *down, ^down, up(l))"),
  protocol: z.string().describe("Protocol column as printed"),
  inErrors: z.number().int().describe("Input errors"),
  outErrors: z.number().int().describe("Output errors"),
});
/** One interface from `display interface brief`. */
export type SwitchInterface = z.infer<typeof SwitchInterfaceSchema>;

/** A port's VLAN settings from `display port vlan`. */
export const PortVlanSchema = z.object({
  interface: z.string().describe("Interface name"),
  linkType: z.string().describe("access, trunk, hybrid, …"),
  pvid: z.number().int().min(1).max(4094).describe("Port default VLAN"),
  allowed: z.array(z.number().int()).describe("Trunk/hybrid allowed VLANs (sorted)"),
});
/** A port's VLAN settings. */
export type PortVlan = z.infer<typeof PortVlanSchema>;

/** Desired VLAN settings of a port. */
export interface PortVlanSpec {
  linkType: "access" | "trunk";
  /** access: the port's VLAN; trunk: the native VLAN. Default 1. */
  pvid?: number;
  /** trunk only: exactly these VLANs are allowed (others removed); omitted = left as is. */
  allowed?: number[];
}

/** One LLDP neighbour. */
export const LldpNeighborSchema = z.object({
  localInterface: z.string(),
  neighborInterface: z.string(),
  neighborDevice: z.string(),
});
/** One LLDP neighbour. */
export type LldpNeighbor = z.infer<typeof LldpNeighborSchema>;

/** Facts from `display version`. */
export interface SwitchVersion {
  vrp?: string;
  software?: string;
  model?: string;
  uptimeS?: number;
}

/**
 * Validates an interface name before it is typed into the CLI: a letter or digit, then letters,
 * digits and `- / . :` (CX310 `10GE2/17/1`, `Eth-Trunk1`), at most 64 characters.
 *
 * @throws {ValidationError}
 */
export function validateInterfaceName(name: string): void {
  if (
    typeof name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9\-/.:]{0,63}$/.test(name) ||
    !/[A-Za-z]/.test(name)
  ) {
    throw new ValidationError(`Invalid interface name ${JSON.stringify(name)}`, {
      field: "interface",
      details: { rule: "letters, digits and - / . : only, at most 64 characters, e.g. 10GE2/17/1" },
      hint: "Nothing was sent to the switch",
    });
  }
}

/**
 * A watchdog that the switch writes of one async context run under (installed by the switch
 * watchdog in `src/ops/net` around an engine step with {@link withSwitchWriteGuard}). Every
 * configuration unit any SDK module sends to that switch ({@link SwitchClient.applyCommands}:
 * VLANs, ports, LAGs) passes through it.
 */
export interface SwitchWriteGuard {
  /** The switch watched, `swi2`. */
  switch: string;
  /** Sees each unit before anything is sent; throwing refuses the unit (nothing sent). */
  beforeConfigure?(commands: string[], mode: VrpMode): void | Promise<void>;
  /** Two-stage: end each unit with `commit trial <seconds>` instead of `commit`. */
  trialSeconds?: number;
  /** Two-stage build without `commit trial`: commit plainly or discard (default discard). */
  onTrialUnsupported?(
    error: string,
    commands: string[],
  ): "commit" | "discard" | Promise<"commit" | "discard">;
  /** Sees each unit's result after it was committed (trial armed, or plain). */
  afterConfigure?(result: VrpConfigureResult): void;
}

const writeGuards = new AsyncLocalStorage<SwitchWriteGuard[]>();

/**
 * Runs `fn` with `guard` watching every SDK write to `guard.switch` made from inside it.
 *
 * @example
 * await withSwitchWriteGuard({ switch: "swi2", trialSeconds: 120 }, () => sw.createVlan({ id: 9 }));
 */
export function withSwitchWriteGuard<T>(guard: SwitchWriteGuard, fn: () => Promise<T>): Promise<T> {
  return writeGuards.run([...(writeGuards.getStore() ?? []), guard], fn);
}

/** The guard watching `name` in this async context, if any. */
export function switchWriteGuard(name: string): SwitchWriteGuard | undefined {
  return writeGuards.getStore()?.findLast((g) => g.switch === name);
}

/** Opens (or reopens) the VRP session of one switch. */
export type VrpSessionOpener = (opts: CallOptions) => Promise<VrpSession>;

/** Produces the switch's configuration archive (the HMM's `swiconfexport` + SFTP). */
export type ConfigExporter = (opts: CallOptions) => Promise<Uint8Array>;

/** Options of read calls. */
export interface ReadOptions extends CallOptions {
  /**
   * Read port membership and link state too (`display vlan`; default true). Without it only the
   * configuration is read: ids, names and descriptions, one command less per switch.
   */
  ports?: boolean;
}

/** Options of {@link SwitchClient.deleteVlan}. */
export interface DeleteVlanOptions extends CallOptions {
  /** Succeed when the VLAN is already absent (default: NotFoundError). */
  missingOk?: boolean;
}

/**
 * One switch module.
 *
 * @example
 * const sw = chassis.switch("swi2");
 * await sw.createVlan({ id: 100, name: "prod", description: "web tier" });
 * const vlans = await sw.listVlans();
 */
export class SwitchClient {
  /** `swi1` … `swi4`. */
  readonly name: string;
  #open: VrpSessionOpener;
  #defaults: CallOptions;
  #session?: Promise<VrpSession>;
  #writes: Promise<unknown> = Promise.resolve();
  #closed = false;
  #authFailure?: AuthError;
  #exporter?: ConfigExporter;

  constructor(
    name: string,
    open: VrpSessionOpener,
    defaults: CallOptions = {},
    exporter?: ConfigExporter,
  ) {
    this.name = name;
    this.#open = open;
    this.#defaults = defaults;
    this.#exporter = exporter;
  }

  /**
   * Lists VLANs: ports and type from `display vlan`, name and description from the
   * configuration (`display vlan` shows a truncated or default description).
   */
  async listVlans(opts: ReadOptions = {}): Promise<Vlan[]> {
    const o = this.#opts(opts);
    const s = await this.#sessionFor(o);
    const table: { vlans: VrpVlanRow[] } = opts.ports === false
      // VLAN 1 exists on every VRP switch and cannot be deleted, listed in the config or not.
      ? { vlans: [{ id: 1, ports: [] }] }
      : parseDisplayVlan((await s.exec("display vlan", o)).output);
    const config = parseVlanConfig((await s.exec("display current-configuration", o)).output);
    const byId = new Map<number, Vlan>();
    for (const row of table.vlans) {
      byId.set(row.id, {
        id: row.id,
        ...(row.type ? { type: row.type } : {}),
        ports: row.ports.map((p) => ({
          interface: p.interface,
          tagged: p.mode !== "untagged",
          up: p.up,
        })),
      });
    }
    for (const id of config.ids) if (!byId.has(id)) byId.set(id, { id, ports: [] });
    for (const c of config.vlans) {
      const v = byId.get(c.id) ?? { id: c.id, ports: [] };
      if (c.name !== undefined) v.name = c.name;
      if (c.description !== undefined) v.description = c.description;
      byId.set(c.id, v);
    }
    return [...byId.values()].sort((a, b) => a.id - b.id).map((v) => VlanSchema.parse(v));
  }

  /** One VLAN, or undefined when absent. */
  async getVlan(id: number, opts: ReadOptions = {}): Promise<Vlan | undefined> {
    validateVlanSpec({ id });
    return (await this.listVlans(opts)).find((v) => v.id === id);
  }

  /**
   * Creates a VLAN with optional name and description, then reads it back.
   *
   * @throws {ValidationError} bad id/name/description (nothing sent)
   * @throws {ConflictError} the VLAN already exists
   * @throws {DeviceError} the read-back differs from the request
   * @throws {VrpCommandError} / {VrpCommitError} the switch refused
   */
  async createVlan(
    spec: { id: number; name?: string; description?: string },
    opts: CallOptions = {},
  ): Promise<Vlan> {
    validateVlanSpec(spec, { operation: "create" });
    return await this.#write(async (o) => {
      const existing = await this.getVlan(spec.id, o);
      if (existing) {
        throw new ConflictError(`VLAN ${spec.id} already exists on ${this.name}`, {
          hint: "Update it instead, or import it into the state",
        });
      }
      const cmds = [`vlan ${spec.id}`];
      if (spec.name) cmds.push(`name ${spec.name}`);
      if (spec.description) cmds.push(`description ${spec.description}`);
      cmds.push("quit");
      await this.applyCommands(cmds, o);
      return this.#verify(spec.id, {
        name: spec.name || undefined,
        description: spec.description || undefined,
      }, o);
    }, opts);
  }

  /**
   * Changes name and/or description. `undefined` leaves a field alone; `""` or `null` clears it
   * (`undo name` / `undo description`).
   *
   * @throws {ValidationError} bad input (nothing sent)
   * @throws {NotFoundError} no such VLAN
   * @throws {DeviceError} the read-back differs from the request
   */
  async updateVlan(
    id: number,
    patch: { name?: string | null; description?: string | null },
    opts: CallOptions = {},
  ): Promise<Vlan> {
    validateVlanSpec({ id, ...patch }, { operation: "update" });
    return await this.#write(async (o) => {
      const existing = await this.getVlan(id, o);
      if (!existing) {
        throw new NotFoundError(`VLAN ${id} does not exist on ${this.name}`, {
          hint: "Create it first",
        });
      }
      const cmds = [`vlan ${id}`];
      const want: { name?: string; description?: string } = {
        name: existing.name,
        description: existing.description,
      };
      if (patch.name !== undefined) {
        if (patch.name === null || patch.name === "") {
          if (existing.name !== undefined) cmds.push("undo name");
          want.name = undefined;
        } else {
          cmds.push(`name ${patch.name}`);
          want.name = patch.name;
        }
      }
      if (patch.description !== undefined) {
        if (patch.description === null || patch.description === "") {
          if (existing.description !== undefined) cmds.push("undo description");
          want.description = undefined;
        } else {
          cmds.push(`description ${patch.description}`);
          want.description = patch.description;
        }
      }
      if (cmds.length === 1) return existing;
      cmds.push("quit");
      await this.applyCommands(cmds, o);
      return this.#verify(id, want, o);
    }, opts);
  }

  /**
   * Deletes a VLAN (`undo vlan N`) and checks it is gone.
   *
   * @throws {ValidationError} VLAN 1 or a bad id (nothing sent)
   * @throws {NotFoundError} absent (unless `missingOk`)
   */
  async deleteVlan(id: number, opts: DeleteVlanOptions = {}): Promise<void> {
    validateVlanSpec({ id }, { operation: "delete" });
    return await this.#write(async (o) => {
      const existing = await this.getVlan(id, o);
      if (!existing) {
        if (opts.missingOk) return;
        throw new NotFoundError(`VLAN ${id} does not exist on ${this.name}`);
      }
      // VRP may ask before deleting a VLAN that still has members: the caller asked to delete it.
      await this.applyCommands([{ command: `undo vlan ${id}`, confirm: "Y" }], o);
      if (await this.getVlan(id, o)) {
        throw new DeviceError(
          `Inconsistent result after apply: VLAN ${id} is still present on ${this.name}`,
          {
            device: this.name,
            hint: "Check the switch configuration; something recreated or protected the VLAN",
          },
        );
      }
    }, opts);
  }

  /** Interfaces with link state and error counters (`display interface brief`). */
  async listInterfaces(opts: ReadOptions = {}): Promise<SwitchInterface[]> {
    const o = this.#opts(opts);
    const out = (await (await this.#sessionFor(o)).exec("display interface brief", o)).output;
    return parseInterfaceBrief(out).map((r) => SwitchInterfaceSchema.parse(r));
  }

  /** Link type, PVID and allowed VLANs of every port (`display port vlan`). */
  async listPortVlans(opts: ReadOptions = {}): Promise<PortVlan[]> {
    const o = this.#opts(opts);
    const out = (await (await this.#sessionFor(o)).exec("display port vlan", o)).output;
    return parsePortVlan(out).map((r) => PortVlanSchema.parse(r));
  }

  /**
   * Sets a port's link type, PVID and (trunk) exact allowed VLAN list, then reads it back.
   * `port trunk allow-pass vlan` is additive on VRP, so VLANs not wanted are removed with
   * `undo port trunk allow-pass vlan`; lists go out in chunks of at most 10 items. A link-type
   * change is applied and re-read first (VRP fills defaults such as VLAN 1 on a new trunk).
   *
   * @throws {ValidationError} bad interface, link type or VLAN ids (nothing sent)
   * @throws {NotFoundError} no such port
   * @throws {DeviceError} the read-back differs from the request
   */
  async setPortVlans(iface: string, spec: PortVlanSpec, opts: CallOptions = {}): Promise<PortVlan> {
    validateInterfaceName(iface);
    if (spec.linkType !== "access" && spec.linkType !== "trunk") {
      throw new ValidationError(`Invalid link type ${JSON.stringify(spec.linkType)}`, {
        field: "linkType",
        details: { rule: "access or trunk" },
      });
    }
    const pvid = spec.pvid ?? 1;
    validateVlanSpec({ id: pvid });
    const allowed = [...new Set(spec.allowed ?? [])].sort((a, b) => a - b);
    for (const id of allowed) validateVlanSpec({ id });
    if (spec.linkType === "access" && spec.allowed?.length) {
      throw new ValidationError("An access port has no allowed VLAN list", {
        field: "allowed",
        details: { rule: "only for trunk ports" },
      });
    }
    return await this.#write(async (o) => {
      const find = async () => {
        const p = (await this.listPortVlans(o)).find((x) => x.interface === iface);
        if (!p) throw new NotFoundError(`Port ${iface} does not exist on ${this.name}`);
        return p;
      };
      let cur = await find();
      if (cur.linkType !== spec.linkType) {
        // VRP refuses a link-type change while the port has non-default settings ("Please renew
        // the default configurations"): put the old type back to its defaults first. Removing
        // VLAN 1 from a trunk is itself non-default, so a trunk goes back to exactly [1].
        const cmds: string[] = [`interface ${iface}`];
        if (cur.linkType === "trunk") {
          const extra = cur.allowed.filter((v) => v !== 1);
          for (const c of vlanListChunks(extra)) cmds.push(`undo port trunk allow-pass vlan ${c}`);
          if (!cur.allowed.includes(1)) cmds.push("port trunk allow-pass vlan 1");
          if (cur.pvid !== 1) cmds.push("undo port trunk pvid vlan");
        } else if (cur.linkType === "access" && cur.pvid !== 1) cmds.push("undo port default vlan");
        cmds.push(`port link-type ${spec.linkType}`, "quit");
        await this.applyCommands(cmds, o);
        cur = await find();
      }
      const cmds = [`interface ${iface}`];
      if (spec.linkType === "access") {
        if (cur.pvid !== pvid) {
          cmds.push(pvid === 1 ? "undo port default vlan" : `port default vlan ${pvid}`);
        }
      } else {
        const manage = spec.allowed !== undefined;
        const remove = manage ? cur.allowed.filter((v) => !allowed.includes(v)) : [];
        const add = manage ? allowed.filter((v) => !cur.allowed.includes(v)) : [];
        for (const c of vlanListChunks(remove)) cmds.push(`undo port trunk allow-pass vlan ${c}`);
        for (const c of vlanListChunks(add)) cmds.push(`port trunk allow-pass vlan ${c}`);
        if (cur.pvid !== pvid) {
          cmds.push(pvid === 1 ? "undo port trunk pvid vlan" : `port trunk pvid vlan ${pvid}`);
        }
      }
      if (cmds.length > 1) {
        cmds.push("quit");
        await this.applyCommands(cmds, o);
      }
      const got = await find();
      const want = {
        linkType: spec.linkType,
        pvid,
        allowed: spec.linkType === "trunk" && spec.allowed !== undefined ? allowed : got.allowed,
      };
      if (
        got.linkType !== want.linkType || got.pvid !== want.pvid ||
        got.allowed.join(",") !== want.allowed.join(",")
      ) {
        throw new DeviceError(
          `Inconsistent result after apply: port ${iface} on ${this.name} is ${got.linkType} pvid ${got.pvid} allowed [${
            got.allowed.join(",")
          }], expected ${want.linkType} pvid ${want.pvid} allowed [${want.allowed.join(",")}]`,
          { device: this.name, details: { interface: iface, expected: want, actual: got } },
        );
      }
      return got;
    }, opts);
  }

  /** LLDP neighbours (`display lldp neighbor brief`): which blade NIC or uplink is on which port. */
  async lldpNeighbors(opts: ReadOptions = {}): Promise<LldpNeighbor[]> {
    const o = this.#opts(opts);
    const out = (await (await this.#sessionFor(o)).exec("display lldp neighbor brief", o)).output;
    return parseLldpNeighborBrief(out).map((r) => ({
      localInterface: r.localInterface,
      neighborInterface: r.neighborInterface,
      neighborDevice: r.neighborDevice,
    }));
  }

  /** VRP version, product software, model and uptime (`display version`). */
  async version(opts: ReadOptions = {}): Promise<SwitchVersion> {
    const o = this.#opts(opts);
    return parseDisplayVersion(
      (await (await this.#sessionFor(o)).exec("display version", o)).output,
    );
  }

  /** The running configuration as text (`display current-configuration`), cipher text included. */
  async runningConfig(opts: ReadOptions = {}): Promise<string> {
    const o = this.#opts(opts);
    return (await (await this.#sessionFor(o)).exec("display current-configuration", o)).output;
  }

  /**
   * The switch's configuration archive as the HMM exports it (`swiconfexport`, a tar.gz of
   * proprietary `.cfg` files; there is no import on SMM v7.63).
   *
   * @throws {UnsupportedError} this chassis has no HMM shell
   */
  async exportConfig(opts: CallOptions = {}): Promise<Uint8Array> {
    if (!this.#exporter) {
      throw new UnsupportedError(
        `No configuration export for ${this.name}: the chassis has no HMM shell`,
        { details: { capability: "swiconfexport" } },
      );
    }
    return await this.#exporter(this.#opts(opts));
  }

  /** `immediate` (VRP5) or `two-stage` (VRP8, needs `commit`). */
  async mode(opts: CallOptions = {}): Promise<VrpMode> {
    const o = this.#opts(opts);
    return (await this.#sessionFor(o)).mode(o);
  }

  /** Saves the running configuration to the startup configuration (`save`, confirmed). */
  save(opts: CallOptions = {}): Promise<VrpCommandResult> {
    return this.#write(async (o) => (await this.#sessionFor(o)).save(o), opts);
  }

  /** Runs a read-only display command and returns its output (diagnostics, snapshots). */
  async display(command: string, opts: CallOptions = {}): Promise<string> {
    if (!/^display\s/.test(command) || /[\r\n?]/.test(command)) {
      throw new ValidationError(`Not a display command: ${JSON.stringify(command)}`, {
        field: "command",
        details: { rule: "must start with 'display ' and be one line without '?'" },
      });
    }
    const o = this.#opts(opts);
    return (await (await this.#sessionFor(o)).exec(command, o)).output;
  }

  /**
   * Sends one configuration unit on this switch's session ({@link VrpSession.configure}), under
   * the {@link SwitchWriteGuard} of the calling context if one watches this switch. For SDK
   * modules (VLANs here, ports and LAGs in `switch_ports.ts`) that hold {@link withWriteLock}.
   *
   * @throws {VrpCommandError} / {VrpCommitError} the switch refused; anything the guard throws
   */
  async applyCommands(
    commands: VrpConfigCommand[],
    opts: CallOptions = {},
  ): Promise<VrpConfigureResult> {
    const o = this.#opts(opts);
    const s = await this.#sessionFor(o);
    const guard = switchWriteGuard(this.name);
    if (!guard) return await s.configure(commands, o);
    const lines = commands.map((c) => (typeof c === "string" ? c : c.command));
    const mode = await s.mode(o);
    await guard.beforeConfigure?.(lines, mode);
    const r = await s.configure(commands, {
      ...o,
      ...(guard.trialSeconds
        ? {
          trial: {
            seconds: guard.trialSeconds,
            onUnsupported: (e: string) => guard.onTrialUnsupported?.(e, lines) ?? "discard",
          },
        }
        : {}),
    });
    guard.afterConfigure?.(r);
    return r;
  }

  /**
   * Runs `fn` in this switch's write queue (writes to one device are serialised: VLAN, port and
   * LAG writes alike).
   */
  withWriteLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.#write(() => fn(), {});
  }

  /** The switch's long-lived VRP session (opened on first use, reopened when broken). */
  vrpSession(opts: CallOptions = {}): Promise<VrpSession> {
    return this.#sessionFor(this.#opts(opts));
  }

  /** True when a usable session is open (the next call needs no login). */
  async hasSession(): Promise<boolean> {
    try {
      return !!this.#session && (await this.#session).usable;
    } catch {
      return false;
    }
  }

  /** Closes the session (idempotent). Later calls reopen one. */
  async close(): Promise<void> {
    const s = this.#session;
    this.#session = undefined;
    if (s) {
      try {
        await (await s).close();
      } catch { /* the session never opened */ }
    }
  }

  /** Marks the client closed for good (used by `Chassis.close()`). */
  async dispose(): Promise<void> {
    this.#closed = true;
    await this.close();
  }

  // ---------------------------------------------------------------------------------------

  #opts(o: CallOptions): CallOptions {
    return {
      signal: o.signal ?? this.#defaults.signal,
      timeoutMs: o.timeoutMs ?? this.#defaults.timeoutMs,
    };
  }

  async #sessionFor(o: CallOptions): Promise<VrpSession> {
    if (this.#closed) {
      throw new DeviceError(`Switch client ${this.name} is closed`, { device: this.name });
    }
    if (this.#session) {
      try {
        const s = await this.#session;
        if (s.usable) return s;
      } catch { /* failed open: try again below */ }
    }
    // A refused login is final for this client: retrying would walk into the device's lockout.
    if (this.#authFailure) throw this.#authFailure;
    const p = this.#open(o);
    this.#session = p;
    try {
      return await p;
    } catch (e) {
      if (this.#session === p) this.#session = undefined;
      if (e instanceof AuthError) this.#authFailure = e;
      throw e;
    }
  }

  #write<T>(fn: (o: CallOptions) => Promise<T>, opts: CallOptions): Promise<T> {
    const o = this.#opts(opts);
    const run = this.#writes.then(() => fn(o));
    this.#writes = run.catch(() => {});
    return run;
  }

  async #verify(
    id: number,
    want: { name?: string; description?: string },
    o: CallOptions,
  ): Promise<Vlan> {
    const got = await this.getVlan(id, o);
    if (!got) {
      throw new DeviceError(
        `Inconsistent result after apply: VLAN ${id} is not present on ${this.name}`,
        {
          device: this.name,
          details: { id },
        },
      );
    }
    for (const f of ["name", "description"] as const) {
      if ((got[f] ?? undefined) !== (want[f] ?? undefined)) {
        throw new DeviceError(
          `Inconsistent result after apply: VLAN ${id} ${f} on ${this.name} is ${
            JSON.stringify(got[f] ?? null)
          }, expected ${JSON.stringify(want[f] ?? null)}`,
          {
            device: this.name,
            details: { id, field: f, expected: want[f] ?? null, actual: got[f] ?? null },
          },
        );
      }
    }
    return got;
  }
}
