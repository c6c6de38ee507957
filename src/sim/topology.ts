/**
 * The chassis topology of the simulator: the default (the E9000 observed upstream, see
 * `docs/simulator.md` "Topology") and loading a YAML seed file over it.
 *
 * @module
 */
import type {
  BladeSpec,
  FanSpec,
  FaultInput,
  PsuSpec,
  SwitchSpec,
  Topology,
  VrpMode,
} from "./context.ts";

/** Slots of the observed chassis and their board models (operations.md §12, live). */
export const OBSERVED_BLADES: Record<number, string> = {
  1: "CH121",
  2: "CH121",
  3: "CH121",
  4: "CH121",
  8: "CH121",
  9: "CH121",
  10: "CH121",
  11: "CH121",
  12: "CH121",
  13: "CH222",
  14: "CH222",
  15: "CH222",
  16: "CH121",
};

/** Deterministic hex from a string (FNV-1a), used for serials, UUIDs and MACs. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0").slice(-width);
}

/** A locally administered-looking but Huawei-OUI MAC for a device and index. */
export function macFor(key: string, index = 0): string {
  const h = hash32(`${key}#${index}`);
  // 28:6e:d4 is a Huawei OUI; the simulator's MACs are synthetic (documented).
  const b = [0x28, 0x6e, 0xd4, (h >>> 16) & 0xff, (h >>> 8) & 0xff, (h + index) & 0xff];
  return b.map((x) => hex(x, 2)).join(":");
}

