/**
 * easyLink as resources, through the SDK's easyLink module: `vessel_vnic_profile` (NIC/vNIC
 * profiles) and `vessel_switch_profile` (switch profiles: VLANs, uplinks, LACP).
 *
 * @example HCL
 * resource "vessel_vnic_profile" "data" {
 *   name  = "k8s-data"
 *   vnics = 2
 *   vlans = [100, 200]
 * }
 */
import { easylink, NIC_PROFILE_FIELDS, SWITCH_PROFILE_FIELDS } from "../../chassis/easylink.ts";
import { collectionResource } from "../webform.ts";
import type { ResourceDefinition } from "../../engine/types.ts";

type Attrs = Record<string, unknown>;

/** `vessel_vnic_profile`. */
export const vnicProfileResource: ResourceDefinition = collectionResource({
  type: "vessel_vnic_profile",
  description: "A NIC/vNIC profile: number of vNICs, VLANs, bandwidth share, PXE",
  fields: NIC_PROFILE_FIELDS,
  key: "name",
  list: (ctx) => easylink(ctx.chassis).nicProfiles({ signal: ctx.signal }) as Promise<Attrs[]>,
  create: (ctx, v) =>
    easylink(ctx.chassis).createNicProfile(v as { name: string }, {
      signal: ctx.signal,
    }) as Promise<Attrs>,
  update: (ctx, key, patch) =>
    easylink(ctx.chassis).updateNicProfile(key, patch, { signal: ctx.signal }) as Promise<Attrs>,
  delete: (ctx, key) =>
    easylink(ctx.chassis).deleteNicProfile(key, { signal: ctx.signal, missingOk: true }),
  disruption(action, desired, prior) {
    if (action === "update" && prior) {
      const lost = ((prior.vlans as string[]) ?? []).filter((v) =>
        !((desired?.vlans as string[]) ?? []).includes(v)
      );
      if (lost.length) {
        return {
          kind: "traffic_loss",
          summary: `vNICs of profile ${prior.name} stop carrying VLAN ${lost.join(", ")}`,
        };
      }
    }
    return undefined;
  },
});

/** `vessel_switch_profile`. */
export const switchProfileResource: ResourceDefinition = collectionResource({
  type: "vessel_switch_profile",
  description: "An easyLink switch profile: VLANs, uplink ports and LACP of a switch module",
  fields: SWITCH_PROFILE_FIELDS,
  key: "name",
  requiresReplace: ["switch"],
  scopes: (d) => [typeof d.switch === "string" ? `switch:${d.switch.toLowerCase()}` : "hmm"],
  list: (ctx) => easylink(ctx.chassis).switchProfiles({ signal: ctx.signal }) as Promise<Attrs[]>,
  create: (ctx, v) =>
    easylink(ctx.chassis).createSwitchProfile(v as { name: string }, {
      signal: ctx.signal,
    }) as Promise<Attrs>,
  update: (ctx, key, patch) =>
    easylink(ctx.chassis).updateSwitchProfile(key, patch, { signal: ctx.signal }) as Promise<Attrs>,
  delete: (ctx, key) =>
    easylink(ctx.chassis).deleteSwitchProfile(key, { signal: ctx.signal, missingOk: true }),
  disruption(action, desired, prior) {
    const sw = (desired?.switch ?? prior?.switch) as string | undefined;
    if (
      action === "update" && prior && desired?.lacp !== undefined && desired.lacp !== prior.lacp
    ) {
      return {
        kind: "link_flap",
        summary: `uplinks of ${sw} re-form their aggregation (LACP ${desired.lacp ? "on" : "off"})`,
        expectedSeconds: 5,
      };
    }
    if (action === "delete" || action === "replace") {
      return {
        kind: "traffic_loss",
        summary: `${sw} loses the VLANs and uplinks of profile ${prior?.name}`,
      };
    }
    return undefined;
  },
});
