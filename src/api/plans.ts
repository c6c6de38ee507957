/**
 * Plans submitted over REST: the configuration text is parsed, validated and planned exactly as
 * `vessel plan` does (same engine, same resources); the plan is kept so that
 * `POST /api/v1/plans/{id}/apply` applies exactly what was shown.
 *
 * A redacted copy of every plan (table `api_plans`) stays listable across restarts; the
 * applicable plan (which may hold secret desired values) lives only in memory, so a plan made
 * before a restart must be submitted again. Plans expire after `maxAgeMs` (default 1 hour):
 * applying an old plan against a device that moved on would be unsafe.
 *
 * @example
 * const plans = new PlanStore(store);
 * const rec = await plans.create({ text, format: "hcl" }, { chassis, state, actor: "alice" });
 */
import type { Store } from "../store/db.ts";
import type { StateStore } from "../store/state.ts";
import { ConfigError, ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { type Plan, planFiles, renderPlan } from "../engine/mod.ts";
import type { Registry } from "../engine/registry.ts";
import { defaultRegistry } from "../resources/mod.ts";
import { palette } from "../util/color.ts";
import { redactValue } from "../util/redact.ts";

/** Formats a submitted configuration may have. */
export const PLAN_FORMATS = ["hcl", "yaml", "json"] as const;
/** A configuration format. */
export type PlanFormat = typeof PLAN_FORMATS[number];

/** Lifecycle of a stored plan. */
export type PlanStatus = "planned" | "applying" | "applied" | "failed" | "expired";

/** A plan as the API returns it. */
export interface PlanRecord {
  id: string;
  status: PlanStatus;
  created_at: string;
  actor: string;
  format: PlanFormat;
  filename: string;
  summary: Plan["summary"];
  /** Changes pending (steps other than no-op). */
  changes: number;
  /** Terraform-style text rendering (no colours). */
  rendered: string;
  plan: Plan;
  /** Job that applied (or is applying) the plan. */
  apply_job: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_plans (
  id TEXT PRIMARY KEY,
  workspace TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  format TEXT NOT NULL,
  filename TEXT NOT NULL,
  record TEXT NOT NULL,
  apply_job TEXT
);
CREATE INDEX IF NOT EXISTS api_plans_created ON api_plans (created_at);
`;

const EXT: Record<PlanFormat, string> = { hcl: ".hcl", yaml: ".yaml", json: ".json" };

/** Stored plans of one workspace. */
export class PlanStore {
  readonly #store: Store;
  readonly #workspace: string;
  readonly #registry: Registry;
  readonly #live = new Map<string, Plan>();
  readonly maxAgeMs: number;

  constructor(
    store: Store,
    workspace: string,
    options: { registry?: Registry; maxAgeMs?: number } = {},
  ) {
    this.#store = store;
    this.#workspace = workspace;
    this.#registry = options.registry ?? defaultRegistry();
    this.maxAgeMs = options.maxAgeMs ?? 3600_000;
    store.db.exec(SCHEMA);
  }

  /** The resource registry plans are made with. */
  get registry(): Registry {
    return this.#registry;
  }

  /**
   * Parse, validate and plan a configuration text.
   *
   * @throws {ConfigError} positioned errors in the text (nothing was read from the chassis)
   * @throws {ValidationError} unknown format or a file name with the wrong extension
   */
  async create(
    input: {
      text: string;
      format?: PlanFormat;
      filename?: string;
      variables?: Record<string, string>;
      targets?: string[];
      refresh_only?: boolean;
      destroy?: boolean;
    },
    // deno-lint-ignore no-explicit-any
    ctx: { chassis: any; state: StateStore; actor: string; signal?: AbortSignal },
  ): Promise<PlanRecord> {
    const format = input.format ?? formatOf(input.filename) ?? "hcl";
    const filename = input.filename ?? `main${EXT[format]}`;
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(filename)) {
      throw new ValidationError(`Invalid file name "${filename}"`, {
        field: "body.filename",
        hint: "Use a plain file name such as main.hcl (it only labels error positions)",
      });
    }
    if (formatOf(filename) !== format) {
      throw new ValidationError(
        `File name ${filename} does not match format ${format}`,
        { field: "body.filename", hint: `Use a name ending in ${EXT[format]}` },
      );
    }
    // The engine reads files: the text goes to a private temporary folder under its own name,
    // so that the full language (variables, locals, references) works exactly as in
    // `vessel plan`, and error positions name `filename`.
    const dir = await Deno.makeTempDir({ prefix: "vessel-api-plan-" });
    let plan: Plan;
    try {
      await Deno.writeTextFile(`${dir}/${filename}`, input.text, { mode: 0o600 });
      plan = (await planFiles({
        files: [`${dir}/${filename}`],
        chassis: ctx.chassis,
        state: ctx.state,
        registry: this.#registry,
        signal: ctx.signal,
        vars: input.variables,
        // Variables come from the request only: never from the server's VESSEL_VAR_* env.
        env: {},
        targets: input.targets,
        refreshOnly: input.refresh_only,
        destroy: input.destroy,
      })).plan;
    } catch (e) {
      throw e instanceof ConfigError ? withoutDir(e, dir) : e;
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
    const id = crypto.randomUUID();
    const rec: PlanRecord = {
      id,
      status: "planned",
      created_at: plan.createdAt,
      actor: ctx.actor,
      format,
      filename,
      summary: plan.summary,
      changes: plan.steps.filter((s) => s.action !== "noop").length,
      rendered: renderPlan(plan, palette(false)),
      plan: redactValue(plan),
      apply_job: null,
    };
    this.#store.db.prepare(
      `INSERT INTO api_plans (id, workspace, status, created_at, actor, format, filename, record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      this.#workspace,
      rec.status,
      rec.created_at,
      rec.actor,
      format,
      filename,
      JSON.stringify(rec),
    );
    this.#live.set(id, plan);
    return rec;
  }

  /** One plan (redacted), or undefined. */
  get(id: string): PlanRecord | undefined {
    const r = this.#store.db.prepare(
      "SELECT status, record, apply_job FROM api_plans WHERE id = ? AND workspace = ?",
    ).get(id, this.#workspace) as
      | { status: PlanStatus; record: string; apply_job: string | null }
      | undefined;
    if (!r) return undefined;
    const rec = JSON.parse(r.record) as PlanRecord;
    rec.status = r.status;
    rec.apply_job = r.apply_job;
    if (rec.status === "planned" && this.#expired(rec)) rec.status = "expired";
    return rec;
  }

  /** Newest plans first. */
  list(limit = 50): PlanRecord[] {
    const ids = this.#store.db.prepare(
      "SELECT id FROM api_plans WHERE workspace = ? ORDER BY created_at DESC LIMIT ?",
    ).all(this.#workspace, limit) as { id: string }[];
    return ids.map((r) => this.get(r.id)!).filter(Boolean);
  }

  #expired(rec: PlanRecord): boolean {
    return Date.now() - Date.parse(rec.created_at) > this.maxAgeMs || !this.#live.has(rec.id);
  }

  /**
   * Take a plan for applying (once): marks it `applying` and returns the applicable plan.
   *
   * @throws {NotFoundError} unknown plan
   * @throws {ConflictError} already applied or applying, or expired
   */
  take(id: string): Plan {
    const rec = this.get(id);
    if (!rec) {
      throw new NotFoundError(`Plan ${id} does not exist`, {
        hint: "Submit the configuration with POST /api/v1/plans first",
      });
    }
    if (rec.status !== "planned") {
      throw new ConflictError(`Plan ${id} is ${rec.status} and cannot be applied`, {
        hint: rec.status === "expired"
          ? `Plans are kept ${
            Math.round(this.maxAgeMs / 60000)
          } minutes and not across restarts: submit the configuration again`
          : "Submit the configuration again to get a fresh plan",
      });
    }
    this.#store.db.prepare("UPDATE api_plans SET status = 'applying' WHERE id = ?").run(id);
    const plan = this.#live.get(id)!;
    this.#live.delete(id);
    return plan;
  }

  /** Note the job that applies plan `id`. */
  attachJob(id: string, jobId: string): void {
    this.#store.db.prepare("UPDATE api_plans SET apply_job = ? WHERE id = ?").run(jobId, id);
  }

  /** Record the end of an apply. */
  finish(id: string, ok: boolean): void {
    this.#store.db.prepare("UPDATE api_plans SET status = ? WHERE id = ?").run(
      ok ? "applied" : "failed",
      id,
    );
  }
}

function formatOf(filename?: string): PlanFormat | undefined {
  if (!filename) return undefined;
  if (/\.(hcl|tf)$/.test(filename)) return "hcl";
  if (/\.ya?ml$/.test(filename)) return "yaml";
  if (/\.json$/.test(filename)) return "json";
  return undefined;
}

/** The same error with the temporary folder removed from its file name and message. */
function withoutDir(e: ConfigError, dir: string): ConfigError {
  const strip = (t: string) => t.split(`${dir}/`).join("");
  return new ConfigError(strip(e.message), {
    hint: e.hint ? strip(e.hint) : undefined,
    path: e.path,
    position: e.position ? { ...e.position, file: strip(e.position.file) } : undefined,
    details: e.details,
  });
}
