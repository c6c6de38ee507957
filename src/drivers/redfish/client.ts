/**
 * Redfish client on undici 8: session login/logout, a per-device session pool capped below the
 * device's limit, deadlines, typed errors, ETag/If-Match, retries for transient failures only,
 * and task polling to a deadline.
 *
 * Sessions (DMTF Redfish; ../shared/docs/hardware/redfish.md §1.1): `POST
 * {base}/SessionService/Sessions` with `{UserName, Password}`; the token is the `X-Auth-Token`
 * response header, the session's URL the `Location` header (fallback: body `@odata.id`);
 * logout is `DELETE` of that URL. BMC session slots are few and orphans lock everyone out
 * (field lesson 4), so every session is logged out on every path, and a failed login stops all
 * further logins on this client (no lockout spiral).
 */
import { request } from "undici";
import type { Agent, Dispatcher } from "undici";
import type { z } from "zod";
import {
  AuthError,
  ConflictError,
  DeviceError,
  NotFoundError,
  TimeoutError,
  TransportError,
} from "../../errors.ts";
import { type CallOptions, sleep, withDeadline } from "../deadline.ts";
import type { Recorder } from "../record/recorder.ts";
import { type RetryPolicy, TRANSIENT_NET_CODES, TRANSIENT_STATUS, withRetry } from "../retry.ts";
import { isCertificateError, makeAgent, type TlsTrust } from "../tls.ts";
import { parseRedfishErrorBody, RedfishError, type RedfishMessage } from "./errors.ts";

/** Options of {@link RedfishClient.connect}. */
export interface RedfishConnectOptions {
  /** Device id for messages, e.g. `hmm`, `ibmc3`. */
  device: string;
  /** Service root, e.g. `https://127.0.0.1:41001/redfish/v1`. */
  baseUrl: string;
  username: string;
  password: string;
  tls: TlsTrust;
  /** Per-request deadline (each attempt); default 30000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Concurrent sessions on this device; default 2 (HMMs and iBMCs allow only a handful). */
  maxSessions?: number;
  retry?: RetryPolicy;
  recorder?: Recorder;
  /** Turns a certificate failure into a better error (a changed pin naming both fingerprints). */
  explainCertificateError?: (signal?: AbortSignal) => Promise<Error | undefined>;
  /** Log in at connect time (default true) so bad credentials fail early. */
  eagerLogin?: boolean;
  /** TCP+TLS connect timeout (default 15000 ms); short for addresses that may have no route. */
  connectTimeoutMs?: number;
}

/** A parsed response. */
export interface RedfishResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
  /** `ETag` header or body `@odata.etag`. */
  etag?: string;
  /** `Location` header (tasks, created resources). */
  location?: string;
}

/** Per-request options. */
export interface RedfishRequestOptions<T = unknown> extends CallOptions {
  /** Validate the body with this schema. */
  schema?: z.ZodType<T>;
  /** Send `If-Match`. */
  etag?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Override retry attempts for this request. */
  attempts?: number;
}

/** Options of {@link RedfishClient.waitTask} and {@link pollTask}. */
export interface TaskPollOptions extends CallOptions {
  /** Give up after this long (default 30 min, like firmware jobs need). */
  deadlineMs?: number;
  /** Time between polls (default 2000 ms). */
  intervalMs?: number;
  /** Told after each poll. */
  onProgress?: (task: TaskState) => void;
}

/** What a task looks like while polled. */
export interface TaskState {
  state: string;
  percent?: number;
  messages: RedfishMessage[];
  /** True when the HTTP status or TaskState says it finished. */
  done: boolean;
  data: unknown;
}

/** Terminal TaskState values (DMTF Task schema). */
export const TERMINAL_TASK_STATES: ReadonlySet<string> = new Set([
  "Completed",
  "Exception",
  "Killed",
  "Cancelled",
  "Suspended",
  "Interrupted",
]);

