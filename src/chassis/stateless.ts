/**
 * Stateless computing (HMM menu "Stateless Computing"): compute profiles (policy templates), the
 * MAC pool, the UUID pool, and node assignment (which profile a slot gets).
 *
 * Transport: HMM web API `computerhandler.php` (list `query_policytemplate_list2` and
 * `query_nodepool_list` are [live] request shapes, hmm-web-api.md §4.7; the write verbs were
 * never captured: shapes per docs/simulator.md H.4). No Redfish equivalent exists on the HMM.
 *
 * A profile may be bound to an empty slot (stateless computing applies it when a blade is
 * inserted): Vessel does not refuse that itself; the device's answer decides.
 *
 * @example
 * const s = stateless(chassis);
 * await s.createProfile({ name: "web", bootMode: "UEFI", bootOrder: ["Pxe", "Hdd"], vlans: ["10"] });
 * await s.assign(3, "web");
 */
import type { CallOptions } from "../drivers/deadline.ts";
import type { Chassis } from "./chassis.ts";
import { checkSlot, type DeviceHub, perChassis } from "./hub.ts";
import {
  type CollectionDef,
  createRecord,
  deleteRecord,
  type Fields,
  getRecord,
  type Input,
  listCollection,
  type Model,
  modelSchema,
  readSection,
  type SectionDef,
  updateRecord,
  writeSection,
} from "./webform.ts";

/** A compute profile. */
export const PROFILE_FIELDS = {
  name: { wire: "name", kind: "string", describe: "Profile name (key)" },
  description: { wire: "description", kind: "string", describe: "Free text" },
  bootMode: {
    wire: "bootmode",
    kind: "string",
    values: ["Legacy", "UEFI"],
    describe: "Legacy or UEFI",
  },
  bootOrder: { wire: "bootorder", kind: "list", describe: "Boot devices in order, e.g. Pxe, Hdd" },
  macSource: {
    wire: "macsource",
    kind: "string",
    describe: "Where MACs come from: pool or factory",
  },
  uuidSource: {
    wire: "uuidsource",
    kind: "string",
    describe: "Where the UUID comes from: pool or factory",
  },
  nics: { wire: "nics", kind: "int", min: 0, max: 64, describe: "Number of NICs" },
  vlans: { wire: "vlans", kind: "list", describe: "VLAN ids carried by the profile's NICs" },
} as const satisfies Fields;

/** MAC pool. */
export const MAC_POOL_FIELDS = {
  startMac: {
    wire: "startmac",
    kind: "string",
    describe: "First MAC of the pool (xx:xx:xx:xx:xx:xx)",
  },
  count: { wire: "count", kind: "int", min: 0, describe: "Number of addresses" },
} as const satisfies Fields;

/** UUID pool. */
export const UUID_POOL_FIELDS = {
  startUuid: { wire: "startuuid", kind: "string", describe: "First UUID of the pool" },
  count: { wire: "count", kind: "int", min: 0, describe: "Number of UUIDs" },
} as const satisfies Fields;

/** A node assignment. */
export const NODE_FIELDS = {
  slot: { wire: "bladename", kind: "string", describe: "Slot as the HMM names it, Slot<N> (key)" },
  profile: { wire: "template", kind: "string", describe: "Assigned profile name" },
} as const satisfies Fields;

/** Zod models. */
export const ProfileSchema = modelSchema(PROFILE_FIELDS);
/** MAC pool model. */
export const MacPoolSchema = modelSchema(MAC_POOL_FIELDS);
/** UUID pool model. */
export const UuidPoolSchema = modelSchema(UUID_POOL_FIELDS);
/** Node assignment model. */
export const NodeSchema = modelSchema(NODE_FIELDS);

