/**
 * The device hub of one open chassis: how every SDK module reaches a device, with the device
 * manners of issue 4 in one place.
 *
 * - **Sessions**: one lazily opened client per device (HMM Redfish, HMM web API, each iBMC's
 *   Redfish), pooled and capped below the device's limit, logged out by `Chassis.close()` (also
 *   after errors and on Ctrl-C, which aborts `context.defaults.signal` and lets the CLI close).
 * - **Concurrency**: a per-device cap equal to the session cap, plus a global `parallelism` cap
 *   (`--parallelism 1` runs every device call one after the other).
 * - **Writes**: serialised per device ({@link DeviceHub.serialize}); virtual media takes a
 *   chassis-wide lock ({@link DeviceHub.withVirtualMediaLock}).
 * - **Deadlines**: every call gets the chassis default deadline unless the caller gives one.
 * - **Tracing**: every device call is timed; the hub keeps the longest chain of dependent calls
 *   (critical path) by following async call chains (each branch of {@link DeviceHub.all} /
 *   {@link DeviceHub.map} is its own chain; a join takes the longest branch). Queueing for a cap
 *   is not part of a call's time, so the critical path is what unlimited parallelism would take.
 *
 * Attach with {@link hubOf}; modules never open device sessions themselves.
 *
 * @example
 * const hub = hubOf(chassis);
 * const rf = await hub.hmmRedfish();
 * const body = await hub.call("hmm", "redfish", "GET Chassis/1", () => rf.get("/redfish/v1/Chassis/1"));
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  AuthError,
  CancelledError,
  NotFoundError,
  TransportError,
  UnsupportedError,
} from "../errors.ts";
import { abortReason, type CallOptions } from "../drivers/deadline.ts";
import type {
  RedfishClient,
  RedfishRequestOptions,
  RedfishResponse,
} from "../drivers/redfish/client.ts";
import type { HmmWebClient, WebApiCallOptions, WebApiResponse } from "../drivers/webapi/client.ts";
import type { Chassis, ChassisContext } from "./chassis.ts";
import { BLADE_SLOTS } from "./endpoints.ts";

/** Which transport a call used. */
export type Transport = "redfish" | "web" | "ssh";

/** One timed device call. */
export interface CallRecord {
  /** Device id: `hmm`, `ibmc3`, `swi2`. */
  device: string;
  transport: Transport;
  /** What was done, e.g. `GET /redfish/v1/Chassis/Blade1`. */
  op: string;
  /** ms since the hub was created. */
  start: number;
  ms: number;
  ok: boolean;
}

/** Session caps per kind of device (below what the devices allow). */
export interface SessionCaps {
  /**
   * HMM Redfish requests in flight: the shared client's session pool (2; the HMM's maximum is
   * unknown upstream and orphaned slots are scarce).
   */
  hmmRedfish: number;
  /** HMM web requests in flight on the one web session (upstream ran 8 without trouble). */
  hmmWeb: number;
  /** Redfish requests in flight per iBMC: the shared client's pool (2; the sim's iBMC allows 4). */
  ibmcRedfish: number;
  /** SSH sessions to the HMM shell (each jump to an iBMC or switch holds one). */
  hmmSsh: number;
}

/** Default session caps. */
export const DEFAULT_CAPS: SessionCaps = { hmmRedfish: 2, hmmWeb: 8, ibmcRedfish: 2, hmmSsh: 4 };

/** Options of {@link DeviceHub.configure}. */
export interface HubOptions {
  /** Device calls in flight across the chassis; default 64. 1 = strictly serial. */
  parallelism?: number;
  caps?: Partial<SessionCaps>;
}

interface Chain {
  acc: number;
}

const chains = new AsyncLocalStorage<Chain>();

