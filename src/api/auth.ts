/**
 * Authentication for `vessel serve`: API tokens, users with passwords, browser sessions, roles,
 * login rate limiting and lockout. Everything lives in the store (tables `api_*`), and nothing
 * secret is stored in clear:
 *
 * - API tokens look like `vsl_<id>_<secret>`; only SHA-256 of the 256-bit secret is kept, and the
 *   token is shown once, at creation.
 * - User passwords are hashed with scrypt (N=2^14, r=8, p=1, 16-byte salt).
 * - Session ids (the cookie value) are stored as SHA-256; each session has its own CSRF token.
 *
 * Roles are ordered: viewer < operator < admin.
 *
 * @example
 * const auth = new AuthService(openStore(":memory:"));
 * const { token } = auth.createToken({ name: "ci", role: "operator" });
 * auth.authenticateToken(token); // { kind: "token", name: "ci", role: "operator", ... }
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import type { Store } from "../store/db.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { ApiError } from "./problem.ts";

/** The three roles, weakest first. */
export const ROLES = ["viewer", "operator", "admin"] as const;
/** A role. */
export type Role = typeof ROLES[number];

/** `true` when `have` includes the rights of `need`. */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** Who is calling. */
export interface Principal {
  kind: "token" | "session";
  /** User name (sessions) or token name (tokens). */
  name: string;
  role: Role;
  /** Token id or session id hash prefix, for logs. */
  id: string;
  /** CSRF token of a cookie session. */
  csrf?: string;
  /** Audit actor: the user name, or `<name> (api token)`. */
  actor: string;
}

/** A token as listed (never with its secret). */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}

/** A user as listed. */
export interface UserInfo {
  username: string;
  role: Role;
  created_at: string;
}

