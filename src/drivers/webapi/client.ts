/**
 * HMM web API client: the PHP dispatchers behind the HMM GUI
 * (../shared/docs/hardware/hmm-web-api.md).
 *
 * Login: `POST /loginhandler.php` `actiontype=queryverify`, then `actiontype=login` with
 * `username`, `userpasswd`, `usermode=1`, `code=`, `language=en` and `Custom-Token: 0`; the reply's
 * `<csrftoken>` becomes the `Custom-Token` header of every later call, with the `SESSID` cookie,
 * `X-Requested-With: XMLHttpRequest`, `Origin` and a `Referer` on the HMM host. A refused login
 * stops the client for good: the HMM locks the account for 5 minutes after a few failures.
 */
import { request } from "undici";
import type { Agent } from "undici";
import {
  AuthError,
  DeviceError,
  TimeoutError,
  TransportError,
  type VesselErrorOptions,
} from "../../errors.ts";
import { type CallOptions, withDeadline } from "../deadline.ts";
import type { Recorder } from "../record/recorder.ts";
import { type RetryPolicy, TRANSIENT_NET_CODES, TRANSIENT_STATUS, withRetry } from "../retry.ts";
import { isCertificateError, makeAgent, type TlsTrust } from "../tls.ts";
import { type Envelope, parseEnvelope } from "./envelope.ts";
import { childText } from "./xml.ts";

/** Default page for the Referer of dispatcher calls. */
export const DEFAULT_REFERER_PAGE = "/index.html?chassisid=0";

/** Upload pages the HMM checks the Referer against, per target kind (§4.4). */
export const UPLOAD_REFERER_PAGES = {
  smm: "/system_manage_smm.html?chassisid=0",
  swi: "/system_manage_swi.html?chassisid=0",
  blade: "/system_manage_blade.html?chassisid=0",
} as const;

/** Upload target kind. */
export type UploadKind = keyof typeof UPLOAD_REFERER_PAGES;

/** The Referer page for a `bladelist` (`bothsmm`, `Swi2:fru0;`, `Slot7:fru0;`). */
export function uploadKindFor(bladelist: string): UploadKind {
  if (/Swi\d/i.test(bladelist)) return "swi";
  if (/Slot\d/i.test(bladelist)) return "blade";
  return "smm";
}

/** A dispatcher answered HTTP >= 400 or a non-zero `<retcode>`. */
export class WebApiError extends DeviceError {
  override readonly code: string = "device";
  readonly status: number;
  readonly retcode?: number;
  readonly desp?: string;
  readonly handler: string;
  readonly actiontype?: string;
  readonly body?: string;
  constructor(
    message: string,
    options: VesselErrorOptions & {
      status: number;
      retcode?: number;
      desp?: string;
      handler: string;
      actiontype?: string;
      body?: string;
    },
  ) {
    super(message, {
      ...options,
      device: "hmm",
      messageId: options.retcode !== undefined
        ? `retcode ${options.retcode}`
        : `HTTP ${options.status}`,
    });
    this.status = options.status;
    this.retcode = options.retcode;
    this.desp = options.desp;
    this.handler = options.handler;
    this.actiontype = options.actiontype;
    this.body = options.body;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      retcode: this.retcode,
      desp: this.desp,
      handler: this.handler,
      actiontype: this.actiontype,
    };
  }
}

/** Options of {@link HmmWebClient.login}. */
export interface HmmWebLoginOptions {
  /** `https://<hmm-host>` (the web root). */
  baseUrl: string;
  username: string;
  password: string;
  tls: TlsTrust;
  /** Device id for messages; default `hmm`. */
  device?: string;
  /** Per-request deadline; default 30000 ms (upstream's value). */
  timeoutMs?: number;
  signal?: AbortSignal;
  retry?: RetryPolicy;
  recorder?: Recorder;
  explainCertificateError?: (signal?: AbortSignal) => Promise<Error | undefined>;
  /** Concurrent connections (upstream ran 8 parallel calls on one session). */
  connections?: number;
}

/** Options of one dispatcher call. */
export interface WebApiCallOptions extends CallOptions {
  /** Page for the Referer (path + query); default `/index.html?chassisid=0`. */
  referer?: string;
  /** Return failures (HTTP >= 400, retcode != 0) instead of throwing. */
  allowFailure?: boolean;
  /** Safe to retry on transient failures (read-only actions). Default false. */
  idempotent?: boolean;
}