/** A counting semaphore. */
export class Semaphore {
  /** Slots in total. */
  readonly size: number;
  #free: number;
  #waiters: (() => void)[] = [];
  constructor(n: number) {
    this.size = Math.max(1, n);
    this.#free = this.size;
  }
  /** Waits for a slot; returns its release function. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#free > 0) {
      this.#free--;
    } else {
      await new Promise<void>((resolve, reject) => {
        const w = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.#waiters.indexOf(w);
          if (i >= 0) this.#waiters.splice(i, 1);
          reject(abortReason(signal!, "waiting for a device session"));
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiters.push(w);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const w = this.#waiters.shift();
      if (w) w();
      else this.#free++;
    };
  }
}

/**
 * Device access for one chassis. Get it with {@link hubOf}.
 */
export class DeviceHub {
  readonly context: ChassisContext;
  readonly calls: CallRecord[] = [];
  #t0 = performance.now();
  #root: Chain = { acc: 0 };
  #caps: SessionCaps = { ...DEFAULT_CAPS };
  #global: Semaphore = new Semaphore(64);
  #perDevice = new Map<string, Semaphore>();
  #writes = new Map<string, Promise<unknown>>();
  #vmedia: Promise<unknown> = Promise.resolve();
  #clients = new Map<string, Promise<unknown>>();
  #closers: (() => Promise<void>)[] = [];
  #authFailure?: AuthError;
  #closed = false;
  #loginGate = new Semaphore(1);
  #hmmShells?: Semaphore;
  #verified = false;
  #verifiedAcc = 0;
  /** Devices proven to have no Redfish service (fall back to the next transport). */
  readonly noRedfish = new Set<string>();

  constructor(chassis: Chassis) {
    this.context = chassis.context;
    chassis.context.onClose(() => this.close());
  }

  /** Sets parallelism and caps (before the first call; later calls change the global cap only). */
  configure(opts: HubOptions): this {
    if (opts.parallelism !== undefined) this.#global = new Semaphore(opts.parallelism);
    if (opts.caps) {
      this.#caps = { ...this.#caps, ...opts.caps };
      this.#perDevice.clear();
    }
    return this;
  }

