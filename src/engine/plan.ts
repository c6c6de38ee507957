/**
 * Plan and apply: diff desired instances against live reads (through each resource's `read`)
 * and the recorded state, then carry the plan out in order.
 *
 * @example
 * const plan = await computePlan({ desired, state, registry, ctx });
 * const result = await applyPlan(plan, { state, registry, ctx });
 */
import { ValidationError } from "../errors.ts";
import type { StateStore } from "../store/state.ts";
import { mapLimited } from "../util/pool.ts";
import type { Registry } from "./registry.ts";
import type { Attributes, PlanAction, ResourceContext, ResourceDefinition } from "./types.ts";
import type { DesiredInstance } from "./validate.ts";

/** One attribute that differs. */
export interface AttributeChange {
  attribute: string;
  before: unknown;
  after: unknown;
  forcesReplacement: boolean;
}

/** One planned action on one resource instance. */
export interface PlanStep {
  address: string;
  type: string;
  name: string;
  action: PlanAction;
  /** Device identity the action targets (the new one for create/replace). */
  id: string;
  /** Prior identity when it differs (replace of a moved VLAN, for example). */
  priorId?: string;
  before?: Attributes;
  after?: Attributes;
  changes: AttributeChange[];
  /** Disruption this step causes, e.g. "link flap on 10GE2/17/1". */
  disruption?: string;
  scopes: string[];
  notes: string[];
}

/** A complete plan. Serialisable (`-out plan.json`). */
export interface Plan {
  formatVersion: 1;
  workspace: string;
  createdAt: string;
  steps: PlanStep[];
  summary: { add: number; change: number; destroy: number };
}

/** Inputs of {@link computePlan}. */
export interface ComputePlanOptions {
  desired: DesiredInstance[];
  state: StateStore;
  registry: Registry;
  ctx: ResourceContext;
  /** Reads in flight overall (default 8). */
  parallelism?: number;
  /** Reads in flight per device scope (default 4). */
  perDevice?: number;
}

/** Compute the plan. Reads run in parallel, capped overall and per device. */
export async function computePlan(opts: ComputePlanOptions): Promise<Plan> {
  const { desired, state, registry, ctx } = opts;
  const declared = new Set(desired.map((d) => d.address));
  type Job =
    | { kind: "desired"; d: DesiredInstance }
    | { kind: "orphan"; address: string };
  const jobs: Job[] = [
    ...desired.map((d) => ({ kind: "desired" as const, d })),
    ...state.list().filter((e) => !declared.has(e.address)).map((e) => ({
      kind: "orphan" as const,
      address: e.address,
    })),
  ];
  const scopeOf = (j: Job): string => {
    if (j.kind === "desired") return j.d.definition.scopes(j.d.attributes)[0] ?? "";
    const e = state.get(j.address)!;
    return registry.get(e.type).scopes(e.attributes)[0] ?? "";
  };
  const steps = await mapLimited(jobs, async (j) => {
    if (j.kind === "desired") return await planDesired(j.d, state, ctx);
    const e = state.get(j.address)!;
    return await planOrphan(
      registry.get(e.type),
      e.address,
      e.type,
      e.name,
      e.id,
      e.attributes,
      ctx,
    );
  }, { limit: opts.parallelism ?? 8, keyOf: scopeOf, perKey: opts.perDevice ?? 4 });

  const summary = { add: 0, change: 0, destroy: 0 };
  for (const s of steps) {
    if (s.action === "create") summary.add++;
    else if (s.action === "update") summary.change++;
    else if (s.action === "delete") summary.destroy++;
    else if (s.action === "replace") {
      summary.add++;
      summary.destroy++;
    }
  }
  return {
    formatVersion: 1,
    workspace: state.workspace,
    createdAt: new Date().toISOString(),
    steps,
    summary,
  };
}

async function planDesired(
  d: DesiredInstance,
  state: StateStore,
  ctx: ResourceContext,
): Promise<PlanStep> {
  const def = d.definition;
  const prior = state.get(d.address);
  const id = def.id(d.attributes);
  const base = {
    address: d.address,
    type: def.type,
    name: d.block.name,
    id,
    scopes: def.scopes(d.attributes),
    notes: [] as string[],
  };
  if (prior && prior.id !== id) {
    const priorLive = await def.read(ctx, prior.id);
    const changes = diff(def, d.attributes, priorLive ?? prior.attributes as Attributes);
    if (!priorLive) {
      base.notes.push(`${prior.id} no longer exists on the device`);
      return step(def, { ...base, action: "create", after: d.attributes, changes: [] });
    }
    checkDeletable(def, priorLive, d.address);
    return step(def, {
      ...base,
      action: "replace",
      priorId: prior.id,
      before: priorLive,
      after: d.attributes,
      changes,
    });
  }
  const live = await def.read(ctx, id);
  if (!live) {
    if (prior) base.notes.push("was deleted outside Vessel; it will be created again");
    return step(def, { ...base, action: "create", after: d.attributes, changes: [] });
  }
  const changes = diff(def, d.attributes, live);
  if (!prior) base.notes.push("already exists on the device; it will be adopted into state");
  if (changes.length === 0) {
    return step(def, { ...base, action: "noop", before: live, after: d.attributes, changes });
  }
  const action = changes.some((c) => c.forcesReplacement) ? "replace" : "update";
  if (action === "replace") checkDeletable(def, live, d.address);
  return step(def, { ...base, action, before: live, after: d.attributes, changes });
}

