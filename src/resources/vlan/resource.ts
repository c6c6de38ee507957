/**
 * `vessel_vlan`: a VLAN on a CX310 switch module, through the switch SDK.
 *
 * @example HCL
 * resource "vessel_vlan" "prod" {
 *   switch  = "swi2"
 *   vlan_id = 100
 *   name    = "prod"
 * }
 */
import type { ResourceContext, ResourceDefinition } from "../../engine/types.ts";
import { ValidationError } from "../../errors.ts";
import { type VlanAttributes, VlanModel } from "./model.ts";

interface VlanLike {
  id: number;
  name?: string;
  description?: string;
}

function sw(ctx: ResourceContext, name: string) {
  return ctx.chassis.switch(name);
}

function toAttributes(swName: string, v: VlanLike): VlanAttributes {
  const out: VlanAttributes = { switch: swName as VlanAttributes["switch"], vlan_id: v.id };
  if (v.name) out.name = v.name;
  if (v.description) out.description = v.description;
  return out;
}

/** `swi2/100` → `{ switch: "swi2", vlan_id: 100 }`. */
export function parseVlanId(id: string): Pick<VlanAttributes, "switch" | "vlan_id"> {
  const m = id.match(/^(swi[1-4])\/(\d{1,4})$/);
  if (!m) {
    throw new ValidationError(`Invalid vessel_vlan id "${id}"`, {
      field: "id",
      hint: "Use <switch>/<vlan id>, for example swi2/100",
    });
  }
  return { switch: m[1] as VlanAttributes["switch"], vlan_id: Number(m[2]) };
}

/** The `vessel_vlan` resource definition. */
export const vlanResource: ResourceDefinition<VlanAttributes> & {
  canDelete(a: VlanAttributes): string | undefined;
} = {
  type: "vessel_vlan",
  description: "A VLAN on a CX310 switch module",
  schema: VlanModel,
  requiresReplace: ["switch", "vlan_id"],
  id: (d) => `${d.switch}/${d.vlan_id}`,
  scopes: (d) => [`switch:${d.switch}`],
  disruption(action, desired, prior) {
    if (action === "delete" || action === "replace") {
      const v = prior ?? desired;
      return `traffic on VLAN ${v?.vlan_id} of ${v?.switch} stops; ports lose their membership`;
    }
    return undefined;
  },
  canDelete(a) {
    return a.vlan_id === 1 ? "VLAN 1 is the default VLAN and cannot be deleted" : undefined;
  },
  async read(ctx, id) {
    const { switch: s, vlan_id } = parseVlanId(id);
    // During a plan every VLAN of a switch shares one configuration read (the memo); apply reads
    // fresh. Names and descriptions live in the configuration: no `display vlan` needed.
    const v: VlanLike | undefined = ctx.memo
      ? (await ctx.memo(
        `vlans:${s}`,
        () => sw(ctx, s).listVlans({ ports: false }) as Promise<VlanLike[]>,
      )).find((x) => x.id === vlan_id)
      : await sw(ctx, s).getVlan(vlan_id, { ports: false });
    return v ? toAttributes(s, v) : undefined;
  },
  async create(ctx, d) {
    const v: VlanLike = await sw(ctx, d.switch).createVlan({
      id: d.vlan_id,
      name: d.name,
      description: d.description,
    });
    return toAttributes(d.switch, v);
  },
  async update(ctx, d, prior) {
    const patch: { name?: string | null; description?: string | null } = {};
    if ((d.name ?? null) !== (prior.name ?? null)) patch.name = d.name ?? null;
    if ((d.description ?? null) !== (prior.description ?? null)) {
      patch.description = d.description ?? null;
    }
    const v: VlanLike = await sw(ctx, d.switch).updateVlan(d.vlan_id, patch);
    return toAttributes(d.switch, v);
  },
  async delete(ctx, prior) {
    const reason = this.canDelete(prior);
    if (reason) throw new ValidationError(reason, { field: "vlan_id" });
    await sw(ctx, prior.switch).deleteVlan(prior.vlan_id);
  },
  parseId: parseVlanId,
};
