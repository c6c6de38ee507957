/**
 * The L1 SDK entry point: `openChassis()` returns a {@link Chassis} for one endpoints document.
 *
 * Nothing is contacted at open time; each device session opens on first use, is reused, and is
 * closed (logged out) by `Chassis.close()`, also when a call failed. Later modules (blade,
 * network, stateless, …) hang off the same object and use {@link ChassisContext} for
 * credentials, trust, recording, deadlines and close hooks.
 *
 * @example
 * const chassis = await openChassis({ endpoints, credentials: { username: "root", password } });
 * try {
 *   console.log(await chassis.switch("swi2").listVlans());
 * } finally {
 *   await chassis.close();
 * }
 */
import { NotFoundError, UnsupportedError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { FileRecorder, type Recorder } from "../drivers/record/recorder.ts";
import { VrpSession } from "../drivers/vrp/session.ts";
import {
  type Endpoints,
  parseEndpoints,
  parseSshUrl,
  SWITCH_NAMES,
  type SwitchName,
} from "./endpoints.ts";
import { SwitchClient } from "./switch.ts";
import { type TrustOptions, TrustStore } from "./trust.ts";

/** Login credentials shared by the HMM, switches and iBMCs of one chassis. */
export interface Credentials {
  username: string;
  password: string;
}

/** Options of {@link openChassis}. */
export interface OpenChassisOptions {
  /** The endpoints document (validated here). */
  endpoints: Endpoints | unknown;
  credentials: Credentials;
  /** TLS/SSH trust; defaults: CA from `endpoints.tls.ca`, known-hosts file for real chassis. */
  trust?: TrustOptions;
  /** Folder to record every exchange to (`--record DIR`), secrets redacted. */
  record?: string;
  /** Default deadline per device call, ms (default 30000). */
  timeoutMs?: number;
  /** Aborts every call (Ctrl-C). */
  signal?: AbortSignal;
}

/** What SDK modules share: use it to add modules without touching `openChassis`. */
export interface ChassisContext {
  readonly endpoints: Endpoints;
  readonly credentials: Credentials;
  readonly trust: TrustStore;
  readonly recorder?: Recorder;
  /** Default call options (deadline, abort signal). */
  readonly defaults: CallOptions;
  /** Registers a cleanup run by `Chassis.close()` (in reverse order, errors collected). */
  onClose(fn: () => Promise<void> | void): void;
}

/** An open chassis. */
export interface Chassis {
  readonly endpoints: Endpoints;
  readonly context: ChassisContext;
  /**
   * The client of one switch module (session opened lazily, reused).
   *
   * @throws {NotFoundError} not `swi1`–`swi4`, or not present in this chassis
   */
  switch(name: SwitchName | string): SwitchClient;
  /** Logs out and closes every session. Idempotent; never throws. */
  close(): Promise<void>;
}

/**
 * Opens a chassis (no I/O besides loading trust pins and creating the record folder).
 *
 * @throws {ConfigError} invalid endpoints document
 */
export async function openChassis(opts: OpenChassisOptions): Promise<Chassis> {
  const endpoints = parseEndpoints(opts.endpoints);
  const isSim = endpoints.kind === "vessel-sim-endpoints";
  const trust = await TrustStore.open({
    caPem: endpoints.tls?.ca,
    // A simulator's keys are new on every start: never pin them in the user's file.
    ...(isSim ? { knownHostsFile: null } : {}),
    ...opts.trust,
  });
  const recorder = opts.record ? await FileRecorder.open(opts.record) : undefined;
  return new ChassisImpl(endpoints, opts, trust, recorder);
}

class ChassisImpl implements Chassis {
  readonly endpoints: Endpoints;
  readonly context: ChassisContext;
  #closers: (() => Promise<void> | void)[] = [];
  #switches = new Map<string, SwitchClient>();
  #closed = false;

  constructor(
    endpoints: Endpoints,
    opts: OpenChassisOptions,
    trust: TrustStore,
    recorder?: Recorder,
  ) {
    this.endpoints = endpoints;
    const closers = this.#closers;
    this.context = {
      endpoints,
      credentials: opts.credentials,
      trust,
      recorder,
      defaults: { timeoutMs: opts.timeoutMs ?? 30000, signal: opts.signal },
      onClose: (fn) => closers.push(fn),
    };
    if (recorder) this.#closers.push(() => recorder.close());
  }

  switch(name: string): SwitchClient {
    const key = name.toLowerCase();
    if (!(SWITCH_NAMES as readonly string[]).includes(key)) {
      throw new NotFoundError(`Unknown switch ${name}`, {
        hint: `Use one of ${SWITCH_NAMES.join(", ")}`,
      });
    }
    const ep = this.endpoints.switches[key];
    if (!ep) {
      const present = Object.keys(this.endpoints.switches).sort();
      throw new NotFoundError(`Switch ${key} is not present in this chassis`, {
        hint: `Present switch modules: ${present.join(", ") || "none"}`,
      });
    }
    let c = this.#switches.get(key);
    if (!c) {
      const ctx = this.context;
      c = new SwitchClient(key, (o) => openVrp(ctx, key, o), ctx.defaults);
      this.#switches.set(key, c);
    }
    return c;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#switches.values()].map((s) => s.dispose()));
    for (const fn of this.#closers.reverse()) {
      try {
        await fn();
      } catch { /* closing is best effort */ }
    }
  }
}

/** Opens the VRP session of one switch: direct SSH, or through the HMM shell. */
function openVrp(ctx: ChassisContext, name: string, o: CallOptions): Promise<VrpSession> {
  const ep = ctx.endpoints.switches[name];
  const { host, port } = parseSshUrl(ep.ssh);
  if (ep.via === "hmm") {
    throw new UnsupportedError(`Reaching ${name} through the HMM shell is not available yet`, {
      details: { capability: "hmm-jump" },
    });
  }
  return VrpSession.connect({
    device: name,
    host,
    port,
    username: ctx.credentials.username,
    password: ctx.credentials.password,
    verifyHostKey: ctx.trust.sshVerifier(),
    recorder: ctx.recorder,
    commandTimeoutMs: o.timeoutMs ?? ctx.defaults.timeoutMs,
    loginTimeoutMs: Math.min(o.timeoutMs ?? 15000, 15000),
    signal: o.signal,
  });
}
