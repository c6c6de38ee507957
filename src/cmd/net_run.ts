/**
 * The work behind `vessel net …` (loaded lazily): validate first (bad input touches no device),
 * open the chassis, run the operations of `src/ops/net` (every write under the watchdog inside
 * the change envelope), print a table or JSON rows.
 */
import { NotFoundError, ValidationError } from "../errors.ts";
import { openStore } from "../store/db.ts";
import { checkVlanSpec, vlanAdd, vlanRemove } from "../ops/net/vlan.ts";
import { checkPortSpec, lagCreate, lagDelete, lagList, portSet } from "../ops/net/port.ts";
import { bladeSlot, diagnoseBlades, diagRows } from "../ops/net/diag.ts";
import { ifaceDescription, lagId, portName, switchName, vlanList } from "../ops/net/cli_text.ts";
import type { NetContext } from "../ops/net/txn.ts";
import type { WatchdogConfig } from "../ops/net/watchdog.ts";
import { commandEnvelope } from "./envelope.ts";
import { palette } from "../util/color.ts";
import { type ChassisSession, withChassis } from "./connect.ts";
import type { Globals } from "./global.ts";

const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));
const err = (s: string) => Deno.stderr.writeSync(new TextEncoder().encode(s + "\n"));

function seconds(flag: string, raw: unknown, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) {
    throw new ValidationError(`Invalid --${flag} ${JSON.stringify(raw)}: a number >= ${min}`, {
      field: flag,
    });
  }
  return n;
}

function slots(flag: string, raw: unknown): number[] {
  if (raw === undefined) return [];
  return String(raw).split(",").filter(Boolean).map((x) => {
    const n = Number(x.trim().replace(/^(blade|ibmc)/i, ""));
    if (!Number.isInteger(n) || n < 1 || n > 32) {
      throw new ValidationError(`Invalid --${flag} entry ${JSON.stringify(x)}: slot 1-32`, {
        field: flag,
      });
    }
    return n;
  });
}

/** Watchdog settings (plus `--dry-run`) from the command-line flags (validated). */
export type WriteFlags = Partial<WatchdogConfig> & { dryRun?: boolean; allowMgmtRisk?: boolean };

/** Watchdog settings from the command-line flags (validated). */
// deno-lint-ignore no-explicit-any
export function watchdogFromFlags(o: Record<string, any>): WriteFlags {
  const trial = seconds("trial", o.trial, 1);
  if (trial !== undefined && !Number.isInteger(trial)) {
    throw new ValidationError("--trial must be a whole number of seconds", { field: "trial" });
  }
  const deadline = seconds("heartbeat-deadline", o.heartbeatDeadline, 0.1);
  const probe = seconds("probe-timeout", o.probeTimeout, 0.1);
  const interval = seconds("heartbeat-interval", o.heartbeatInterval, 0);
  const rb = seconds("rollback-deadline", o.rollbackDeadline, 1);
  if (trial !== undefined && trial <= (deadline ?? 60) + 1) {
    throw new ValidationError(
      `--trial ${trial} must be more than 1 s longer than --heartbeat-deadline ${
        deadline ?? 60
      }: the switch would revert before the heartbeat could confirm`,
      { field: "trial" },
    );
  }
  return {
    ...(deadline !== undefined ? { deadlineMs: deadline * 1000 } : {}),
    ...(probe !== undefined ? { probeTimeoutMs: probe * 1000 } : {}),
    ...(interval !== undefined ? { intervalMs: interval * 1000 } : {}),
    ...(trial !== undefined ? { trialSeconds: trial } : {}),
    ...(rb !== undefined ? { rollbackDeadlineMs: rb * 1000 } : {}),
    hmmProbe: o.hmmProbe !== false,
    switchProbe: o.switchProbe !== false,
    ibmcs: slots("ibmc", o.ibmc),
    mustReach: slots("must-reach", o.mustReach),
    diagnostics: o.diag !== false,
    save: o.save === true,
    dryRun: o.dryRun === true,
    allowMgmtRisk: o.allowMgmtRisk === true,
  };
}

function targets(s: ChassisSession, which: string): string[] {
  const present = Object.keys(s.endpoints.switches ?? {}).sort();
  const list = which === "all" ? present : [switchName(which)];
  for (const t of list) {
    if (!present.includes(t)) {
      throw new NotFoundError(`Switch ${t} is not present in this chassis`, {
        hint: `Present switch modules: ${present.join(", ") || "none"}`,
      });
    }
  }
  return list;
}

function checkSwitchArg(which: string, allowAll: boolean): void {
  if (allowAll && which === "all") return;
  switchName(which);
}

