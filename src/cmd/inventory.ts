/**
 * `vessel inventory`: the chassis map (slots, models, power, health, firmware versions, iBMC
 * addresses, switch modules) as a table or JSON; `--capabilities` prints what each device
 * supports instead (probed once per device).
 *
 * Examples:
 *   vessel inventory --chassis sim://
 *   vessel inventory --chassis endpoints:./sim.json --output json
 *   vessel inventory --capabilities --chassis sim://
 *   vessel inventory --parallelism 1 --chassis sim://
 */
import { Command, Option } from "@commander-js/extra-typings";
import { UsageError } from "../errors.ts";
import { type Globals, resolveGlobals } from "./global.ts";

/** `vessel inventory`. */
export function inventoryCommand() {
  return new Command("inventory")
    .description("chassis map: blades, switches, management modules, firmware, addresses")
    .option(
      "--capabilities",
      "print what each device supports (Redfish, virtual media, VRP commit)",
    )
    .addOption(
      new Option("--parallelism <n>", "device calls in flight across the chassis").default("64"),
    )
    .action(async (opts, cmd) => {
      await runInventory(resolveGlobals(cmd.optsWithGlobals()), {
        capabilities: opts.capabilities === true,
        parallelism: opts.parallelism,
      });
    });
}

/** Options of {@link runInventory}. */
export interface InventoryOptions {
  capabilities: boolean;
  /** Raw `--parallelism` value. */
  parallelism: string;
}

const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));

/** Parses `--parallelism`. */
export function parseParallelism(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 1024) {
    throw new UsageError(
      `Invalid --parallelism ${JSON.stringify(raw)}: must be a whole number from 1 to 1024`,
    );
  }
  return n;
}

/** Reads and prints the chassis map (or the capability report). */
export async function runInventory(g: Globals, o: InventoryOptions): Promise<void> {
  const parallelism = parseParallelism(o.parallelism);
  const { withChassis } = await import("./connect.ts");
  await withChassis(g, async ({ chassis }) => {
    const { hubOf } = await import("../chassis/hub.ts");
    hubOf(chassis).configure({ parallelism });
    if (o.capabilities) {
      const { capabilities, renderCapabilities } = await import("../chassis/capabilities.ts");
      const r = await capabilities(chassis).probe();
      out(g.output === "json" ? JSON.stringify(r) + "\n" : renderCapabilities(r));
      return;
    }
    const { inventory, renderInventory } = await import("../chassis/inventory.ts");
    const inv = await inventory(chassis).read();
    out(g.output === "json" ? JSON.stringify(inv) + "\n" : renderInventory(inv));
  });
}
