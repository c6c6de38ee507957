/**
 * Imperative VLAN operations on one switch module, each under the watchdog inside the change
 * envelope ({@link runSwitchChange}: lock, snapshot, audit intent, apply, `commit trial` or
 * immediate apply, heartbeat, read-back, confirm, audit outcome, rollback on failure).
 * `vessel net vlan add|remove` call these; the engine's `vessel_vlan` can call them too.
 *
 * @example
 * const r = await vlanAdd(net, "swi2", { id: 100, name: "prod" });
 * r.result; // "created" | "updated" | "unchanged"
 */
import { DeviceError, ValidationError } from "../../errors.ts";
import { vlanDescription, vlanId, vlanName } from "./cli_text.ts";
import { type NetContext, runSwitchChange, type SwitchChangeResult } from "./txn.ts";
import type { EnvelopeContext } from "../envelope.ts";
import type { Chassis } from "../../chassis/chassis.ts";
import type { ConfigModel } from "./vrp_parse.ts";

/** What a VLAN operation did. */
export interface VlanOpResult {
  switch: string;
  id: number;
  result: "created" | "updated" | "unchanged" | "removed" | "already absent" | "planned";
  name?: string;
  description?: string;
  /** Snapshot taken (or reused) before the change; absent when nothing had to change. */
  snapshotId?: string;
  /** `committed` (heartbeat green, change kept), `unchanged`, or `dry-run`. */
  watchdog: "committed" | "unchanged" | "dry-run";
  /** The full transaction result (commands, heartbeat evidence, mode). */
  change?: SwitchChangeResult;
}

/** Options of {@link vlanAdd}: `""` clears a name or description. */
export interface VlanAddSpec {
  id: number;
  name?: string;
  description?: string;
  /** Audit actor (default: the context's, else from the environment). */
  actor?: string;
}

/**
 * Accept both call shapes: `(net, "swi2", spec)` and the older `(envelope, switchClient, spec)`
 * (REST routes), which runs with the default watchdog on the envelope's chassis.
 */
function netArgs(
  ctx: NetContext | EnvelopeContext,
  sw: string | { readonly name: string },
  actor?: string,
): [NetContext, string] {
  const name = typeof sw === "string" ? sw : sw.name;
  if ("envelope" in ctx) return [actor ? { ...ctx, actor } : ctx, name];
  const chassis = (ctx.env as { chassis?: Chassis }).chassis;
  if (!chassis) throw new ValidationError("The envelope context has no open chassis (env.chassis)");
  return [{ envelope: ctx, chassis, actor }, name];
}

/** Validate a VLAN request before any device I/O (throws {@link ValidationError}). */
export function checkVlanSpec(spec: VlanAddSpec, op: "add" | "remove" = "add"): VlanAddSpec {
  const id = vlanId(spec.id, "id");
  if (op === "remove" && id === 1) {
    throw new ValidationError("VLAN 1 is the default VLAN and cannot be deleted", { field: "id" });
  }
  return {
    id,
    ...(spec.name !== undefined ? { name: spec.name === "" ? "" : vlanName(spec.name) } : {}),
    ...(spec.description !== undefined
      ? { description: spec.description === "" ? "" : vlanDescription(spec.description) }
      : {}),
  };
}

/**
 * Create a VLAN, or bring its name/description to the given values. Idempotent: nothing is sent
 * (and nothing audited) when the VLAN already matches.
 */
export async function vlanAdd(
  ctx: NetContext | EnvelopeContext,
  target: string | { readonly name: string },
  input: VlanAddSpec,
): Promise<VlanOpResult> {
  const spec = checkVlanSpec(input);
  const [net, sw] = netArgs(ctx, target, input.actor);
  let existed = false;
  const r = await runSwitchChange(net, {
    switch: sw,
    operation: "vlan.add",
    parameters: { vlan_id: spec.id, name: spec.name, description: spec.description },
    plan(cfg: ConfigModel) {
      existed = cfg.vlanIds.has(spec.id);
      const cur = cfg.vlans.get(spec.id) ?? {};
      const sub: string[] = [];
      for (const k of ["name", "description"] as const) {
        const want = spec[k];
        if (want === undefined || (cur[k] ?? "") === want) continue;
        sub.push(want === "" ? `undo ${k}` : `${k} ${want}`);
      }
      if (existed && !sub.length) return { commands: [] };
      return { commands: [`vlan ${spec.id}`, ...sub, "quit"], summary: { existed } };
    },
    verify(cfg: ConfigModel) {
      const v = cfg.vlans.get(spec.id) ?? {};
      if (!cfg.vlanIds.has(spec.id)) {
        throw new DeviceError(
          `VLAN ${spec.id} is not in the configuration of ${sw} after the change`,
          {
            device: sw,
          },
        );
      }
      for (const k of ["name", "description"] as const) {
        if (spec[k] !== undefined && (v[k] ?? "") !== spec[k]) {
          throw new DeviceError(
            `VLAN ${spec.id} on ${sw}: ${k} is ${
              JSON.stringify(v[k] ?? null)
            } after the change, expected ${JSON.stringify(spec[k])}`,
            { device: sw },
          );
        }
      }
      return { vlan: { id: spec.id, ...v } };
    },
  });
  return {
    switch: sw,
    id: spec.id,
    result: r.dryRun && r.commands.length
      ? "planned"
      : !r.changed
      ? "unchanged"
      : existed
      ? "updated"
      : "created",
    name: spec.name,
    description: spec.description,
    snapshotId: r.snapshotId,
    watchdog: r.dryRun ? "dry-run" : r.changed ? "committed" : "unchanged",
    change: r,
  };
}

/** Delete a VLAN; a VLAN that is already absent is not an error (and changes nothing). */
export async function vlanRemove(
  ctx: NetContext | EnvelopeContext,
  target: string | { readonly name: string },
  input: { id: number; actor?: string },
): Promise<VlanOpResult> {
  const { id } = checkVlanSpec({ id: input.id }, "remove");
  const [net, sw] = netArgs(ctx, target, input.actor);
  const r = await runSwitchChange(net, {
    switch: sw,
    operation: "vlan.remove",
    parameters: { vlan_id: id },
    plan(cfg) {
      return { commands: cfg.vlanIds.has(id) ? [`undo vlan ${id}`] : [] };
    },
    verify(cfg) {
      if (cfg.vlanIds.has(id)) {
        throw new DeviceError(`VLAN ${id} is still in the configuration of ${sw} after removal`, {
          device: sw,
        });
      }
      return { gone: true };
    },
  });
  return {
    switch: sw,
    id,
    result: r.dryRun && r.commands.length ? "planned" : r.changed ? "removed" : "already absent",
    snapshotId: r.snapshotId,
    watchdog: r.dryRun ? "dry-run" : r.changed ? "committed" : "unchanged",
    change: r,
  };
}
