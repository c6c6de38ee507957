/**
 * The engine's use cases, shared by the CLI, the REST API and the provider:
 * load → evaluate → validate → graph → refresh → diff → plan, apply, saved plans, import, drift.
 *
 * @example
 * const { plan } = await planFiles({ files: ["chassis.hcl"], chassis, state });
 * await applyPlanned(plan, { chassis, state, registry });
 */
import { ConfigError, ConflictError, NotFoundError, UsageError } from "../errors.ts";
import { defaultRegistry } from "../resources/mod.ts";
import type { StateStore } from "../store/state.ts";
import { Config, type VariableInputs } from "./config.ts";
import { loadConfig } from "./load.ts";
import {
  type ApplyOptions,
  applyPlan,
  type ApplyResult,
  computePlan,
  driftBetween,
  type DriftEntry,
  hashJson,
  type Plan,
  type PlanStep,
  planToJson,
} from "./plan.ts";
import type { Registry } from "./registry.ts";
import type { Attributes } from "./types.ts";
import { validateStatic } from "./validate.ts";

export type { ApplyResult, DriftEntry, Plan, PlanStep } from "./plan.ts";
export { renderDrift, renderPlan } from "./render.ts";
export { EngineState } from "./state.ts";
export { verifyStep, type VerifyStepOptions } from "./verify.ts";

const CONFIG = Symbol("vessel.config");

/** Inputs of {@link planFiles}. */
export interface PlanFilesOptions extends VariableInputs {
  files: string[];
  // deno-lint-ignore no-explicit-any
  chassis: any;
  state: StateStore;
  registry?: Registry;
  /** Device calls in flight overall (default 8). */
  parallelism?: number;
  /** Device calls in flight per device (default 8). */
  perDevice?: number;
  signal?: AbortSignal;
  /** `--target`: only these block or instance addresses (and what they depend on). */
  targets?: string[];
  /** `--refresh-only`: report drift, change nothing. */
  refreshOnly?: boolean;
  /** Plan the destruction of everything in state. */
  destroy?: boolean;
  /** Called after each live read with its duration (benchmarks). */
  onRead?: (address: string, ms: number, scope: string) => void;
}

/**
 * Load and validate the configuration (before any device I/O), then plan against live reads.
 * @throws {ConfigError} positioned configuration errors
 */
export async function planFiles(
  opts: PlanFilesOptions,
): Promise<{ plan: Plan; registry: Registry; config: Config }> {
  const registry = opts.registry ?? defaultRegistry();
  const config = await loadAndValidate(opts.files, registry, opts);
  const plan = await computePlan({
    config,
    state: opts.state,
    registry,
    ctx: { chassis: opts.chassis, signal: opts.signal },
    parallelism: opts.parallelism,
    perDevice: opts.perDevice,
    targets: opts.targets,
    refreshOnly: opts.refreshOnly,
    destroy: opts.destroy,
    onRead: opts.onRead,
  });
  Object.defineProperty(plan, CONFIG, { value: config, enumerable: false });
  return { plan, registry, config };
}

/**
 * Load, evaluate and statically validate configuration files. No device I/O.
 * @throws {ConfigError}
 */
export async function loadAndValidate(
  files: string[],
  registry: Registry = defaultRegistry(),
  inputs: VariableInputs = {},
): Promise<Config> {
  const doc = await loadConfig(files);
  const config = await Config.create(doc, registry, inputs);
  validateStatic(config);
  return config;
}

/** Inputs of {@link applyPlanned}. */
export interface ApplyPlannedOptions
  extends Pick<ApplyOptions, "wrap" | "onStep" | "parallelism" | "perDevice" | "lock"> {
  // deno-lint-ignore no-explicit-any
  chassis: any;
  state: StateStore;
  registry: Registry;
  signal?: AbortSignal;
}

/**
 * Apply a plan computed by {@link planFiles}. With an {@link EngineState} the state lock is
 * taken for the duration.
 * @throws {ConflictError} the state is locked by someone else
 */
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
    parallelism: opts.parallelism,
    perDevice: opts.perDevice,
    lock: opts.lock,
    config: (plan as unknown as Record<symbol, Config>)[CONFIG],
  });
}

