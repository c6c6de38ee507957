/**
 * The work behind `vessel net vlan …` (loaded lazily).
 */
import { NotFoundError, ValidationError } from "../errors.ts";
import { openStore } from "../store/db.ts";
import { vlanAdd, vlanRemove } from "../ops/net/vlan.ts";
import { commandEnvelope } from "./envelope.ts";
import { VlanModel } from "../resources/vlan/model.ts";
import { palette } from "../util/color.ts";
import { withChassis } from "./connect.ts";
import type { Globals } from "./global.ts";

/** Options of {@link runVlan}. */
export interface VlanOp {
  op: "list" | "add" | "remove";
  id?: string;
  name?: string;
  description?: string;
  switch: string;
}

const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));

function parseId(raw: string | undefined): number {
  const id = Number(raw);
  if (!raw || !/^\d+$/.test(raw) || id < 1 || id > 4094) {
    throw new ValidationError(`Invalid VLAN id "${raw}": must be a whole number from 1 to 4094`, {
      field: "id",
    });
  }
  return id;
}

/** List, add or remove a VLAN on one switch or all present switches. */
export async function runVlan(g: Globals, o: VlanOp): Promise<void> {
  // Validate before connecting: bad input changes nothing and touches no device.
  let id: number | undefined;
  if (o.op !== "list") {
    id = parseId(o.id);
    if (o.op === "remove" && id === 1) {
      throw new ValidationError("VLAN 1 is the default VLAN and cannot be deleted", {
        field: "id",
      });
    }
    const check = VlanModel.safeParse({
      switch: "swi2",
      vlan_id: id,
      name: o.name,
      description: o.description,
    });
    if (!check.success) {
      const issue = check.error.issues[0];
      throw new ValidationError(`Invalid ${issue.path.join(".")}: ${issue.message}`, {
        field: issue.path.join("."),
      });
    }
  }
  await withChassis(g, async (s) => {
    const present = Object.keys(s.endpoints.switches ?? {}).sort();
    const targets = o.switch === "all" ? present : [o.switch];
    for (const t of targets) {
      if (!present.includes(t)) {
        throw new NotFoundError(`Switch ${t} is not present in this chassis`, {
          hint: `Present switch modules: ${present.join(", ") || "none"}`,
        });
      }
    }
    const c = palette(g.color);
    const rows: Record<string, unknown>[] = [];
    const store = o.op === "list" ? undefined : openStore(s.statePath);
    try {
      const envelope = store ? await commandEnvelope(s, store) : undefined;
      for (const t of targets) {
        const sw = s.chassis.switch(t);
        if (o.op === "list") {
          for (const v of await sw.listVlans()) {
            rows.push({
              switch: t,
              id: v.id,
              name: v.name ?? "",
              description: v.description ?? "",
              ports: v.ports?.length ?? 0,
            });
          }
          continue;
        }
        const r = o.op === "remove"
          ? await vlanRemove(envelope!, sw, { id: id! })
          : await vlanAdd(envelope!, sw, { id: id!, name: o.name, description: o.description });
        rows.push({
          switch: r.switch,
          id: r.id,
          ...(o.op === "add" ? { name: r.name ?? "", description: r.description ?? "" } : {}),
          result: r.result,
          snapshot: r.snapshotId ?? "",
        });
      }
    } finally {
      store?.close();
    }
    if (g.output === "json") return out(JSON.stringify(rows, null, 2) + "\n");
    out(table(rows, c.bold));
  });
}

function table(rows: Record<string, unknown>[], bold: (s: string) => string): string {
  if (rows.length === 0) return "No VLANs.\n";
  const keys = Object.keys(rows[0]);
  const w = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k] ?? "").length)));
  const line = (cells: string[]) => cells.map((x, i) => x.padEnd(w[i])).join("  ").trimEnd();
  return [
    bold(line(keys.map((k) => k.toUpperCase()))),
    ...rows.map((r) => line(keys.map((k) => String(r[k] ?? "")))),
  ].join("\n") + "\n";
}
