/**
 * Human rendering of a plan, in the shape Terraform users know, plus what Terraform hides:
 * the disruption each step causes and the device scopes it touches.
 */
import type { Palette } from "../util/color.ts";
import type { Plan, PlanStep } from "./plan.ts";

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
  if (changing.length === 0) {
    lines.push(c.green("No changes.") + " The chassis matches the configuration.");
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
    for (const s of disruptive) lines.push(c.yellow(`  ! ${s.address}: ${s.disruption}`));
  }
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
  const out = [c.bold(`  # ${s.address} ${VERB[s.action]}`) + c.dim(`  (${s.scopes.join(", ")})`)];
  for (const n of s.notes) out.push(c.dim(`  # (${n})`));
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
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? "null";
}
