/**
 * Engine state on top of {@link StateStore}: the same rows, plus what the engine needs beyond
 * them — per-resource metadata (dependencies, for destroy order; lifecycle flags), outputs, the
 * state lock (owner, time, expiry; `vessel state unlock`), and secret handling: write-only
 * attributes are stored as salted hashes, never in clear.
 *
 * @example
 * const state = new EngineState(openStore(".vessel/vessel.db"), "sim:///tmp/lab");
 * const lock = state.lock("apply");
 * try { ... } finally { lock.release(); }
 */
import type { Store } from "../store/db.ts";
import { type Lock, LockManager } from "../store/locks.ts";
import { StateStore } from "../store/state.ts";
import type { Attributes } from "./types.ts";

/** Per-resource metadata the engine keeps beside the state row. */
export interface ResourceMeta {
  /** Instance addresses this resource depended on when last applied. */
  deps: string[];
  preventDestroy?: boolean;
}

/** A secret as stored: `{ "$secret": "sha256:<salt>:<hash>" }`. */
export interface SecretHash {
  $secret: string;
}

/** Lock name of a workspace. */
export function stateLockName(workspace: string): string {
  return `state:${workspace}`;
}

/** Default lock lifetime of an apply (renewed while it runs). */
export const STATE_LOCK_TTL_MS = 10 * 60_000;

/** State of one workspace with engine metadata, outputs and the lock. */
export class EngineState extends StateStore {
  readonly store: Store;
  readonly locks: LockManager;

  constructor(store: Store, workspace: string, options: { now?: () => number } = {}) {
    super(store, workspace);
    this.store = store;
    this.locks = new LockManager(store, { now: options.now });
    store.db.exec(`CREATE TABLE IF NOT EXISTS engine_meta (
      workspace TEXT NOT NULL,
      address TEXT NOT NULL,
      meta TEXT NOT NULL,
      PRIMARY KEY (workspace, address)
    );
    CREATE TABLE IF NOT EXISTS engine_outputs (
      workspace TEXT NOT NULL,
      name TEXT NOT NULL,
      value TEXT NOT NULL,
      sensitive INTEGER NOT NULL,
      PRIMARY KEY (workspace, name)
    )`);
  }

  /**
   * Take the state lock of this workspace.
   * @throws {ConflictError} someone else holds it: the message names who, since and until when
   */
  lock(purpose: string, ttlMs = STATE_LOCK_TTL_MS): Lock {
    return this.locks.acquire(stateLockName(this.workspace), {
      purpose: `${purpose} on ${this.workspace}`,
      ttlMs,
    });
  }

  /**
   * Take the state lock and keep it alive while held: renewed every third of its lifetime, so a
   * long step (a 30-minute firmware flash) never lets it expire under a running apply, while a
   * crashed process still loses it after `ttlMs`.
   * @throws {ConflictError} as {@link lock}
   */
  hold(purpose: string, ttlMs = STATE_LOCK_TTL_MS): Lock {
    const lock = this.lock(purpose, ttlMs);
    const timer = setInterval(() => {
      try {
        lock.renew();
      } catch {
        clearInterval(timer); // lost (force-unlocked): the next renew after a step reports it
      }
    }, Math.max(1000, Math.floor(ttlMs / 3)));
    const release = lock.release.bind(lock);
    lock.release = () => {
      clearInterval(timer);
      release();
    };
    return lock;
  }

  /** Remove this workspace's lock whoever holds it. @throws {NotFoundError} not locked */
  forceUnlock(): ReturnType<LockManager["forceUnlock"]> {
    return this.locks.forceUnlock(stateLockName(this.workspace));
  }

  /** Metadata of `address`. */
  meta(address: string): ResourceMeta | undefined {
    const row = this.store.db.prepare(
      "SELECT meta FROM engine_meta WHERE workspace = ? AND address = ?",
    ).get(this.workspace, address) as { meta: string } | undefined;
    return row ? JSON.parse(row.meta) : undefined;
  }

  /** Record metadata of `address`. */
  setMeta(address: string, meta: ResourceMeta): void {
    this.store.db.prepare(
      `INSERT INTO engine_meta (workspace, address, meta) VALUES (?, ?, ?)
       ON CONFLICT (workspace, address) DO UPDATE SET meta = excluded.meta`,
    ).run(this.workspace, address, JSON.stringify(meta));
  }

  override remove(address: string): void {
    super.remove(address);
    this.store.db.prepare("DELETE FROM engine_meta WHERE workspace = ? AND address = ?")
      .run(this.workspace, address);
  }

  /** Replace the recorded outputs (sensitive values are stored as hashes). */
  setOutputs(outputs: Record<string, { value: unknown; sensitive: boolean }>): void {
    this.store.tx(() => {
      this.store.db.prepare("DELETE FROM engine_outputs WHERE workspace = ?").run(this.workspace);
      for (const [name, o] of Object.entries(outputs)) {
        const value = o.sensitive ? hashSecret(JSON.stringify(o.value)) : o.value;
        this.store.db.prepare(
          "INSERT INTO engine_outputs (workspace, name, value, sensitive) VALUES (?, ?, ?, ?)",
        ).run(this.workspace, name, JSON.stringify(value ?? null), o.sensitive ? 1 : 0);
      }
    });
  }

  /** Recorded outputs (sensitive ones as `(sensitive)`). */
  outputs(): Record<string, { value: unknown; sensitive: boolean }> {
    const rows = this.store.db.prepare(
      "SELECT name, value, sensitive FROM engine_outputs WHERE workspace = ? ORDER BY name",
    ).all(this.workspace) as { name: string; value: string; sensitive: number }[];
    return Object.fromEntries(rows.map((r) => [
      r.name,
      { value: r.sensitive ? "(sensitive)" : JSON.parse(r.value), sensitive: r.sensitive === 1 },
    ]));
  }
}

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Synchronous SHA-256 (node:crypto), so state writes stay synchronous. */
import { createHash } from "node:crypto";

/** Salted hash of a secret: `{ $secret: "sha256:<salt>:<hash>" }`. A fresh salt unless given. */
export function hashSecret(value: string, salt?: string): SecretHash {
  const s = salt ?? hex(crypto.getRandomValues(new Uint8Array(16)));
  const h = createHash("sha256").update(`${s}:${value}`).digest("hex");
  return { $secret: `sha256:${s}:${h}` };
}

/** True for a stored secret hash. */
export function isSecretHash(v: unknown): v is SecretHash {
  return !!v && typeof v === "object" && typeof (v as SecretHash).$secret === "string" &&
    (v as SecretHash).$secret.startsWith("sha256:");
}

/** Does `value` match the stored hash? */
export function secretMatches(value: unknown, stored: unknown): boolean {
  if (!isSecretHash(stored) || typeof value !== "string") return false;
  const [, salt] = stored.$secret.split(":");
  return hashSecret(value, salt).$secret === stored.$secret;
}

/**
 * Attributes as they go into state: secrets replaced by salted hashes (keeping the prior hash
 * when the secret did not change, so state does not churn).
 */
export function protectSecrets(
  attributes: Attributes,
  secrets: readonly string[],
  desired?: Attributes,
  prior?: Attributes,
): Attributes {
  if (secrets.length === 0) return attributes;
  const out = { ...attributes };
  for (const k of secrets) {
    const clear = desired?.[k] ?? attributes[k];
    if (clear === undefined || clear === null) {
      delete out[k];
      continue;
    }
    if (isSecretHash(clear)) {
      out[k] = clear;
      continue;
    }
    out[k] = secretMatches(clear, prior?.[k]) ? prior![k] : hashSecret(String(clear));
  }
  return out;
}
