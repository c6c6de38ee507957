/**
 * `vessel_switch_port`: the L2 settings of one CX310 port or Eth-Trunk (link type, VLANs,
 * description, admin state), through the switch ports SDK. Settings left out of the block are
 * not managed. Removing the block releases the port: its settings stay as they are.
 *
 * @example HCL
 * resource "vessel_switch_port" "uplink" {
 *   switch        = "swi2"
 *   interface     = "10GE2/17/1"
 *   mode          = "trunk"
 *   allowed_vlans = [100, 200]
 * }
 */
import { z } from "zod";
import type { ResourceContext, ResourceDefinition } from "../../engine/types.ts";
import { ValidationError } from "../../errors.ts";
import { type Port, type PortSpec, switchPorts } from "../../chassis/switch_ports.ts";
import { SWITCH_NAMES } from "../vlan/model.ts";

const vlanId = z.number().int().min(1, "VLAN ids are 1-4094").max(4094, "VLAN ids are 1-4094");

/** `vessel_switch_port` attributes. */
export const SwitchPortModel = z.strictObject({
  switch: z.enum(SWITCH_NAMES).describe("Switch module: swi1, swi2, swi3 or swi4"),
  interface: z.string().regex(
    /^(?:\d*[A-Za-z][A-Za-z-]*)\d+(?:\/\d+){0,3}$/,
    "interface must be a VRP interface name such as 10GE2/1/1 or Eth-Trunk1",
  ).describe("Interface name as the switch prints it, e.g. 10GE2/1/1 or Eth-Trunk1"),
  mode: z.enum(["access", "trunk", "hybrid"]).optional().describe("Link type"),
  vlan: vlanId.optional().describe("Access VLAN (mode access)"),
  allowed_vlans: z.array(vlanId).optional().describe(
    "VLANs allowed to pass (mode trunk), exact list",
  ),
  pvid: vlanId.optional().describe("Default VLAN of a trunk or hybrid port"),
  tagged_vlans: z.array(vlanId).optional().describe("Tagged VLANs (mode hybrid)"),
  untagged_vlans: z.array(vlanId).optional().describe("Untagged VLANs (mode hybrid)"),
  description: z.string().max(242).optional().describe("Port description (printable, no ?)"),
  enabled: z.boolean().optional().describe("false shuts the port down"),
}).superRefine((d, ctx) => {
  const need = (field: string, mode: string) =>
    ctx.addIssue({ code: "custom", path: [field], message: `${field} needs mode = "${mode}"` });
  if (d.vlan !== undefined && d.mode !== "access") need("vlan", "access");
  if (d.allowed_vlans !== undefined && d.mode !== "trunk") need("allowed_vlans", "trunk");
  if ((d.tagged_vlans ?? d.untagged_vlans) !== undefined && d.mode !== "hybrid") {
    need(d.tagged_vlans !== undefined ? "tagged_vlans" : "untagged_vlans", "hybrid");
  }
  if (d.mode === "access" && d.vlan === undefined) {
    ctx.addIssue({ code: "custom", path: ["vlan"], message: 'mode = "access" needs vlan' });
  }
  if (d.mode === "trunk" && d.allowed_vlans === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["allowed_vlans"],
      message: 'mode = "trunk" needs allowed_vlans',
    });
  }
  // deno-lint-ignore no-control-regex
  if (d.description !== undefined && /[\x00-\x1f\x7f?]/.test(d.description)) {
    ctx.addIssue({
      code: "custom",
      path: ["description"],
      message: 'description must not contain "?" or control characters (CLI injection)',
    });
  }
});

/** Desired and observed shape of one port. */
export type SwitchPortAttributes = z.infer<typeof SwitchPortModel>;

const sorted = (v: number[]) => [...new Set(v)].sort((a, b) => a - b);

function toAttributes(sw: string, p: Port): SwitchPortAttributes {
  const out: SwitchPortAttributes = {
    switch: sw as SwitchPortAttributes["switch"],
    interface: p.name,
    enabled: p.enabled,
  };
  if (p.mode === "access") Object.assign(out, { mode: "access", vlan: p.pvid });
  else if (p.mode === "trunk") {
    Object.assign(out, { mode: "trunk", allowed_vlans: sorted(p.allowedVlans), pvid: p.pvid });
  } else if (p.mode === "hybrid") {
    Object.assign(out, {
      mode: "hybrid",
      tagged_vlans: sorted(p.taggedVlans),
      untagged_vlans: sorted(p.untaggedVlans),
      pvid: p.pvid,
    });
  }
  if (p.description !== undefined) out.description = p.description;
  return out;
}

/** `swi2/10GE2/1/1` → switch and interface. */
export function parsePortId(id: string): Pick<SwitchPortAttributes, "switch" | "interface"> {
  const m = id.match(/^(swi[1-4])\/(.+)$/);
  if (!m) {
    throw new ValidationError(`Invalid vessel_switch_port id "${id}"`, {
      field: "id",
      hint: "Use <switch>/<interface>, for example swi2/10GE2/1/1",
    });
  }
  return { switch: m[1] as SwitchPortAttributes["switch"], interface: m[2] };
}