// ---------------------------------------------------------------------------------------------
// Saved plans (`-out plan.json`)

/** What a saved plan file holds besides the plan. */
export interface SavedPlanFile {
  kind: "vessel-plan";
  plan: Plan;
  files: string[];
  /** sha256 of every configuration file's text. */
  configHash: string;
  /** Variable values (sensitive ones omitted: give them again at apply). */
  variables: Record<string, unknown>;
  sensitiveVariables: string[];
}

async function configHash(files: string[]): Promise<string> {
  const doc = await loadConfig(files);
  const texts: string[] = [];
  for (const f of doc.files) texts.push(`${f}\n${await Deno.readTextFile(f)}`);
  return hashJson(texts);
}

/** Write `plan` to `path` (no secrets: sensitive variables and write-only values are left out). */
export async function savePlan(path: string, plan: Plan, files: string[]): Promise<void> {
  const config = (plan as unknown as Record<symbol, Config>)[CONFIG];
  const variables: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config?.variables ?? {})) {
    if (!config?.sensitiveVariables.has(k)) variables[k] = v;
  }
  const saved: SavedPlanFile = {
    kind: "vessel-plan",
    plan: planToJson(plan),
    files,
    configHash: await configHash(files),
    variables,
    sensitiveVariables: [...config?.sensitiveVariables ?? []],
  };
  await Deno.writeTextFile(path, JSON.stringify(saved, null, 2) + "\n", { mode: 0o600 });
}

/**
 * Read a saved plan file.
 * @throws {UsageError} not a Vessel plan
 */
export async function readSavedPlan(path: string): Promise<SavedPlanFile> {
  let saved: SavedPlanFile;
  try {
    saved = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new UsageError(`Cannot read saved plan ${path}: ${(e as Error).message}`, {
      hint: "Create one with vessel plan -out FILE",
    });
  }
  if (saved?.kind !== "vessel-plan" || saved.plan?.formatVersion !== 1) {
    throw new UsageError(`${path} is not a Vessel plan file`, {
      hint: "Create one with vessel plan -out FILE",
    });
  }
  return saved;
}

/** Does `path` look like a saved plan (rather than configuration)? */
export async function isSavedPlan(path: string): Promise<boolean> {
  if (!path.endsWith(".json")) return false;
  try {
    const v = JSON.parse(await Deno.readTextFile(path));
    return v?.kind === "vessel-plan";
  } catch {
    return false;
  }
}

/**
 * Re-plan a saved plan against the live chassis and return the fresh plan, refusing when the
 * configuration or the chassis changed since it was saved.
 * @throws {ConflictError} configuration, workspace or live chassis changed; names what changed
 */
export async function replanSaved(
  saved: SavedPlanFile,
  opts: Omit<PlanFilesOptions, "files" | "targets" | "refreshOnly" | "destroy" | "varFiles">,
): Promise<{ plan: Plan; registry: Registry; config: Config }> {
  if (saved.plan.workspace !== opts.state.workspace) {
    throw new ConflictError(
      `The saved plan is for ${saved.plan.workspace}, not ${opts.state.workspace}`,
      { hint: "Apply it with the --chassis it was planned against" },
    );
  }
  if (await configHash(saved.files) !== saved.configHash) {
    throw new ConflictError("The configuration changed since the plan was saved", {
      hint: "Run vessel plan -out again and apply the new plan",
    });
  }
  // Sensitive variables are not saved: they come again from --var or the environment.
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.vars ?? {})) {
    if (saved.sensitiveVariables.includes(k)) vars[k] = v;
  }
  const env = { ...(opts.env ?? Deno.env.toObject()) };
  // Non-sensitive values come back exactly as planned (as HCL literals).
  for (const [k, v] of Object.entries(saved.variables)) {
    env[`VESSEL_VAR_${k}`] = undefined;
    vars[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  const fresh = await planFiles({
    ...opts,
    files: saved.files,
    vars,
    env,
    targets: saved.plan.options?.targets,
    refreshOnly: saved.plan.options?.refreshOnly,
    destroy: saved.plan.options?.destroy,
  });
  if (fresh.plan.fingerprint !== saved.plan.fingerprint) {
    const a = saved.plan.reads ?? {};
    const b = fresh.plan.reads ?? {};
    const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) =>
      a[k] !== b[k]
    ).sort();
    throw new ConflictError(
      `The chassis changed since the plan was saved: ${changed.join(", ") || "reads differ"}`,
      {
        hint: "Run vessel plan -out again to see the current differences, then apply the new plan",
        details: { changed },
      },
    );
  }
  return fresh;
}