interface Session {
  token: string;
  url?: string;
}

/**
 * A Redfish service.
 *
 * @example
 * const rf = await RedfishClient.connect({ device: "hmm", baseUrl, username, password, tls: { ca } });
 * try {
 *   const { data, etag } = await rf.get("/redfish/v1/Chassis/1");
 *   await rf.patch("/redfish/v1/Chassis/1", { AssetTag: "rack-7" }, { etag });
 * } finally {
 *   await rf.close();
 * }
 */
export class RedfishClient {
  readonly device: string;
  readonly baseUrl: string;
  readonly origin: string;
  #opts: RedfishConnectOptions;
  #agent: Agent;
  #idle: Session[] = [];
  #all = new Set<Session>();
  #logins = 0;
  #pendingLogins = new Set<Promise<Session>>();
  #waiters: ((s: Session | Error) => void)[] = [];
  #authFailure?: AuthError;
  #closed = false;

  private constructor(opts: RedfishConnectOptions) {
    this.#opts = opts;
    this.device = opts.device;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.origin = new URL(this.baseUrl).origin;
    this.#agent = makeAgent(opts.tls, {
      connections: Math.max(2, opts.maxSessions ?? 2),
      connectTimeoutMs: opts.connectTimeoutMs,
    });
  }

  /**
   * Creates a client and (unless `eagerLogin: false`) logs in one session.
   *
   * @throws {AuthError} credentials refused (no further login is attempted by this client)
   * @throws {TransportError} unreachable, TLS failure
   */
  static async connect(opts: RedfishConnectOptions): Promise<RedfishClient> {
    const c = new RedfishClient(opts);
    if (opts.eagerLogin ?? true) {
      try {
        c.#release(await c.#acquire({ signal: opts.signal }));
      } catch (e) {
        await c.close();
        throw e;
      }
    }
    return c;
  }

  /** Sessions currently logged in (for tests and `vessel inventory --capabilities`). */
  get sessionCount(): number {
    return this.#all.size;
  }

  /**
   * Absolute URLs of the sessions this client holds right now (logged in, idle or busy). A
   * session cleaner compares the device's session collection against this list so it never
   * deletes the sessions of the process that is cleaning.
   *
   * @example
   * const mine = new Set(rf.sessionUrls); // "https://hmm/redfish/v1/SessionService/Sessions/7"
   */
  get sessionUrls(): string[] {
    return [...this.#all].map((s) => s.url).filter((u): u is string => !!u);
  }

  /** The session cap of this client. */
  get maxSessions(): number {
    return Math.max(1, this.#opts.maxSessions ?? 2);
  }

  /** GET a resource. */
  get<T = unknown>(path: string, opts: RedfishRequestOptions<T> = {}): Promise<RedfishResponse<T>> {
    return this.request<T>("GET", path, undefined, opts);
  }

  /** PATCH with `If-Match` when `opts.etag` is given. */
  patch<T = unknown>(
    path: string,
    body: unknown,
    opts: RedfishRequestOptions<T> = {},
  ): Promise<RedfishResponse<T>> {
    return this.request<T>("PATCH", path, body, opts);
  }

  /** POST (actions, collections). Retried only when the device says it did nothing (429/503). */
  post<T = unknown>(
    path: string,
    body: unknown,
    opts: RedfishRequestOptions<T> = {},
  ): Promise<RedfishResponse<T>> {
    return this.request<T>("POST", path, body, opts);
  }

  /** DELETE a resource. */
  delete<T = unknown>(
    path: string,
    opts: RedfishRequestOptions<T> = {},
  ): Promise<RedfishResponse<T>> {
    return this.request<T>("DELETE", path, undefined, opts);
  }

  /**
   * Sends one request on a pooled session, with retries for transient failures and one re-login
   * if the session expired (401).
   *
   * @throws {NotFoundError} 404
   * @throws {ConflictError} 412 (ETag mismatch) or 409
   * @throws {AuthError} 401 after a fresh login, or login refused
   * @throws {RedfishError} any other error status
   * @throws {TimeoutError} / {TransportError}
   */
  async request<T = unknown>(
    method: string,
    path: string,
    body: unknown,
    opts: RedfishRequestOptions<T> = {},
  ): Promise<RedfishResponse<T>> {
    const url = this.#url(path);
    const signal = opts.signal ?? this.#opts.signal;
    const idempotent = method !== "POST";
    const res = await withRetry(
      async () => {
        const session = await this.#acquire({ signal });
        let ok = true;
        try {
          let r = await this.#send(method, url, body, session, opts, signal);
          if (r.status === 401) {
            // Session expired or was deleted by someone cleaning orphans: log in again once.
            ok = false;
            this.#discard(session);
            const fresh = await this.#acquire({ signal });
            ok = true;
            try {
              r = await this.#send(method, url, body, fresh, opts, signal);
            } finally {
              this.#release(fresh);
            }
            if (r.status === 401) {
              throw new AuthError(`${this.device} refused the session for ${method} ${url}`, {
                hint: "Check the account's Redfish permission",
              });
            }
          }
          if (TRANSIENT_STATUS.has(r.status)) throw this.#errorFor(method, url, r);
          return r;
        } finally {
          if (ok) this.#release(session);
        }
      },
      (e) => isTransient(e, idempotent),
      { ...this.#opts.retry, ...(opts.attempts ? { attempts: opts.attempts } : {}) },
      signal,
    );
    return this.#parse<T>(method, url, res, opts.schema);
  }

  /**
   * Polls a task (URI, or the response that started it) until it ends or the deadline passes.
   *
   * @throws {RedfishError} the task ended in Exception/Killed/Cancelled (device message attached)
   * @throws {TimeoutError} still running at the deadline
   */
  waitTask(task: string | RedfishResponse, opts: TaskPollOptions = {}): Promise<TaskState> {
    const uri = typeof task === "string"
      ? task
      : task.location ?? (task.data as { "@odata.id"?: string })?.["@odata.id"];
    if (!uri) throw new DeviceError(`No task to poll from ${this.device}`, { device: this.device });
    const url = this.#url(uri);
    return pollTask(async () => {
      const session = await this.#acquire({ signal: opts.signal });
      try {
        const r = await this.#send("GET", url, undefined, session, {}, opts.signal);
        if (r.status >= 400) await this.#parse("GET", url, r, undefined); // throws typed
        return { status: r.status, data: r.text ? safeJson(r.text) : undefined };
      } finally {
        this.#release(session);
      }
    }, { ...opts, what: `task ${uri} on ${this.device}` });
  }

  /** Logs out every session (errors ignored) and closes connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) {
      w(new TransportError(`Redfish client of ${this.device} closed`));
    }
    // Logins still in flight end (or time out) first, so that their sessions are logged out too.
    await Promise.allSettled([...this.#pendingLogins]);
    const sessions = [...this.#all];
    this.#all.clear();
    this.#idle = [];
    await Promise.allSettled(sessions.map((s) => this.#logout(s)));
    await this.#agent.close().catch(() => {});
  }

  // ---------------------------------------------------------------------------------------

  #url(path: string): string {
    if (/^https?:\/\//.test(path)) return path;
    if (path.startsWith("/")) return this.origin + path;
    return `${this.baseUrl}/${path}`;
  }

  async #acquire(o: CallOptions): Promise<Session> {
    if (this.#closed) throw new TransportError(`Redfish client of ${this.device} is closed`);
    if (this.#authFailure) throw this.#authFailure;
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#all.size + this.#logins < this.maxSessions) {
      this.#logins++;
      // A login cut off by the caller's abort may still open a session on the device, one we
      // could never log out (its token unknown): BMCs have few session slots. So the login runs
      // to its own deadline regardless; an aborted caller leaves the session in the pool, and
      // close() (which waits for logins in flight) logs it out.
      const login = this.#login().then(async (s) => {
        if (this.#closed) {
          await this.#logout(s).catch(() => {});
          throw new TransportError(`Redfish client of ${this.device} closed`);
        }
        this.#all.add(s);
        return s;
      }).finally(() => {
        this.#logins--;
        this.#pendingLogins.delete(login);
      });
      this.#pendingLogins.add(login);
      const signal = o.signal;
      if (!signal) return await login;
      return await new Promise<Session>((resolve, reject) => {
        const onAbort = () => {
          reject(signal.reason);
          login.then((s) => this.#release(s), () => {});
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        login.then((s) => {
          signal.removeEventListener("abort", onAbort);
          resolve(s);
        }, (e) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        });
      });
    }
    return await new Promise<Session>((resolve, reject) => {
      const w = (s: Session | Error) => (s instanceof Error ? reject(s) : resolve(s));
      this.#waiters.push(w);
      o.signal?.addEventListener("abort", () => {
        const i = this.#waiters.indexOf(w);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(o.signal!.reason);
      }, { once: true });
    });
  }

  #release(s: Session): void {
    if (!this.#all.has(s)) return;
    const w = this.#waiters.shift();
    if (w) w(s);
    else this.#idle.push(s);
  }

  #discard(s: Session): void {
    // Idle sessions are as old as the expired one (or were cleaned with it): drop them too.
    for (const x of [s, ...this.#idle]) {
      this.#all.delete(x);
      this.#logout(x).catch(() => {});
    }
    this.#idle = [];
    // a waiter may now log in a session of its own
    const w = this.#waiters.shift();
    if (w) this.#acquireFor(w);
  }

  #acquireFor(w: (s: Session | Error) => void) {
    this.#acquire({}).then(w, (e) => w(e instanceof Error ? e : new Error(String(e))));
  }

  async #login(signal?: AbortSignal): Promise<Session> {
    // Callers pass no signal on purpose (see #acquire): #raw still applies its own timeout.
    const url = `${this.baseUrl}/SessionService/Sessions`;
    const r = await withRetry(
      () =>
        this.#raw(
          "POST",
          url,
          {
            "content-type": "application/json",
          },
          JSON.stringify({ UserName: this.#opts.username, Password: this.#opts.password }),
          signal,
        ),
      (e) => isTransient(e, false),
      this.#opts.retry,
      signal,
    );
    if (r.status === 401 || r.status === 403) {
      const info = parseRedfishErrorBody(r.text);
      this.#authFailure = new AuthError(
        `${this.device} refused the Redfish login for user ${this.#opts.username}${
          info.messageId ? ` (${info.messageId})` : ""
        }`,
        {
          hint:
            "Check the username and password; Vessel stops after one failure to avoid a lockout",
        },
      );
      throw this.#authFailure;
    }
    if (r.status >= 300) throw this.#errorFor("POST", url, r);
    const token = r.headers["x-auth-token"];
    if (!token) {
      throw new DeviceError(
        `${this.device} answered the Redfish login without an X-Auth-Token header`,
        {
          device: this.device,
        },
      );
    }
    const loc = r.headers["location"] ??
      (safeJson(r.text) as { "@odata.id"?: string })?.["@odata.id"];
    return { token, url: loc ? this.#url(loc) : undefined };
  }

  async #logout(s: Session): Promise<void> {
    if (!s.url) return;
    try {
      await this.#raw("DELETE", s.url, { "x-auth-token": s.token }, undefined, undefined, 5000);
    } catch { /* logout is best effort */ }
  }

  #send(
    method: string,
    url: string,
    body: unknown,
    s: Session,
    opts: RedfishRequestOptions<unknown>,
    signal?: AbortSignal,
  ) {
    const headers: Record<string, string> = { "x-auth-token": s.token, ...opts.headers };
    if (opts.etag) headers["if-match"] = opts.etag;
    let payload: string | undefined;
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    return this.#raw(method, url, headers, payload, signal, opts.timeoutMs);
  }

  async #raw(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<RawResponse> {
    const t0 = Date.now();
    const reqHeaders = { accept: "application/json", ...headers };
    const rec = this.#opts.recorder;
    try {
      const r = await withDeadline(
        `${method} ${url}`,
        { signal, timeoutMs: timeoutMs ?? this.#opts.timeoutMs ?? 30000 },
        async (s) => {
          const res = await request(url, {
            method: method as Dispatcher.HttpMethod,
            headers: reqHeaders,
            body,
            dispatcher: this.#agent,
            signal: s,
          });
          const text = await res.body.text();
          return { status: res.statusCode, headers: flatHeaders(res.headers), text };
        },
      );
      rec?.record({
        kind: "http",
        device: this.device,
        request: { method, url, headers: reqHeaders, ...(body !== undefined ? { body } : {}) },
        response: { status: r.status, headers: r.headers, body: r.text },
        ms: Date.now() - t0,
      });
      return r;
    } catch (e) {
      rec?.record({
        kind: "http",
        device: this.device,
        request: { method, url, headers: reqHeaders, ...(body !== undefined ? { body } : {}) },
        error: e instanceof Error ? e.message : String(e),
        ms: Date.now() - t0,
      });
      if (e instanceof TimeoutError) throw e;
      if (isCertificateError(e)) {
        const better = await this.#opts.explainCertificateError?.(signal).catch(() => undefined);
        throw better ?? new TransportError(
          `TLS certificate of ${this.device} (${new URL(url).host}) is not trusted: ${
            (e as Error).message
          }`,
          { cause: e, hint: "Pass the CA file, or --insecure to skip verification" },
        );
      }
      if ((e as Error)?.name === "AbortError" || signal?.aborted) throw signal?.reason ?? e;
      const code = errCode(e);
      throw Object.assign(
        new TransportError(`${method} ${url} on ${this.device} failed: ${(e as Error).message}`, {
          cause: e,
          details: { code },
        }),
        { netCode: code },
      );
    }
  }

  #parse<T>(
    method: string,
    url: string,
    r: RawResponse,
    schema?: z.ZodType<T>,
  ): RedfishResponse<T> {
    if (r.status >= 400) throw this.#errorFor(method, url, r);
    const data = r.text ? safeJson(r.text) : undefined;
    let out = data as T;
    if (schema) {
      const p = schema.safeParse(data);
      if (!p.success) {
        const i = p.error.issues[0];
        throw new DeviceError(
          `Unexpected Redfish response from ${this.device} for ${method} ${url}: ${
            i.path.join(".") || "(root)"
          } ${i.message}`,
          { device: this.device, details: { url } },
        );
      }
      out = p.data;
    }
    const etag = r.headers["etag"] ?? (data as { "@odata.etag"?: string })?.["@odata.etag"];
    return {
      status: r.status,
      headers: r.headers,
      data: out,
      ...(etag ? { etag } : {}),
      ...(r.headers["location"] ? { location: r.headers["location"] } : {}),
    };
  }

  #errorFor(method: string, url: string, r: RawResponse): Error {
    const info = parseRedfishErrorBody(r.text);
    const ra = r.headers["retry-after"];
    const retryAfterMs = ra && /^\d+$/.test(ra) ? Number(ra) * 1000 : undefined;
    const rf = new RedfishError(
      `${this.device} answered ${r.status} to ${method} ${new URL(url).pathname}${
        info.messageId ? `: ${info.messageId}` : ""
      }${info.message ? ` (${info.message})` : ""}`,
      {
        device: this.device,
        messageId: info.messageId,
        status: r.status,
        method,
        url,
        extendedInfo: info.extendedInfo,
        body: r.text.slice(0, 4000),
        retryAfterMs,
      },
    );
    const opts = { cause: rf, details: { status: r.status, url, messageId: info.messageId } };
    if (r.status === 404) {
      return new NotFoundError(`${new URL(url).pathname} not found on ${this.device}`, opts);
    }
    if (r.status === 412 || r.status === 409) {
      return new ConflictError(
        `${this.device} refused ${method} ${new URL(url).pathname}: ${
          r.status === 412
            ? "the resource changed since it was read (ETag mismatch)"
            : info.message ?? "conflict"
        }`,
        { ...opts, hint: "Read the resource again and retry the change" },
      );
    }
    return rf;
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/**
 * Polls `get` until the task ends. Pure (no HTTP), so fake timers drive it in tests.
 * Finished when the status is 200/201/204 without a running TaskState, or TaskState is terminal.
 * `Messages` may be a list or a single object.
 */