/** Options of {@link AuthService}. */
export interface AuthOptions {
  /** Failed logins of one user name before it is locked (default 5). */
  maxFailures?: number;
  /** Lockout duration in ms (default 15 minutes). */
  lockoutMs?: number;
  /** Window in which failures count (default 15 minutes). */
  failureWindowMs?: number;
  /** Login attempts allowed per client address per minute (default 10). */
  loginRatePerMinute?: number;
  /** Session lifetime in ms (default 12 hours). */
  sessionTtlMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** scrypt cost (default 16384); tests may lower it. */
  scryptN?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  secret_sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  expires_at TEXT
);
CREATE TABLE IF NOT EXISTS api_users (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_sessions (
  id_sha256 TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  role TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS api_login_failures (
  username TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  locked_until INTEGER
);
`;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const b64url = (b: Uint8Array) =>
  btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function equalHex(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function scrypt(password: string, salt: Uint8Array, n: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, 32, { N: n, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (e, key) => {
      if (e) reject(e);
      else resolve(new Uint8Array(key));
    })
  );
}

/** Hash a password: `scrypt$<N>$<salt b64url>$<key b64url>`. */
export async function hashPassword(password: string, n = 16384): Promise<string> {
  const salt = new Uint8Array(randomBytes(16));
  return `scrypt$${n}$${b64url(salt)}$${b64url(await scrypt(password, salt, n))}`;
}

function fromB64url(s: string): Uint8Array {
  const pad = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  return Uint8Array.from(atob(pad), (ch) => ch.charCodeAt(0));
}

/** Check a password against {@link hashPassword} output, in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, salt, key] = stored.split("$");
  if (alg !== "scrypt" || !n || !salt || !key) return false;
  const got = await scrypt(password, fromB64url(salt), Number(n));
  const want = fromB64url(key);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Validate a role name. @throws {ValidationError} */
export function parseRole(role: string, field = "role"): Role {
  if ((ROLES as readonly string[]).includes(role)) return role as Role;
  throw new ValidationError(`Unknown role "${role}"`, {
    field,
    hint: `Use one of ${ROLES.join(", ")}`,
  });
}

/** The authentication service over the store. */
export class AuthService {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #maxFailures: number;
  readonly #lockoutMs: number;
  readonly #windowMs: number;
  readonly #ratePerMinute: number;
  readonly #sessionTtlMs: number;
  readonly #scryptN: number;
  /** Per-address login attempt times (memory only: a restart forgives). */
  readonly #attempts = new Map<string, number[]>();
  #dummyHash: Promise<string> | undefined;

  /** Open the service on `store`, creating its tables when missing. */
  constructor(store: Store, options: AuthOptions = {}) {
    this.#store = store;
    this.#now = options.now ?? Date.now;
    this.#maxFailures = options.maxFailures ?? 5;
    this.#lockoutMs = options.lockoutMs ?? 15 * 60_000;
    this.#windowMs = options.failureWindowMs ?? 15 * 60_000;
    this.#ratePerMinute = options.loginRatePerMinute ?? 10;
    this.#sessionTtlMs = options.sessionTtlMs ?? 12 * 3600_000;
    this.#scryptN = options.scryptN ?? 16384;
    store.db.exec(SCHEMA);
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }

  // ------------------------------------------------------------------ tokens

  /**
   * Create an API token. The returned `token` is the only time the secret exists in clear.
   *
   * @throws {ValidationError} on an empty name or unknown role
   */
  createToken(
    opts: { name: string; role: Role | string; expiresInDays?: number },
  ): { token: string; info: TokenInfo } {
    const name = opts.name.trim();
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name)) {
      throw new ValidationError(`Invalid token name "${opts.name}"`, {
        field: "name",
        hint: "Use 1-64 letters, digits, _ . @ or -",
      });
    }
    const role = parseRole(opts.role);
    const id = b64url(new Uint8Array(randomBytes(6))).replace(/[-_]/g, "x");
    const secret = b64url(new Uint8Array(randomBytes(32)));
    const created = this.#iso();
    const expires = opts.expiresInDays
      ? new Date(this.#now() + opts.expiresInDays * 86400_000).toISOString()
      : null;
    this.#store.db.prepare(
      "INSERT INTO api_tokens (id, name, role, secret_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(id, name, role, sha256(secret), created, expires);
    return {
      token: `vsl_${id}_${secret}`,
      info: { id, name, role, created_at: created, last_used_at: null, expires_at: expires },
    };
  }

  /** Every token, newest first (no secrets). */
  listTokens(): TokenInfo[] {
    return this.#store.db.prepare(
      "SELECT id, name, role, created_at, last_used_at, expires_at FROM api_tokens ORDER BY created_at DESC, id",
    ).all() as unknown as TokenInfo[];
  }

  /** Revoke (delete) a token. @throws {NotFoundError} */
  revokeToken(id: string): void {
    const r = this.#store.db.prepare("DELETE FROM api_tokens WHERE id = ?").run(id);
    if (Number(r.changes) === 0) {
      throw new NotFoundError(`API token ${id} does not exist`, {
        hint: "List tokens with GET /api/v1/tokens or `vessel serve token list`",
      });
    }
  }

  /** The principal of a bearer token, or undefined when unknown, wrong or expired. */
  authenticateToken(token: string): Principal | undefined {
    const m = /^vsl_([A-Za-z0-9]+)_([A-Za-z0-9_-]{20,})$/.exec(token);
    if (!m) return undefined;
    const row = this.#store.db.prepare(
      "SELECT id, name, role, secret_sha256, expires_at, last_used_at FROM api_tokens WHERE id = ?",
    ).get(m[1]) as
      | {
        id: string;
        name: string;
        role: Role;
        secret_sha256: string;
        expires_at: string | null;
        last_used_at: string | null;
      }
      | undefined;
    if (!row || !equalHex(sha256(m[2]), row.secret_sha256)) return undefined;
    if (row.expires_at && Date.parse(row.expires_at) <= this.#now()) return undefined;
    // Write last use at most once a minute: reads stay cheap under load.
    const nowIso = this.#iso();
    if (!row.last_used_at || Date.parse(row.last_used_at) < this.#now() - 60_000) {
      this.#store.db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(
        nowIso,
        row.id,
      );
    }
    return {
      kind: "token",
      name: row.name,
      role: row.role,
      id: row.id,
      actor: `${row.name} (api token)`,
    };
  }

  // ------------------------------------------------------------------ users

  /** Create or replace a user (password hashed). @throws {ValidationError} */
  async setUser(username: string, password: string, role: Role | string): Promise<UserInfo> {
    if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(username)) {
      throw new ValidationError(`Invalid user name "${username}"`, {
        field: "username",
        hint: "Use 1-64 letters, digits, _ . @ or -",
      });
    }
    if (password.length < 8) {
      throw new ValidationError(`Password of user ${username} is shorter than 8 characters`, {
        field: "password",
      });
    }
    const r = parseRole(role);
    const hash = await hashPassword(password, this.#scryptN);
    const created = this.#iso();
    this.#store.db.prepare(
      `INSERT INTO api_users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash`,
    ).run(username, r, hash, created);
    return { username, role: r, created_at: created };
  }

  /** Every user. */
  listUsers(): UserInfo[] {
    return this.#store.db.prepare(
      "SELECT username, role, created_at FROM api_users ORDER BY username",
    ).all() as unknown as UserInfo[];
  }

  /** Remove a user and its sessions. @throws {NotFoundError} */
  removeUser(username: string): void {
    const r = this.#store.db.prepare("DELETE FROM api_users WHERE username = ?").run(username);
    this.#store.db.prepare("DELETE FROM api_sessions WHERE username = ?").run(username);
    if (Number(r.changes) === 0) throw new NotFoundError(`User ${username} does not exist`);
  }

  // ------------------------------------------------------------------ login and sessions

  /** Count one login attempt from `client`. @throws {ApiError} rate_limited */
  #rateLimit(client: string): void {
    const now = this.#now();
    // Forget quiet addresses now and then, so that many clients cannot grow the map forever.
    if (this.#attempts.size > 10_000) {
      for (const [k, v] of this.#attempts) {
        if (!v.some((t) => t > now - 60_000)) this.#attempts.delete(k);
      }
    }
    const recent = (this.#attempts.get(client) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= this.#ratePerMinute) {
      const retry = Math.max(1, Math.ceil((recent[0] + 60_000 - now) / 1000));
      this.#attempts.set(client, recent);
      throw new ApiError(
        "rate_limited",
        `Too many login attempts from ${client}: at most ${this.#ratePerMinute} per minute`,
        { retryAfter: retry, hint: `Wait ${retry} seconds` },
      );
    }
    recent.push(now);
    this.#attempts.set(client, recent);
  }

  /**
   * Check a user name and password and open a session.
   *
   * @throws {ApiError} `rate_limited` (per client), `locked_out` (per user name, after repeated
   *   failures), `unauthenticated` (wrong name or password; the same answer for both)
   */
  async login(
    username: string,
    password: string,
    client = "local",
  ): Promise<{ sessionId: string; csrf: string; principal: Principal; expiresAt: number }> {
    this.#rateLimit(client);
    const now = this.#now();
    const fail = this.#store.db.prepare(
      "SELECT failures, first_at, locked_until FROM api_login_failures WHERE username = ?",
    ).get(username) as
      | { failures: number; first_at: number; locked_until: number | null }
      | undefined;
    if (fail?.locked_until && fail.locked_until > now) {
      const retry = Math.ceil((fail.locked_until - now) / 1000);
      throw new ApiError(
        "locked_out",
        `User ${username} is locked after ${this.#maxFailures} failed logins`,
        { retryAfter: retry, hint: `Wait ${retry} seconds or ask an admin to reset the password` },
      );
    }
    const user = this.#store.db.prepare(
      "SELECT username, role, password_hash FROM api_users WHERE username = ?",
    ).get(username) as { username: string; role: Role; password_hash: string } | undefined;
    // Hash even for unknown users, so that timing does not reveal which names exist.
    this.#dummyHash ??= hashPassword("not-a-password", this.#scryptN);
    const ok = user
      ? await verifyPassword(password, user.password_hash)
      : (await verifyPassword(password, await this.#dummyHash), false);
    if (!ok || !user) {
      this.#recordFailure(username, now, fail);
      throw new ApiError("unauthenticated", "Wrong user name or password", {
        hint: `After ${this.#maxFailures} failures the user is locked for ${
          Math.round(this.#lockoutMs / 60_000)
        } minutes`,
      });
    }
    this.#store.db.prepare("DELETE FROM api_login_failures WHERE username = ?").run(username);
    const sessionId = b64url(new Uint8Array(randomBytes(32)));
    const csrf = b64url(new Uint8Array(randomBytes(24)));
    const expiresAt = now + this.#sessionTtlMs;
    this.#store.db.prepare(
      "DELETE FROM api_sessions WHERE expires_at <= ?",
    ).run(now);
    this.#store.db.prepare(
      "INSERT INTO api_sessions (id_sha256, username, role, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(sha256(sessionId), user.username, user.role, csrf, this.#iso(), expiresAt);
    return {
      sessionId,
      csrf,
      expiresAt,
      principal: {
        kind: "session",
        name: user.username,
        role: user.role,
        id: sha256(sessionId).slice(0, 12),
        csrf,
        actor: user.username,
      },
    };
  }

  #recordFailure(
    username: string,
    now: number,
    prior: { failures: number; first_at: number } | undefined,
  ): void {
    const fresh = !prior || prior.first_at < now - this.#windowMs;
    const failures = fresh ? 1 : prior.failures + 1;
    const first = fresh ? now : prior.first_at;
    const locked = failures >= this.#maxFailures ? now + this.#lockoutMs : null;
    this.#store.db.prepare(
      `INSERT INTO api_login_failures (username, failures, first_at, locked_until) VALUES (?, ?, ?, ?)
       ON CONFLICT (username) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at,
         locked_until = excluded.locked_until`,
    ).run(username, locked ? 0 : failures, locked ? now : first, locked);
  }

  /** The principal of a session cookie value, or undefined when unknown or expired. */
  authenticateSession(sessionId: string): Principal | undefined {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(sessionId)) return undefined;
    const id = sha256(sessionId);
    const row = this.#store.db.prepare(
      "SELECT username, role, csrf, expires_at FROM api_sessions WHERE id_sha256 = ?",
    ).get(id) as { username: string; role: Role; csrf: string; expires_at: number } | undefined;
    if (!row || Number(row.expires_at) <= this.#now()) return undefined;
    return {
      kind: "session",
      name: row.username,
      role: row.role,
      id: id.slice(0, 12),
      csrf: row.csrf,
      actor: row.username,
    };
  }

  /** End a session. */
  logout(sessionId: string): void {
    this.#store.db.prepare("DELETE FROM api_sessions WHERE id_sha256 = ?").run(sha256(sessionId));
  }
}
