/**
 * The work behind `vessel drift` (loaded lazily).
 */
import {
  adoptDrift,
  applyPlanned,
  detectDrift,
  EngineState,
  planRevert,
  renderDrift,
  renderPlan,
} from "../engine/mod.ts";
import { defaultRegistry } from "../resources/mod.ts";
import { openStore } from "../store/db.ts";
import { palette } from "../util/color.ts";
import { commandAbort, withChassis } from "./connect.ts";
import { setExitCode } from "./exit.ts";
import type { Globals } from "./global.ts";
import { confirm } from "./prompt.ts";

/** Options of {@link runDrift}. */
export interface DriftRunOptions {
  addresses: string[];
  adopt: boolean;
  revert: boolean;
  attributes: string[];
  autoApprove: boolean;
  detailedExitcode: boolean;
}

const write = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));
const werr = (s: string) => Deno.stderr.writeSync(new TextEncoder().encode(s));

/** Report drift; adopt or revert it. */
export async function runDrift(g: Globals, o: DriftRunOptions): Promise<void> {
  const registry = defaultRegistry();
  await withChassis(g, async (s) => {
    const store = openStore(s.statePath);
    try {
      const state = new EngineState(store, s.workspace);
      const lock = o.adopt || o.revert
        ? state.hold(o.adopt ? "drift adopt" : "drift revert")
        : undefined;
      try {
        const { drift, live } = await detectDrift({
          chassis: s.chassis,
          state,
          registry,
          signal: commandAbort.signal,
          addresses: o.addresses,
        });
        const c = palette(g.color);
        if (!o.adopt && !o.revert) {
          if (g.output === "json") {
            write(JSON.stringify({ workspace: state.workspace, drift }, null, 2) + "\n");
          } else {
            write(renderDrift(drift, c));
            if (drift.length > 0) {
              write(c.dim(
                "\nKeep these values: vessel drift --adopt (then update the configuration to match).\n" +
                  "Undo them: vessel drift --revert, or vessel apply with the configuration.\n",
              ));
            }
          }
          if (o.detailedExitcode && drift.length > 0) setExitCode(2);
          return;
        }
        if (o.adopt) {
          const adopted = adoptDrift(state, drift, live, o.attributes);
          if (g.output === "json") write(JSON.stringify({ drift, adopted }, null, 2) + "\n");
          else {
            write(renderDrift(drift, c));
            write(
              c.green(
                `\nAdopted into state: ${adopted.length ? adopted.join(", ") : "nothing"}.\n`,
              ),
            );
            if (adopted.length) {
              write(
                c.dim(
                  "Update the configuration to the live values, or the next plan reverts them.\n",
                ),
              );
            }
          }
          return;
        }
        const plan = planRevert(state, drift, live, registry, o.attributes);
        if (g.output === "text") write(renderPlan(plan, c));
        if (plan.steps.length === 0) {
          if (g.output === "json") write(JSON.stringify({ plan, applied: [] }, null, 2) + "\n");
          return;
        }
        if (!o.autoApprove) {
          await confirm("\nRevert these changes on the chassis?", "--auto-approve");
        }
        const { commandEnvelope } = await import("./envelope.ts");
        const { engineApplyWrap } = await import("../ops/net/engine_wrap.ts");
        const envelope = await commandEnvelope(s, store);
        const result = await applyPlanned(plan, {
          chassis: s.chassis,
          state,
          registry,
          signal: commandAbort.signal,
          lock: false,
          wrap: engineApplyWrap(envelope, { chassis: s.chassis }),
          onStep(step, phase, e) {
            if (g.output !== "text") return;
            if (phase === "start") werr(`${step.address}: Reverting...\n`);
            else if (phase === "done") werr(`${step.address}: done\n`);
            else werr(c.red(`${step.address}: failed: ${(e as Error)?.message ?? e}\n`));
          },
        });
        if (g.output === "json") {
          write(
            JSON.stringify(
              { plan, applied: result.results.map((r) => ({ address: r.address, ok: r.ok })) },
              null,
              2,
            ) + "\n",
          );
        }
        if (!result.ok) throw result.results.find((r) => !r.ok && !r.skipped)?.error;
        if (g.output === "text") {
          write(c.green(c.bold(`\nReverted ${result.results.length} resource(s).\n`)));
        }
      } finally {
        lock?.release();
      }
    } finally {
      store.close();
    }
  });
}