// ---------------------------------------------------------------------------------------------
// Import and drift

/** Inputs of {@link importResource}. */
export interface ImportOptions {
  // deno-lint-ignore no-explicit-any
  chassis: any;
  state: StateStore;
  registry?: Registry;
  signal?: AbortSignal;
}

/**
 * `vessel import ADDRESS ID`: read the object `ID` and record it in state under `ADDRESS`.
 * @throws {UsageError} bad address, or the type cannot be imported
 * @throws {NotFoundError} the device has no such object
 * @throws {ConflictError} the address is already managed
 */
export async function importResource(
  address: string,
  id: string,
  opts: ImportOptions,
): Promise<{ address: string; id: string; attributes: Attributes }> {
  const registry = opts.registry ?? defaultRegistry();
  const m = address.match(/^([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)(\[(?:"[^"]*"|\d+)\])?$/);
  if (!m) {
    throw new UsageError(`Invalid resource address "${address}"`, {
      hint: 'Use TYPE.NAME, TYPE.NAME["key"] or TYPE.NAME[0], e.g. vessel_vlan.prod',
    });
  }
  let def;
  try {
    def = registry.get(m[1]);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message, { hint: e.hint });
    throw e;
  }
  if (opts.state.get(address)) {
    throw new ConflictError(`${address} is already managed (id ${opts.state.get(address)!.id})`, {
      hint: `Remove it first with vessel state rm ${address} if you want to import another object`,
    });
  }
  if (def.parseId) def.parseId(id); // validates the id format, throws a typed error
  const live = await def.read({ chassis: opts.chassis, signal: opts.signal }, id);
  if (!live) {
    throw new NotFoundError(`${def.type} ${id} does not exist on the chassis`, {
      hint: `List what exists, then import an existing id`,
    });
  }
  const canonicalId = def.id(live);
  // Two addresses managing one device object would fight (and destroy would delete it twice).
  const owner = opts.state.list().find((e) => e.type === def.type && e.id === canonicalId);
  if (owner) {
    throw new ConflictError(`${def.type} ${canonicalId} is already managed as ${owner.address}`, {
      hint: `Use that address, or forget it first with vessel state rm ${owner.address}`,
    });
  }
  opts.state.put({ address, type: def.type, name: m[2], id: canonicalId, attributes: live });
  return { address, id: canonicalId, attributes: live };
}

/** Inputs of {@link detectDrift}. */
export interface DriftOptions {
  // deno-lint-ignore no-explicit-any
  chassis: any;
  state: StateStore;
  registry?: Registry;
  signal?: AbortSignal;
  /** Only these addresses. */
  addresses?: string[];
}

/** Compare every state entry with the live chassis, per attribute. */
export async function detectDrift(
  opts: DriftOptions,
): Promise<{ drift: DriftEntry[]; live: Map<string, Attributes | undefined> }> {
  const registry = opts.registry ?? defaultRegistry();
  const entries = opts.state.list().filter((e) =>
    !opts.addresses?.length || opts.addresses.includes(e.address)
  );
  const live = new Map<string, Attributes | undefined>();
  const drift: DriftEntry[] = [];
  await Promise.all(entries.map(async (e) => {
    const def = registry.get(e.type);
    const l = await def.read({ chassis: opts.chassis, signal: opts.signal }, e.id);
    live.set(e.address, l);
    if (!l) {
      drift.push({ address: e.address, type: e.type, id: e.id, status: "deleted", changes: [] });
    } else {
      const d = driftBetween(def, e, l);
      if (d) drift.push(d);
    }
  }));
  drift.sort((a, b) => a.address < b.address ? -1 : 1);
  return { drift, live };
}

/**
 * Adopt drift into state: state takes the live values (per attribute when `attributes` is
 * given); deleted objects leave state.
 */
export function adoptDrift(
  state: StateStore,
  drift: DriftEntry[],
  live: Map<string, Attributes | undefined>,
  attributes?: string[],
): string[] {
  const adopted: string[] = [];
  for (const d of drift) {
    const e = state.get(d.address);
    if (!e) continue;
    const l = live.get(d.address);
    if (d.status === "deleted" || !l) {
      state.remove(d.address);
      adopted.push(d.address);
      continue;
    }
    const next = { ...e.attributes };
    for (const c of d.changes) {
      if (attributes && attributes.length > 0 && !attributes.includes(c.attribute)) continue;
      if (c.live === undefined) delete next[c.attribute];
      else next[c.attribute] = c.live;
    }
    state.put({ ...e, attributes: next });
    adopted.push(d.address);
  }
  return adopted;
}

/**
 * Plan the reversal of drift: put each drifted resource back to what state recorded (update,
 * or create when it was deleted). Attributes limited to `attributes` when given.
 */
export function planRevert(
  state: StateStore,
  drift: DriftEntry[],
  live: Map<string, Attributes | undefined>,
  registry: Registry = defaultRegistry(),
  attributes?: string[],
): Plan {
  const steps: PlanStep[] = [];
  for (const d of drift) {
    const e = state.get(d.address);
    if (!e) continue;
    const def = registry.get(e.type);
    const base = {
      address: e.address,
      type: e.type,
      name: e.name,
      id: e.id,
      scopes: def.scopes(e.attributes),
      notes: [] as string[],
      dependsOn: [],
    };
    if (d.status === "deleted") {
      steps.push({
        ...base,
        action: "create",
        after: e.attributes,
        changes: [],
        notes: ["was deleted outside Vessel; it will be created again"],
      });
      continue;
    }
    const l = live.get(d.address)!;
    const after = { ...l };
    const changes = d.changes.filter((c) => !attributes?.length || attributes.includes(c.attribute))
      .map((c) => ({
        attribute: c.attribute,
        before: c.live,
        after: c.recorded,
        forcesReplacement: (def.requiresReplace as readonly string[]).includes(c.attribute),
      }));
    if (changes.length === 0) continue;
    for (const c of changes) {
      if (c.after === undefined) delete after[c.attribute];
      else after[c.attribute] = c.after;
    }
    const action = changes.some((c) => c.forcesReplacement) ? "replace" : "update";
    steps.push({
      ...base,
      action,
      before: l,
      after,
      changes,
      notes: ["reverts a change made outside Vessel"],
    });
  }
  for (const s of steps) {
    const def = registry.get(s.type);
    const d = def.disruption?.(s.action, s.after, s.before);
    const impact = typeof d === "string"
      ? { kind: "traffic_loss" as const, summary: d }
      : d ?? { kind: "none" as const, summary: "no service impact expected" };
    s.impact = impact;
    if (impact.kind !== "none") s.disruption = impact.summary;
  }
  const summary = { add: 0, change: 0, destroy: 0 };
  for (const s of steps) {
    if (s.action === "create") summary.add++;
    else if (s.action === "update") summary.change++;
    else if (s.action === "replace") (summary.add++, summary.destroy++);
  }
  return {
    formatVersion: 1,
    workspace: state.workspace,
    createdAt: new Date().toISOString(),
    steps,
    summary,
  };
}

/** Plan the destruction of everything in state, without configuration. */
export async function planDestroy(opts: {
  // deno-lint-ignore no-explicit-any
  chassis: any;
  state: StateStore;
  registry?: Registry;
  targets?: string[];
  parallelism?: number;
  signal?: AbortSignal;
}): Promise<{ plan: Plan; registry: Registry }> {
  const registry = opts.registry ?? defaultRegistry();
  const plan = await computePlan({
    state: opts.state,
    registry,
    ctx: { chassis: opts.chassis, signal: opts.signal },
    destroy: true,
    targets: opts.targets,
    parallelism: opts.parallelism,
  });
  return { plan, registry };
}

/** Is `address` managed in state? */
export function requireManaged(state: StateStore, address: string): void {
  if (!state.get(address)) {
    throw new NotFoundError(`${address} is not in the state of ${state.workspace}`, {
      hint: "List managed resources with vessel state list",
    });
  }
}
