/**
 * Plan and apply.
 *
 * Plan walks the block graph of a {@link Config} in dependency order (independent blocks in
 * parallel, reads capped overall and per device): it evaluates each block with the planned
 * values of what it refers to (unknown when only known after apply), expands `for_each`/`count`,
 * reads the live object through the resource's `read`, and diffs desired against live, giving
 * one step per instance (`+ ~ -/+ -`) annotated with its disruption. Resources in state but no
 * longer declared are planned for destruction.
 *
 * Apply runs the steps in dependency order, in parallel where safe (different devices; writes to
 * one device are serialised), re-evaluating attributes that were unknown at plan time. State is
 * written per completed step, so a failure in the middle leaves state true to the device and
 * the next plan shows exactly what remains.
 *
 * @example
 * const plan = await computePlan({ config, state, registry, ctx });
 * const result = await applyPlan(plan, { state, registry, ctx });
 */
import { createHash } from "node:crypto";
import { ConfigError, NotFoundError, SafetyError, ValidationError } from "../errors.ts";
import type { StateEntry, StateStore } from "../store/state.ts";
import { type Config, type InstanceSpec, type Lifecycle, schemaKeys } from "./config.ts";
import { containsUnknown, deepEqual, isUnknown, UNKNOWN } from "./eval.ts";
import { runDag } from "./graph.ts";
import type { Registry } from "./registry.ts";
import { EngineState, isSecretHash, protectSecrets, secretMatches } from "./state.ts";
import type {
  Attributes,
  DataSourceDefinition,
  Disruption,
  PlanAction,
  ResourceContext,
  ResourceDefinition,
} from "./types.ts";
import { type DesiredInstance, validateStatic } from "./validate.ts";

/** One attribute that differs. */
export interface AttributeChange {
  attribute: string;
  before: unknown;
  after: unknown;
  forcesReplacement: boolean;
  /** The value is a write-only secret: shown as `(sensitive)`. */
  sensitive?: boolean;
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
  /** Disruption this step causes, one sentence (also in `impact`). */
  disruption?: string;
  /** Structured disruption: kind and expected duration. Every changing step has one. */
  impact?: Disruption;
  scopes: string[];
  notes: string[];
  /** Addresses of steps that must finish first (apply order). */
  dependsOn?: string[];
  /** Attributes known only after apply. */
  unknown?: string[];
  /** Present when the instance declares lifecycle settings. */
  lifecycle?: Partial<Lifecycle>;
}

/** A drifted attribute: what state recorded vs what the device has. */
export interface DriftChange {
  attribute: string;
  recorded: unknown;
  live: unknown;
}

/** One resource that changed behind Vessel's back (or disappeared). */
export interface DriftEntry {
  address: string;
  type: string;
  id: string;
  status: "changed" | "deleted";
  changes: DriftChange[];
}

/** A complete plan. Serialisable (`-out plan.json`); secrets never appear in it. */
export interface Plan {
  formatVersion: 1;
  workspace: string;
  createdAt: string;
  steps: PlanStep[];
  summary: { add: number; change: number; destroy: number };
  /** Output values (sensitive ones as `(sensitive)`). */
  outputs?: Record<string, { value: unknown; sensitive: boolean }>;
  /** Hash of every live read, by address: a saved plan is refused when the chassis changed. */
  reads?: Record<string, string>;
  /** Hash over `reads`. */
  fingerprint?: string;
  /** Options the plan was made with. */
  options?: { targets?: string[]; refreshOnly?: boolean; destroy?: boolean };
  /** `--refresh-only`: what changed on the device since state was written. */
  drift?: DriftEntry[];
}

/** Inputs of {@link computePlan}. */
export interface ComputePlanOptions {
  /** The evaluated configuration (preferred). */
  config?: Config;
  /** Legacy: statically validated instances (no references between them). */
  desired?: DesiredInstance[];
  state: StateStore;
  registry: Registry;
  ctx: ResourceContext;
  /** Reads in flight overall (default 8). */
  parallelism?: number;
  /** Reads in flight per device scope (default 8). */
  perDevice?: number;
  /** Only these addresses (block or instance) and what they depend on. */
  targets?: string[];
  /** Only refresh: report drift, plan no changes. */
  refreshOnly?: boolean;
  /** Plan the destruction of everything in state. */
  destroy?: boolean;
  /** Called after each live read with its duration (benchmarks: critical path). */
  onRead?: (address: string, ms: number, scope: string) => void;
}

const RESOLVE = Symbol("vessel.resolve");
const VALUES = Symbol("vessel.values");
const CLEAR = Symbol("vessel.secrets");

interface RuntimeStep extends PlanStep {
  /** Re-evaluate `after` with the values known now (apply-time). */
  [RESOLVE]?: () => Attributes;
  /** Clear-text secrets of `after` (never serialised). */
  [CLEAR]?: Attributes;
}

