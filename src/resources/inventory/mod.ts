/**
 * `data "vessel_inventory"`: the chassis map (blades, switch modules, management modules) read
 * during plan, for use in expressions:
 *
 * @example HCL
 * data "vessel_inventory" "chassis" {}
 * resource "vessel_blade" "all" {
 *   for_each = toset([for b in data.vessel_inventory.chassis.blades : tostring(b.slot) if b.present])
 *   slot     = tonumber(each.key)
 *   power    = "on"
 * }
 */
import { z } from "zod";
import type { DataSourceDefinition } from "../../engine/types.ts";
import { blades } from "../../chassis/blade.ts";

/** Arguments of `vessel_inventory` (none). */
export const InventoryArgs = z.strictObject({});

/** What `vessel_inventory` exposes. */
export const InventoryResult = z.strictObject({
  blades: z.array(z.object({
    slot: z.number().describe("Slot 1-16"),
    present: z.boolean().describe("A blade sits in the slot"),
    model: z.string().optional().describe("Board model"),
    power: z.string().describe("On, Off or Unknown"),
    health: z.string().describe("OK, Warning, Critical or Unknown"),
  })).describe("Every blade slot"),
  present_slots: z.array(z.number()).describe("Slots with a blade"),
  empty_slots: z.array(z.number()).describe("Slots without a blade"),
  switches: z.array(z.string()).describe("Switch modules present, e.g. swi2, swi3"),
});

/** The `vessel_inventory` data source. */
export const inventoryData: DataSourceDefinition<
  z.infer<typeof InventoryArgs>,
  z.infer<typeof InventoryResult>
> = {
  type: "vessel_inventory",
  description: "The chassis map: blade slots (presence, model, power, health) and switch modules",
  schema: InventoryArgs,
  result: InventoryResult,
  scopes: () => ["hmm"],
  async read(ctx) {
    const read = () => blades(ctx.chassis).list({ signal: ctx.signal });
    // Shared with the plan's vessel_blade reads (one read of every slot per plan).
    const list = ctx.memo ? await ctx.memo("blades:list", read) : await read();
    const rows = list.map((b) => ({
      slot: b.slot,
      present: b.present,
      ...(b.model ? { model: b.model } : {}),
      power: b.power,
      health: b.health,
    }));
    const switches = Object.keys(ctx.chassis.endpoints?.switches ?? {}).sort();
    return {
      blades: rows,
      present_slots: rows.filter((r) => r.present).map((r) => r.slot),
      empty_slots: rows.filter((r) => !r.present).map((r) => r.slot),
      switches,
    };
  },
};
