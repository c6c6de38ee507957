/**
 * Desired-state model of `vessel_blade`: one blade slot (1–16) of the E9000, addressed by slot
 * explicitly (field lesson 12: never "the first system").
 */
import { z } from "zod";
import { BOOT_DEVICES } from "../../chassis/blade.ts";

/** `vessel_blade` attributes. */
export const BladeModel = z.strictObject({
  slot: z.number().int("slot must be a whole number")
    .min(1, "slot must be between 1 and 16")
    .max(16, "slot must be between 1 and 16")
    .describe("Front slot 1-16; changing it manages another blade (replacement)"),
  power: z.enum(["on", "off"]).optional()
    .describe("Host power: on or off (off is a forced power-off: the host stops at once)"),
  boot_device: z.enum(BOOT_DEVICES).optional()
    .describe("Boot override: none, pxe, hdd, cd, floppy, bios-setup"),
  boot_persistence: z.enum(["once", "continuous"]).optional()
    .describe("Boot override for the next boot only (once) or every boot (continuous)"),
  compute_profile: z.string().optional().describe(
    "Compute profile bound to the slot (stateless computing: the identity stays with the slot, so an empty slot can be bound)",
  ),
  present: z.boolean().optional().describe("Read only: a blade sits in the slot"),
  model: z.string().optional().describe("Read only: board model, e.g. CH121"),
});

/** Desired and observed shape of one blade slot. */
export type BladeAttributes = z.infer<typeof BladeModel>;
