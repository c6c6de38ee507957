/**
 * `vessel_mgmt_network`: the management address of the management modules (`target = "mm"`), a
 * blade's iBMC (`"blade3"`) or a switch module (`"swi2"`), through the SDK's network module.
 * Settings left out are not managed; removing the block releases it (the address stays).
 *
 * @example HCL
 * resource "vessel_mgmt_network" "ibmc" {
 *   for_each   = toset(["1", "2", "3"])
 *   target     = "blade${each.key}"
 *   mode       = "static"
 *   ip_address = cidrhost("10.10.0.0/24", 100 + tonumber(each.key))
 *   netmask    = "255.255.255.0"
 *   gateway    = "10.10.0.1"
 * }
 */
import { z } from "zod";
import type { ResourceContext, ResourceDefinition } from "../../engine/types.ts";
import { ValidationError } from "../../errors.ts";
import { network } from "../../chassis/network.ts";

type Attrs = Record<string, unknown>;

const ipv4 = z.string().regex(
  /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/,
  "must be an IPv4 address such as 10.0.0.5",
);

/** `vessel_mgmt_network` attributes. */
export const MgmtNetworkModel = z.strictObject({
  target: z.string().regex(
    /^(mm|blade([1-9]|1[0-6])|swi[1-4])$/,
    "target must be mm, blade1-blade16 or swi1-swi4",
  ).describe("Whose address: mm (management modules), blade<N> (its iBMC) or swi<N>"),
  mode: z.enum(["static", "dhcp"]).optional().describe("static or dhcp"),
  ip_address: ipv4.optional().describe("Address of a blade's iBMC or a switch module"),
  floating_ip: ipv4.optional().describe("mm: floating address of the active management module"),
  hmm1_ip: ipv4.optional().describe("mm: HMM1's own address"),
  hmm2_ip: ipv4.optional().describe("mm: HMM2's own address"),
  netmask: ipv4.optional().describe("Netmask"),
  gateway: ipv4.optional().describe("Default gateway"),
  vlan: z.number().int().min(0).max(4094).optional().describe(
    "blade: management VLAN (0 = none)",
  ),
}).superRefine((d, ctx) => {
  const kind = d.target.startsWith("blade") ? "blade" : d.target.startsWith("swi") ? "swi" : "mm";
  const allowed: Record<string, string[]> = {
    mm: ["floating_ip", "hmm1_ip", "hmm2_ip"],
    blade: ["ip_address", "vlan"],
    swi: ["ip_address"],
  };
  for (const k of ["ip_address", "floating_ip", "hmm1_ip", "hmm2_ip", "vlan"] as const) {
    if (d[k] !== undefined && !allowed[kind].includes(k)) {
      ctx.addIssue({
        code: "custom",
        path: [k],
        message: `${k} does not apply to target ${d.target} (it takes ${allowed[kind].join(", ")})`,
      });
    }
  }
});

/** Desired and observed shape. */
export type MgmtNetworkAttributes = z.infer<typeof MgmtNetworkModel>;

const TO_SDK: Record<string, string> = {
  mode: "mode",
  ip_address: "ipaddr",
  floating_ip: "floatingIp",
  hmm1_ip: "hmm1Ip",
  hmm2_ip: "hmm2Ip",
  netmask: "netmask",
  gateway: "gateway",
  vlan: "vlan",
};

function fromSdk(target: string, m: Attrs): Attrs {
  const out: Attrs = { target };
  for (const [a, k] of Object.entries(TO_SDK)) if (m[k] !== undefined && m[k] !== "") out[a] = m[k];
  return out;
}

function toSdk(d: Attrs): Attrs {
  const out: Attrs = {};
  for (const [a, k] of Object.entries(TO_SDK)) if (d[a] !== undefined) out[k] = d[a];
  return out;
}

function parseTarget(id: string): Attrs {
  if (!/^(mm|blade([1-9]|1[0-6])|swi[1-4])$/.test(id)) {
    throw new ValidationError(`Invalid vessel_mgmt_network id "${id}"`, {
      field: "id",
      hint: "Use mm, blade<N> or swi<N>",
    });
  }
  return { target: id };
}

async function read(ctx: ResourceContext, target: string): Promise<Attrs> {
  const n = network(ctx.chassis);
  const o = { signal: ctx.signal };
  if (target === "mm") return await n.mmAddresses(o) as Attrs;
  if (target.startsWith("blade")) return await n.bladeAddress(Number(target.slice(5)), o) as Attrs;
  return await n.switchAddress(target, o) as Attrs;
}

async function write(ctx: ResourceContext, d: Attrs): Promise<Attrs> {
  const n = network(ctx.chassis);
  const o = { signal: ctx.signal };
  const t = String(d.target);
  const v = toSdk(d);
  const got = t === "mm"
    ? await n.setMmAddresses(v, o)
    : t.startsWith("blade")
    ? await n.setBladeAddress(Number(t.slice(5)), v, o)
    : await n.setSwitchAddress(t, v, o);
  return fromSdk(t, got as Attrs);
}

/** The `vessel_mgmt_network` resource definition. */
export const mgmtNetworkResource: ResourceDefinition = {
  type: "vessel_mgmt_network",
  description: "Management address of the management modules, a blade's iBMC or a switch module",
  schema: MgmtNetworkModel as unknown as z.ZodType<Attrs>,
  requiresReplace: ["target"],
  keepWhenUnset: Object.keys(TO_SDK),
  id: (d) => String(d.target),
  scopes: (d) => {
    const t = String(d.target);
    return [t === "mm" ? "hmm" : t.startsWith("blade") ? `ibmc:${t}` : `switch:${t}`];
  },
  disruption(action, desired, prior) {
    if (action !== "update" || !prior || !desired) return undefined;
    const moved = [
      "ip_address",
      "floating_ip",
      "hmm1_ip",
      "hmm2_ip",
      "netmask",
      "gateway",
      "mode",
      "vlan",
    ]
      .filter((k) => desired[k] !== undefined && desired[k] !== prior[k]);
    if (moved.length === 0) return undefined;
    const t = String(desired.target);
    if (t === "mm") {
      return {
        kind: "management_loss",
        summary:
          "the management modules move: Vessel and every client must reconnect to the new address",
        expectedSeconds: 30,
      };
    }
    return {
      kind: t.startsWith("blade") ? "console_drop" : "management_loss",
      summary: `${t}'s management address changes: open consoles and sessions to it drop`,
      expectedSeconds: 10,
    };
  },
  async read(ctx, id) {
    const { target } = parseTarget(id);
    return fromSdk(String(target), await read(ctx, String(target)));
  },
  create: write,
  update: write,
  releaseOnDelete: true,
  delete: () => Promise.resolve(),
  parseId: parseTarget,
};