/** A dispatcher reply. */
export interface WebApiResponse extends Envelope {
  status: number;
  body: string;
  contentType: string;
}

/**
 * A logged-in HMM web session.
 *
 * @example
 * const web = await HmmWebClient.login({ baseUrl: "https://192.168.1.30", username, password, tls });
 * const r = await web.call("versionhandler.php", { actiontype: "get", chassisid: "0", bladename: "smm", fruid: "0" });
 * await web.logout();
 */
export class HmmWebClient {
  readonly device: string;
  readonly origin: string;
  #opts: HmmWebLoginOptions;
  #agent: Agent;
  #cookies = new Map<string, string>();
  #token = "0";
  #loggedIn = false;
  #authFailure?: AuthError;

  private constructor(opts: HmmWebLoginOptions) {
    this.#opts = opts;
    this.device = opts.device ?? "hmm";
    this.origin = new URL(opts.baseUrl).origin;
    this.#agent = makeAgent(opts.tls, { connections: opts.connections ?? 8 });
  }

  /**
   * Logs in (`queryverify`, then `login`).
   *
   * @throws {AuthError} refused (with the HMM's `desp`); never retried
   * @throws {WebApiError} / {TransportError} / {TimeoutError}
   */
  static async login(opts: HmmWebLoginOptions): Promise<HmmWebClient> {
    const c = new HmmWebClient(opts);
    try {
      await c.#login(opts.signal);
    } catch (e) {
      await c.#agent.close().catch(() => {});
      throw e;
    }
    return c;
  }

  /** True between login and logout. */
  get loggedIn(): boolean {
    return this.#loggedIn;
  }

