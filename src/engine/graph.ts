/**
 * Run a dependency graph of async tasks: each task starts when every task it depends on has
 * finished, with an overall limit and a limit per key (per device). Used for plan reads and
 * for apply.
 *
 * @example
 * await runDag(tasks, { limit: 8, perKey: 1 });
 */

/** One task of {@link runDag}. */
export interface DagTask {
  id: string;
  deps: readonly string[];
  /** Concurrency key, e.g. `switch:swi2`; tasks with the same key respect `perKey`. */
  key?: string;
  run(): Promise<void>;
}

/** Options of {@link runDag}. */
export interface RunDagOptions {
  /** Tasks in flight overall (default 8). */
  limit?: number;
  /** Tasks in flight per key (default 4). */
  perKey?: number;
  /** Stop starting new tasks after the first failure (default true). */
  failFast?: boolean;
}

/** Outcome of {@link runDag}: errors by task id, and the ids never started. */
export interface DagResult {
  errors: Map<string, unknown>;
  skipped: string[];
}

/**
 * Run `tasks` respecting dependencies (ids not among the tasks count as done) and limits.
 * A task whose dependency failed is skipped.
 */
export async function runDag(
  tasks: readonly DagTask[],
  opts: RunDagOptions = {},
): Promise<DagResult> {
  const limit = Math.max(1, opts.limit ?? 8);
  const perKey = Math.max(1, opts.perKey ?? 4);
  const failFast = opts.failFast ?? true;
  const ids = new Set(tasks.map((t) => t.id));
  const done = new Set<string>();
  const failed = new Set<string>();
  const errors = new Map<string, unknown>();
  const pending = [...tasks];
  const active = new Map<string, number>();
  let running = 0;
  let stopped = false;
  return await new Promise<DagResult>((resolve) => {
    const finish = () => {
      const skipped = pending.map((t) => t.id);
      resolve({ errors, skipped });
    };
    const pump = () => {
      // Skip tasks whose dependencies failed (or everything, once stopped).
      for (let i = 0; i < pending.length;) {
        const t = pending[i];
        if (t.deps.some((d) => failed.has(d))) {
          pending.splice(i, 1);
          failed.add(t.id);
          continue;
        }
        i++;
      }
      if (!stopped) {
        for (let i = 0; i < pending.length && running < limit;) {
          const t = pending[i];
          const key = t.key ?? "";
          const ready = t.deps.every((d) => !ids.has(d) || done.has(d));
          if (!ready || (active.get(key) ?? 0) >= perKey) {
            i++;
            continue;
          }
          pending.splice(i, 1);
          running++;
          active.set(key, (active.get(key) ?? 0) + 1);
          t.run().then(
            () => done.add(t.id),
            (e) => {
              errors.set(t.id, e);
              failed.add(t.id);
              if (failFast) stopped = true;
            },
          ).finally(() => {
            running--;
            active.set(key, (active.get(key) ?? 1) - 1);
            pump();
          });
        }
      }
      if (running === 0) {
        if (pending.length > 0 && !stopped) {
          // Everything left waits on something that can never finish: a cycle.
          const e = new Error(`Dependency cycle among ${pending.map((t) => t.id).join(", ")}`);
          for (const t of pending) errors.set(t.id, e);
        }
        finish();
      }
    };
    pump();
  });
}
