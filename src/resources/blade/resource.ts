/**
 * `vessel_blade`: one blade slot — power, boot override and the compute profile bound to it —
 * through the blade and stateless SDK modules.
 *
 * Slots may be empty (slots 5–7 of the default chassis): a profile can be bound to an empty
 * slot, and the plan says it takes effect when a blade is inserted.
 *
 * @example HCL
 * resource "vessel_blade" "worker" {
 *   for_each = toset(["1", "2", "3"])
 *   slot     = tonumber(each.key)
 *   power    = "on"
 * }
 */
import type { ResourceContext, ResourceDefinition } from "../../engine/types.ts";
import { ValidationError } from "../../errors.ts";
import { type Blade, blades } from "../../chassis/blade.ts";
import { stateless } from "../../chassis/stateless.ts";
import { type BladeAttributes, BladeModel } from "./model.ts";

/** `blade3` → 3. */
export function parseBladeId(id: string): Pick<BladeAttributes, "slot"> {
  const m = id.match(/^(?:blade|slot)?(\d{1,2})$/);
  const slot = m ? Number(m[1]) : NaN;
  if (!(slot >= 1 && slot <= 16)) {
    throw new ValidationError(`Invalid vessel_blade id "${id}"`, {
      field: "id",
      hint: "Use blade<slot>, for example blade3 (slots 1-16)",
    });
  }
  return { slot };
}

function toAttributes(b: Blade, profile?: string): BladeAttributes {
  const out: BladeAttributes = { slot: b.slot, present: b.present };
  if (b.model) out.model = b.model;
  if (b.present && (b.power === "On" || b.power === "Off")) {
    out.power = b.power === "On" ? "on" : "off";
  }
  if (b.present && b.boot) {
    if (b.boot.persistence === "disabled" || b.boot.device === "none") out.boot_device = "none";
    else out.boot_device = b.boot.device as BladeAttributes["boot_device"];
    if (b.boot.persistence === "once" || b.boot.persistence === "continuous") {
      out.boot_persistence = b.boot.persistence;
    }
  }
  if (profile) out.compute_profile = profile;
  return out;
}

/**
 * During a plan every blade read (and the inventory data source) shares one list of all slots
 * (slots read in parallel by the SDK); during apply, reads are fresh and per slot.
 */
export async function getBlade(ctx: ResourceContext, slot: number): Promise<Blade> {
  if (!ctx.memo) return await blades(ctx.chassis).get(slot, { signal: ctx.signal });
  const all = await ctx.memo("blades:list", () => blades(ctx.chassis).list({ signal: ctx.signal }));
  const b = all.find((x) => x.slot === slot);
  return b ?? await blades(ctx.chassis).get(slot, { signal: ctx.signal });
}

async function readProfile(ctx: ResourceContext, slot: number): Promise<string | undefined> {
  const read = () => stateless(ctx.chassis).nodes({ signal: ctx.signal });
  const nodes = ctx.memo ? await ctx.memo("stateless:nodes", read) : await read();
  const p = nodes.find((n) => n.slot === `Slot${slot}`)?.profile;
  return p ? p : undefined;
}

/** The `vessel_blade` resource definition. */
export const bladeResource: ResourceDefinition<BladeAttributes> = {
  type: "vessel_blade",
  description: "A blade slot: power, boot override and bound compute profile",
  schema: BladeModel,
  requiresReplace: ["slot"],
  computed: ["present", "model"],
  keepWhenUnset: ["power", "boot_device", "boot_persistence", "compute_profile"],
  normalize(desired, live) {
    // An empty slot has no power or boot state to read: what the configuration asks for applies
    // when a blade is inserted (the plan says so), so it is not a difference now.
    if (live.present !== false) return live;
    const out = { ...live };
    for (const k of ["power", "boot_device", "boot_persistence"] as const) {
      if (desired[k] !== undefined) (out as Record<string, unknown>)[k] = desired[k];
    }
    return out;
  },
  id: (d) => `blade${d.slot}`,
  scopes: (d) => [`ibmc:blade${d.slot}`],
  disruption(action, desired, prior) {
    const slot = desired?.slot ?? prior?.slot;
    if (action === "delete") return undefined; // Vessel stops managing; the blade keeps running
    const powerOff = desired?.power === "off" && prior?.power !== "off";
    if (powerOff) {
      return {
        kind: "blade_reboot",
        summary: `blade ${slot} powers off at once (forced): its host stops and its console drops`,
        expectedSeconds: 10,
      };
    }
    if (
      desired?.compute_profile !== undefined && desired.compute_profile !== prior?.compute_profile
    ) {
      if (prior?.present === false) {
        return {
          kind: "none",
          summary: `slot ${slot} is empty: the profile takes effect when a blade is inserted`,
        };
      }
      if (prior?.power === "off") {
        return {
          kind: "none",
          summary: `blade ${slot} is off: the new identity applies at its next power-on`,
        };
      }
      return {
        kind: "blade_reboot",
        summary: `blade ${slot} reboots to take its new identity (MACs, WWNs, boot order)`,
        expectedSeconds: 300,
      };
    }
    if (desired?.power === "on" && prior?.power === "off") {
      return { kind: "none", summary: `blade ${slot} powers on`, expectedSeconds: 120 };
    }
    return undefined;
  },
  async planNotes(ctx, d) {
    const b = await getBlade(ctx, d.slot);
    if (b.present) return [];
    return [
      d.compute_profile
        ? `slot ${d.slot} is empty: the profile is bound to the slot and takes effect when a blade is inserted`
        : `slot ${d.slot} is empty: power and boot settings apply when a blade is inserted`,
    ];
  },
  async read(ctx, id) {
    const { slot } = parseBladeId(id);
    const b = await getBlade(ctx, slot);
    const a = toAttributes(b, await readProfile(ctx, slot));
    return a;
  },
  async create(ctx, d) {
    return await converge(ctx, d);
  },
  async update(ctx, d) {
    return await converge(ctx, d);
  },
  releaseOnDelete: true,
  delete() {
    // Vessel stops managing the slot; the blade is neither powered off nor cleared.
    return Promise.resolve();
  },
  parseId: parseBladeId,
};

/** Write only what differs, then read back. */
async function converge(ctx: ResourceContext, d: BladeAttributes): Promise<BladeAttributes> {
  const mod = blades(ctx.chassis);
  const o = { signal: ctx.signal };
  const b = await mod.get(d.slot, o);
  const now = toAttributes(b, await readProfile(ctx, d.slot));
  if (d.compute_profile !== undefined && d.compute_profile !== now.compute_profile) {
    // Bound to the slot: the identity stays with it, also while it is empty.
    await stateless(ctx.chassis).assign(d.slot, d.compute_profile, o);
  }
  if (b.present) {
    if (
      d.boot_device !== undefined &&
      (d.boot_device !== now.boot_device ||
        (d.boot_persistence ?? "once") !== (now.boot_persistence ?? "once"))
    ) {
      await mod.setBoot(d.slot, {
        device: d.boot_device,
        persistence: d.boot_persistence ?? "once",
      }, o);
    }
    if (d.power !== undefined && d.power !== now.power) await mod.power(d.slot, d.power, o);
  }
  return toAttributes(await mod.get(d.slot, o), await readProfile(ctx, d.slot));
}
