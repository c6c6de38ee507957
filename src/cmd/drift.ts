/**
 * `vessel drift`: what changed on the chassis behind Vessel's back since the last apply, per
 * attribute; adopt it into state (`--adopt`) or plan and apply its reversal (`--revert`).
 *
 * Examples:
 *   vessel drift --chassis sim:///tmp/lab --detailed-exitcode    # exit 2 when there is drift
 *   vessel drift --adopt --chassis sim:///tmp/lab                 # state takes the live values
 *   vessel drift --adopt vessel_vlan.prod --attribute description --chassis sim:///tmp/lab
 *   vessel drift --revert --auto-approve --chassis sim:///tmp/lab # put the recorded values back
 */
import { Command } from "@commander-js/extra-typings";
import { UsageError } from "../errors.ts";
import { resolveGlobals } from "./global.ts";

/** `vessel drift`. */
export function driftCommand() {
  return new Command("drift")
    .description("show changes made outside Vessel; adopt them into state or revert them")
    .argument("[address...]", "only these resources")
    .option("--adopt", "record the live values in state (then update the configuration to match)")
    .option(
      "--revert",
      "plan putting the recorded values back; applies with --auto-approve or a yes",
    )
    .option("--attribute <name...>", "with --adopt/--revert: only these attributes")
    .option("--auto-approve", "with --revert: do not ask for confirmation")
    .option("--detailed-exitcode", "exit 0 when there is no drift, 2 when there is")
    .addHelpText(
      "after",
      "\nExamples:\n  vessel drift --chassis sim:///tmp/lab\n  vessel drift --adopt --chassis sim:///tmp/lab\n  vessel drift --revert --auto-approve --chassis sim:///tmp/lab\n",
    )
    .action(async (addresses, opts, c) => {
      const g = resolveGlobals(c.optsWithGlobals());
      if (opts.adopt && opts.revert) {
        throw new UsageError("--adopt and --revert cannot be used together", {
          hint: "Adopt keeps the device's values; revert restores Vessel's: pick one",
        });
      }
      const { runDrift } = await import("./drift_run.ts");
      await runDrift(g, {
        addresses,
        adopt: opts.adopt === true,
        revert: opts.revert === true,
        attributes: opts.attribute ?? [],
        autoApprove: opts.autoApprove === true,
        detailedExitcode: opts.detailedExitcode === true,
      });
    });
}
