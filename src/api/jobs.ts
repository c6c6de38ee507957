/**
 * Jobs: every mutation the REST API accepts runs as a job. The request answers `202 Accepted`
 * with the job and a `Location`; the job's progress events and its result are kept in the store
 * (tables `api_jobs`, `api_job_events`) and can be followed live as server-sent events.
 *
 * Jobs that touch the same device scope run one after the other (the change envelope would
 * refuse a second holder of the device lock anyway); different devices run in parallel.
 * A job still running when the server stops is marked `interrupted` at the next start.
 *
 * @example
 * const jobs = new JobManager(store);
 * const job = jobs.submit({ kind: "vlan.create", actor: "alice", target: "switch:swi2",
 *   scopes: ["switch:swi2"] }, async (progress) => { progress("creating"); return { id: 10 }; });
 */
import type { Store } from "../store/db.ts";
import { problemFor } from "./problem.ts";
import { redactText, redactValue } from "../util/redact.ts";
import type { Problem } from "./problem.ts";

/** Job states; `succeeded`, `failed` and `interrupted` are final. */
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "interrupted";

/** A job as the API returns it. */
export interface Job {
  id: string;
  kind: string;
  status: JobStatus;
  actor: string;
  target: string;
  parameters: Record<string, unknown>;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Last progress message. */
  message: string | null;
  result: unknown;
  error: Problem | null;
}

/** One progress event of a job. */
export interface JobEvent {
  seq: number;
  time: string;
  /** `status` (state change), `progress` (a step), `result` (final). */
  type: "status" | "progress" | "result";
  message: string;
  data?: Record<string, unknown>;
}

/** Reports progress from inside a job. */
export type ProgressFn = (message: string, data?: Record<string, unknown>) => void;