  /** The session caps in use. */
  get caps(): SessionCaps {
    return { ...this.#caps };
  }

  /** Default call options merged with the caller's. */
  opts(o: CallOptions = {}): CallOptions {
    return {
      signal: o.signal ?? this.context.defaults.signal,
      timeoutMs: o.timeoutMs ?? this.context.defaults.timeoutMs,
    };
  }

  // ---------------------------------------------------------------- tracing and parallelism

  /** Clears the call log and the critical path (benchmarks measure one phase at a time). */
  resetTrace(): void {
    this.calls.length = 0;
    this.#root = { acc: 0 };
    this.#t0 = performance.now();
  }

  /** Longest chain of dependent device calls since the last {@link resetTrace}, in ms. */
  get criticalPathMs(): number {
    return this.#root.acc;
  }

  /** Runs `fn` as the root chain of a traced phase (the critical path is measured inside). */
  trace<T>(fn: () => Promise<T>): Promise<T> {
    return chains.run(this.#root, fn);
  }

  /** Runs thunks concurrently, each as its own chain; the caller's chain continues after the longest. */
  async all<T extends readonly unknown[] | []>(
    thunks: { [K in keyof T]: () => Promise<T[K]> },
  ): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
    const parent = chains.getStore();
    const forks = (thunks as readonly (() => Promise<unknown>)[]).map(() => ({
      acc: parent?.acc ?? 0,
    }));
    try {
      return await Promise.all(
        (thunks as readonly (() => Promise<unknown>)[]).map((t, i) => chains.run(forks[i], t)),
      ) as { -readonly [K in keyof T]: Awaited<T[K]> };
    } finally {
      if (parent) parent.acc = Math.max(parent.acc, ...forks.map((f) => f.acc));
    }
  }

  /** `Promise.all(items.map(fn))` with one chain per item (see {@link all}). */
  map<I, R>(items: readonly I[], fn: (item: I, index: number) => Promise<R>): Promise<R[]> {
    return this.all(items.map((it, i) => () => fn(it, i))) as Promise<R[]>;
  }

  /** Like {@link map} but never rejects: each result is `{ok, value}` or `{ok: false, error}`. */
  mapSettled<I, R>(
    items: readonly I[],
    fn: (item: I, index: number) => Promise<R>,
  ): Promise<({ ok: true; value: R } | { ok: false; error: unknown })[]> {
    return this.map(items, async (it, i) => {
      try {
        return { ok: true as const, value: await fn(it, i) };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
  }

  /**
   * Runs one device call under the global and per-device caps and records its time.
   * The cap for `device`+`transport` is its session cap.
   */
  async call<T>(
    device: string,
    transport: Transport,
    op: string,
    fn: () => Promise<T>,
    o: CallOptions = {},
  ): Promise<T> {
    const signal = o.signal ?? this.context.defaults.signal;
    const releaseDev = await this.#deviceSem(device, transport).acquire(signal);
    let releaseGlobal: (() => void) | undefined;
    try {
      releaseGlobal = await this.#global.acquire(signal);
    } catch (e) {
      releaseDev();
      throw e;
    }
    const chain = chains.getStore();
    const startAcc = chain?.acc ?? 0;
    const t = performance.now();
    let ok = false;
    try {
      const r = await fn();
      ok = true;
      return r;
    } catch (e) {
      // A bare AbortError (Ctrl-C reaching a library) becomes the typed cancellation.
      if ((e as Error)?.name === "AbortError" && !(e instanceof CancelledError)) {
        throw new CancelledError(`Cancelled: ${op} on ${device}`, { cause: e });
      }
      throw e;
    } finally {
      const ms = performance.now() - t;
      releaseGlobal();
      releaseDev();
      if (chain) chain.acc = Math.max(chain.acc, startAcc + ms);
      this.calls.push({ device, transport, op, start: t - this.#t0, ms, ok });
    }
  }

  #deviceSem(device: string, transport: Transport): Semaphore {
    const key = `${device}/${transport}`;
    let s = this.#perDevice.get(key);
    if (!s) {
      const n = transport === "web"
        ? this.#caps.hmmWeb
        : transport === "ssh"
        ? (device === "hmm" ? this.#caps.hmmSsh : 1)
        : device === "hmm"
        ? this.#caps.hmmRedfish
        : this.#caps.ibmcRedfish;
      s = new Semaphore(n);
      this.#perDevice.set(key, s);
    }
    return s;
  }

  /**
   * Runs a login as a traced call. Until one login on this chassis has succeeded, logins run one
   * at a time, and after a refused one no other login is tried: every device shares the same
   * credentials, so a wrong password fails once instead of once per device (no lockout spiral).
   * Waiting for the first login counts as a dependency on it in the critical path.
   *
   * @throws {AuthError} this or an earlier login was refused
   */
  async login<T>(
    device: string,
    transport: Transport,
    fn: () => Promise<T>,
    o: CallOptions = {},
  ): Promise<T> {
    const signal = o.signal ?? this.context.defaults.signal;
    if (!this.#verified) {
      const release = await this.#loginGate.acquire(signal);
      try {
        if (this.#authFailure) throw this.#authFailure;
        if (!this.#verified) {
          const r = await this.#guardAuth(this.call(device, transport, "login", fn, o));
          this.#verified = true;
          this.#verifiedAcc = chains.getStore()?.acc ?? 0;
          return r;
        }
      } finally {
        release();
      }
      const chain = chains.getStore();
      if (chain) chain.acc = Math.max(chain.acc, this.#verifiedAcc);
    }
    if (this.#authFailure) throw this.#authFailure;
    return await this.#guardAuth(this.call(device, transport, "login", fn, o));
  }

  // ---------------------------------------------------------------- writes and locks

  /** Runs `fn` after every earlier write to `device` finished (writes to one device are serial). */
  serialize<T>(device: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#writes.get(device) ?? Promise.resolve();
    const run = prev.then(fn);
    this.#writes.set(device, run.catch(() => {}));
    return run;
  }

  /** Runs `fn` holding the chassis-wide virtual-media lock (one mount at a time per chassis). */
  withVirtualMediaLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#vmedia.then(fn);
    this.#vmedia = run.catch(() => {});
    return run;
  }

  // ---------------------------------------------------------------- sessions

  /** Stops every later login after a refused one (no lockout spiral). */
  #guardAuth<T>(p: Promise<T>): Promise<T> {
    return p.catch((e) => {
      if (e instanceof AuthError) this.#authFailure ??= e;
      throw e;
    });
  }

  #checkOpen(): void {
    if (this.#closed) throw new TransportError("The chassis is closed");
    if (this.#authFailure) throw this.#authFailure;
  }

  /**
   * The HMM Redfish client: the chassis' shared client (one session pool per device), logged in
   * on first use through {@link login}.
   *
   * @throws {UnsupportedError} no HMM Redfish endpoint (capability `hmm.redfish`)
   * @throws {AuthError} credentials refused (no further login is tried on this chassis)
   */
  hmmRedfish(o: CallOptions = {}): Promise<RedfishClient> {
    this.#checkOpen();
    if (!this.context.endpoints.hmm?.redfish || this.noRedfish.has("hmm")) {
      return Promise.reject(
        new UnsupportedError("This chassis has no HMM Redfish service", {
          details: { capability: "hmm.redfish" },
          hint: "Check the endpoints document (hmm.redfish)",
        }),
      );
    }
    return this.#shared("hmm", "redfish", () => this.context.hmmRedfish(this.opts(o)), o);
  }

  /**
   * The HMM web API session (the chassis' shared one, logged in on first use).
   *
   * @throws {UnsupportedError} no HMM in the endpoints (capability `hmm.web`)
   */
  hmmWeb(o: CallOptions = {}): Promise<HmmWebClient> {
    this.#checkOpen();
    if (!this.context.endpoints.hmm?.web) {
      return Promise.reject(
        new UnsupportedError("This chassis has no HMM web endpoint", {
          details: { capability: "hmm.web" },
        }),
      );
    }
    return this.#shared("hmm", "web", () => this.context.hmmWeb(this.opts(o)), o);
  }

  /**
   * The Redfish client of blade `slot`'s iBMC (direct; the HMM does not proxy Redfish).
   *
   * @throws {NotFoundError} slot outside 1–16
   * @throws {UnsupportedError} no iBMC Redfish endpoint, or the iBMC proved to have none
   *   (capability `ibmc<N>.redfish`): callers fall back to the iBMC shell
   */
  ibmcRedfish(slot: number, o: CallOptions = {}): Promise<RedfishClient> {
    this.#checkOpen();
    checkSlot(slot);
    const dev = `ibmc${slot}`;
    const ep = this.context.endpoints.ibmc[String(slot)];
    if (!ep?.redfish || ep.via === "hmm" || this.noRedfish.has(dev)) {
      return Promise.reject(
        new UnsupportedError(`The iBMC of slot ${slot} has no reachable Redfish service`, {
          details: { capability: `${dev}.redfish` },
          hint: ep?.via === "hmm"
            ? "The HMM does not forward TCP: the iBMC is reached through the HMM shell instead"
            : undefined,
        }),
      );
    }
    const p = this.#shared(dev, "redfish", () => this.context.ibmcRedfish(slot, this.opts(o)), o);
    p.catch((e) => {
      if (isNoService(e)) this.noRedfish.add(dev);
    });
    return p;
  }

  #shared<T>(
    device: string,
    transport: Transport,
    open: () => Promise<T>,
    o: CallOptions,
  ): Promise<T> {
    const key = `${device}/${transport}`;
    let p = this.#clients.get(key) as Promise<T> | undefined;
    if (!p) {
      p = this.login(device, transport, open, o).then((c) => {
        // Follow the client's own session pool: the per-device cap is never above it.
        const max = (c as { maxSessions?: number }).maxSessions;
        if (transport === "redfish" && typeof max === "number" && max > 0) {
          const cur = this.#perDevice.get(key);
          if (!cur || cur.size !== max) this.#perDevice.set(key, new Semaphore(max));
        }
        return c;
      });
      this.#clients.set(key, p);
      const mine = p;
      p.catch(() => {
        if (this.#clients.get(key) === mine) this.#clients.delete(key);
      });
    }
    return p;
  }

  /**
   * One Redfish request to the HMM (`"hmm"`) or a blade's iBMC (slot number), traced and capped.
   *
   * @throws the Redfish driver's typed errors; {@link UnsupportedError} when there is no service
   */
  async redfish<T = unknown>(
    target: "hmm" | number,
    method: "GET" | "PATCH" | "POST" | "DELETE",
    path: string,
    body?: unknown,
    ro: RedfishRequestOptions<T> = {},
  ): Promise<RedfishResponse<T>> {
    const o = this.opts(ro);
    const client = target === "hmm" ? await this.hmmRedfish(o) : await this.ibmcRedfish(target, o);
    const device = target === "hmm" ? "hmm" : `ibmc${target}`;
    return await this.call(
      device,
      "redfish",
      `${method} ${path}`,
      () => client.request<T>(method, path, body, { ...ro, ...o }),
      o,
    );
  }

  /**
   * One HMM web dispatcher call, traced and capped. Reads pass `idempotent: true` (retried on
   * transient failures); writes are serialised on the HMM by the caller ({@link serialize}).
   */
  async web(
    handler: string,
    fields: Record<string, string>,
    wo: WebApiCallOptions = {},
  ): Promise<WebApiResponse> {
    const o = this.opts(wo);
    const client = await this.hmmWeb(o);
    return await this.call(
      "hmm",
      "web",
      `${handler} ${fields.actiontype ?? ""}`.trim(),
      () => client.call(handler, fields, { ...wo, ...o }),
      o,
    );
  }

  /**
   * Runs `fn` holding one of the HMM shell slots (cap `hmmSsh`): every HMM shell session (logs,
   * switch export, ping sweep, a jump to an iBMC) counts against the HMM's SSH limit.
   */
  async withHmmShellSlot<T>(fn: () => Promise<T>, o: CallOptions = {}): Promise<T> {
    this.#hmmShells ??= new Semaphore(this.#caps.hmmSsh);
    const release = await this.#hmmShells.acquire(o.signal ?? this.context.defaults.signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Runs `fn` with a fresh HMM shell (the drivers' `HmmShell`), under an HMM shell slot; the
   * shell is closed afterwards.
   */
  withHmmShell<T>(
    fn: (sh: Awaited<ReturnType<ChassisContext["hmmShell"]>>) => Promise<T>,
    o: CallOptions = {},
  ): Promise<T> {
    return this.withHmmShellSlot(async () => {
      const sh = await this.login("hmm", "ssh", () => this.context.hmmShell(this.opts(o)), o);
      try {
        return await fn(sh);
      } finally {
        await sh.close().catch(() => {});
      }
    }, o);
  }

  /** Registers a cleanup run when the chassis closes (sessions opened by modules). */
  onClose(fn: () => Promise<void>): void {
    this.#closers.push(fn);
  }

  /** Logs out every session (best effort, in parallel). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // sessions still logging in: wait for them (the chassis logs its shared clients out)
    await Promise.allSettled([...this.#clients.values()]);
    await Promise.allSettled(this.#closers.splice(0).map((c) => c()));
  }
}

/**
 * Errors that must stop a whole read instead of being recorded per part: refused credentials
 * (no lockout spiral) and cancellation (Ctrl-C).
 */
export function isFatal(e: unknown): boolean {
  return e instanceof AuthError || e instanceof CancelledError ||
    (e as Error)?.name === "AbortError";
}

/** True when an error means "no such service here" (not a credentials or outage problem). */
export function isNoService(e: unknown): boolean {
  if (e instanceof NotFoundError || e instanceof UnsupportedError) return true;
  if (e instanceof TransportError) {
    const code = String((e.details as { code?: string } | undefined)?.code ?? "");
    return /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH/.test(code + " " + e.message);
  }
  const status = (e as { status?: number })?.status;
  return status === 404 || status === 405 || status === 501;
}

/**
 * Checks a blade slot number.
 *
 * @throws {NotFoundError} naming the valid slots
 */
export function checkSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 1 || slot > BLADE_SLOTS) {
    throw new NotFoundError(`Unknown blade slot ${slot}`, {
      hint: `Use a slot from 1 to ${BLADE_SLOTS}`,
      details: { slot },
    });
  }
}

const hubs = new WeakMap<Chassis, DeviceHub>();

/**
 * The hub of a chassis (created on first use, one per chassis, closed with it).
 *
 * @example
 * hubOf(chassis).configure({ parallelism: 1 });
 */
export function hubOf(chassis: Chassis): DeviceHub {
  let h = hubs.get(chassis);
  if (!h) {
    h = new DeviceHub(chassis);
    hubs.set(chassis, h);
  }
  return h;
}

/**
 * Caches one module instance per chassis (the factories `blades(chassis)`, `alarms(chassis)`…).
 */
export function perChassis<M>(make: (chassis: Chassis, hub: DeviceHub) => M): (c: Chassis) => M {
  const cache = new WeakMap<Chassis, M>();
  return (c: Chassis) => {
    let m = cache.get(c);
    if (!m) {
      m = make(c, hubOf(c));
      cache.set(c, m);
    }
    return m;
  };
}
