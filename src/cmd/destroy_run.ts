/**
 * The engine runner behind `vessel destroy` (loaded lazily), written to serve `vessel plan` and
 * `vessel apply` as well: variables, `--target`, `--refresh-only`, `--out` saved plans (apply
 * refuses them when the chassis changed), `--detailed-exitcode`, `--output json`, the state lock
 * (a second apply is refused naming who holds it) and the change envelope around every step.
 */
import { openStore } from "../store/db.ts";
import {
  applyPlanned,
  EngineState,
  isSavedPlan,
  loadAndValidate,
  planDestroy,
  planFiles,
  readSavedPlan,
  renderPlan,
  replanSaved,
  savePlan,
  verifyStep,
} from "../engine/mod.ts";
import type { Plan } from "../engine/plan.ts";
import type { Registry } from "../engine/registry.ts";
import { defaultRegistry } from "../resources/mod.ts";
import { UsageError } from "../errors.ts";
import { type Palette, palette } from "../util/color.ts";
import { type ChassisSession, commandAbort, withChassis } from "./connect.ts";
import { setExitCode } from "./exit.ts";
import type { Globals } from "./global.ts";
import { confirm } from "./prompt.ts";
import type { EngineFlags } from "./destroy.ts";

/** Options of {@link runEngine}. */
export interface EngineRunOptions extends EngineFlags {
  mode: "plan" | "apply" | "destroy";
  /** Configuration paths; for apply, one saved plan file instead. */
  files: string[];
  refreshOnly: boolean;
  detailedExitcode: boolean;
  autoApprove: boolean;
  /** `--out FILE`: save the plan. */
  out?: string;
}

const write = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));
const werr = (s: string) => Deno.stderr.writeSync(new TextEncoder().encode(s));

/** Plan, apply or destroy. */
export async function runEngine(g: Globals, o: EngineRunOptions): Promise<void> {
  const registry = defaultRegistry();
  const inputs = { vars: o.vars, varFiles: o.varFiles };
  const savedPath = o.mode === "apply" && o.files.length === 1 && await isSavedPlan(o.files[0])
    ? o.files[0]
    : undefined;
  const saved = savedPath ? await readSavedPlan(savedPath) : undefined;
  if (!saved && o.files.length === 0 && o.mode !== "destroy") {
    throw new UsageError("No configuration given", { hint: "Pass -f FILE (or a directory)" });
  }
  // Bad configuration is reported before any connection is made.
  if (!saved && o.files.length > 0) await loadAndValidate(o.files, registry, inputs);
  await withChassis(g, async (s: ChassisSession) => {
    const store = openStore(s.statePath);
    try {
      const state = new EngineState(store, s.workspace);
      // Apply and destroy hold the state lock from the first read to the last write.
      const lock = o.mode === "plan" ? undefined : state.hold(o.mode);
      try {
        const common = {
          chassis: s.chassis,
          state,
          registry,
          parallelism: o.parallelism,
          perDevice: o.perDevice,
          signal: commandAbort.signal,
        };
        let plan: Plan;
        if (saved) plan = (await replanSaved(saved, { ...common, vars: o.vars })).plan;
        else if (o.mode === "destroy" && o.files.length === 0) {
          plan = (await planDestroy({ ...common, targets: o.targets })).plan;
        } else {
          plan = (await planFiles({
            ...common,
            ...inputs,
            files: o.files,
            targets: o.targets,
            refreshOnly: o.refreshOnly,
            destroy: o.mode === "destroy",
          })).plan;
        }
        const c = palette(g.color);
        const changes = plan.steps.filter((x) => x.action !== "noop").length;
        if (o.mode === "plan") {
          if (g.output === "json") write(JSON.stringify(plan, null, 2) + "\n");
          else write(renderPlan(plan, c));
          if (o.out) {
            await savePlan(o.out, plan, o.files);
            if (g.output === "text") {
              write(
                c.dim(`\nSaved the plan to ${o.out}. Apply it with: vessel apply -f ${o.out}\n`),
              );
            }
          }
          const drifted = (plan.drift?.length ?? 0) > 0;
          if (o.detailedExitcode && (changes > 0 || drifted)) setExitCode(2);
          return;
        }
        if (g.output === "text") write(renderPlan(plan, c));
        if (plan.options?.refreshOnly) {
          // Refresh-only apply: state takes the live values.
          await applyPlanned(plan, { ...common, lock: false });
          return;
        }
        if (changes === 0) {
          await applyPlanned(plan, { ...common, lock: false });
          if (g.output === "json") write(JSON.stringify({ plan, applied: [] }, null, 2) + "\n");
          return;
        }
        if (!o.autoApprove && !saved) {
          const q = o.mode === "destroy"
            ? "\nDo you really want to destroy everything listed above?"
            : "\nDo you want to perform these actions?";
          await confirm(q, "--auto-approve");
        }
        await applyWithEnvelope(g, s, store, plan, registry, state, c, o);
      } finally {
        lock?.release();
      }
    } finally {
      store.close();
    }
  });
}