export async function pollTask(
  get: () => Promise<{ status: number; data: unknown }>,
  opts: TaskPollOptions & { what?: string } = {},
): Promise<TaskState> {
  const deadline = Date.now() + (opts.deadlineMs ?? 30 * 60_000);
  const interval = opts.intervalMs ?? 2000;
  const what = opts.what ?? "task";
  while (true) {
    const { status, data } = await get();
    const t = taskState(status, data);
    opts.onProgress?.(t);
    if (t.done) {
      if (t.state !== "Completed" && t.state !== "OK") {
        const last = t.messages[t.messages.length - 1];
        throw new RedfishError(
          `${what} ended ${t.state}${last?.Message ? `: ${last.Message}` : ""}`,
          {
            messageId: last?.MessageId,
            status,
            method: "GET",
            url: what,
            extendedInfo: t.messages,
          },
        );
      }
      return t;
    }
    if (Date.now() + interval > deadline) {
      throw new TimeoutError(
        `${what} still ${t.state}${
          t.percent !== undefined ? ` at ${t.percent}%` : ""
        } at the deadline`,
        {
          details: { state: t.state, percent: t.percent },
          hint: "Raise the deadline; the task keeps running on the device",
        },
      );
    }
    await sleep(interval, opts.signal);
  }
}

