/**
 * `vessel discover`: the address map of the chassis: blade slot ↔ iBMC address
 * (`172.31.1.(128+N)`), switch (`.160+N`) and management-module (`.164+N`) addresses, what the
 * HMM reports for them and how Vessel reaches each one.
 *
 * Examples:
 *   vessel discover --chassis sim://
 *   vessel discover --ping --chassis https://192.168.1.30
 *   vessel discover --output json --chassis endpoints:./sim.json
 */
import { Command } from "@commander-js/extra-typings";
import { resolveGlobals } from "./global.ts";

/** `vessel discover`. */
export function discoverCommand() {
  return new Command("discover")
    .description("address map: slot <-> iBMC, switch and HMM addresses on the internal fabric")
    .option("--ping", "ping every fabric address from the HMM shell")
    .action(async (opts, cmd) => {
      const g = resolveGlobals(cmd.optsWithGlobals());
      const { withChassis } = await import("./connect.ts");
      await withChassis(g, async ({ chassis }) => {
        const { discover, renderDiscovery } = await import("../chassis/discover.ts");
        const d = await discover(chassis).run({ ping: opts.ping === true });
        const text = g.output === "json" ? JSON.stringify(d) + "\n" : renderDiscovery(d);
        Deno.stdout.writeSync(new TextEncoder().encode(text));
      });
    });
}
