/**
 * The engine's use cases, shared by the CLI, the REST API and the provider:
 * load → validate → refresh → diff → plan, and apply.
 *
 * @example
 * const { plan } = await planFiles({ files: ["chassis.hcl"], chassis, state });
 */
import { defaultRegistry } from "../resources/mod.ts";
import type { StateStore } from "../store/state.ts";
import { loadConfig } from "./load.ts";
import { type ApplyOptions, applyPlan, type ApplyResult, computePlan, type Plan } from "./plan.ts";
import type { Registry } from "./registry.ts";
import { validateConfig } from "./validate.ts";

export type { ApplyResult, Plan, PlanStep } from "./plan.ts";
export { renderPlan } from "./render.ts";

/** Inputs of {@link planFiles}. */
export interface PlanFilesOptions {
  files: string[];
  // deno-lint-ignore no-explicit-any
  chassis: any;
  state: StateStore;
  registry?: Registry;
  parallelism?: number;
  signal?: AbortSignal;
}

/**
 * Load and validate the configuration (before any device I/O), then plan against live reads.
 * @throws {ConfigError} positioned configuration errors
 */
export async function planFiles(
  opts: PlanFilesOptions,
): Promise<{ plan: Plan; registry: Registry }> {
  const registry = opts.registry ?? defaultRegistry();
  const doc = await loadConfig(opts.files);
  const desired = validateConfig(doc, registry);
  const plan = await computePlan({
    desired,
    state: opts.state,
    registry,
    ctx: { chassis: opts.chassis, signal: opts.signal },
    parallelism: opts.parallelism,
  });
  return { plan, registry };
}

/** Inputs of {@link applyPlanned}. */
export interface ApplyPlannedOptions extends Pick<ApplyOptions, "wrap" | "onStep"> {
  // deno-lint-ignore no-explicit-any
  chassis: any;
  state: StateStore;
  registry: Registry;
  signal?: AbortSignal;
}

/** Apply a plan computed by {@link planFiles}. */
export async function applyPlanned(
  plan: Plan,
  opts: ApplyPlannedOptions,
): Promise<ApplyResult> {
  return await applyPlan(plan, {
    state: opts.state,
    registry: opts.registry,
    ctx: { chassis: opts.chassis, signal: opts.signal },
    wrap: opts.wrap,
    onStep: opts.onStep,
  });
}
