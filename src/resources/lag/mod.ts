/**
 * `vessel_lag`: an Eth-Trunk (link aggregation) on a CX310 switch module and its member ports,
 * through the switch ports SDK. Its L2 settings are a `vessel_switch_port` on `Eth-Trunk<N>`.
 *
 * @example HCL
 * resource "vessel_lag" "uplink" {
 *   switch  = "swi2"
 *   lag_id  = 1
 *   mode    = "lacp-static"
 *   members = ["10GE2/17/1", "10GE2/17/2"]
 * }
 */
import { z } from "zod";
import type { ResourceContext, ResourceDefinition } from "../../engine/types.ts";
import { ValidationError } from "../../errors.ts";
import { type Lag, switchPorts } from "../../chassis/switch_ports.ts";
import { SWITCH_NAMES } from "../vlan/model.ts";

/** `vessel_lag` attributes. */
export const LagModel = z.strictObject({
  switch: z.enum(SWITCH_NAMES).describe("Switch module: swi1, swi2, swi3 or swi4"),
  lag_id: z.number().int().min(0, "lag_id must be 0-1024").max(1024, "lag_id must be 0-1024")
    .describe("Eth-Trunk number; changing it replaces the LAG"),
  mode: z.enum(["manual", "lacp-static"]).default("manual")
    .describe("manual load balancing or static LACP; changing it replaces the LAG"),
  members: z.array(
    z.string().regex(
      /^(?:\d*[A-Za-z][A-Za-z-]*)\d+(?:\/\d+){0,3}$/,
      "members must be interface names such as 10GE2/17/1",
    ),
  ).default([]).describe("Member ports (exact list; members need default L2 settings)"),
});

/** Desired and observed shape of one LAG. */
export type LagAttributes = z.infer<typeof LagModel>;

function toAttributes(sw: string, l: Lag): LagAttributes {
  return {
    switch: sw as LagAttributes["switch"],
    lag_id: l.id,
    mode: l.mode,
    members: [...l.members].sort(),
  };
}

/** `swi2/Eth-Trunk1` → switch and id. */
export function parseLagId(id: string): Pick<LagAttributes, "switch" | "lag_id"> {
  const m = id.match(/^(swi[1-4])\/(?:Eth-Trunk)?(\d{1,4})$/i);
  if (!m) {
    throw new ValidationError(`Invalid vessel_lag id "${id}"`, {
      field: "id",
      hint: "Use <switch>/Eth-Trunk<N>, for example swi2/Eth-Trunk1",
    });
  }
  return { switch: m[1].toLowerCase() as LagAttributes["switch"], lag_id: Number(m[2]) };
}

async function readLag(ctx: ResourceContext, sw: string, id: number) {
  const p = switchPorts(ctx.chassis, sw);
  const all: Lag[] = ctx.memo
    ? await ctx.memo(`lags:${sw}`, () => p.lags({ signal: ctx.signal }))
    : await p.lags({ signal: ctx.signal });
  return all.find((l) => l.id === id);
}

/** The `vessel_lag` resource definition. */
export const lagResource: ResourceDefinition<LagAttributes> = {
  type: "vessel_lag",
  description: "An Eth-Trunk (link aggregation) on a CX310 switch module and its members",
  schema: LagModel as unknown as z.ZodType<LagAttributes>,
  requiresReplace: ["switch", "lag_id", "mode"],
  id: (d) => `${d.switch}/Eth-Trunk${d.lag_id}`,
  scopes: (d) => [`switch:${d.switch}`],
  normalize(desired, live) {
    const lc = new Map(live.members.map((m) => [m.toLowerCase(), m]));
    const members = desired.members.map((m) => lc.has(m.toLowerCase()) ? m : undefined);
    return {
      ...live,
      members: members.every(Boolean) && members.length === live.members.length
        ? [...desired.members].sort()
        : live.members,
    };
  },
  disruption(action, desired, prior) {
    const name = `Eth-Trunk${(desired ?? prior)?.lag_id} on ${(desired ?? prior)?.switch}`;
    if (action === "delete" || action === "replace") {
      return {
        kind: "link_flap",
        summary: `${name} goes away: traffic over it stops until it is rebuilt`,
        expectedSeconds: action === "replace" ? 5 : undefined,
      };
    }
    if (action === "update" && prior) {
      const removed = prior.members.filter((m) => !(desired?.members ?? []).includes(m));
      if (removed.length) {
        return {
          kind: "link_flap",
          summary: `${
            removed.join(", ")
          } leave ${name}: their links flap and the LAG loses bandwidth`,
          expectedSeconds: 3,
        };
      }
    }
    return undefined;
  },
  async read(ctx, id) {
    const { switch: sw, lag_id } = parseLagId(id);
    const l = await readLag(ctx, sw, lag_id);
    return l ? toAttributes(sw, l) : undefined;
  },
  async create(ctx, d) {
    const l = await switchPorts(ctx.chassis, d.switch).createLag(d.lag_id, {
      mode: d.mode,
      members: d.members,
    }, { signal: ctx.signal });
    return toAttributes(d.switch, l);
  },
  async update(ctx, d) {
    const l = await switchPorts(ctx.chassis, d.switch).setLagMembers(d.lag_id, d.members, {
      signal: ctx.signal,
    });
    return toAttributes(d.switch, l);
  },
  async delete(ctx, prior) {
    await switchPorts(ctx.chassis, prior.switch).deleteLag(prior.lag_id, {
      signal: ctx.signal,
      missingOk: true,
    });
  },
  parseId: parseLagId,
};