/** Run `fn` with a NetContext (store, envelope, watchdog) and close the store afterwards. */
async function withNet<T>(
  g: Globals,
  s: ChassisSession,
  flags: WriteFlags | undefined,
  fn: (net: NetContext) => Promise<T>,
): Promise<T> {
  const store = openStore(s.statePath);
  try {
    const envelope = await commandEnvelope(s, store);
    const { dryRun, allowMgmtRisk, ...watchdog } = flags ?? {};
    return await fn({
      envelope,
      chassis: s.chassis,
      watchdog,
      dryRun,
      allowMgmtRisk,
      log: g.output === "json" && !g.verbose ? undefined : (l) => err(l),
    });
  } finally {
    store.close();
  }
}

function print(g: Globals, rows: Record<string, unknown>[], empty: string): void {
  if (g.output === "json") out(JSON.stringify(rows, null, 2) + "\n");
  else out(table(rows, palette(g.color).bold, empty));
}

/** Options of {@link runVlan}. */
export interface VlanOp {
  op: "list" | "add" | "remove";
  id?: string;
  name?: string;
  description?: string;
  switch: string;
  watchdog?: WriteFlags;
}

/** List, add or remove a VLAN on one switch or all present switches. */
export async function runVlan(g: Globals, o: VlanOp): Promise<void> {
  // Validate before connecting: bad input changes nothing and touches no device.
  checkSwitchArg(o.switch, true);
  let spec: { id: number; name?: string; description?: string } | undefined;
  if (o.op !== "list") {
    if (!o.id || !/^\d+$/.test(o.id)) {
      throw new ValidationError(
        `Invalid VLAN id "${o.id}": must be a whole number from 1 to 4094`,
        { field: "id" },
      );
    }
    spec = checkVlanSpec(
      { id: Number(o.id), name: o.name, description: o.description },
      o.op === "remove" ? "remove" : "add",
    );
  }
  await withChassis(g, async (s) => {
    const list = targets(s, o.switch);
    const rows: Record<string, unknown>[] = [];
    if (o.op === "list") {
      for (const t of list) {
        for (const v of await s.chassis.switch(t).listVlans()) {
          rows.push({
            switch: t,
            id: v.id,
            name: v.name ?? "",
            description: v.description ?? "",
            ports: v.ports?.length ?? 0,
          });
        }
      }
      print(g, rows, "No VLANs.\n");
      return;
    }
    await withNet(g, s, o.watchdog, async (net) => {
      for (const t of list) {
        let r;
        try {
          r = o.op === "remove"
            ? await vlanRemove(net, t, { id: spec!.id })
            : await vlanAdd(net, t, spec!);
        } catch (e) {
          // One switch at a time: show what the earlier switches did before the error.
          if (rows.length) print(g, rows, "");
          throw e;
        }
        rows.push({
          switch: r.switch,
          id: r.id,
          ...(o.op === "add" ? { name: r.name ?? "", description: r.description ?? "" } : {}),
          result: r.result,
          watchdog: r.watchdog,
          mode: r.change?.mode ?? "",
          heartbeat_ms: r.change?.heartbeat?.elapsed_ms ?? "",
          snapshot: r.snapshotId ?? "",
          ...(r.change?.dryRun ? { commands: r.change.commands.join("; ") } : {}),
        });
      }
    });
    print(g, rows, "Nothing to do.\n");
  });
}

/** Options of {@link runPortSet}. */
export interface PortOp {
  switch: string;
  port: string;
  mode: "access" | "trunk" | "hybrid";
  pvid?: string;
  allow?: string;
  description?: string;
  watchdog?: WriteFlags;
}

/** `vessel net port set`. */
export async function runPortSet(g: Globals, o: PortOp): Promise<void> {
  const sw = switchName(o.switch);
  const spec = checkPortSpec({
    port: o.port,
    mode: o.mode,
    ...(o.pvid !== undefined ? { pvid: Number.isNaN(Number(o.pvid)) ? -1 : Number(o.pvid) } : {}),
    ...(o.allow !== undefined ? { allow: vlanList(o.allow) } : {}),
    ...(o.description !== undefined ? { description: o.description } : {}),
  });
  await withChassis(g, async (s) => {
    targets(s, sw);
    const r = await withNet(g, s, o.watchdog, (net) => portSet(net, sw, spec));
    print(g, [{
      switch: r.switch,
      port: r.target,
      mode: spec.mode,
      pvid: spec.pvid ?? "",
      allow: spec.allow?.join(",") ?? "",
      result: r.result,
      watchdog: r.watchdog,
      snapshot: r.snapshotId ?? "",
      ...(r.change?.dryRun ? { commands: r.change.commands.join("; ") } : {}),
    }], "");
  });
}