async function planOrphan(
  def: ResourceDefinition,
  address: string,
  type: string,
  name: string,
  id: string,
  attributes: Attributes,
  ctx: ResourceContext,
): Promise<PlanStep> {
  const live = await def.read(ctx, id);
  const base = { address, type, name, id, scopes: def.scopes(attributes), changes: [] };
  if (!live) {
    return step(def, {
      ...base,
      action: "noop",
      before: attributes,
      notes: ["removed from the configuration and already gone from the device; state is cleaned"],
    });
  }
  checkDeletable(def, live, address);
  return step(def, { ...base, action: "delete", before: live, notes: [] });
}

function checkDeletable(def: ResourceDefinition, live: Attributes, address: string): void {
  // A definition refuses destructive actions it can never perform (e.g. VLAN 1) through `delete`
  // throwing ValidationError; ask it up front via a dry check when it offers one.
  const guard = (def as { canDelete?: (a: Attributes) => string | undefined }).canDelete;
  const reason = guard?.(live);
  if (reason) throw new ValidationError(`${address}: ${reason}`, { field: address });
}

function step(def: ResourceDefinition, s: Omit<PlanStep, "disruption">): PlanStep {
  const disruption = def.disruption?.(s.action, s.after, s.before);
  return disruption ? { ...s, disruption } : s;
}

/** Attributes that differ between desired and live, ignoring computed and secret fields. */
export function diff(
  def: ResourceDefinition,
  desired: Attributes,
  live: Attributes,
): AttributeChange[] {
  const skip = new Set<string>([...(def.computed ?? []), ...(def.secrets ?? [])]);
  const keys = new Set([...Object.keys(desired), ...Object.keys(live)]);
  const out: AttributeChange[] = [];
  for (const k of [...keys].sort()) {
    if (skip.has(k)) continue;
    if (same(desired[k], live[k])) continue;
    out.push({
      attribute: k,
      before: live[k],
      after: desired[k],
      forcesReplacement: (def.requiresReplace as readonly string[]).includes(k),
    });
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === undefined || v === null ? null : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** Outcome of one applied step. */
export interface StepResult {
  address: string;
  action: PlanAction;
  ok: boolean;
  error?: unknown;
  durationMs: number;
}

/** Inputs of {@link applyPlan}. */
export interface ApplyOptions {
  state: StateStore;
  registry: Registry;
  ctx: ResourceContext;
  /** Wraps each mutation (the change envelope hooks in here). */
  wrap?: <T>(step: PlanStep, run: () => Promise<T>) => Promise<T>;
  /** Progress callback, called before and after each step. */
  onStep?: (step: PlanStep, phase: "start" | "done" | "failed", error?: unknown) => void;
}

/** Result of an apply: per-step outcomes; `ok` only when every step succeeded. */
export interface ApplyResult {
  ok: boolean;
  results: StepResult[];
}

/**
 * Carry out `plan`: creates, updates and replacements first, then deletions. Stops at the first
 * failure; state is written per completed step, so it stays true to the device and the next plan
 * shows exactly what remains.
 */
export async function applyPlan(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
  const { state, registry, ctx } = opts;
  const wrap = opts.wrap ?? ((_s, run) => run());
  const order = [
    ...plan.steps.filter((s) =>
      s.action === "create" || s.action === "update" || s.action === "replace"
    ),
    ...plan.steps.filter((s) => s.action === "delete").reverse(),
    ...plan.steps.filter((s) => s.action === "noop"),
  ];
  const results: StepResult[] = [];
  for (const s of order) {
    const def = registry.get(s.type);
    const t0 = performance.now();
    if (s.action === "noop") {
      // Keep state true: adopt what exists, drop what is gone.
      if (s.after && s.before) stateFromLive(state, s, s.before);
      else if (!s.after) state.remove(s.address);
      continue;
    }
    opts.onStep?.(s, "start");
    try {
      await wrap(s, async () => {
        if (s.action === "create") {
          const after = await def.create(ctx, s.after!);
          stateFromLive(state, s, after);
        } else if (s.action === "update") {
          const after = await def.update(ctx, s.after!, s.before!);
          stateFromLive(state, s, after);
        } else if (s.action === "replace") {
          await def.delete(ctx, s.before!);
          state.remove(s.address);
          const after = await def.create(ctx, s.after!);
          stateFromLive(state, s, after);
        } else if (s.action === "delete") {
          await def.delete(ctx, s.before!);
          state.remove(s.address);
        }
      });
      opts.onStep?.(s, "done");
      results.push({
        address: s.address,
        action: s.action,
        ok: true,
        durationMs: performance.now() - t0,
      });
    } catch (error) {
      opts.onStep?.(s, "failed", error);
      results.push({
        address: s.address,
        action: s.action,
        ok: false,
        error,
        durationMs: performance.now() - t0,
      });
      return { ok: false, results };
    }
  }
  return { ok: true, results };
}

function stateFromLive(state: StateStore, s: PlanStep, live: Attributes): void {
  state.put({ address: s.address, type: s.type, name: s.name, id: s.id, attributes: live });
}
