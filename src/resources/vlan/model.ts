/**
 * Desired-state model of `vessel_vlan`: one VLAN on one CX310 switch module.
 * Text fields are checked before any device I/O: VRP reads a newline as "run this", `?` as
 * "show help", and control characters can move the cursor of an interactive CLI.
 */
import { z } from "zod";

/** Switch module slots of the E9000. */
export const SWITCH_NAMES = ["swi1", "swi2", "swi3", "swi4"] as const;

/**
 * Text that is safe to type into the VRP CLI: printable, no `?`, no control characters,
 * at most `max` characters.
 */
export function cliText(max: number, what: string) {
  return z.string()
    .max(max, `${what} is longer than ${max} characters (the VRP limit)`)
    // deno-lint-ignore no-control-regex
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), {
      message: `${what} must not contain a newline or other control character`,
    })
    .refine((s) => !s.includes("?"), {
      message: `${what} must not contain "?" (VRP reads it as a help request)`,
    })
    .refine((s) => s.trim() === s, { message: `${what} must not start or end with spaces` });
}

/** `vessel_vlan` attributes. */
export const VlanModel = z.strictObject({
  switch: z.enum(SWITCH_NAMES).describe(
    "Switch module that carries the VLAN: swi1, swi2, swi3 or swi4",
  ),
  vlan_id: z.number().int("vlan_id must be a whole number")
    .min(1, "vlan_id must be between 1 and 4094")
    .max(4094, "vlan_id must be between 1 and 4094")
    .describe("802.1Q VLAN id, 1-4094; changing it replaces the VLAN"),
  name: cliText(31, "name").optional().describe("VLAN name (VRP `name`), at most 31 characters"),
  description: cliText(80, "description").optional()
    .describe("VLAN description (VRP `description`), at most 80 characters"),
});

/** Desired and observed shape of one VLAN. */
export type VlanAttributes = z.infer<typeof VlanModel>;
