/**
 * Named locks in the store, with owner, acquired time and expiry (field lesson 10: locks without
 * owner and age are hard to recover).
 *
 * Names by convention: `device:switch:swi2`, `device:hmm`, `device:ibmc:blade3` (taken by the
 * change envelope for every scope it touches) and `state:<workspace>` (taken by the engine).
 *
 * - {@link LockManager.acquire} fails with a {@link ConflictError} naming the holder and since
 *   when, unless the lock has expired or its holder is a process of this host that no longer
 *   exists: such a lock is taken over (reported in the returned lock's `tookOverFrom`).
 * - {@link Lock.release} removes the lock only if this holder still owns it (token check).
 * - {@link LockManager.forceUnlock} removes a lock whoever holds it (operator action).
 *
 * @example
 * const locks = new LockManager(openStore());
 * const lock = locks.acquire("device:switch:swi2", { purpose: "vlan.add", ttlMs: 600_000 });
 * try { ... } finally { lock.release(); }
 *
 * @module
 */
import { hostname, userInfo } from "node:os";
import type { Store } from "./db.ts";
import { ConflictError, NotFoundError } from "../errors.ts";

/** A lock row (JSON shape of lock listings). */
export interface LockInfo {
  name: string;
  /** `user@host pid N`. */
  owner: string;
  /** What the holder is doing, e.g. `vlan.add on switch:swi2`. */
  purpose: string;
  /** ISO time. */
  acquired_at: string;
  /** ISO time after which anyone may take the lock over. */
  expires_at: string;
}

/** A held lock. */
export interface Lock extends LockInfo {
  /** Present when an expired lock of someone else was taken over. */
  tookOverFrom?: LockInfo;
  /** Push the expiry out by `ttlMs` (default the original TTL). @throws {ConflictError} if lost */
  renew(ttlMs?: number): void;
  /** Release; a no-op when already released or taken over by someone else. */
  release(): void;
}

/** Options of {@link LockManager.acquire}. */
export interface AcquireOptions {
  /** How long the lock is valid without renewal; default 15 minutes. */
  ttlMs?: number;
  purpose?: string;
  /** Override the owner string (default `user@host pid N`). */
  owner?: string;
}

/** Options of {@link LockManager}. */
export interface LockManagerOptions {
  /** Clock in ms, for tests. */
  now?: () => number;
  /** Treat locks of dead processes on this host as stale (default true). */
  checkPids?: boolean;
}