/** sha256 of canonical JSON. */
export function hashJson(v: unknown): string {
  return createHash("sha256").update(canonical(v)).digest("hex").slice(0, 32);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${
      Object.keys(v).sort().map((k) =>
        `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`
      ).join(",")
    }}`;
  }
  return JSON.stringify(v ?? null);
}

function parseKey(address: string, block: string): string | number | undefined {
  const rest = address.slice(block.length);
  if (!rest) return undefined;
  const m = rest.match(/^\[(.*)\]$/);
  if (!m) return undefined;
  return m[1].startsWith('"') ? JSON.parse(m[1]) : Number(m[1]);
}

/** Block address of an instance address (`a.b["x"]` → `a.b`). */
export function blockOf(address: string): string {
  const i = address.indexOf("[");
  return i < 0 ? address : address.slice(0, i);
}

/** Values of one block's instances, published to the config for references. */
class BlockValues {
  #byBlock = new Map<
    string,
    { keyed: boolean; counted: boolean; values: Map<string | number | undefined, unknown> }
  >();
  constructor(private readonly config?: Config) {}

  declare(block: string, instances: InstanceSpec[]): void {
    this.#byBlock.set(block, {
      keyed: instances.some((i) => typeof i.key === "string") ||
        instances[0]?.block.body.for_each !== undefined,
      counted: instances.some((i) => typeof i.key === "number") ||
        instances[0]?.block.body.count !== undefined,
      values: new Map(),
    });
    this.#publish(block);
  }

  set(address: string, value: unknown): void {
    const block = blockOf(address);
    const b = this.#byBlock.get(block);
    if (!b) return;
    b.values.set(parseKey(address, block), value);
    this.#publish(block);
  }

  #publish(block: string): void {
    if (!this.config) return;
    const b = this.#byBlock.get(block)!;
    let v: unknown;
    if (b.keyed) {
      v = Object.fromEntries([...b.values].map(([k, x]) => [String(k), x]));
    } else if (b.counted) {
      v = [...b.values].sort(([a], [c]) => Number(a) - Number(c)).map(([, x]) => x);
    } else v = b.values.get(undefined) ?? UNKNOWN;
    this.config.values.set(block, v);
  }
}

/** Compute the plan. Reads run in parallel, capped overall and per device. */
export async function computePlan(opts: ComputePlanOptions): Promise<Plan> {
  const { state, registry } = opts;
  const memos = new Map<string, Promise<unknown>>();
  const settled = new Set<Promise<unknown>>();
  const memo = <T>(key: string, fn: () => Promise<T>, slot?: Slot): Promise<T> => {
    let p = memos.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      memos.set(key, p);
      const mine = p;
      p.then(() => settled.add(mine), () => memos.delete(key));
      return p;
    }
    // Another read's device call: waiting for it uses no device, so the slot is free meanwhile.
    return slot && !settled.has(p) ? slot.idle(p) : p;
  };
  const ctx: ResourceContext = { ...opts.ctx, memo: (key, fn) => memo(key, fn) };
  /** The context of one capped read: joining another read's call frees its slot meanwhile. */
  const slotCtx = (slot: Slot): ResourceContext => ({
    ...ctx,
    memo: (key, fn) => memo(key, fn, slot),
  });
  opts = { ...opts, ctx };
  const config = opts.config;
  const steps: RuntimeStep[] = [];
  const reads: Record<string, string> = {};
  const drift: DriftEntry[] = [];
  const declared = new Set<string>();
  const values = new BlockValues(config);
  const parallelism = opts.parallelism ?? 8;
  const perDevice = opts.perDevice ?? 8;
  const sems = new Semaphores(parallelism, perDevice);
  const outputs: Record<string, { value: unknown; sensitive: boolean }> = {};
  /** Resource instance addresses of each block (for dependencies). */
  const instancesOf = new Map<string, string[]>();

  // Live reads do not depend on each other, only evaluation does: every read whose id is known
  // statically starts at once (under the caps), and a block's turn in the graph finds it done.
  const started = new Map<string, Promise<Attributes | undefined>>();
  const read = (def: ResourceDefinition, id: string, address: string, scope: string) => {
    const key = `${address}|${id}`;
    let p = started.get(key);
    if (!p) {
      p = sems.run(scope, async (slot) => {
        const t0 = performance.now();
        try {
          return await def.read(slotCtx(slot), id);
        } finally {
          opts.onRead?.(address, performance.now() - t0, scope);
        }
      }).then((live) => {
        reads[address] = hashJson(live ?? null);
        return live;
      });
      p.catch(() => {}); // a read started early and never needed must not go unhandled
      started.set(key, p);
    }
    return p;
  };
  const dataReads = new Map<string, Promise<Attributes>>();
  const readDataOnce = (address: string, def: DataSourceDefinition, args: Attributes) => {
    const key = `${address}|${hashJson(args)}`;
    let p = dataReads.get(key);
    if (!p) {
      const scope = def.scopes?.(args)[0] ?? "";
      p = sems.run(scope, (slot) => def.read(slotCtx(slot), args));
      p.catch(() => {});
      dataReads.set(key, p);
    }
    return p;
  };
  if (config) {
    const early = validateStatic(config, (address, type, args) => {
      readDataOnce(address, registry.getData(type), args);
    });
    // A read needs only the id: an instance whose other attributes wait on another block (a
    // profile's mac_source on the pool, a blade's compute_profile on the profile) is read now.
    // Started round-robin across scopes (devices): with the overall cap smaller than the number
    // of instances, 40 VLAN reads of one switch (which share one `display vlan`) must not take
    // every slot while the other switch and the blades wait.
    const byScope = new Map<string, { d: (typeof early)[number]; id: string }[]>();
    for (const d of early) {
      if (opts.destroy) continue;
      const id = safeId(d.definition, d.attributes);
      if (id.includes("(known after apply)")) continue;
      const scope = safeScope(d.definition, d.attributes);
      let q = byScope.get(scope);
      if (!q) byScope.set(scope, q = []);
      q.push({ d, id });
    }
    for (let i = 0, more = true; more; i++) {
      more = false;
      for (const [scope, q] of byScope) {
        if (i >= q.length) continue;
        more = true;
        read(q[i].d.definition, q[i].id, q[i].d.address, scope);
      }
    }
  }
  for (const e of state.list()) {
    const def = registry.has(e.type) ? registry.get(e.type) : undefined;
    if (def) read(def, e.id, e.address, def.scopes(e.attributes)[0] ?? "");
  }

  const planOne = async (
    spec: {
      address: string;
      type: string;
      name: string;
      def: ResourceDefinition;
      lifecycle: Lifecycle;
      deps: string[];
    },
    attributes: Attributes,
    unknown: string[],
    resolve?: () => Attributes,
  ) => {
    const step = await planInstance(spec, attributes, unknown, state, read, opts);
    if (resolve && unknown.length > 0) step[RESOLVE] = resolve;
    steps.push(step);
    if (opts.refreshOnly) {
      const d = driftOf(spec.def, state.get(spec.address), step);
      if (d) drift.push(d);
    }
    values.set(spec.address, plannedValue(spec.def, step));
  };

  if (config) {
    const blockDeps = resourceDepsOf(config);
    const tasks = config.order.map((addr) => {
      const node = config.nodes.get(addr)!;
      return {
        id: addr,
        deps: [...node.deps],
        run: async () => {
          if (node.kind === "local") {
            config.evalLocal(addr.slice("local.".length));
            return;
          }
          if (node.kind === "output") {
            const name = addr.slice("output.".length);
            const o = config.evalOutput(name);
            outputs[name] = {
              value: o.sensitive ? "(sensitive)" : o.value,
              sensitive: o.sensitive,
            };
            return;
          }
          const b = node.block!;
          const instances = config.expand(b);
          values.declare(addr, instances);
          if (node.kind === "data") {
            await Promise.all(
              instances.map((i) => readData(config, i, registry, readDataOnce, values)),
            );
            return;
          }
          const def = registry.get(b.type, b.position);
          const deps = (blockDeps.get(addr) ?? []).flatMap((d) => instancesOf.get(d) ?? [d]);
          instancesOf.set(addr, instances.map((i) => i.address));
          await Promise.all(instances.map(async (i) => {
            declared.add(i.address);
            const raw = config.evalBody(i);
            const { attributes, unknown } = config.validate(i, def, raw);
            const lifecycle = config.lifecycle(i);
            const resolve = () => {
              // each.value may itself have been unknown at plan time: expand again now.
              const spec = i.each ? config.expand(b).find((x) => x.key === i.key) ?? i : i;
              const again = config.evalBody(spec);
              const v = config.validate(spec, def, again);
              if (v.unknown.length > 0) {
                throw new ConfigError(
                  `${i.address}: ${v.unknown.join(", ")} still unknown at apply`,
                  {
                    position: b.position,
                  },
                );
              }
              return v.attributes;
            };
            await planOne(
              { address: i.address, type: b.type, name: b.name, def, lifecycle, deps },
              attributes,
              unknown,
              resolve,
            );
          }));
        },
      };
    });
    const { errors } = await runDag(tasks, { limit: Math.max(parallelism, 64), perKey: Infinity });
    if (errors.size > 0) throw [...errors.values()][0];
  } else if (opts.desired) {
    await Promise.all(opts.desired.map(async (d) => {
      declared.add(d.address);
      await planOne(
        {
          address: d.address,
          type: d.definition.type,
          name: d.block.name,
          def: d.definition,
          lifecycle: { preventDestroy: false, ignoreChanges: [], createBeforeDestroy: false },
          deps: [],
        },
        d.attributes,
        [],
      );
    }));
  }

  // Orphans: in state, not declared (or everything, for destroy).
  const orphans = state.list().filter((e) => opts.destroy || !declared.has(e.address));
  // Destroy keeps the lifecycle the configuration declares (prevent_destroy still protects).
  const declaredLifecycle = new Map(steps.map((s) => [s.address, s.lifecycle]));
  if (opts.destroy) steps.length = 0;
  await Promise.all(orphans.map(async (e) => {
    const def = registry.get(e.type);
    const step = await planOrphan(def, e, state, read, opts);
    const lc = declaredLifecycle.get(e.address);
    if (lc) step.lifecycle = lc;
    if (opts.refreshOnly) {
      const d = driftOf(def, e, step);
      if (d) drift.push(d);
      step.action = "noop";
    }
    steps.push(step);
  }));

  // Refuse destroying what lifecycle protects.
  if (!opts.refreshOnly) {
    for (const s of steps) {
      const protectedByConfig = s.lifecycle?.preventDestroy;
      const protectedByState = state instanceof EngineState &&
        state.meta(s.address)?.preventDestroy &&
        s.action === "delete" && !declared.has(s.address);
      if (
        (s.action === "delete" || s.action === "replace") && (protectedByConfig || protectedByState)
      ) {
        throw new SafetyError(
          `${s.address} has lifecycle.prevent_destroy set, but the plan would ${
            s.action === "replace" ? "replace" : "destroy"
          } it`,
          {
            hint: s.action === "replace"
              ? `Change only attributes that can be updated in place (${
                s.changes.filter((c) => c.forcesReplacement).map((c) => c.attribute).join(", ")
              } force replacement), or set prevent_destroy = false`
              : "Set prevent_destroy = false (it may come from a variable) and plan again",
            details: { address: s.address, action: s.action },
          },
        );
      }
    }
  }

  steps.sort((a, b) => a.address < b.address ? -1 : a.address > b.address ? 1 : 0);
  let kept = steps;
  if (opts.targets && opts.targets.length > 0) kept = targetSteps(steps, opts.targets);
  if (opts.refreshOnly) { for (const s of kept) s.action = "noop"; }
  const summary = { add: 0, change: 0, destroy: 0 };
  for (const s of kept) {
    if (s.action === "create") summary.add++;
    else if (s.action === "update") summary.change++;
    else if (s.action === "delete") summary.destroy++;
    else if (s.action === "replace") {
      summary.add++;
      summary.destroy++;
    }
  }
  const plan: Plan = {
    formatVersion: 1,
    workspace: state.workspace,
    createdAt: new Date().toISOString(),
    steps: kept,
    summary,
    reads,
    fingerprint: hashJson(reads),
  };
  if (Object.keys(outputs).length > 0) plan.outputs = outputs;
  const options: Plan["options"] = {};
  if (opts.targets?.length) options.targets = opts.targets;
  if (opts.refreshOnly) options.refreshOnly = true;
  if (opts.destroy) options.destroy = true;
  if (Object.keys(options).length > 0) plan.options = options;
  if (opts.refreshOnly) plan.drift = drift.sort((a, b) => a.address < b.address ? -1 : 1);
  // Apply publishes applied values through the same table (late evaluation of unknowns).
  Object.defineProperty(plan, VALUES, { value: values, enumerable: false });
  return plan;
}

/** Addresses matching the targets, plus their dependencies. */
function targetSteps(steps: RuntimeStep[], targets: string[]): RuntimeStep[] {
  const byAddr = new Map(steps.map((s) => [s.address, s]));
  const keep = new Set<string>();
  const add = (a: string) => {
    if (keep.has(a)) return;
    keep.add(a);
    for (const d of byAddr.get(a)?.dependsOn ?? []) add(d);
  };
  for (const s of steps) {
    if (targets.some((t) => s.address === t || blockOf(s.address) === t)) add(s.address);
  }
  return steps.filter((s) => keep.has(s.address));
}

/** For each resource/data block: the resource blocks it depends on (through locals and data). */
function resourceDepsOf(config: Config): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const memo = new Map<string, Set<string>>();
  const reach = (addr: string): Set<string> => {
    const hit = memo.get(addr);
    if (hit) return hit;
    const acc = new Set<string>();
    memo.set(addr, acc);
    for (const d of config.nodes.get(addr)?.deps ?? []) {
      const n = config.nodes.get(d);
      if (!n) continue;
      if (n.kind === "resource") acc.add(d);
      else for (const x of reach(d)) acc.add(x);
    }
    return acc;
  };
  for (const [addr, n] of config.nodes) if (n.kind === "resource") out.set(addr, [...reach(addr)]);
  return out;
}

async function readData(
  config: Config,
  i: InstanceSpec,
  registry: Registry,
  readOnce: (address: string, def: DataSourceDefinition, args: Attributes) => Promise<Attributes>,
  values: BlockValues,
): Promise<void> {
  const def = registry.getData(i.block.type, i.block.position);
  const raw = config.evalBody(i);
  const { attributes, unknown } = config.validate(i, def, raw);
  if (unknown.length > 0) {
    values.set(i.address, UNKNOWN);
    return;
  }
  const result = await readOnce(i.address, def, attributes);
  values.set(i.address, { ...attributes, ...result });
}

/** Value other blocks see of an instance after this plan: live merged with desired. */
function plannedValue(def: ResourceDefinition, s: PlanStep): unknown {
  if (s.action === "delete") return UNKNOWN;
  const after = { ...(s.after ?? {}) };
  for (const k of def.secrets ?? []) if (k in after) after[k] = "(sensitive)";
  const fresh = s.action === "create" || s.action === "replace";
  const base: Attributes = fresh ? {} : { ...(s.before ?? {}) };
  const computed = def.computed ?? [];
  const shape = schemaKeys(def.schema);
  const out: Attributes = {};
  for (const k of shape) out[k] = null;
  Object.assign(out, base, after);
  for (const k of computed) if (fresh || out[k] === undefined) out[k] = fresh ? UNKNOWN : out[k];
  out.id = containsUnknown(after) && s.id.includes("(known after apply)") ? UNKNOWN : s.id;
  return out;
}

/** The first scope of an instance, or "" while it depends on a value known only later. */
function safeScope(def: ResourceDefinition, a: Attributes): string {
  try {
    const s = def.scopes(a)[0] ?? "";
    return s.includes("(known after apply)") ? "" : s;
  } catch {
    return "";
  }
}

function safeId(def: ResourceDefinition, a: Attributes): string {
  try {
    return def.id(a);
  } catch {
    return "(known after apply)";
  }
}

async function planInstance(
  spec: {
    address: string;
    type: string;
    name: string;
    def: ResourceDefinition;
    lifecycle: Lifecycle;
    deps: string[];
  },
  attributes: Attributes,
  unknown: string[],
  state: StateStore,
  read: (
    def: ResourceDefinition,
    id: string,
    address: string,
    scope: string,
  ) => Promise<Attributes | undefined>,
  opts: ComputePlanOptions,
): Promise<RuntimeStep> {
  const { def, address } = spec;
  const prior = state.get(address);
  const id = safeId(def, attributes);
  const idUnknown = id.includes("(known after apply)");
  const scopes = idUnknown ? def.scopes(prior?.attributes ?? attributes) : def.scopes(attributes);
  const secrets = def.secrets ?? [];
  const clear: Attributes = {};
  const after: Attributes = { ...attributes };
  for (const k of secrets) {
    if (after[k] !== undefined && !isUnknown(after[k])) {
      clear[k] = after[k];
      after[k] = "(sensitive)";
    }
  }
  const lc = spec.lifecycle;
  const base: RuntimeStep = {
    address,
    type: def.type,
    name: spec.name,
    action: "noop",
    id,
    scopes,
    notes: [],
    changes: [],
    dependsOn: spec.deps,
  };
  if (unknown.length > 0) base.unknown = unknown;
  if (
    lc.preventDestroy || lc.createBeforeDestroy || lc.ignoreChanges === "all" ||
    lc.ignoreChanges.length > 0
  ) {
    base.lifecycle = {
      preventDestroy: lc.preventDestroy,
      ignoreChanges: lc.ignoreChanges,
      ...(lc.createBeforeDestroy ? { createBeforeDestroy: true } : {}),
    };
  }
  if (Object.keys(clear).length > 0) base[CLEAR] = clear;
  const finish = (s: RuntimeStep): RuntimeStep => annotate(def, s, attributes);
  const norm = (live: Attributes | undefined) =>
    live && def.normalize && unknown.length === 0 ? def.normalize(attributes, live) : live;
  const scope = scopes[0] ?? "";

  if (prior && (idUnknown || prior.id !== id)) {
    const priorLive = norm(await read(def, prior.id, address, scope));
    if (!priorLive) {
      base.notes.push(`${prior.id} no longer exists on the device`);
      return finish({ ...base, action: "create", after });
    }
    const changes = diffAttributes(def, attributes, priorLive, prior.attributes, unknown, lc);
    checkDeletable(def, priorLive, address);
    return finish({
      ...base,
      action: "replace",
      priorId: prior.id,
      before: priorLive,
      after,
      changes,
    });
  }
  if (idUnknown) return finish({ ...base, action: "create", after });
  const live = norm(await read(def, id, address, scope));
  if (def.planNotes) {
    try {
      base.notes.push(...await def.planNotes(opts.ctx, attributes));
    } catch { /* notes are best effort */ }
  }
  if (!live) {
    if (prior) base.notes.push("was deleted outside Vessel; it will be created again");
    return finish({ ...base, action: "create", after });
  }
  const changes = diffAttributes(def, attributes, live, prior?.attributes, unknown, lc);
  if (!prior) base.notes.push("already exists on the device; it will be adopted into state");
  // ignore_changes: keep the live value for those attributes.
  const ignored = lc.ignoreChanges === "all" ? Object.keys(attributes) : lc.ignoreChanges;
  for (const k of ignored) if (k in live) after[k] = live[k];
  if (changes.length === 0) return finish({ ...base, action: "noop", before: live, after });
  const action = changes.some((c) => c.forcesReplacement) ? "replace" : "update";
  if (action === "replace") checkDeletable(def, live, address);
  return finish({ ...base, action, before: live, after, changes });
}

async function planOrphan(
  def: ResourceDefinition,
  e: StateEntry,
  state: StateStore,
  read: (
    def: ResourceDefinition,
    id: string,
    address: string,
    scope: string,
  ) => Promise<Attributes | undefined>,
  _opts: ComputePlanOptions,
): Promise<RuntimeStep> {
  const scopes = def.scopes(e.attributes);
  const live = await read(def, e.id, e.address, scopes[0] ?? "");
  const meta = state instanceof EngineState ? state.meta(e.address) : undefined;
  const base: RuntimeStep = {
    address: e.address,
    type: e.type,
    name: e.name,
    id: e.id,
    scopes,
    changes: [],
    action: "noop",
    notes: [],
    // Destroy order is the reverse of creation: remember what this depended on.
    dependsOn: meta?.deps ?? [],
  };
  if (!live) {
    return annotate(def, {
      ...base,
      before: e.attributes,
      notes: ["removed from the configuration and already gone from the device; state is cleaned"],
    }, undefined);
  }
  checkDeletable(def, live, e.address);
  if (def.releaseOnDelete) {
    base.notes.push("Vessel stops managing it; the device keeps its current settings");
  }
  return annotate(def, { ...base, action: "delete", before: live }, undefined);
}

function checkDeletable(def: ResourceDefinition, live: Attributes, address: string): void {
  const reason = def.canDelete?.(live);
  if (reason) throw new ValidationError(`${address}: ${reason}`, { field: address });
}

/** Every step gets its disruption: the resource's own words, or "no service impact". */
function annotate(
  def: ResourceDefinition,
  s: RuntimeStep,
  desired: Attributes | undefined,
): RuntimeStep {
  if (s.action === "noop") return s;
  if (s.action === "delete" && def.releaseOnDelete) {
    s.impact = { kind: "none", summary: "released: nothing changes on the device" };
    return s;
  }
  let d: string | Disruption | undefined;
  try {
    d = def.disruption?.(s.action, desired ?? s.after, s.before);
  } catch {
    d = undefined;
  }
  const impact: Disruption = typeof d === "string"
    ? { kind: "traffic_loss", summary: d }
    : d ?? { kind: "none", summary: "no service impact expected" };
  s.impact = impact;
  if (impact.kind !== "none") s.disruption = impact.summary;
  return s;
}

/**
 * Attributes that differ between desired and live, ignoring computed attributes and
 * `ignore_changes`; secrets compare against the salted hash in state; unknown attributes are
 * changes "(known after apply)".
 */
export function diffAttributes(
  def: ResourceDefinition,
  desired: Attributes,
  live: Attributes,
  recorded: Attributes | undefined,
  unknown: readonly string[] = [],
  lc?: Lifecycle,
): AttributeChange[] {
  const secrets = new Set<string>(def.secrets ?? []);
  const ignored = lc?.ignoreChanges === "all"
    ? new Set(Object.keys(desired))
    : new Set(lc?.ignoreChanges ?? []);
  const skip = new Set<string>([...(def.computed ?? []), ...secrets, ...ignored]);
  for (const k of def.keepWhenUnset ?? []) if (desired[k] === undefined) skip.add(k);
  const keys = new Set([...Object.keys(desired), ...Object.keys(live)]);
  const out: AttributeChange[] = [];
  const forces = (k: string) => (def.requiresReplace as readonly string[]).includes(k);
  for (const k of [...keys].sort()) {
    if (skip.has(k)) continue;
    if (unknown.includes(k)) {
      out.push({ attribute: k, before: live[k], after: UNKNOWN, forcesReplacement: forces(k) });
      continue;
    }
    if (same(desired[k], live[k])) continue;
    out.push({ attribute: k, before: live[k], after: desired[k], forcesReplacement: forces(k) });
  }
  for (const k of secrets) {
    if (ignored.has(k) || desired[k] === undefined || desired[k] === null) continue;
    if (isUnknown(desired[k]) || !secretMatches(desired[k], recorded?.[k])) {
      out.push({
        attribute: k,
        before: recorded?.[k] !== undefined ? "(sensitive)" : undefined,
        after: "(sensitive)",
        forcesReplacement: forces(k),
        sensitive: true,
      });
    }
  }
  return out;
}

/** Back-compatible name of {@link diffAttributes} (no state, no lifecycle). */
export function diff(
  def: ResourceDefinition,
  desired: Attributes,
  live: Attributes,
): AttributeChange[] {
  let l = live;
  try {
    l = def.normalize ? def.normalize(desired, live) : live;
  } catch { /* compare raw */ }
  return diffAttributes(def, desired, l, undefined).filter((c) => !c.sensitive);
}

function same(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => (v === undefined || v === null ? null : v);
  return deepEqual(norm(a), norm(b));
}

/** Drift of one resource: recorded state vs live read (computed and secret attributes aside). */
function driftOf(
  def: ResourceDefinition,
  prior: StateEntry | undefined,
  step: PlanStep,
): DriftEntry | undefined {
  if (!prior) return undefined;
  const live = step.action === "create" && !step.before ? undefined : step.before;
  if (!live) {
    return {
      address: prior.address,
      type: prior.type,
      id: prior.id,
      status: "deleted",
      changes: [],
    };
  }
  return driftBetween(def, prior, live);
}

/** Compare a state entry with a live read. */
export function driftBetween(
  def: ResourceDefinition,
  prior: StateEntry,
  rawLive: Attributes,
): DriftEntry | undefined {
  const skip = new Set<string>([...(def.computed ?? []), ...(def.secrets ?? [])]);
  for (const k of def.keepWhenUnset ?? []) if (prior.attributes[k] === undefined) skip.add(k);
  // The same normalisation as the plan, with the recorded values in the place of the desired.
  let live = rawLive;
  try {
    live = def.normalize ? def.normalize(prior.attributes, rawLive) : rawLive;
  } catch { /* compare raw */ }
  const changes: DriftChange[] = [];
  for (const k of [...new Set([...Object.keys(prior.attributes), ...Object.keys(live)])].sort()) {
    if (skip.has(k) || isSecretHash(prior.attributes[k])) continue;
    if (!same(prior.attributes[k], live[k])) {
      changes.push({ attribute: k, recorded: prior.attributes[k], live: live[k] });
    }
  }
  return changes.length > 0
    ? { address: prior.address, type: prior.type, id: prior.id, status: "changed", changes }
    : undefined;
}

// ---------------------------------------------------------------------------------------------
// Concurrency caps

class Semaphores {
  #active = 0;
  #perKey = new Map<string, number>();
  #waiters: (() => void)[] = [];
  constructor(readonly limit: number, readonly perKey: number) {}

  async run<T>(key: string, fn: (slot: Slot) => Promise<T>): Promise<T> {
    await this.#acquire(key);
    let held = true;
    const slot: Slot = {
      idle: async <U>(p: Promise<U>): Promise<U> => {
        if (!held) return await p;
        held = false;
        this.#release(key);
        try {
          return await p;
        } finally {
          await this.#acquire(key);
          held = true;
        }
      },
    };
    try {
      return await fn(slot);
    } finally {
      if (held) this.#release(key);
      held = false;
    }
  }

  async #acquire(key: string): Promise<void> {
    while (this.#active >= this.limit || (this.#perKey.get(key) ?? 0) >= this.perKey) {
      await new Promise<void>((r) => this.#waiters.push(r));
    }
    this.#active++;
    this.#perKey.set(key, (this.#perKey.get(key) ?? 0) + 1);
  }

  #release(key: string): void {
    this.#active--;
    this.#perKey.set(key, (this.#perKey.get(key) ?? 1) - 1);
    const w = this.#waiters.splice(0);
    for (const r of w) r();
  }
}

/** A read's place under the caps. */
interface Slot {
  /** Waits for `p` (another read's device call) without holding the slot; takes it back after. */
  idle<U>(p: Promise<U>): Promise<U>;
}

// ---------------------------------------------------------------------------------------------
// Apply

/** Outcome of one applied step. */
export interface StepResult {
  address: string;
  action: PlanAction;
  ok: boolean;
  error?: unknown;
  durationMs: number;
  /** Not started because an earlier step failed. */
  skipped?: boolean;
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
  /** Steps in flight overall (default 8). */
  parallelism?: number;
  /** Writes in flight per device scope (default 1: writes to one device are serialised). */
  perDevice?: number;
  /** The configuration the plan came from (publishes applied values for late evaluation). */
  config?: Config;
  /** Take the state lock (default true when `state` is an {@link EngineState}). */
  lock?: boolean;
}

/** Result of an apply: per-step outcomes; `ok` only when every step succeeded. */
export interface ApplyResult {
  ok: boolean;
  results: StepResult[];
}

/**
 * Carry out `plan` in dependency order: creates and updates after what they depend on,
 * deletions before what they depended on; independent steps in parallel (one write at a time
 * per device). Stops starting steps at the first failure; state is written per completed step.
 *
 * @throws {ConflictError} the state lock is held by someone else
 */
export async function applyPlan(plan: Plan, opts: ApplyOptions): Promise<ApplyResult> {
  const { state, registry, ctx } = opts;
  const wrap = opts.wrap ?? ((_s, run) => run());
  const lock = state instanceof EngineState && opts.lock !== false
    ? state.hold(plan.options?.destroy ? "destroy" : "apply")
    : undefined;
  try {
    const steps = plan.steps as RuntimeStep[];
    const values = (plan as unknown as Record<symbol, BlockValues>)[VALUES] ??
      new BlockValues(opts.config);
    const results: StepResult[] = [];
    if (plan.options?.refreshOnly) {
      // State takes what the device has; nothing is written to the device.
      const deleted = new Set(
        (plan.drift ?? []).filter((d) => d.status === "deleted").map((d) => d.address),
      );
      for (const s of steps) {
        const prior = state.get(s.address);
        if (!prior) continue;
        if (deleted.has(s.address)) state.remove(s.address);
        else if (s.before) {
          const attrs = { ...s.before };
          for (const k of registry.get(s.type).secrets ?? []) {
            if (prior.attributes[k] !== undefined) attrs[k] = prior.attributes[k];
          }
          state.put({ ...prior, attributes: attrs });
        }
      }
      return { ok: true, results };
    }
    // Noop steps keep state true (adopt what exists, drop what is gone): no device writes.
    for (const s of steps.filter((x) => x.action === "noop")) {
      const def = registry.get(s.type);
      if (s.after && s.before) record(state, def, s, s.before, s[CLEAR]);
      else if (!s.after) state.remove(s.address);
    }
    const active = steps.filter((s) => s.action !== "noop");
    const addresses = new Set(active.map((s) => s.address));
    const deletes = new Set(active.filter((s) => s.action === "delete").map((s) => s.address));
    // Deletions run in reverse: X is deleted after every deleted step that depended on X.
    const reverse = new Map<string, string[]>();
    for (const s of active) {
      if (s.action !== "delete") continue;
      for (const d of s.dependsOn ?? []) {
        if (deletes.has(d)) (reverse.get(d) ?? reverse.set(d, []).get(d)!).push(s.address);
      }
    }
    const tasks = active.map((s) => ({
      id: s.address,
      key: s.scopes[0] ?? "",
      deps: s.action === "delete"
        ? reverse.get(s.address) ?? []
        : (s.dependsOn ?? []).filter((d) => addresses.has(d) && !deletes.has(d)),
      run: async () => {
        const def = registry.get(s.type);
        const t0 = performance.now();
        opts.onStep?.(s, "start");
        try {
          await wrap(s, async () => {
            let after = s.after;
            let clear = s[CLEAR];
            if (s[RESOLVE] && (s.unknown?.length ?? 0) > 0) {
              const resolved = s[RESOLVE]!();
              clear = {};
              for (const k of def.secrets ?? []) {
                if (resolved[k] !== undefined) clear[k] = resolved[k];
              }
              after = { ...resolved };
              for (const k of Object.keys(clear)) after[k] = "(sensitive)";
              s.after = after;
            }
            const full = { ...(after ?? {}), ...(clear ?? {}) };
            if (s.action === "create") {
              record(state, def, s, await def.create(ctx, full), clear, full);
            } else if (s.action === "update") {
              record(state, def, s, await def.update(ctx, full, s.before!), clear, full);
            } else if (s.action === "replace") {
              if (s.lifecycle?.createBeforeDestroy && s.priorId && s.priorId !== s.id) {
                // The new object has another identity: create it first, then delete the old.
                const created = await def.create(ctx, full);
                await deleteIfPresent(def, ctx, s.before!);
                record(state, def, s, created, clear, full);
              } else {
                await deleteIfPresent(def, ctx, s.before!);
                state.remove(s.address);
                record(state, def, s, await def.create(ctx, full), clear, full);
              }
            } else if (s.action === "delete") {
              await deleteIfPresent(def, ctx, s.before!);
              state.remove(s.address);
            }
            values.set(
              s.address,
              s.action === "delete"
                ? UNKNOWN
                : { ...state.get(s.address)?.attributes, id: state.get(s.address)?.id },
            );
          });
          lock?.renew();
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
          throw error;
        }
      },
    }));
    const { skipped } = await runDag(tasks, {
      limit: opts.parallelism ?? 8,
      perKey: opts.perDevice ?? 1,
    });
    for (const a of skipped) {
      const s = active.find((x) => x.address === a)!;
      results.push({ address: a, action: s.action, ok: false, skipped: true, durationMs: 0 });
    }
    if (state instanceof EngineState && plan.outputs && !plan.options?.targets) {
      state.setOutputs(plan.outputs);
    }
    return { ok: results.every((r) => r.ok), results };
  } finally {
    lock?.release();
  }
}

function record(
  state: StateStore,
  def: ResourceDefinition,
  s: PlanStep,
  live: Attributes,
  clear?: Attributes,
  desired?: Attributes,
): void {
  const prior = state.get(s.address);
  const attrs = protectSecrets(
    live,
    def.secrets ?? [],
    { ...(desired ?? {}), ...(clear ?? {}) },
    prior?.attributes,
  );
  const id = s.id.includes("(known after apply)") ? safeId(def, live) : s.id;
  state.put({ address: s.address, type: s.type, name: s.name, id, attributes: attrs });
  if (state instanceof EngineState) {
    state.setMeta(s.address, {
      deps: s.dependsOn ?? [],
      preventDestroy: s.lifecycle?.preventDestroy || undefined,
    });
  }
}

/** Strip runtime-only data: the plan as `-out plan.json` stores it. */
export function planToJson(plan: Plan): Plan {
  return JSON.parse(JSON.stringify(plan));
}

/**
 * Delete, treating "already gone" as done: the goal (absent) is reached either way, and a
 * second delete of the same object (changed behind Vessel's back) must not fail the apply.
 */
async function deleteIfPresent(
  def: ResourceDefinition,
  ctx: ResourceContext,
  prior: Attributes,
): Promise<void> {
  try {
    await def.delete(ctx, prior);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
}