/** `vessel net lag list`. */
export async function runLagList(g: Globals, o: { switch: string }): Promise<void> {
  checkSwitchArg(o.switch, true);
  await withChassis(g, async (s) => {
    const rows: Record<string, unknown>[] = [];
    for (const t of targets(s, o.switch)) {
      for (const l of await lagList(s.chassis, t)) {
        rows.push({
          switch: l.switch,
          id: l.id,
          lacp: l.lacp,
          members: g.output === "json" ? l.members : l.members.join(","),
          description: l.description ?? "",
        });
      }
    }
    print(g, rows, "No LAGs.\n");
  });
}

/** Options of {@link runLag}. */
export interface LagOp {
  op: "create" | "delete";
  switch: string;
  id: string;
  members?: string;
  lacp?: boolean;
  description?: string;
  watchdog?: WriteFlags;
}

/** `vessel net lag create|delete`. */
export async function runLag(g: Globals, o: LagOp): Promise<void> {
  const sw = switchName(o.switch);
  const id = lagId(o.id, "id");
  const members = (o.members ?? "").split(",").map((m) => m.trim()).filter(Boolean)
    .map((m) => portName(m, "members"));
  if (o.op === "create" && !members.length) {
    throw new ValidationError("--members needs at least one port", { field: "members" });
  }
  const description = o.description !== undefined ? ifaceDescription(o.description) : undefined;
  await withChassis(g, async (s) => {
    targets(s, sw);
    const r = await withNet(
      g,
      s,
      o.watchdog,
      (net) =>
        o.op === "create"
          ? lagCreate(net, sw, { id, members, lacp: o.lacp, description })
          : lagDelete(net, sw, { id }),
    );
    print(g, [{
      switch: r.switch,
      lag: r.target,
      ...(o.op === "create" ? { members: members.join(",") } : {}),
      result: r.result,
      watchdog: r.watchdog,
      snapshot: r.snapshotId ?? "",
      ...(r.change?.dryRun ? { commands: r.change.commands.join("; ") } : {}),
    }], "");
  });
}

/** `vessel net snapshot <switch>`: a snapshot of scope `switch:<name>`. */
export async function runNetSnapshot(g: Globals, o: { switch: string }): Promise<void> {
  const sw = switchName(o.switch);
  await withChassis(g, async (s) => {
    targets(s, sw);
    const store = openStore(s.statePath);
    try {
      const { registerBuiltinScopes } = await import("../ops/mod.ts");
      const { takeSnapshot } = await import("../ops/snapshot/snapshot.ts");
      const { SnapshotCatalog } = await import("../store/snapshots.ts");
      const registry = registerBuiltinScopes();
      const ref = await takeSnapshot(
        {
          root: s.snapshotsDir ?? g.snapshotsDir,
          chassis: {
            model: s.endpoints.chassis?.model ?? null,
            serial: s.endpoints.chassis?.serial ?? null,
          },
          catalog: new SnapshotCatalog(store),
          registry,
        },
        [`switch:${sw}`],
        { chassis: s.chassis },
        { reason: `vessel net snapshot ${sw}` },
      );
      print(g, [{ switch: sw, snapshot: ref.id, path: ref.dir }], "");
    } finally {
      store.close();
    }
  });
}

/** `vessel net diag <blade>`. */
export async function runDiag(
  g: Globals,
  o: { blade: string; switch: string; ping: boolean },
): Promise<void> {
  const blade = bladeSlot(o.blade);
  checkSwitchArg(o.switch, true);
  await withChassis(g, async (s) => {
    const sws = targets(s, o.switch);
    const d = await diagnoseBlades(s.chassis, [blade], {
      switches: sws,
      ping: o.ping,
      timeoutMs: g.timeoutMs,
    });
    if (g.output === "json") out(JSON.stringify(d[0], null, 2) + "\n");
    else print(g, diagRows(d), `No switch ports found for blade ${blade}.\n`);
  });
}

function table(
  rows: Record<string, unknown>[],
  bold: (s: string) => string,
  empty: string,
): string {
  if (rows.length === 0) return empty;
  const keys = Object.keys(rows[0]);
  const w = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k] ?? "").length)));
  const line = (cells: string[]) => cells.map((x, i) => x.padEnd(w[i])).join("  ").trimEnd();
  return [
    bold(line(keys.map((k) => k.toUpperCase()))),
    ...rows.map((r) => line(keys.map((k) => String(r[k] ?? "")))),
  ].join("\n") + "\n";
}
