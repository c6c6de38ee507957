/**
 * `vessel blade`: blades by slot (always explicit, never "the first system").
 *
 * Examples:
 *   vessel blade list --chassis sim://
 *   vessel blade power 3 cycle --chassis sim:///tmp/lab --yes
 *   vessel blade boot 3 pxe --persistence once --chassis sim:///tmp/lab
 */
import { Command, Option } from "@commander-js/extra-typings";
import { resolveGlobals } from "./global.ts";

const ACTIONS = ["on", "off", "shutdown", "reset", "cycle", "nmi"] as const;
const DEVICES = ["none", "pxe", "hdd", "cd", "floppy", "bios-setup"] as const;

/** `vessel blade`. */
export function bladeCommand() {
  const blade = new Command("blade").description("blade power and boot override, by slot");
  blade.command("list")
    .description("slots 1-16: presence, model, power, health, iBMC address")
    .action(async (_o, cmd) => {
      const { runBlade } = await import("./blade_run.ts");
      await runBlade(resolveGlobals(cmd.optsWithGlobals()), { op: "list" });
    });
  blade.command("power")
    .description("power action (off, shutdown, reset, cycle and nmi ask for confirmation)")
    .argument("<slot>", "slot 1-16")
    .addArgument(new Command().createArgument("<action>", "power action").choices(ACTIONS))
    .option("-y, --yes", "do not ask for confirmation")
    .addHelpText(
      "after",
      "\nActions: on, off (forced), shutdown (graceful), reset (forced restart), cycle, nmi\n",
    )
    .action(async (slot, action, o, cmd) => {
      const { runBlade } = await import("./blade_run.ts");
      await runBlade(resolveGlobals(cmd.optsWithGlobals()), {
        op: "power",
        slot,
        action,
        yes: o.yes === true,
      });
    });
  blade.command("boot")
    .description("set the next boot device (boot override)")
    .argument("<slot>", "slot 1-16")
    .addArgument(new Command().createArgument("<device>", "boot device").choices(DEVICES))
    .addOption(
      new Option("--persistence <when>", "once or continuous").choices(["once", "continuous"])
        .default("once"),
    )
    .action(async (slot, device, o, cmd) => {
      const { runBlade } = await import("./blade_run.ts");
      await runBlade(resolveGlobals(cmd.optsWithGlobals()), {
        op: "boot",
        slot,
        device,
        persistence: o.persistence as "once" | "continuous",
      });
    });
  return blade;
}