const PROFILES: CollectionDef<typeof PROFILE_FIELDS> = {
  what: "compute profile",
  handler: "computerhandler.php",
  list: "query_policytemplate_list2",
  paged: true,
  add: "add_policytemplate",
  modify: "modify_policytemplate",
  del: "delete_policytemplate",
  element: "template",
  key: "name",
  fields: PROFILE_FIELDS,
};
const NODES: CollectionDef<typeof NODE_FIELDS> = {
  what: "node assignment",
  handler: "computerhandler.php",
  list: "query_nodepool_list",
  paged: true,
  add: "assign_node",
  modify: "modify_node",
  del: "unassign_node",
  element: "node",
  key: "slot",
  fields: NODE_FIELDS,
};
const MAC: SectionDef<typeof MAC_POOL_FIELDS> = {
  what: "MAC pool",
  handler: "computerhandler.php",
  get: "get_macpool",
  set: "set_macpool",
  element: "macpool",
  fields: MAC_POOL_FIELDS,
};
const UUID: SectionDef<typeof UUID_POOL_FIELDS> = {
  what: "UUID pool",
  handler: "computerhandler.php",
  get: "get_uuidpool",
  set: "set_uuidpool",
  element: "uuidpool",
  fields: UUID_POOL_FIELDS,
};

/** Stateless computing of one chassis. */
export class StatelessModule {
  readonly hub: DeviceHub;
  constructor(hub: DeviceHub) {
    this.hub = hub;
  }
  /** All compute profiles. */
  profiles(o: CallOptions = {}): Promise<Model<typeof PROFILE_FIELDS>[]> {
    return listCollection(this.hub, PROFILES, o);
  }
  /** One profile, or undefined. */
  profile(name: string, o: CallOptions = {}) {
    return getRecord(this.hub, PROFILES, name, o);
  }
  /** Creates a profile (read back). */
  createProfile(v: Input<typeof PROFILE_FIELDS> & { name: string }, o: CallOptions = {}) {
    return createRecord(this.hub, PROFILES, v, o);
  }
  /** Changes a profile (read back). */
  updateProfile(name: string, patch: Input<typeof PROFILE_FIELDS>, o: CallOptions = {}) {
    return updateRecord(this.hub, PROFILES, name, patch, o);
  }
  /** Deletes a profile (the HMM refuses while it is assigned). */
  deleteProfile(name: string, o: CallOptions & { missingOk?: boolean } = {}) {
    return deleteRecord(this.hub, PROFILES, name, o);
  }
  /** The MAC pool. */
  macPool(o: CallOptions = {}) {
    return readSection(this.hub, MAC, {}, o);
  }
  /** Sets the MAC pool (read back). */
  setMacPool(v: Input<typeof MAC_POOL_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, MAC, v, {}, o);
  }
  /** The UUID pool. */
  uuidPool(o: CallOptions = {}) {
    return readSection(this.hub, UUID, {}, o);
  }
  /** Sets the UUID pool (read back). */
  setUuidPool(v: Input<typeof UUID_POOL_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, UUID, v, {}, o);
  }
  /** Node assignments (slot → profile). */
  nodes(o: CallOptions = {}): Promise<Model<typeof NODE_FIELDS>[]> {
    return listCollection(this.hub, NODES, o);
  }
  /** Assigns (or re-assigns) a profile to a slot; `slot` is explicit (1–16). */
  async assign(slot: number, profile: string, o: CallOptions = {}) {
    checkSlot(slot);
    const key = `Slot${slot}`;
    const cur = await getRecord(this.hub, NODES, key, o);
    return cur
      ? await updateRecord(this.hub, NODES, key, { profile }, o)
      : await createRecord(this.hub, NODES, { slot: key, profile }, o);
  }
  /** Removes the assignment of a slot. */
  async unassign(slot: number, o: CallOptions & { missingOk?: boolean } = {}) {
    checkSlot(slot);
    return await deleteRecord(this.hub, NODES, `Slot${slot}`, o);
  }
}

/**
 * The stateless-computing module of a chassis (cached per chassis).
 *
 * @example
 * const list = await stateless(chassis).profiles();
 */
export const stateless: (chassis: Chassis) => StatelessModule = perChassis((_c, hub) =>
  new StatelessModule(hub)
);