async function applyWithEnvelope(
  g: Globals,
  s: ChassisSession,
  store: ReturnType<typeof openStore>,
  plan: Plan,
  registry: Registry,
  state: EngineState,
  c: Palette,
  o: EngineRunOptions,
): Promise<void> {
  const t0 = performance.now();
  const { commandEnvelope } = await import("./envelope.ts");
  const { engineApplyWrap } = await import("../ops/net/engine_wrap.ts");
  const envelope = await commandEnvelope(s, store, (e) => {
    if (g.verbose && g.output === "text") werr(c.dim(`  envelope: ${JSON.stringify(e)}\n`));
  });
  const result = await applyPlanned(plan, {
    chassis: s.chassis,
    state,
    registry,
    signal: commandAbort.signal,
    parallelism: o.parallelism,
    lock: false,
    // Switch steps run under the watchdog (commit trial, heartbeat, confirm, rollback).
    wrap: engineApplyWrap(envelope, {
      chassis: s.chassis,
      verify: (st) =>
        verifyStep(plan, st.address, { chassis: s.chassis, registry, signal: commandAbort.signal }),
      log: g.verbose && g.output === "text" ? (l) => werr(c.dim(`  watchdog: ${l}\n`)) : undefined,
    }),
    onStep(step, phase, e) {
      if (g.output !== "text") return;
      const verb = {
        create: "Creating",
        update: "Modifying",
        replace: "Replacing",
        delete: "Destroying",
        noop: "",
      }[step.action];
      if (phase === "start") werr(`${step.address}: ${verb}...\n`);
      else if (phase === "done") werr(`${step.address}: done\n`);
      else werr(c.red(`${step.address}: failed: ${(e as Error)?.message ?? e}\n`));
    },
  });
  const done = result.results.filter((r) => r.ok);
  const n = (pred: (a: string) => boolean) => done.filter((r) => pred(r.action)).length;
  if (g.output === "json") {
    write(
      JSON.stringify(
        {
          plan,
          applied: result.results.map((r) => ({
            address: r.address,
            action: r.action,
            ok: r.ok,
            ...(r.skipped ? { skipped: true } : {}),
            ...(r.error ? { error: String((r.error as Error).message ?? r.error) } : {}),
          })),
        },
        null,
        2,
      ) + "\n",
    );
  }
  if (!result.ok) {
    const failed = result.results.find((r) => !r.ok && !r.skipped)!;
    throw failed.error;
  }
  if (g.output === "text") {
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    const head = o.mode === "destroy"
      ? `\nDestroy complete! Resources: ${n((a) => a === "delete")} destroyed.`
      : `\nApply complete! Resources: ${n((a) => a === "create" || a === "replace")} added, ${
        n((a) => a === "update")
      } changed, ${n((a) => a === "delete" || a === "replace")} destroyed.`;
    write(c.green(c.bold(head)) + c.dim(` (${secs} s)`) + "\n");
  }
}