function uuidFor(key: string): string {
  const a = hex(hash32(key + "a"), 8);
  const b = hex(hash32(key + "b"), 8);
  const c = hex(hash32(key + "c"), 8);
  const d = hex(hash32(key + "d"), 8);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`
    .toUpperCase();
}

function serialFor(prefix: string, key: string): string {
  return `${prefix}${hex(hash32(key), 8).toUpperCase()}`.slice(0, 20);
}

/** Blade downlink port of switch slot `swSlot` towards blade slot `bladeSlot` (assumption). */
export function downlinkPort(swSlot: number, bladeSlot: number): string {
  return `10GE${swSlot}/${bladeSlot}/1`;
}

/** Panel uplink port `n` (1..16) of switch slot `swSlot` (assumption). */
export function uplinkPort(swSlot: number, n: number): string {
  return `10GE${swSlot}/17/${n}`;
}

function defaultBlade(slot: number, model: string, switches: number[]): BladeSpec {
  const key = `blade${slot}`;
  const nics = switches.map((sw, i) => ({
    name: `NIC${i + 1}`,
    mac: macFor(key, i + 1),
    switch: `swi${sw}`,
    port: downlinkPort(sw, slot),
  }));
  const hostIps: Record<string, string> = {};
  nics.forEach((n, i) => hostIps[n.name] = `10.${10 + i}.0.${slot}`);
  return {
    slot,
    model,
    serial: serialFor("2102310YJW10", key),
    uuid: uuidFor(key),
    hostname: `blade${slot}`,
    bmcIp: `172.31.1.${128 + slot}`,
    bmcMac: macFor(key, 0),
    firmware: { ibmc: "6.05", bios: model === "CH222" ? "3.36" : "3.63", cpld: "1.05" },
    power: "On",
    health: "OK",
    cpus: 2,
    cpuModel: "Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz",
    memoryGiB: model === "CH222" ? 128 : 64,
    nics,
    hostIps,
  };
}

function defaultSwitch(slot: number): SwitchSpec {
  const name = `swi${slot}`;
  const mgmtVlan = 4094;
  return {
    name,
    slot,
    model: "CX310",
    sysname: `CX310_${slot}`,
    serial: serialFor("021NPM10", name),
    mac: macFor(name, 0),
    software: { vrp: "auto", release: "CX310 V100R001C00SPC100" },
    mgmt: {
      vlan: mgmtVlan,
      uplink: uplinkPort(slot, 1),
      iface: `Vlanif${mgmtVlan}`,
      ip: `172.31.1.${160 + slot}`,
      prefix: 24,
    },
    downlinks: Array.from({ length: 16 }, (_, i) => downlinkPort(slot, i + 1)),
    uplinks: Array.from({ length: 16 }, (_, i) => uplinkPort(slot, i + 1)),
    passwordChangeRequired: false,
  };
}

/** The default topology: the chassis observed upstream (operations.md §12, redfish.md §2.1). */
export function defaultTopology(): Topology {
  const switchSlots = [2, 3];
  const blades = Object.entries(OBSERVED_BLADES).map(([slot, model]) =>
    defaultBlade(Number(slot), model, switchSlots)
  );
  const psus: PsuSpec[] = [1, 2, 3, 4, 5].map((id) => ({
    id,
    present: id <= 4,
    health: "OK",
    ratedWatts: 3000,
  }));
  const fans: FanSpec[] = Array.from({ length: 14 }, (_, i) => i + 1).map((id) => ({
    id,
    present: [1, 2, 3, 4, 5, 7, 8, 10, 11, 13].includes(id),
    health: "OK",
    rpm: 4800,
  }));
  return {
    chassis: { model: "E9000", serial: serialFor("2102310QKT10", "chassis"), name: "E9000" },
    hmm: {
      floatingIp: "192.168.1.30",
      gateway: "192.168.1.1",
      netmask: "255.255.255.0",
      version: "7.63",
      modules: [1, 2].map((n) => ({
        name: `HMM${n}`,
        // Observed: HMM2 was the active module (hmm-cli.md §5).
        role: n === 2 ? "active" as const : "standby" as const,
        ip: `192.168.1.${30 + n}`,
        internalIp: `172.31.1.${164 + n}`,
        mac: macFor(`hmm${n}`, 0),
        serial: serialFor("2102310RGB10", `hmm${n}`),
      })),
    },
    blades,
    switches: switchSlots.map(defaultSwitch),
    psus,
    fans,
    fabric: { network: "172.31.1.0", prefix: 24 },
  };
}

/** The part of a seed file besides the topology. */
export interface SeedExtras {
  vrpMode?: VrpMode;
  faults?: FaultInput[];
  credentials?: { username?: string; password?: string };
}

/** A seed: topology overrides plus options. All fields optional. */
export interface Seed extends SeedExtras {
  chassis?: Partial<Topology["chassis"]>;
  hmm?: Partial<Topology["hmm"]>;
  /** Slot -> blade override; `null` removes the blade. A listed slot not present is added. */
  blades?: (Partial<BladeSpec> & { slot: number; absent?: boolean })[];
  switches?: (Partial<Omit<SwitchSpec, "mgmt">> & {
    slot: number;
    absent?: boolean;
    mgmt?: Partial<SwitchSpec["mgmt"]>;
  })[];
  psus?: PsuSpec[];
  fans?: FanSpec[];
}

/** Error in a seed file (message names the file and field). */
export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SeedError";
  }
}

/**
 * Build the topology from a seed object over the default. Blades/switches listed in the seed
 * replace fields of the default entry in the same slot (or are generated when absent);
 * `absent: true` removes the slot.
 */
export function topologyFromSeed(seed: Seed | undefined, where = "seed"): Topology {
  const t = defaultTopology();
  if (!seed) return t;
  if (typeof seed !== "object") throw new SeedError(`${where}: the seed must be a mapping`);
  if (seed.chassis) Object.assign(t.chassis, seed.chassis);
  if (seed.hmm) Object.assign(t.hmm, seed.hmm);
  const swSlots = (seed.switches ?? []).map((s) => s.slot);
  for (const [i, s] of (seed.switches ?? []).entries()) {
    if (!Number.isInteger(s.slot) || s.slot < 1 || s.slot > 4) {
      throw new SeedError(`${where}: switches[${i}].slot must be 1..4, got ${s.slot}`);
    }
    const hmmPath = s.mgmt?.hmmPath;
    if (hmmPath !== undefined && hmmPath !== "base-plane" && hmmPath !== "in-band") {
      throw new SeedError(
        `${where}: switches[${i}].mgmt.hmmPath must be base-plane or in-band, got ${hmmPath}`,
      );
    }
    const idx = t.switches.findIndex((x) => x.slot === s.slot);
    if (s.absent) {
      if (idx >= 0) t.switches.splice(idx, 1);
      continue;
    }
    const base = idx >= 0 ? t.switches[idx] : defaultSwitch(s.slot);
    const { absent: _a, ...rest } = s;
    const merged = { ...base, ...rest, mgmt: { ...base.mgmt, ...(s.mgmt ?? {}) } };
    if (idx >= 0) t.switches[idx] = merged;
    else t.switches.push(merged);
  }
  t.switches.sort((a, b) => a.slot - b.slot);
  const presentSw = t.switches.map((s) => s.slot);
  for (const [i, b] of (seed.blades ?? []).entries()) {
    if (!Number.isInteger(b.slot) || b.slot < 1 || b.slot > 16) {
      throw new SeedError(`${where}: blades[${i}].slot must be 1..16, got ${b.slot}`);
    }
    const idx = t.blades.findIndex((x) => x.slot === b.slot);
    if (b.absent) {
      if (idx >= 0) t.blades.splice(idx, 1);
      continue;
    }
    const base = idx >= 0 ? t.blades[idx] : defaultBlade(b.slot, b.model ?? "CH121", presentSw);
    const { absent: _a, ...rest } = b;
    const merged = {
      ...base,
      ...rest,
      firmware: { ...base.firmware, ...(b.firmware ?? {}) },
    };
    if (idx >= 0) t.blades[idx] = merged;
    else t.blades.push(merged);
  }
  t.blades.sort((a, b) => a.slot - b.slot);
  if (swSlots.length) {
    // Re-wire blades to the switches that exist.
    for (const b of t.blades) {
      b.nics = b.nics.filter((n) => !n.switch || t.switches.some((s) => s.name === n.switch));
    }
  }
  if (seed.psus) t.psus = seed.psus;
  if (seed.fans) t.fans = seed.fans;
  return t;
}

/** Parse a YAML seed text. */
export async function parseSeed(text: string, where: string): Promise<Seed> {
  const { parse } = await import("yaml");
  let value: unknown;
  try {
    value = parse(text);
  } catch (e) {
    throw new SeedError(`${where}: invalid YAML: ${(e as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new SeedError(`${where}: the seed must be a YAML mapping`);
  }
  return value as Seed;
}

/** Read and parse a seed file. */
export async function loadSeedFile(path: string): Promise<Seed> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new SeedError(`Cannot read seed file ${path}: ${(e as Error).message}`);
  }
  return await parseSeed(text, path);
}
