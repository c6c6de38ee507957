/**
 * Imperative VLAN operations on one switch module, each inside the change envelope
 * (lock, snapshot of the switch, audit intent, apply, read-back verify, audit outcome, rollback).
 * `vessel net vlan add|remove` and the REST API call these; the engine uses `vessel_vlan`.
 *
 * @example
 * const r = await vlanAdd(envelope, chassis.switch("swi2"), { id: 100, name: "prod" });
 * r.result; // "created" | "updated" | "unchanged"
 */
import { DeviceError } from "../../errors.ts";
import { type EnvelopeContext, runChange } from "../envelope.ts";

/** The slice of the SDK's SwitchClient these operations use. */
export interface VlanSwitch {
  readonly name: string;
  getVlan(id: number): Promise<{ id: number; name?: string; description?: string } | undefined>;
  createVlan(spec: { id: number; name?: string; description?: string }): Promise<unknown>;
  updateVlan(
    id: number,
    patch: { name?: string | null; description?: string | null },
  ): Promise<unknown>;
  deleteVlan(id: number): Promise<void>;
}

/** What a VLAN operation did. */
export interface VlanOpResult {
  switch: string;
  id: number;
  result: "created" | "updated" | "unchanged" | "removed" | "already absent";
  name?: string;
  description?: string;
  /** Snapshot taken (or reused) before the change; absent when nothing had to change. */
  snapshotId?: string;
}

/** Options of {@link vlanAdd}. */
export interface VlanAddSpec {
  id: number;
  name?: string;
  description?: string;
  /** Audit actor (default from the environment). */
  actor?: string;
}

/**
 * Create a VLAN, or bring its name/description to the given values. Idempotent: nothing is sent
 * (and nothing audited) when the VLAN already matches.
 */
export async function vlanAdd(
  envelope: EnvelopeContext,
  sw: VlanSwitch,
  spec: VlanAddSpec,
): Promise<VlanOpResult> {
  const existing = await sw.getVlan(spec.id);
  const patch: { name?: string; description?: string } = {};
  if (spec.name !== undefined && spec.name !== (existing?.name ?? "")) patch.name = spec.name;
  if (spec.description !== undefined && spec.description !== (existing?.description ?? "")) {
    patch.description = spec.description;
  }
  if (existing && Object.keys(patch).length === 0) {
    return {
      switch: sw.name,
      id: spec.id,
      result: "unchanged",
      name: existing.name,
      description: existing.description,
    };
  }
  const operation = existing ? "vlan.update" : "vlan.add";
  const r = await runChange(envelope, {
    actor: spec.actor,
    target: { kind: "switch", id: sw.name },
    operation,
    parameters: { vlan_id: spec.id, ...patch },
    scopes: [`switch:${sw.name}`],
    apply: async () => {
      if (existing) await sw.updateVlan(spec.id, patch);
      else await sw.createVlan({ id: spec.id, ...patch });
      return {};
    },
    verify: async () => {
      const v = await sw.getVlan(spec.id);
      if (!v) {
        throw new DeviceError(`VLAN ${spec.id} on ${sw.name} is missing after ${operation}`, {
          device: sw.name,
        });
      }
      for (const k of ["name", "description"] as const) {
        if (patch[k] !== undefined && (v[k] ?? "") !== patch[k]) {
          throw new DeviceError(
            `VLAN ${spec.id} on ${sw.name}: ${k} is "${v[k] ?? ""}" after ${operation}, expected "${
              patch[k]
            }"`,
            { device: sw.name },
          );
        }
      }
      return { vlan: v };
    },
  });
  const v = await sw.getVlan(spec.id);
  return {
    switch: sw.name,
    id: spec.id,
    result: existing ? "updated" : "created",
    name: v?.name,
    description: v?.description,
    snapshotId: r.snapshotId,
  };
}

/** Delete a VLAN; a VLAN that is already absent is not an error (and changes nothing). */
export async function vlanRemove(
  envelope: EnvelopeContext,
  sw: VlanSwitch,
  spec: { id: number; actor?: string },
): Promise<VlanOpResult> {
  if (!(await sw.getVlan(spec.id))) {
    return { switch: sw.name, id: spec.id, result: "already absent" };
  }
  const r = await runChange(envelope, {
    actor: spec.actor,
    target: { kind: "switch", id: sw.name },
    operation: "vlan.remove",
    parameters: { vlan_id: spec.id },
    scopes: [`switch:${sw.name}`],
    apply: async () => {
      await sw.deleteVlan(spec.id);
      return {};
    },
    verify: async () => {
      if (await sw.getVlan(spec.id)) {
        throw new DeviceError(`VLAN ${spec.id} on ${sw.name} is still present after vlan.remove`, {
          device: sw.name,
        });
      }
      return { gone: true };
    },
  });
  return { switch: sw.name, id: spec.id, result: "removed", snapshotId: r.snapshotId };
}