/** What a job is about. */
export interface JobSpec {
  kind: string;
  actor: string;
  /** Human target, e.g. `switch:swi2`. */
  target: string;
  parameters?: Record<string, unknown>;
  /** Device scopes the job serialises on. */
  scopes: string[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  actor TEXT NOT NULL,
  target TEXT NOT NULL,
  parameters TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  message TEXT,
  result TEXT,
  error TEXT
);
CREATE INDEX IF NOT EXISTS api_jobs_created ON api_jobs (created_at);
CREATE TABLE IF NOT EXISTS api_job_events (
  job_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time TEXT NOT NULL,
  type TEXT NOT NULL,
  message TEXT NOT NULL,
  data TEXT,
  PRIMARY KEY (job_id, seq)
);
`;

interface JobRow {
  id: string;
  kind: string;
  status: JobStatus;
  actor: string;
  target: string;
  parameters: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  message: string | null;
  result: string | null;
  error: string | null;
}

function fromRow(r: JobRow): Job {
  return {
    ...r,
    parameters: JSON.parse(r.parameters),
    result: r.result === null ? null : JSON.parse(r.result),
    error: r.error === null ? null : JSON.parse(r.error),
  };
}

/** `true` for final states. */
export function isFinal(s: JobStatus): boolean {
  return s === "succeeded" || s === "failed" || s === "interrupted";
}

/** Runs jobs, keeps their events and results, and lets listeners follow them. */
export class JobManager {
  readonly #store: Store;
  readonly #listeners = new Map<string, Set<(e: JobEvent) => void>>();
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #running = new Set<Promise<unknown>>();
  readonly #onFinish: (job: Job, spec: JobSpec) => void;
  #seq = new Map<string, number>();

  /**
   * Open the job table; jobs left `queued`/`running` by a previous process become `interrupted`.
   * `onFinish` runs after each job (cache invalidation).
   */
  constructor(store: Store, options: { onFinish?: (job: Job, spec: JobSpec) => void } = {}) {
    this.#store = store;
    this.#onFinish = options.onFinish ?? (() => {});
    store.db.exec(SCHEMA);
    store.db.prepare(
      "UPDATE api_jobs SET status = 'interrupted', finished_at = ?, message = 'server stopped while the job ran' WHERE status IN ('queued', 'running')",
    ).run(new Date().toISOString());
  }

  /** Start `fn` as a job; returns the queued job at once. */
  submit<T>(spec: JobSpec, fn: (progress: ProgressFn) => Promise<T>): Job {
    const id = crypto.randomUUID();
    const now = new Date().toISOString();
    this.#store.db.prepare(
      `INSERT INTO api_jobs (id, kind, status, actor, target, parameters, created_at)
       VALUES (?, ?, 'queued', ?, ?, ?, ?)`,
    ).run(
      id,
      spec.kind,
      spec.actor,
      spec.target,
      JSON.stringify(redactValue(spec.parameters ?? {})),
      now,
    );
    this.#emit(id, "status", "queued", { status: "queued" });
    // Wait for every earlier job that shares a scope (a plan on swi2+swi3 and a VLAN on swi2
    // must not race for the device lock), then become the tail of each of those scopes.
    const scopes = [...new Set(spec.scopes)];
    const priors = scopes.map((k) => this.#chains.get(k)).filter((p) => p !== undefined);
    const run = Promise.all(priors).then(() => this.#run(id, spec, fn));
    const settled = run.catch(() => {});
    for (const k of scopes) this.#chains.set(k, settled);
    this.#running.add(settled);
    settled.finally(() => {
      this.#running.delete(settled);
      for (const k of scopes) if (this.#chains.get(k) === settled) this.#chains.delete(k);
    });
    return this.get(id)!;
  }

  async #run<T>(id: string, spec: JobSpec, fn: (p: ProgressFn) => Promise<T>): Promise<void> {
    const db = this.#store.db;
    db.prepare("UPDATE api_jobs SET status = 'running', started_at = ? WHERE id = ?").run(
      new Date().toISOString(),
      id,
    );
    this.#emit(id, "status", "running", { status: "running" });
    const progress: ProgressFn = (message, data) => {
      db.prepare("UPDATE api_jobs SET message = ? WHERE id = ?").run(redactText(message), id);
      this.#emit(id, "progress", message, data);
    };
    try {
      const result = await fn(progress);
      db.prepare(
        "UPDATE api_jobs SET status = 'succeeded', finished_at = ?, result = ?, message = 'done' WHERE id = ?",
      ).run(new Date().toISOString(), JSON.stringify(redactValue(result ?? null)), id);
      this.#emit(id, "result", "succeeded", { status: "succeeded" });
    } catch (e) {
      const p = problemFor(e);
      db.prepare(
        "UPDATE api_jobs SET status = 'failed', finished_at = ?, error = ?, message = ? WHERE id = ?",
      ).run(new Date().toISOString(), JSON.stringify(p), p.detail ?? p.title, id);
      this.#emit(id, "result", "failed", { status: "failed", error: p });
    } finally {
      const job = this.get(id);
      if (job) {
        try {
          this.#onFinish(job, spec);
        } catch { /* a cache hook must not fail a job */ }
      }
      this.#listeners.delete(id);
      this.#seq.delete(id);
    }
  }

  #emit(id: string, type: JobEvent["type"], message: string, data?: Record<string, unknown>) {
    const seq = (this.#seq.get(id) ?? 0) + 1;
    this.#seq.set(id, seq);
    const ev: JobEvent = {
      seq,
      time: new Date().toISOString(),
      type,
      message: redactText(message),
      ...(data ? { data: redactValue(data) } : {}),
    };
    this.#store.db.prepare(
      "INSERT INTO api_job_events (job_id, seq, time, type, message, data) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(id, seq, ev.time, type, ev.message, ev.data ? JSON.stringify(ev.data) : null);
    for (const l of this.#listeners.get(id) ?? []) l(ev);
  }

  /** One job, or undefined. */
  get(id: string): Job | undefined {
    const r = this.#store.db.prepare("SELECT * FROM api_jobs WHERE id = ?").get(id) as
      | JobRow
      | undefined;
    return r ? fromRow(r) : undefined;
  }

  /** Newest jobs first. */
  list(opts: { limit?: number; status?: JobStatus } = {}): Job[] {
    const rows = (opts.status
      ? this.#store.db.prepare(
        "SELECT * FROM api_jobs WHERE status = ? ORDER BY created_at DESC LIMIT ?",
      ).all(opts.status, opts.limit ?? 100)
      : this.#store.db.prepare("SELECT * FROM api_jobs ORDER BY created_at DESC LIMIT ?").all(
        opts.limit ?? 100,
      )) as unknown as JobRow[];
    return rows.map(fromRow);
  }

  /** Stored events of a job after `afterSeq`. */
  events(id: string, afterSeq = 0): JobEvent[] {
    const rows = this.#store.db.prepare(
      "SELECT seq, time, type, message, data FROM api_job_events WHERE job_id = ? AND seq > ? ORDER BY seq",
    ).all(id, afterSeq) as unknown as (Omit<JobEvent, "data"> & { data: string | null })[];
    return rows.map((r) => ({
      seq: Number(r.seq),
      time: r.time,
      type: r.type,
      message: r.message,
      ...(r.data ? { data: JSON.parse(r.data) } : {}),
    }));
  }

  /**
   * Follow a job: stored events after `afterSeq` first, then live ones, ending after the final
   * `result` event (or at once when the job already finished).
   */
  async *follow(id: string, afterSeq = 0, signal?: AbortSignal): AsyncGenerator<JobEvent> {
    const queue: JobEvent[] = [];
    let wake: (() => void) | undefined;
    const listener = (e: JobEvent) => {
      queue.push(e);
      wake?.();
    };
    // Subscribe before reading stored events so nothing falls in between.
    let set = this.#listeners.get(id);
    const live = !!this.get(id) && !isFinal(this.get(id)!.status);
    if (live) {
      if (!set) this.#listeners.set(id, set = new Set());
      set.add(listener);
    }
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      let last = afterSeq;
      for (const e of this.events(id, afterSeq)) {
        last = e.seq;
        yield e;
        if (e.type === "result") return;
      }
      if (!live) return;
      while (!signal?.aborted) {
        while (queue.length) {
          const e = queue.shift()!;
          if (e.seq <= last) continue;
          last = e.seq;
          yield e;
          if (e.type === "result") return;
        }
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      set?.delete(listener);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Wait until every submitted job has finished (server shutdown, tests). */
  async drain(): Promise<void> {
    while (this.#running.size) await Promise.all([...this.#running]);
  }
}
