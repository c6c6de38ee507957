/**
 * `vessel sessions`: Redfish session hygiene. Orphaned sessions (tools that never logged out)
 * fill the HMM's and iBMCs' few session slots until nobody can log in (field lesson 4).
 *
 * Examples:
 *   vessel sessions list --chassis https://hmm
 *   vessel sessions clean --device hmm --older-than 3600 --dry-run
 *   vessel sessions clean --device ibmc3 --user root --yes
 */
import { Command } from "@commander-js/extra-typings";
import { resolveGlobals } from "./global.ts";

/** `vessel sessions`. */
export function sessionsCommand() {
  const cmd = new Command("sessions").description(
    "list and clean orphaned Redfish sessions on the HMM and iBMCs (never Vessel's own)",
  );
  cmd.command("list")
    .description("sessions of one device, or of every device with Redfish")
    .option("--device <name>", "hmm or ibmc<slot>, e.g. ibmc3 (default: all)")
    .action(async (o, c) => {
      const { runSessions } = await import("./sessions_run.ts");
      await runSessions(resolveGlobals(c.optsWithGlobals()), { op: "list", device: o.device });
    });
  cmd.command("clean")
    .description("log out foreign sessions (audited); asks for confirmation unless --yes")
    .requiredOption("--device <name>", "hmm or ibmc<slot>")
    .option("--user <name>", "only sessions of this user")
    .option("--older-than <seconds>", "only sessions logged in at least this long ago")
    .option("--dry-run", "show what would be logged out")
    .option("-y, --yes", "do not ask for confirmation")
    .action(async (o, c) => {
      const { runSessions } = await import("./sessions_run.ts");
      await runSessions(resolveGlobals(c.optsWithGlobals()), {
        op: "clean",
        device: o.device,
        user: o.user,
        olderThan: o.olderThan,
        dryRun: o.dryRun === true,
        yes: o.yes === true,
      });
    });
  return cmd;
}
