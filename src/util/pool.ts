/**
 * Run async tasks with an overall concurrency limit and optional per-key limits (e.g. per device).
 *
 * @example
 * const results = await mapLimited(items, (i) => read(i), { limit: 8, keyOf: (i) => i.device, perKey: 2 });
 */
export interface MapLimitedOptions<T> {
  /** Overall number of tasks in flight (default 8). */
  limit?: number;
  /** Group key, e.g. the device a task talks to. */
  keyOf?: (item: T) => string;
  /** Tasks in flight per key (default unlimited). */
  perKey?: number;
}

/** Map `items` through `fn` respecting the limits; results keep the input order. Fails fast. */
export async function mapLimited<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
  opts: MapLimitedOptions<T> = {},
): Promise<R[]> {
  const limit = Math.max(1, opts.limit ?? 8);
  const perKey = Math.max(1, opts.perKey ?? Infinity);
  const results = new Array<R>(items.length);
  const pending = items.map((item, index) => ({ item, index }));
  const active = new Map<string, number>();
  let running = 0;
  let failed: unknown;
  let hasFailed = false;
  return await new Promise<R[]>((resolve, reject) => {
    const pump = () => {
      if (hasFailed) return;
      if (pending.length === 0 && running === 0) return resolve(results);
      for (let i = 0; i < pending.length && running < limit;) {
        const { item, index } = pending[i];
        const key = opts.keyOf?.(item) ?? "";
        if ((active.get(key) ?? 0) >= perKey) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        running++;
        active.set(key, (active.get(key) ?? 0) + 1);
        fn(item, index).then((r) => {
          results[index] = r;
        }, (e) => {
          if (!hasFailed) [hasFailed, failed] = [true, e];
        }).finally(() => {
          running--;
          active.set(key, (active.get(key) ?? 1) - 1);
          if (hasFailed && running === 0) reject(failed);
          else pump();
        });
      }
    };
    pump();
  });
}