async function readPort(ctx: ResourceContext, sw: string, name: string) {
  const p = switchPorts(ctx.chassis, sw);
  const all: Port[] = ctx.memo
    ? await ctx.memo(`ports:${sw}`, () => p.ports({ signal: ctx.signal }))
    : await p.ports({ signal: ctx.signal });
  return all.find((x) => x.name.toLowerCase() === name.toLowerCase());
}

function spec(d: SwitchPortAttributes): PortSpec {
  const common = {
    ...(d.description !== undefined ? { description: d.description } : {}),
    ...(d.enabled !== undefined ? { enabled: d.enabled } : {}),
  };
  if (d.mode === "access") return { mode: "access", vlan: d.vlan!, ...common };
  if (d.mode === "trunk") {
    return {
      mode: "trunk",
      allowedVlans: d.allowed_vlans!,
      ...(d.pvid !== undefined ? { pvid: d.pvid } : {}),
      ...common,
    };
  }
  if (d.mode === "hybrid") {
    return {
      mode: "hybrid",
      taggedVlans: d.tagged_vlans ?? [],
      untaggedVlans: d.untagged_vlans ?? [],
      ...(d.pvid !== undefined ? { pvid: d.pvid } : {}),
      ...common,
    };
  }
  return common;
}

/** The `vessel_switch_port` resource definition. */
export const switchPortResource: ResourceDefinition<SwitchPortAttributes> = {
  type: "vessel_switch_port",
  description: "L2 settings of a CX310 port or Eth-Trunk: link type, VLANs, description, state",
  schema: SwitchPortModel as unknown as z.ZodType<SwitchPortAttributes>,
  requiresReplace: ["switch", "interface"],
  keepWhenUnset: [
    "mode",
    "vlan",
    "allowed_vlans",
    "pvid",
    "tagged_vlans",
    "untagged_vlans",
    "description",
    "enabled",
  ],
  id: (d) => `${d.switch}/${d.interface}`,
  scopes: (d) => [`switch:${d.switch}`],
  normalize(desired, live) {
    const out = { ...live };
    // The switch prints the canonical spelling; keep the configured one when it is the same.
    if (desired.interface.toLowerCase() === live.interface.toLowerCase()) {
      out.interface = desired.interface;
    }
    for (const k of ["allowed_vlans", "tagged_vlans", "untagged_vlans"] as const) {
      if (desired[k]) desired[k] = sorted(desired[k]!);
    }
    return out;
  },
  disruption(action, desired, prior) {
    if (action === "delete" || !prior) return undefined;
    const name = `${desired?.interface ?? prior.interface} on ${desired?.switch ?? prior.switch}`;
    if (desired?.enabled === false && prior.enabled !== false) {
      return {
        kind: "link_flap",
        summary: `${name} shuts down: its link drops`,
        expectedSeconds: 0,
      };
    }
    if (desired?.mode !== undefined && desired.mode !== prior.mode) {
      return {
        kind: "link_flap",
        summary: `${name} changes link type (${
          prior.mode ?? "default"
        } to ${desired.mode}): traffic stops while it re-joins its VLANs`,
        expectedSeconds: 3,
      };
    }
    const before = new Set([
      ...(prior.allowed_vlans ?? []),
      ...(prior.tagged_vlans ?? []),
      ...(prior.untagged_vlans ?? []),
      ...(prior.vlan ? [prior.vlan] : []),
    ]);
    const after = new Set([
      ...(desired?.allowed_vlans ?? []),
      ...(desired?.tagged_vlans ?? []),
      ...(desired?.untagged_vlans ?? []),
      ...(desired?.vlan ? [desired.vlan] : []),
    ]);
    const lost = [...before].filter((v) => !after.has(v));
    if (
      lost.length &&
      (desired?.allowed_vlans ?? desired?.vlan ?? desired?.tagged_vlans ??
          desired?.untagged_vlans) !== undefined
    ) {
      return { kind: "traffic_loss", summary: `${name} stops carrying VLAN ${lost.join(", ")}` };
    }
    return undefined;
  },
  async read(ctx, id) {
    const { switch: sw, interface: name } = parsePortId(id);
    const p = await readPort(ctx, sw, name);
    return p ? toAttributes(sw, p) : undefined;
  },
  async create(ctx, d) {
    const p = await switchPorts(ctx.chassis, d.switch).setPort(d.interface, spec(d), {
      signal: ctx.signal,
    });
    return toAttributes(d.switch, p);
  },
  async update(ctx, d) {
    const p = await switchPorts(ctx.chassis, d.switch).setPort(d.interface, spec(d), {
      signal: ctx.signal,
    });
    return toAttributes(d.switch, p);
  },
  releaseOnDelete: true,
  delete() {
    // Releasing a port keeps its settings (removing the block must not cut traffic).
    return Promise.resolve();
  },
  parseId: parsePortId,
};