/** Default lock lifetime. */
export const DEFAULT_LOCK_TTL_MS = 15 * 60_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS locks (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  purpose TEXT NOT NULL,
  token TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  expires_ms INTEGER NOT NULL
)`;

/** `user@host pid N` of this process. */
export function defaultOwner(): string {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch { /* no user database */ }
  return `${user}@${hostname()} pid ${Deno.pid}`;
}

interface Row extends LockInfo {
  token: string;
  expires_ms: number;
}

function info(r: Row): LockInfo {
  return {
    name: r.name,
    owner: r.owner,
    purpose: r.purpose,
    acquired_at: r.acquired_at,
    expires_at: r.expires_at,
  };
}

/** Locks over one {@link Store}. */
export class LockManager {
  readonly store: Store;
  #now: () => number;
  #checkPids: boolean;

  /** Creates the `locks` table when missing. */
  constructor(store: Store, options: LockManagerOptions = {}) {
    this.store = store;
    this.#now = options.now ?? Date.now;
    this.#checkPids = options.checkPids ?? true;
    store.db.exec(SCHEMA);
  }

  /**
   * Take lock `name`.
   *
   * @throws {ConflictError} when someone holds it and it has not expired; the message names the
   *   holder, what they are doing, since when and until when
   */
  acquire(name: string, options: AcquireOptions = {}): Lock {
    const ttl = options.ttlMs ?? DEFAULT_LOCK_TTL_MS;
    const owner = options.owner ?? defaultOwner();
    const purpose = options.purpose ?? "";
    const token = crypto.randomUUID();
    const now = this.#now();
    const tookOver = this.store.tx(() => {
      const cur = this.store.db.prepare("SELECT * FROM locks WHERE name = ?").get(name) as
        | Row
        | undefined;
      if (cur && Number(cur.expires_ms) > now && !this.#holderGone(cur.owner)) {
        throw new ConflictError(
          `Lock ${name} is held by ${cur.owner}${
            cur.purpose ? ` (${cur.purpose})` : ""
          } since ${cur.acquired_at}, until ${cur.expires_at}`,
          {
            hint:
              `Wait for that change to finish; if that process is gone, wait until ${cur.expires_at} or force the unlock of ${name}`,
            details: { lock: info(cur) },
          },
        );
      }
      if (cur) this.store.db.prepare("DELETE FROM locks WHERE name = ?").run(name);
      this.store.db.prepare(
        "INSERT INTO locks (name, owner, purpose, token, acquired_at, expires_at, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(
        name,
        owner,
        purpose,
        token,
        new Date(now).toISOString(),
        new Date(now + ttl).toISOString(),
        now + ttl,
      );
      return cur ? info(cur) : undefined;
    });
    const lock: Lock = {
      name,
      owner,
      purpose,
      acquired_at: new Date(now).toISOString(),
      expires_at: new Date(now + ttl).toISOString(),
      ...(tookOver ? { tookOverFrom: tookOver } : {}),
      renew: (ttlMs = ttl) => {
        const until = this.#now() + ttlMs;
        const res = this.store.db.prepare(
          "UPDATE locks SET expires_at = ?, expires_ms = ? WHERE name = ? AND token = ?",
        ).run(new Date(until).toISOString(), until, name, token);
        if (Number(res.changes) !== 1) {
          throw new ConflictError(`Lock ${name} was lost: taken over or force-unlocked`, {
            hint: "Stop the change; another process may be working on the same device",
          });
        }
        lock.expires_at = new Date(until).toISOString();
      },
      release: () => {
        this.store.db.prepare("DELETE FROM locks WHERE name = ? AND token = ?").run(name, token);
      },
    };
    return lock;
  }

  /**
   * True when `owner` names a process on this host that no longer exists (`user@host pid N`,
   * checked through `/proc`): its locks are stale and may be taken over before they expire.
   * False whenever that cannot be known (another host, no `/proc`).
   */
  #holderGone(owner: string): boolean {
    if (this.#checkPids === false) return false;
    const m = /^[^@\s]+@(\S+) pid (\d+)$/.exec(owner);
    if (!m || m[1] !== hostname()) return false;
    try {
      Deno.statSync("/proc/self");
    } catch {
      return false;
    }
    try {
      Deno.statSync(`/proc/${m[2]}`);
      return false;
    } catch {
      return true;
    }
  }

  /**
   * Take several locks, in sorted order (no deadlock between two multi-device changes);
   * releases those already taken when one fails.
   *
   * @throws {ConflictError} as {@link acquire}
   */
  acquireAll(names: string[], options: AcquireOptions = {}): Lock[] {
    const held: Lock[] = [];
    try {
      for (const n of [...new Set(names)].sort()) held.push(this.acquire(n, options));
    } catch (e) {
      for (const l of held.reverse()) l.release();
      throw e;
    }
    return held;
  }

  /** The lock row, or undefined when free (expired locks are listed with their expiry). */
  get(name: string): LockInfo | undefined {
    const r = this.store.db.prepare("SELECT * FROM locks WHERE name = ?").get(name) as
      | Row
      | undefined;
    return r ? info(r) : undefined;
  }

  /** Every lock row, by name. */
  list(): (LockInfo & { expired: boolean })[] {
    const now = this.#now();
    return (this.store.db.prepare("SELECT * FROM locks ORDER BY name").all() as unknown as Row[])
      .map((r) => ({ ...info(r), expired: Number(r.expires_ms) <= now }));
  }

  /**
   * Remove lock `name` whoever holds it; returns what was removed.
   *
   * @throws {NotFoundError} when there is no such lock
   */
  forceUnlock(name: string): LockInfo {
    return this.store.tx(() => {
      const r = this.store.db.prepare("SELECT * FROM locks WHERE name = ?").get(name) as
        | Row
        | undefined;
      if (!r) {
        throw new NotFoundError(`No lock named ${name}`, {
          hint: "List the locks to see their exact names",
        });
      }
      this.store.db.prepare("DELETE FROM locks WHERE name = ?").run(name);
      return info(r);
    });
  }
}
