/**
 * The work behind `vessel plan` / `vessel apply` (loaded lazily).
 */
import { openStore } from "../store/db.ts";
import { StateStore } from "../store/state.ts";
import { applyPlanned, planFiles, renderPlan } from "../engine/mod.ts";
import { palette } from "../util/color.ts";
import { type ChassisSession, commandAbort, withChassis } from "./connect.ts";
import { setExitCode } from "./exit.ts";
import type { Globals } from "./global.ts";
import { confirm } from "./prompt.ts";
import { loadConfig } from "../engine/load.ts";
import { validateConfig } from "../engine/validate.ts";
import { defaultRegistry } from "../resources/mod.ts";
import { commandEnvelope } from "./envelope.ts";
import { engineWrap } from "../ops/mod.ts";
import { diff } from "../engine/plan.ts";
import { DeviceError } from "../errors.ts";

/** Options of {@link runPlan}. */
export interface RunPlanOptions {
  files: string[];
  detailedExitcode: boolean;
  parallelism: number;
  apply: boolean;
  autoApprove: boolean;
}

const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));
const err = (s: string) => Deno.stderr.writeSync(new TextEncoder().encode(s));

/** Plan, and with `apply`, confirm and apply. */
export async function runPlan(g: Globals, o: RunPlanOptions): Promise<void> {
  // Bad configuration is reported before any connection is made.
  validateConfig(await loadConfig(o.files), defaultRegistry());
  await withChassis(g, async (s: ChassisSession) => {
    const store = openStore(s.statePath);
    try {
      const state = new StateStore(store, s.workspace);
      const { plan, registry } = await planFiles({
        files: o.files,
        chassis: s.chassis,
        state,
        parallelism: o.parallelism,
        signal: commandAbort.signal,
      });
      const c = palette(g.color);
      const changes = plan.steps.filter((x) => x.action !== "noop").length;
      if (!o.apply) {
        if (g.output === "json") out(JSON.stringify(plan, null, 2) + "\n");
        else out(renderPlan(plan, c));
        if (o.detailedExitcode && changes > 0) setExitCode(2);
        return;
      }
      if (g.output === "text") out(renderPlan(plan, c));
      if (changes === 0) {
        // Still record adoptions and clean-ups of resources that are already gone.
        await applyPlanned(plan, { chassis: s.chassis, state, registry });
        if (g.output === "json") out(JSON.stringify({ plan, applied: [] }, null, 2) + "\n");
        return;
      }
      if (!o.autoApprove) {
        await confirm("\nDo you want to perform these actions?", "--auto-approve");
      }
      const t0 = performance.now();
      const envelope = await commandEnvelope(s, store, (e) => {
        if (g.verbose && g.output === "text") err(c.dim(`  envelope: ${JSON.stringify(e)}\n`));
      });
      const result = await applyPlanned(plan, {
        chassis: s.chassis,
        state,
        registry,
        signal: commandAbort.signal,
        // Every step runs inside the change envelope; verify reads the device back, because
        // "accepted" is not "applied" (field lesson: inconsistent result after apply).
        wrap: engineWrap(envelope, {
          verify: async (st) => {
            const step = plan.steps.find((x) => x.address === st.address)!;
            const def = registry.get(step.type);
            const live = await def.read(
              { chassis: s.chassis, signal: commandAbort.signal },
              step.id,
            );
            if (step.action === "delete") {
              if (live) throw new DeviceError(`${step.address} is still present after delete`);
              return { gone: true };
            }
            const left = live ? diff(def, step.after!, live) : [{ attribute: "(all)" }];
            if (left.length > 0) {
              throw new DeviceError(
                `${step.address} does not match after apply: ${
                  left.map((x) => x.attribute).join(", ")
                } differ`,
              );
            }
            return { verified: true };
          },
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
          if (phase === "start") err(`${step.address}: ${verb}...\n`);
          else if (phase === "done") err(`${step.address}: done\n`);
          else err(c.red(`${step.address}: failed: ${(e as Error)?.message ?? e}\n`));
        },
      });
      const done = result.results.filter((r) => r.ok);
      const count = (a: string) =>
        done.filter((r) => r.action === a || (r.action === "replace" && a !== "update")).length;
      if (g.output === "json") {
        out(
          JSON.stringify(
            {
              plan,
              applied: result.results.map((r) => ({
                address: r.address,
                action: r.action,
                ok: r.ok,
                error: r.error ? String((r.error as Error).message ?? r.error) : undefined,
              })),
            },
            null,
            2,
          ) + "\n",
        );
      }
      if (!result.ok) {
        const failed = result.results.find((r) => !r.ok)!;
        throw failed.error;
      }
      if (g.output === "text") {
        out(
          c.green(
            c.bold(
              `\nApply complete! Resources: ${count("create")} added, ${
                done.filter((r) => r.action === "update").length
              } changed, ${count("delete")} destroyed.`,
            ),
          ) + c.dim(` (${fmtDuration(performance.now() - t0)})`) + "\n",
        );
      }
    } finally {
      store.close();
    }
  });
}

function fmtDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
