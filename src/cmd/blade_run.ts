/**
 * The work behind `vessel blade …` (loaded lazily). Changes go through src/ops (change envelope).
 */
import { ValidationError } from "../errors.ts";
import { openStore } from "../store/db.ts";
import { palette } from "../util/color.ts";
import { withChassis } from "./connect.ts";
import { commandEnvelope } from "./envelope.ts";
import type { Globals } from "./global.ts";
import { confirm } from "./prompt.ts";
import { table } from "./audit.ts";

/** Options of {@link runBlade}. */
export type BladeOp =
  | { op: "list" }
  | { op: "power"; slot: string; action: string; yes: boolean }
  | { op: "boot"; slot: string; device: string; persistence: "once" | "continuous" };

const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));

function parseSlot(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 16) {
    throw new ValidationError(`Invalid slot "${raw}": must be a whole number from 1 to 16`, {
      field: "slot",
    });
  }
  return n;
}

/** List blades, run a power action, or set the boot override. */
export async function runBlade(g: Globals, o: BladeOp): Promise<void> {
  const slot = o.op === "list" ? 0 : parseSlot(o.slot);
  const disruptive = o.op === "power" && o.action !== "on";
  await withChassis(g, async (s) => {
    const c = palette(g.color);
    if (o.op === "list") {
      const { blades } = await import("../chassis/blade.ts");
      const rows = await blades(s.chassis).list();
      if (g.output === "json") return out(JSON.stringify(rows, null, 2) + "\n");
      out(
        table(
          ["SLOT", "MODEL", "POWER", "HEALTH", "IBMC IP", "VIA"],
          rows.map((b) => [
            String(b.slot),
            b.present ? b.model ?? "?" : "(empty)",
            b.present ? String(b.power) : "",
            b.present ? String(b.health) : "",
            b.ibmc.fabricIp,
            b.present ? b.ibmc.reachedBy : "",
          ]),
        ) + "\n",
      );
      return;
    }
    const store = openStore(s.statePath);
    try {
      const envelope = await commandEnvelope(s, store);
      if (o.op === "power") {
        if (disruptive && !o.yes) {
          await confirm(
            `Power ${o.action} blade ${slot}? The host's operating system ${
              o.action === "shutdown" ? "is asked to shut down" : "stops at once"
            }.`,
            "--yes",
          );
        }
        const { bladePowerAction } = await import("../ops/blade.ts");
        const r = await bladePowerAction(
          envelope,
          s.chassis,
          slot,
          o.action as Parameters<typeof bladePowerAction>[3],
        );
        if (g.output === "json") return out(JSON.stringify(r, null, 2) + "\n");
        out(
          r.changed
            ? `Blade ${slot}: power ${o.action} done (${r.powerBefore} -> ${r.powerAfter}; snapshot ${r.snapshotId})\n`
            : c.dim(`Blade ${slot} is already ${r.powerAfter}: nothing to do\n`),
        );
      } else {
        const { changeBlade } = await import("../ops/blade.ts");
        const r = await changeBlade(envelope, s.chassis, slot, {
          boot_device: o.device as never,
          boot_persistence: o.persistence,
        });
        if (g.output === "json") return out(JSON.stringify(r, null, 2) + "\n");
        out(
          r.result === "changed"
            ? `Blade ${slot}: next boot ${o.device} (${o.persistence}; snapshot ${r.snapshotId})\n`
            : c.dim(`Blade ${slot} already boots ${o.device} (${o.persistence}): nothing to do\n`),
        );
      }
    } finally {
      store.close();
    }
  });
}
