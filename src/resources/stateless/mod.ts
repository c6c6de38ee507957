/**
 * Stateless computing as resources, through the SDK's stateless module: `vessel_compute_profile`
 * (a policy template), `vessel_mac_pool` and `vessel_uuid_pool` (one pool of each per chassis).
 * Binding a profile to a slot is `compute_profile` of `vessel_blade`.
 *
 * @example HCL
 * resource "vessel_mac_pool" "k8s" {
 *   start_mac = "28:6E:D4:88:C6:00"
 *   size      = 256
 * }
 * resource "vessel_compute_profile" "k8s_worker" {
 *   name       = "k8s-worker"
 *   boot_mode  = "UEFI"
 *   boot_order = ["Pxe", "Hdd"]
 *   mac_source = "pool"
 *   depends_on = [vessel_mac_pool.k8s]
 * }
 */
import {
  MAC_POOL_FIELDS,
  PROFILE_FIELDS,
  stateless,
  UUID_POOL_FIELDS,
} from "../../chassis/stateless.ts";
import { collectionResource, singletonResource } from "../webform.ts";
import type { ResourceDefinition } from "../../engine/types.ts";

type Attrs = Record<string, unknown>;

/** `vessel_compute_profile`. */
export const computeProfileResource: ResourceDefinition = collectionResource({
  type: "vessel_compute_profile",
  description:
    "A compute profile (policy template): boot mode and order, MAC/UUID source, NICs, VLANs",
  fields: PROFILE_FIELDS,
  key: "name",
  list: (ctx) => stateless(ctx.chassis).profiles({ signal: ctx.signal }) as Promise<Attrs[]>,
  create: (ctx, v) =>
    stateless(ctx.chassis).createProfile(v as { name: string }, { signal: ctx.signal }) as Promise<
      Attrs
    >,
  update: (ctx, key, patch) =>
    stateless(ctx.chassis).updateProfile(key, patch, { signal: ctx.signal }) as Promise<Attrs>,
  delete: (ctx, key) =>
    stateless(ctx.chassis).deleteProfile(key, { signal: ctx.signal, missingOk: true }),
  disruption(action, _desired, prior) {
    if (action === "update" || action === "replace") {
      return {
        kind: "blade_reboot",
        summary: `blades bound to profile ${prior?.name ?? ""} reboot to take the changed identity`,
        expectedSeconds: 300,
      };
    }
    return undefined;
  },
});

/** `vessel_mac_pool` (one per chassis; id `mac_pool`). */
export const macPoolResource: ResourceDefinition = singletonResource({
  type: "vessel_mac_pool",
  description: "The chassis MAC pool compute profiles draw from (one per chassis)",
  fields: MAC_POOL_FIELDS,
  renames: { count: "size" },
  id: "mac_pool",
  read: (ctx) => stateless(ctx.chassis).macPool({ signal: ctx.signal }) as Promise<Attrs>,
  write: (ctx, v) => stateless(ctx.chassis).setMacPool(v, { signal: ctx.signal }) as Promise<Attrs>,
  disruption: poolChange,
});

/** `vessel_uuid_pool` (one per chassis; id `uuid_pool`). */
export const uuidPoolResource: ResourceDefinition = singletonResource({
  type: "vessel_uuid_pool",
  description: "The chassis UUID pool compute profiles draw from (one per chassis)",
  fields: UUID_POOL_FIELDS,
  renames: { count: "size" },
  id: "uuid_pool",
  read: (ctx) => stateless(ctx.chassis).uuidPool({ signal: ctx.signal }) as Promise<Attrs>,
  write: (ctx, v) =>
    stateless(ctx.chassis).setUuidPool(v, { signal: ctx.signal }) as Promise<Attrs>,
  disruption: poolChange,
});

function poolChange(action: string, desired?: Attrs, prior?: Attrs) {
  if (action === "update" && prior && desired) {
    return {
      kind: "none" as const,
      summary: "blades already holding addresses keep them; new assignments use the new range",
    };
  }
  return undefined;
}
