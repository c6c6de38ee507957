/**
 * `vessel import ADDRESS ID`: take an object that already exists on the chassis under Vessel's
 * management (record it in state), so the next plan compares it with its block.
 *
 * Examples:
 *   vessel import vessel_vlan.prod swi2/100 --chassis sim:///tmp/lab
 *   vessel import 'vessel_vlan.tier["swi2-web"]' swi2/301 -f chassis.hcl --chassis sim:///tmp/lab
 */
import { Command } from "@commander-js/extra-typings";
import { resolveGlobals } from "./global.ts";

/** `vessel import`. */
export function importCommand() {
  return new Command("import")
    .description("record an existing chassis object in state under a resource address")
    .argument("<address>", 'resource address, e.g. vessel_vlan.prod or vessel_vlan.tier["a"]')
    .argument("<id>", "device id of the object, e.g. swi2/100 for a VLAN")
    .option("-f, --file <path...>", "configuration: checks that it declares the address")
    .option(
      "--var <name=value>",
      "variable for the configuration (repeatable)",
      (v, p: string[] = []) => [...p, v],
      [] as string[],
    )
    .addHelpText(
      "after",
      "\nExamples:\n  vessel import vessel_vlan.prod swi2/100 --chassis sim:///tmp/lab\n",
    )
    .action(async (address, id, opts, c) => {
      const g = resolveGlobals(c.optsWithGlobals());
      const { runImport } = await import("./import_run.ts");
      await runImport(g, address, id, { files: opts.file ?? [], vars: opts.var });
    });
}
