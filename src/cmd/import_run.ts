/**
 * The work behind `vessel import` (loaded lazily).
 */
import { ConfigError } from "../errors.ts";
import { EngineState, importResource, loadAndValidate } from "../engine/mod.ts";
import { blockOf } from "../engine/plan.ts";
import { defaultRegistry } from "../resources/mod.ts";
import { openStore } from "../store/db.ts";
import { palette } from "../util/color.ts";
import { closest } from "../util/suggest.ts";
import { commandAbort, withChassis } from "./connect.ts";
import type { Globals } from "./global.ts";
import { parseEngineFlags } from "./destroy.ts";

const write = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));

/** Import `id` as `address`. */
export async function runImport(
  g: Globals,
  address: string,
  id: string,
  o: { files: string[]; vars: string[] },
): Promise<void> {
  const registry = defaultRegistry();
  if (o.files.length > 0) {
    const { vars } = parseEngineFlags({ var: o.vars });
    const config = await loadAndValidate(o.files, registry, { vars });
    const blocks = [...config.nodes.values()].filter((n) => n.kind === "resource").map((n) =>
      n.address
    );
    if (!blocks.includes(blockOf(address))) {
      const guess = closest(blockOf(address), blocks);
      throw new ConfigError(`The configuration declares no resource ${blockOf(address)}`, {
        hint: guess
          ? `Did you mean "${guess}"?`
          : `Add a resource block for it first, e.g. resource "${address.split(".")[0]}" "${
            address.split(".")[1]
          }" { ... }`,
      });
    }
  }
  await withChassis(g, async (s) => {
    const store = openStore(s.statePath);
    try {
      const state = new EngineState(store, s.workspace);
      const lock = state.hold("import");
      try {
        const r = await importResource(address, id, {
          chassis: s.chassis,
          state,
          registry,
          signal: commandAbort.signal,
        });
        if (g.output === "json") write(JSON.stringify(r, null, 2) + "\n");
        else {
          const c = palette(g.color);
          write(c.green(`Imported ${r.id} as ${r.address}.\n`));
          write(c.dim("Run vessel plan to compare it with its configuration block.\n"));
        }
      } finally {
        lock.release();
      }
    } finally {
      store.close();
    }
  });
}
