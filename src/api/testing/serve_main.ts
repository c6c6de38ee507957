/**
 * `vessel serve` as its own program, for tests of the command until it is wired into
 * src/cmd/main.ts: the global options plus `serveCommand()`, with Ctrl-C/SIGTERM stopping the
 * server through `commandAbort` like main.ts does.
 */
import { Command } from "@commander-js/extra-typings";
import { globalOptions } from "../../cmd/global.ts";
import { serveCommand } from "../../cmd/serve.ts";
import { commandAbort } from "../../cmd/connect.ts";

const program = new Command("vessel");
for (const o of globalOptions()) program.addOption(o);
program.addCommand(serveCommand());
const stop = () => commandAbort.abort(new DOMException("Interrupted", "AbortError"));
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
try {
  await program.parseAsync(Deno.args, { from: "user" });
} catch (e) {
  console.error(`Error: ${(e as Error).message}`);
  Deno.exit(1);
}
Deno.exit(0);