  /**
   * Calls a dispatcher with form fields. An expired session (HTTP 401/403) is logged in again
   * once, transparently.
   *
   * @throws {WebApiError} HTTP >= 400 or retcode != 0 (unless `allowFailure`)
   */
  async call(
    handler: string,
    fields: Record<string, string>,
    opts: WebApiCallOptions = {},
  ): Promise<WebApiResponse> {
    if (this.#authFailure) throw this.#authFailure;
    if (!this.#loggedIn) {
      throw new TransportError(`HMM web session of ${this.device} is logged out`);
    }
    const first = await this.#call(handler, fields, opts);
    if (first.status !== 401 && first.status !== 403) {
      return this.#check(handler, fields, first, opts);
    }
    // The session timed out (the HMM answers 403 "The session is invalid or has timed out"):
    // log in again once. A refused re-login stops the client like any refused login.
    this.#opts.recorder?.record({
      kind: "event",
      device: this.device,
      event: "relogin",
      detail: { status: first.status },
    });
    this.#cookies.clear();
    this.#token = "0";
    this.#loggedIn = false;
    await this.#login(opts.signal ?? this.#opts.signal);
    return this.#check(handler, fields, await this.#call(handler, fields, opts), opts);
  }

  #check(
    handler: string,
    fields: Record<string, string>,
    r: WebApiResponse,
    opts: WebApiCallOptions,
  ): WebApiResponse {
    if (!opts.allowFailure && (r.status >= 400 || (r.retcode !== undefined && r.retcode !== 0))) {
      throw this.#error(handler, fields.actiontype, r);
    }
    return r;
  }

  async #call(
    handler: string,
    fields: Record<string, string>,
    opts: WebApiCallOptions,
  ): Promise<WebApiResponse> {
    const url = this.#url(handler);
    const body = new URLSearchParams(fields).toString();
    const headers = {
      "content-type": "application/x-www-form-urlencoded; charset=UTF-8",
      "x-requested-with": "XMLHttpRequest",
      "custom-token": this.#token,
      origin: this.origin,
      referer: this.origin + (opts.referer ?? DEFAULT_REFERER_PAGE),
    };
    const r = await withRetry(
      async () => {
        const r = await this.#post(url, headers, body, opts);
        if (opts.idempotent && TRANSIENT_STATUS.has(r.status)) {
          throw Object.assign(this.#error(handler, fields.actiontype, r), { transient: true });
        }
        return r;
      },
      (e) => opts.idempotent === true && isTransient(e),
      this.#opts.retry,
      opts.signal ?? this.#opts.signal,
    );
    return r;
  }

  /**
   * Uploads a firmware image (multipart field `uploadfile`) to `smmupgradehandler.php` with the
   * Referer the HMM expects for the target kind (a wrong one answers HTTP 400 with an empty body).
   */
  async upload(
    kind: UploadKind,
    file: { name: string; data: Uint8Array },
    opts: CallOptions = {},
  ): Promise<WebApiResponse> {
    if (this.#authFailure) throw this.#authFailure;
    if (file.data.length === 0) {
      throw new WebApiError(`Refusing to upload an empty image ${file.name}`, {
        status: 0,
        handler: "smmupgradehandler.php",
      });
    }
    if (/["\r\n]/.test(file.name)) {
      throw new WebApiError(`Invalid image file name ${JSON.stringify(file.name)}`, {
        status: 0,
        handler: "smmupgradehandler.php",
      });
    }
    const boundary = "----VesselBoundary" + crypto.randomUUID().replace(/-/g, "");
    const enc = new TextEncoder();
    const head = enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="uploadfile"; filename="${file.name}"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = enc.encode(`\r\n--${boundary}--\r\n`);
    const body = new Uint8Array(head.length + file.data.length + tail.length);
    body.set(head, 0);
    body.set(file.data, head.length);
    body.set(tail, head.length + file.data.length);
    const headers = {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "custom-token": this.#token,
      origin: this.origin,
      referer: this.origin + UPLOAD_REFERER_PAGES[kind],
    };
    const url = this.#url("smmupgradehandler.php");
    const r = await this.#post(url, headers, body, {
      timeoutMs: opts.timeoutMs ?? 600_000,
      signal: opts.signal,
    }, `<${file.data.length} bytes: ${file.name}>`);
    if (r.status >= 400 || (r.retcode !== undefined && r.retcode !== 0)) {
      throw this.#error(
        "smmupgradehandler.php",
        "upload",
        r,
        r.status === 400 && !r.body.trim()
          ? `Check the Referer: ${kind} images must be uploaded from ${UPLOAD_REFERER_PAGES[kind]}`
          : undefined,
      );
    }
    return r;
  }

  /**
   * Ends the session locally (no logout dispatcher is known on SMM v7.63): forgets the token
   * and cookies and closes connections. Idempotent.
   */
  async logout(): Promise<void> {
    this.#loggedIn = false;
    this.#token = "0";
    this.#cookies.clear();
    await this.#agent.close().catch(() => {});
    this.#opts.recorder?.record({ kind: "event", device: this.device, event: "logout" });
  }

  // ---------------------------------------------------------------------------------------

  #url(handler: string): string {
    if (!/^[a-z_]+handler\.php$/i.test(handler) && !handler.startsWith("/")) {
      throw new TransportError(`Not a dispatcher: ${handler}`);
    }
    return this.origin + (handler.startsWith("/") ? handler : `/${handler}`);
  }

  async #login(signal?: AbortSignal): Promise<void> {
    const url = this.#url("loginhandler.php");
    const base = {
      "content-type": "application/x-www-form-urlencoded; charset=UTF-8",
      "x-requested-with": "XMLHttpRequest",
    };
    const q = await withRetry(
      () => this.#post(url, base, "actiontype=queryverify&chassisid=0", { signal }),
      isTransient,
      this.#opts.retry,
      signal,
    );
    if (q.status >= 400) throw this.#error("loginhandler.php", "queryverify", q);
    const form = new URLSearchParams({
      actiontype: "login",
      username: this.#opts.username,
      userpasswd: this.#opts.password,
      usermode: "1",
      code: "",
      language: "en",
    }).toString();
    // The login itself is never retried: a retry could count as a second failed attempt.
    const r = await this.#post(url, { ...base, "custom-token": "0" }, form, { signal });
    const token = r.doc ? childText(r.doc, "csrftoken") : undefined;
    if (r.status >= 400 || (r.retcode !== undefined && r.retcode !== 0) || !token) {
      if (r.status >= 500) throw this.#error("loginhandler.php", "login", r);
      this.#authFailure = new AuthError(
        `HMM ${this.origin} refused the web login for user ${this.#opts.username}${
          r.desp ? `: ${r.desp}` : ""
        }`,
        {
          hint:
            "Check the credentials; the HMM locks the account for 5 minutes after repeated failures, so Vessel does not retry",
          details: { retcode: r.retcode, status: r.status },
        },
      );
      throw this.#authFailure;
    }
    this.#token = token;
    this.#loggedIn = true;
  }

  async #post(
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array,
    opts: CallOptions,
    bodyForRecord?: string,
  ): Promise<WebApiResponse> {
    const t0 = Date.now();
    const h: Record<string, string> = { ...headers };
    if (this.#cookies.size) h.cookie = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const rec = this.#opts.recorder;
    const recBody = bodyForRecord ?? (typeof body === "string" ? body : `<${body.length} bytes>`);
    try {
      const r = await withDeadline(
        `POST ${url}`,
        {
          signal: opts.signal ?? this.#opts.signal,
          timeoutMs: opts.timeoutMs ?? this.#opts.timeoutMs ?? 30000,
        },
        async (signal) => {
          const res = await request(url, {
            method: "POST",
            headers: h,
            body,
            dispatcher: this.#agent,
            signal,
          });
          const text = await res.body.text();
          return { status: res.statusCode, headers: res.headers, text };
        },
      );
      const setCookie = r.headers["set-cookie"];
      for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
        const m = /^\s*([^=;\s]+)=([^;]*)/.exec(c);
        if (m) this.#cookies.set(m[1], m[2]);
      }
      const contentType = String(r.headers["content-type"] ?? "");
      rec?.record({
        kind: "http",
        device: this.device,
        request: { method: "POST", url, headers: h, body: recBody },
        response: { status: r.status, headers: flat(r.headers), body: r.text },
        ms: Date.now() - t0,
      });
      return { status: r.status, body: r.text, contentType, ...parseEnvelope(r.text) };
    } catch (e) {
      rec?.record({
        kind: "http",
        device: this.device,
        request: { method: "POST", url, headers: h, body: recBody },
        error: e instanceof Error ? e.message : String(e),
        ms: Date.now() - t0,
      });
      if (e instanceof TimeoutError) throw e;
      if (isCertificateError(e)) {
        const better = await this.#opts.explainCertificateError?.(opts.signal).catch(() =>
          undefined
        );
        throw better ??
          new TransportError(
            `TLS certificate of ${this.device} (${new URL(url).host}) is not trusted: ${
              (e as Error).message
            }`,
            {
              cause: e,
              hint: "Pass the CA file, or --insecure to skip verification",
            },
          );
      }
      const code = netCode(e);
      throw Object.assign(
        new TransportError(`POST ${url} failed: ${(e as Error).message}`, {
          cause: e,
          details: { code },
        }),
        {
          netCode: code,
        },
      );
    }
  }

  #error(
    handler: string,
    actiontype: string | undefined,
    r: WebApiResponse,
    hint?: string,
  ): WebApiError {
    const what = `${handler}${actiontype ? ` ${actiontype}` : ""}`;
    let msg: string;
    if (r.status >= 400) {
      msg = `HMM answered HTTP ${r.status} to ${what}${
        r.retcode !== undefined
          ? ` (retcode ${r.retcode}${r.desp ? `: ${r.desp}` : ""})`
          : r.body.trim()
          ? ""
          : " with an empty body"
      }`;
    } else {
      msg = `HMM ${what} failed with retcode ${r.retcode}${r.desp ? `: ${r.desp}` : ""}`;
    }
    return new WebApiError(msg, {
      status: r.status,
      retcode: r.retcode,
      desp: r.desp,
      handler,
      actiontype,
      body: r.body.slice(0, 300),
      hint,
    });
  }
}

function isTransient(e: unknown): boolean {
  if ((e as { transient?: boolean }).transient) return true;
  if (e instanceof TimeoutError) return true;
  if (e instanceof TransportError) {
    return TRANSIENT_NET_CODES.has((e as { netCode?: string }).netCode ?? "");
  }
  return false;
}

function netCode(e: unknown): string {
  for (let x: unknown = e, i = 0; x && i < 5; x = (x as { cause?: unknown }).cause, i++) {
    const c = (x as { code?: string }).code;
    if (typeof c === "string" && c) return c;
  }
  return "";
}

function flat(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v !== undefined) {
      out[k] = Array.isArray(v) ? v.join(", ") : v;
    }
  }
  return out;
}
