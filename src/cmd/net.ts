/**
 * `vessel net`: imperative switch operations through the same SDK as the engine.
 *
 * Examples:
 *   vessel net vlan list --switch swi2 --chassis sim://
 *   vessel net vlan add 100 --name prod --switch all
 *   vessel net vlan remove 100 --switch swi3
 */
import { Command } from "@commander-js/extra-typings";
import { resolveGlobals } from "./global.ts";

/** `vessel net`. */
export function netCommand() {
  const net = new Command("net").description("switch operations (VLANs)");
  const vlan = new Command("vlan").description(
    "list, add and remove VLANs on CX310 switch modules",
  );
  vlan.command("list")
    .description("list VLANs")
    .option("--switch <name>", "swi1..swi4 or all", "all")
    .action(async (opts, cmd) => {
      const { runVlan } = await import("./net_run.ts");
      await runVlan(resolveGlobals(cmd.optsWithGlobals()), { op: "list", switch: opts.switch });
    });
  vlan.command("add")
    .description("create a VLAN (or update its name/description)")
    .argument("<id>", "VLAN id 1-4094")
    .option("--name <name>", "VLAN name")
    .option("--description <text>", "VLAN description")
    .option("--switch <name>", "swi1..swi4 or all", "all")
    .action(async (id, opts, cmd) => {
      const { runVlan } = await import("./net_run.ts");
      await runVlan(resolveGlobals(cmd.optsWithGlobals()), {
        op: "add",
        id,
        name: opts.name,
        description: opts.description,
        switch: opts.switch,
      });
    });
  vlan.command("remove")
    .description("delete a VLAN")
    .argument("<id>", "VLAN id 2-4094")
    .option("--switch <name>", "swi1..swi4 or all", "all")
    .action(async (id, opts, cmd) => {
      const { runVlan } = await import("./net_run.ts");
      await runVlan(resolveGlobals(cmd.optsWithGlobals()), {
        op: "remove",
        id,
        switch: opts.switch,
      });
    });
  net.addCommand(vlan);
  return net;
}
