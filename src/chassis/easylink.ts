/**
 * easyLink (HMM menu "easyLink"): settings, switch profiles, NIC/vNIC profiles.
 *
 * Transport: HMM web API `easylinkhandler.php` (write verbs never captured upstream; shapes per
 * docs/simulator.md H.4). No Redfish equivalent on the HMM.
 *
 * @example
 * const e = easylink(chassis);
 * await e.createSwitchProfile({ name: "uplinks", switch: "Swi2", vlans: ["10"], uplinkPorts: ["10GE2/17/2"], lacp: true });
 */
import type { CallOptions } from "../drivers/deadline.ts";
import type { Chassis } from "./chassis.ts";
import { type DeviceHub, perChassis } from "./hub.ts";
import {
  type CollectionDef,
  createRecord,
  deleteRecord,
  type Fields,
  type Input,
  listCollection,
  modelSchema,
  readSection,
  type SectionDef,
  updateRecord,
  writeSection,
} from "./webform.ts";

/** easyLink settings. */
export const EASYLINK_FIELDS = {
  enabled: { wire: "enabled", kind: "bool", describe: "easyLink on" },
  mode: { wire: "mode", kind: "string", describe: "Configuration mode, e.g. manual or auto" },
  uplinkMode: { wire: "uplinkmode", kind: "string", describe: "Uplink aggregation mode" },
} as const satisfies Fields;

/** A switch profile. */
export const SWITCH_PROFILE_FIELDS = {
  name: { wire: "name", kind: "string", describe: "Profile name (key)" },
  switch: {
    wire: "bladename",
    kind: "string",
    describe: "Switch slot as the HMM names it, Swi<N>",
  },
  vlans: { wire: "vlans", kind: "list", describe: "VLAN ids" },
  uplinkPorts: { wire: "uplinkports", kind: "list", describe: "Uplink ports, e.g. 10GE2/17/2" },
  lacp: { wire: "lacp", kind: "bool", describe: "Aggregate the uplinks with LACP" },
} as const satisfies Fields;

/** A NIC / vNIC profile. */
export const NIC_PROFILE_FIELDS = {
  name: { wire: "name", kind: "string", describe: "Profile name (key)" },
  vnics: { wire: "vnics", kind: "int", min: 0, max: 64, describe: "Number of vNICs" },
  vlans: { wire: "vlans", kind: "list", describe: "VLAN ids" },
  bandwidth: {
    wire: "bandwidth",
    kind: "int",
    min: 0,
    max: 100,
    describe: "Bandwidth share, percent",
  },
  pxe: { wire: "pxe", kind: "bool", describe: "PXE boot enabled on the first vNIC" },
} as const satisfies Fields;

/** Zod models. */
export const EasylinkSettingsSchema = modelSchema(EASYLINK_FIELDS);
/** Switch profile model. */
export const SwitchProfileSchema = modelSchema(SWITCH_PROFILE_FIELDS);
/** NIC profile model. */
export const NicProfileSchema = modelSchema(NIC_PROFILE_FIELDS);

const SETTINGS: SectionDef<typeof EASYLINK_FIELDS> = {
  what: "easyLink settings",
  handler: "easylinkhandler.php",
  get: "getsetting",
  set: "setsetting",
  element: "easylink",
  fields: EASYLINK_FIELDS,
};
const SWP: CollectionDef<typeof SWITCH_PROFILE_FIELDS> = {
  what: "switch profile",
  handler: "easylinkhandler.php",
  list: "list_switchprofile",
  add: "add_switchprofile",
  modify: "modify_switchprofile",
  del: "delete_switchprofile",
  element: "switchprofile",
  key: "name",
  fields: SWITCH_PROFILE_FIELDS,
};
const NICP: CollectionDef<typeof NIC_PROFILE_FIELDS> = {
  what: "NIC profile",
  handler: "easylinkhandler.php",
  list: "list_nicprofile",
  add: "add_nicprofile",
  modify: "modify_nicprofile",
  del: "delete_nicprofile",
  element: "nicprofile",
  key: "name",
  fields: NIC_PROFILE_FIELDS,
};

/** easyLink of one chassis. */
export class EasylinkModule {
  readonly hub: DeviceHub;
  constructor(hub: DeviceHub) {
    this.hub = hub;
  }
  /** easyLink settings. */
  settings(o: CallOptions = {}) {
    return readSection(this.hub, SETTINGS, {}, o);
  }
  /** Changes easyLink settings (read back). */
  setSettings(v: Input<typeof EASYLINK_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, SETTINGS, v, {}, o);
  }
  /** Switch profiles. */
  switchProfiles(o: CallOptions = {}) {
    return listCollection(this.hub, SWP, o);
  }
  /** Creates a switch profile. */
  createSwitchProfile(
    v: Input<typeof SWITCH_PROFILE_FIELDS> & { name: string },
    o: CallOptions = {},
  ) {
    return createRecord(this.hub, SWP, v, o);
  }
  /** Changes a switch profile. */
  updateSwitchProfile(
    name: string,
    patch: Input<typeof SWITCH_PROFILE_FIELDS>,
    o: CallOptions = {},
  ) {
    return updateRecord(this.hub, SWP, name, patch, o);
  }
  /** Deletes a switch profile. */
  deleteSwitchProfile(name: string, o: CallOptions & { missingOk?: boolean } = {}) {
    return deleteRecord(this.hub, SWP, name, o);
  }
  /** NIC/vNIC profiles. */
  nicProfiles(o: CallOptions = {}) {
    return listCollection(this.hub, NICP, o);
  }
  /** Creates a NIC profile. */
  createNicProfile(v: Input<typeof NIC_PROFILE_FIELDS> & { name: string }, o: CallOptions = {}) {
    return createRecord(this.hub, NICP, v, o);
  }
  /** Changes a NIC profile. */
  updateNicProfile(name: string, patch: Input<typeof NIC_PROFILE_FIELDS>, o: CallOptions = {}) {
    return updateRecord(this.hub, NICP, name, patch, o);
  }
  /** Deletes a NIC profile. */
  deleteNicProfile(name: string, o: CallOptions & { missingOk?: boolean } = {}) {
    return deleteRecord(this.hub, NICP, name, o);
  }
}

/**
 * The easyLink module of a chassis (cached per chassis).
 *
 * @example
 * console.log(await easylink(chassis).settings());
 */
export const easylink: (chassis: Chassis) => EasylinkModule = perChassis((_c, hub) =>
  new EasylinkModule(hub)
);
