/**
 * `vessel state`: inspect and edit what Vessel manages on a chassis, and release its lock.
 *
 * Examples:
 *   vessel state list --chassis sim:///tmp/lab
 *   vessel state show 'vessel_vlan.tier["swi2-web"]' --chassis sim:///tmp/lab
 *   vessel state rm vessel_vlan.spare --chassis sim:///tmp/lab     # forget, device untouched
 *   vessel state unlock --chassis sim:///tmp/lab                    # after a crashed apply
 */
import { Command } from "@commander-js/extra-typings";
import { resolveGlobals } from "./global.ts";

/** `vessel state`. */
export function stateCommand() {
  const state = new Command("state").description(
    "list, show and remove managed resources; release the state lock",
  );
  state.command("list")
    .description("list managed resources (addresses and device ids)")
    .action(async (_o, c) => {
      const { runStateList } = await import("./state_run.ts");
      await runStateList(resolveGlobals(c.optsWithGlobals()));
    });
  state.command("show")
    .description("show the recorded attributes of one resource (secrets never shown)")
    .argument("<address>", 'resource address, e.g. vessel_vlan.prod or vessel_vlan.tier["a"]')
    .action(async (address, _o, c) => {
      const { runStateShow } = await import("./state_run.ts");
      await runStateShow(resolveGlobals(c.optsWithGlobals()), address);
    });
  state.command("rm")
    .description("forget resources (the device is not touched); a block or instance address")
    .argument("<address...>", "addresses to forget")
    .action(async (addresses, _o, c) => {
      const { runStateRm } = await import("./state_run.ts");
      await runStateRm(resolveGlobals(c.optsWithGlobals()), addresses);
    });
  state.command("unlock")
    .description("release the state lock whoever holds it (after a crashed or killed apply)")
    .action(async (_o, c) => {
      const { runStateUnlock } = await import("./state_run.ts");
      await runStateUnlock(resolveGlobals(c.optsWithGlobals()));
    });
  state.addHelpText(
    "after",
    "\nExamples:\n  vessel state list --chassis sim:///tmp/lab\n  vessel state unlock --chassis sim:///tmp/lab\n",
  );
  return state;
}
