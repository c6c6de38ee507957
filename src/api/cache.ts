/**
 * A small read cache for device reads served by the REST API. Entries hold the serialised JSON
 * and its ETag, expire after a TTL, and are dropped when a job touches their device scope, so a
 * client never reads its own write stale. Concurrent misses of one key share one device read.
 *
 * @example
 * const cache = new ReadCache({ ttlMs: 5000 });
 * const entry = await cache.get("switch:swi2/vlans", () => sw.listVlans());
 * cache.invalidate("switch:swi2");
 */
import { createHash } from "node:crypto";

/** One cached value. */
export interface CacheEntry {
  /** JSON text of the value. */
  body: string;
  /** Strong ETag (quoted). */
  etag: string;
  /** When it was read (ms since epoch). */
  readAt: number;
  /** `hit` when served from the cache. */
  status: "hit" | "miss";
}

/** Options of {@link ReadCache}. */
export interface ReadCacheOptions {
  /** Lifetime of an entry in ms (default 5000; 0 disables caching). */
  ttlMs?: number;
  now?: () => number;
}

/** TTL cache keyed by `<scope>/<what>`. */
export class ReadCache {
  readonly ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Omit<CacheEntry, "status">>();
  readonly #inflight = new Map<string, Promise<Omit<CacheEntry, "status">>>();
  #generation = 0;

  constructor(options: ReadCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5000;
    this.#now = options.now ?? Date.now;
  }

  /** The cached entry for `key`, loading it with `load` when missing, expired or `refresh`. */
  async get(key: string, load: () => Promise<unknown>, refresh = false): Promise<CacheEntry> {
    const now = this.#now();
    const e = this.#entries.get(key);
    if (!refresh && e && now - e.readAt < this.ttlMs) return { ...e, status: "hit" };
    let p = this.#inflight.get(key);
    if (!p) {
      const gen = this.#generation;
      p = (async () => {
        const body = JSON.stringify(await load());
        const entry = {
          body,
          etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
          readAt: this.#now(),
        };
        // A write that finished while we read makes this value suspect: do not keep it.
        if (this.ttlMs > 0 && gen === this.#generation) this.#entries.set(key, entry);
        return entry;
      })();
      this.#inflight.set(key, p);
      p.finally(() => this.#inflight.delete(key)).catch(() => {});
    }
    return { ...(await p), status: "miss" };
  }

  /** Drop every entry whose key starts with `prefix` (a scope such as `switch:swi2`). */
  invalidate(prefix: string): void {
    this.#generation++;
    for (const k of [...this.#entries.keys()]) {
      if (k === prefix || k.startsWith(prefix + "/")) this.#entries.delete(k);
    }
  }

  /** Drop everything. */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