/** Reads TaskState, PercentComplete and Messages from a task body. */
export function taskState(status: number, data: unknown): TaskState {
  const d = (data ?? {}) as Record<string, unknown>;
  const state = typeof d.TaskState === "string"
    ? d.TaskState
    : status === 202
    ? "Running"
    : "Completed";
  const raw = d.Messages;
  const messages =
    (Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : []) as RedfishMessage[];
  const percent = typeof d.PercentComplete === "number" ? d.PercentComplete : undefined;
  const done = TERMINAL_TASK_STATES.has(state) || (status !== 202 && !d.TaskState);
  return { state, percent, messages, done, data };
}

function isTransient(e: unknown, idempotent: boolean): boolean {
  if (e instanceof RedfishError) {
    return TRANSIENT_STATUS.has(e.status) && (idempotent || e.status === 429 || e.status === 503);
  }
  if (e instanceof AuthError || e instanceof ConflictError || e instanceof NotFoundError) {
    return false;
  }
  if (e instanceof TimeoutError) return idempotent;
  if (e instanceof TransportError) {
    const code = (e as { netCode?: string }).netCode ?? "";
    return idempotent && TRANSIENT_NET_CODES.has(code);
  }
  return false;
}

function errCode(e: unknown): string {
  for (let x: unknown = e, i = 0; x && i < 5; x = (x as { cause?: unknown }).cause, i++) {
    const c = (x as { code?: string }).code;
    if (typeof c === "string" && c) {
      if (c === "UND_ERR_SOCKET" && /reset|ECONNRESET/i.test(String((x as Error).message))) {
        return "ECONNRESET";
      }
      return c;
    }
  }
  if (/reset/i.test(String((e as Error)?.message))) return "ECONNRESET";
  return "";
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
