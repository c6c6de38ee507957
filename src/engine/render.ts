/**
 * Human rendering of a plan, in the shape Terraform users know, plus what Terraform hides:
 * the disruption each step causes and the device scopes it touches.
 */
import type { Palette } from "../util/color.ts";
import { isUnknown } from "./eval.ts";
import type { DriftEntry, Plan, PlanStep } from "./plan.ts";

const SYMBOL: Record<string, string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
};

const VERB: Record<string, string> = {
  create: "will be created",
  update: "will be updated in place",
  replace: "must be replaced",
  delete: "will be destroyed",
};

/** Render `plan` as text. */
export function renderPlan(plan: Plan, c: Palette): string {
  const changing = plan.steps.filter((s) => s.action !== "noop");
  const lines: string[] = [];
  if (plan.options?.refreshOnly) {
    lines.push(renderDrift(plan.drift ?? [], c).trimEnd());
    if (plan.outputs) lines.push("", ...renderOutputs(plan.outputs));
    return lines.join("\n") + "\n";
  }
  if (changing.length === 0) {
    lines.push(c.green("No changes.") + " The chassis matches the configuration.");
    if (plan.outputs) lines.push("", ...renderOutputs(plan.outputs));
    for (const s of plan.steps.filter((s) => s.notes.length > 0)) {
      lines.push(c.dim(`  # ${s.address}: ${s.notes.join("; ")}`));
    }
    return lines.join("\n") + "\n";
  }
  lines.push("Vessel will perform the following actions:", "");
  for (const s of changing) lines.push(...renderStep(s, c), "");
  const { add, change, destroy } = plan.summary;
  lines.push(c.bold(`Plan: ${add} to add, ${change} to change, ${destroy} to destroy.`));
  const disruptive = changing.filter((s) => s.disruption);
  if (disruptive.length > 0) {
    lines.push("", c.yellow("Disruptions:"));
    for (const s of disruptive) {
      const kind = s.impact?.kind && s.impact.kind !== "none"
        ? `[${s.impact.kind.replace("_", " ")}] `
        : "";
      const dur = s.impact?.expectedSeconds !== undefined
        ? ` (about ${fmtDuration(s.impact.expectedSeconds)})`
        : "";
      lines.push(c.yellow(`  ! ${s.address}: ${kind}${s.disruption}${dur}`));
    }
  } else lines.push(c.dim("No disruptions: every step is expected to run without service impact."));
  if (plan.options?.targets?.length) {
    lines.push(
      "",
      c.yellow(`Targeted plan (${plan.options.targets.join(", ")}): other changes may be pending.`),
    );
  }
  if (plan.outputs) lines.push("", "Changes to outputs:", ...renderOutputs(plan.outputs));
  return lines.join("\n") + "\n";
}

function fmtDuration(s: number): string {
  return s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`;
}

function renderOutputs(outputs: NonNullable<Plan["outputs"]>): string[] {
  return Object.entries(outputs).map(([k, o]) =>
    `  ${k} = ${o.sensitive ? "(sensitive)" : fmt(o.value)}`
  );
}

/** Render drift (state vs live) per attribute. */
export function renderDrift(drift: DriftEntry[], c: Palette): string {
  if (drift.length === 0) {
    return c.green("No drift.") + " The chassis matches what Vessel last applied.\n";
  }
  const lines = ["Changes made outside Vessel since the last apply:", ""];
  for (const d of drift) {
    if (d.status === "deleted") {
      lines.push(c.red(`  # ${d.address} (${d.id}) was deleted outside Vessel`), "");
      continue;
    }
    lines.push(c.yellow(`  # ${d.address} (${d.id}) was changed outside Vessel`));
    const w = Math.max(...d.changes.map((x) => x.attribute.length));
    for (const ch of d.changes) {
      lines.push(`      ~ ${ch.attribute.padEnd(w)} = ${fmt(ch.recorded)} -> ${fmt(ch.live)}`);
    }
    lines.push("");
  }
  lines.push(
    `Drift: ${drift.length} resource${drift.length === 1 ? "" : "s"} changed outside Vessel.`,
  );
  return lines.join("\n") + "\n";
}

function colourFor(action: string, c: Palette): (s: string) => string {
  return action === "create"
    ? c.green
    : action === "update"
    ? c.yellow
    : action === "delete"
    ? c.red
    : c.cyan;
}

function renderStep(s: PlanStep, c: Palette): string[] {
  const col = colourFor(s.action, c);
  const sym = SYMBOL[s.action];
  const released = s.action === "delete" && s.impact?.summary.startsWith("released");
  const verb = released ? "will be released (removed from state only)" : VERB[s.action];
  const out = [c.bold(`  # ${s.address} ${verb}`) + c.dim(`  (${s.scopes.join(", ")})`)];
  for (const n of s.notes) out.push(c.dim(`  # (${n})`));
  if (s.impact && s.impact.kind !== "none") {
    const dur = s.impact.expectedSeconds !== undefined
      ? `, about ${fmtDuration(s.impact.expectedSeconds)}`
      : "";
    out.push(c.yellow(`  # disruption: ${s.impact.summary}${dur}`));
  }
  out.push(col(`  ${sym} resource "${s.type}" "${s.name}" {`));
  const attrs = s.action === "delete" ? s.before ?? {} : s.after ?? {};
  const changed = new Map(s.changes.map((ch) => [ch.attribute, ch]));
  const keys = [...new Set([...Object.keys(attrs), ...changed.keys()])].sort();
  const width = Math.max(0, ...keys.map((k) => k.length));
  for (const k of keys) {
    const ch = changed.get(k);
    const pad = k.padEnd(width);
    if (s.action === "update" || s.action === "replace") {
      if (!ch) {
        if (attrs[k] !== undefined) out.push(c.dim(`        ${pad} = ${fmt(attrs[k])}`));
        continue;
      }
      const mark = ch.after === undefined ? c.red("-") : c.yellow("~");
      const forces = ch.forcesReplacement ? c.red(" # forces replacement") : "";
      const value = ch.after === undefined
        ? `${fmt(ch.before)} -> null`
        : ch.before === undefined
        ? fmt(ch.after)
        : `${fmt(ch.before)} -> ${fmt(ch.after)}`;
      out.push(`      ${mark} ${pad} = ${value}${forces}`);
    } else if (attrs[k] !== undefined) {
      out.push(col(`      ${sym === "-/+" ? "+" : sym} ${pad} = ${fmt(attrs[k])}`));
    }
  }
  out.push(col("    }"));
  return out;
}

function fmt(v: unknown): string {
  if (isUnknown(v)) return "(known after apply)";
  if (v === "(sensitive)") return "(sensitive value)";
  if (v && typeof v === "object" && "$secret" in v) return "(sensitive value)";
  return JSON.stringify(v, (_k, x) => isUnknown(x) ? "(known after apply)" : x) ?? "null";
}
