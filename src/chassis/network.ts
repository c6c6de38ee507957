/**
 * Network settings (HMM menu "Network Settings"): management addresses of the management modules
 * (floating and per-module), of each blade's iBMC and of each switch module.
 *
 * Transport: HMM web API `networkhandler.php` `getsmmip`/`setsmmip`, `getbladeip`/`setbladeip`,
 * `getswiip`/`setswiip` (write verbs never captured upstream; shapes per docs/simulator.md H.4).
 * A setting is read from where it is written (the read-back must see the write). The HMM
 * Redfish `Managers/HMM<N>/EthernetInterfaces` shows the same module addresses read-only.
 *
 * Changing the floating address moves the address Vessel talks to: the caller must reconnect.
 *
 * @example
 * const n = network(chassis);
 * await n.setBladeAddress(3, { ipaddr: "10.0.0.3", netmask: "255.255.255.0", gateway: "10.0.0.1" });
 */
import type { CallOptions } from "../drivers/deadline.ts";
import { NotFoundError } from "../errors.ts";
import type { Chassis } from "./chassis.ts";
import { checkSlot, type DeviceHub, perChassis } from "./hub.ts";
import {
  type Fields,
  type Input,
  type Model,
  modelSchema,
  readSection,
  type SectionDef,
  writeSection,
} from "./webform.ts";

const IP = { kind: "string", describe: "IPv4 address" } as const;

/** Management-module addresses. */
export const MM_ADDRESS_FIELDS = {
  mode: { wire: "ipmode", kind: "string", values: ["static", "dhcp"], describe: "static or dhcp" },
  floatingIp: { ...IP, wire: "floatip", describe: "Floating address of the active module" },
  hmm1Ip: { ...IP, wire: "smm1ip", describe: "HMM1's own address" },
  hmm2Ip: { ...IP, wire: "smm2ip", describe: "HMM2's own address" },
  netmask: { ...IP, wire: "netmask", describe: "Netmask" },
  gateway: { ...IP, wire: "gateway", describe: "Default gateway" },
} as const satisfies Fields;

/** Blade iBMC management address. */
export const BLADE_ADDRESS_FIELDS = {
  mode: { wire: "ipmode", kind: "string", values: ["static", "dhcp"], describe: "static or dhcp" },
  ipaddr: { ...IP, wire: "ipaddr", describe: "iBMC address" },
  netmask: { ...IP, wire: "netmask", describe: "Netmask" },
  gateway: { ...IP, wire: "gateway", describe: "Gateway" },
  vlan: { wire: "vlan", kind: "int", min: 0, max: 4094, describe: "Management VLAN (0 = none)" },
} as const satisfies Fields;

/** Switch module management address. */
export const SWITCH_ADDRESS_FIELDS = {
  mode: { wire: "ipmode", kind: "string", values: ["static", "dhcp"], describe: "static or dhcp" },
  ipaddr: { ...IP, wire: "ipaddr", describe: "Switch management address" },
  netmask: { ...IP, wire: "netmask", describe: "Netmask" },
  gateway: { ...IP, wire: "gateway", describe: "Gateway" },
} as const satisfies Fields;

/** Zod models (for JSON Schema and docs). */
export const MmAddressSchema = modelSchema(MM_ADDRESS_FIELDS);
/** Blade address model. */
export const BladeAddressSchema = modelSchema(BLADE_ADDRESS_FIELDS);
/** Switch address model. */
export const SwitchAddressSchema = modelSchema(SWITCH_ADDRESS_FIELDS);

const MM: SectionDef<typeof MM_ADDRESS_FIELDS> = {
  what: "management-module address",
  handler: "networkhandler.php",
  get: "getsmmip",
  set: "setsmmip",
  element: "smmip",
  fields: MM_ADDRESS_FIELDS,
};
const BLADE: SectionDef<typeof BLADE_ADDRESS_FIELDS> = {
  what: "blade management address",
  handler: "networkhandler.php",
  get: "getbladeip",
  set: "setbladeip",
  element: "bladeip",
  fields: BLADE_ADDRESS_FIELDS,
};
const SWI: SectionDef<typeof SWITCH_ADDRESS_FIELDS> = {
  what: "switch management address",
  handler: "networkhandler.php",
  get: "getswiip",
  set: "setswiip",
  element: "swiip",
  fields: SWITCH_ADDRESS_FIELDS,
};

function swiName(name: string): string {
  const m = /^swi([1-4])$/i.exec(name);
  if (!m) {
    throw new NotFoundError(`Unknown switch ${name}`, {
      hint: "Use one of swi1, swi2, swi3, swi4",
    });
  }
  return `Swi${m[1]}`;
}

/** Network settings of one chassis. */
export class NetworkModule {
  readonly hub: DeviceHub;
  constructor(hub: DeviceHub) {
    this.hub = hub;
  }
  /** Management-module addresses. */
  mmAddresses(o: CallOptions = {}): Promise<Model<typeof MM_ADDRESS_FIELDS>> {
    return readSection(this.hub, MM, {}, o);
  }
  /** Changes management-module addresses (read back). */
  setMmAddresses(v: Input<typeof MM_ADDRESS_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, MM, v, {}, o);
  }
  /** A blade's iBMC management address. */
  async bladeAddress(
    slot: number,
    o: CallOptions = {},
  ): Promise<Model<typeof BLADE_ADDRESS_FIELDS>> {
    checkSlot(slot);
    return await readSection(this.hub, BLADE, { bladename: `Slot${slot}` }, o);
  }
  /** Changes a blade's iBMC management address (read back). */
  async setBladeAddress(slot: number, v: Input<typeof BLADE_ADDRESS_FIELDS>, o: CallOptions = {}) {
    checkSlot(slot);
    return await writeSection(this.hub, BLADE, v, { bladename: `Slot${slot}` }, o);
  }
  /** A switch module's management address. */
  async switchAddress(
    name: string,
    o: CallOptions = {},
  ): Promise<Model<typeof SWITCH_ADDRESS_FIELDS>> {
    return await readSection(this.hub, SWI, { bladename: swiName(name) }, o);
  }
  /** Changes a switch module's management address (read back). */
  async setSwitchAddress(
    name: string,
    v: Input<typeof SWITCH_ADDRESS_FIELDS>,
    o: CallOptions = {},
  ) {
    return await writeSection(this.hub, SWI, v, { bladename: swiName(name) }, o);
  }
}

/**
 * The network-settings module of a chassis (cached per chassis).
 *
 * @example
 * console.log(await network(chassis).mmAddresses());
 */
export const network: (chassis: Chassis) => NetworkModule = perChassis((_c, hub) =>
  new NetworkModule(hub)
);
