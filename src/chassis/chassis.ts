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
import { AuthError, NotFoundError, UnsupportedError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { HmmShell } from "../drivers/hmmcli/shell.ts";
import { IbmcShell } from "../drivers/ibmccli/shell.ts";
import { FileRecorder, type Recorder } from "../drivers/record/recorder.ts";
import { RedfishClient } from "../drivers/redfish/client.ts";
import { HmmWebClient } from "../drivers/webapi/client.ts";
import type { VrpSession } from "../drivers/vrp/session.ts";
import {
  type Endpoints,
  parseEndpoints,
  parseSshUrl,
  SWITCH_NAMES,
  type SwitchName,
} from "./endpoints.ts";
import { SwitchClient } from "./switch.ts";
import { isTransientConnectError, openSwitchSession } from "./switch_session.ts";
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
  /**
   * The HMM Redfish client (one per chassis, session pool capped at 2, logged out on close).
   *
   * @throws {UnsupportedError} the endpoints have no HMM Redfish
   */
  hmmRedfish(opts?: CallOptions): Promise<RedfishClient>;
  /** The HMM web API session (one per chassis, logged out on close). */
  hmmWeb(opts?: CallOptions): Promise<HmmWebClient>;
  /**
   * A new HMM shell session (the caller closes it; `Chassis.close()` closes it too). One jump at a
   * time per shell, so each jumped device gets its own.
   */
  hmmShell(opts?: CallOptions): Promise<HmmShell>;
  /** The Redfish client of blade `slot`'s iBMC (direct only: the HMM cannot tunnel HTTPS). */
  ibmcRedfish(slot: number, opts?: CallOptions): Promise<RedfishClient>;
  /** A new iBMC shell for blade `slot`: direct SSH, or the HMM jump when `via: "hmm"`. */
  ibmcShell(slot: number, opts?: CallOptions): Promise<IbmcShell>;
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
  #shared = new Map<string, Promise<RedfishClient | HmmWebClient>>();
  #closed = false;

  constructor(
    endpoints: Endpoints,
    opts: OpenChassisOptions,
    trust: TrustStore,
    recorder?: Recorder,
  ) {
    this.endpoints = endpoints;
    const closers = this.#closers;
    const defaults = { timeoutMs: opts.timeoutMs ?? 30000, signal: opts.signal };
    const shared = this.#shared;
    // A refused login is remembered per device: asking again would walk into its lockout.
    const authFailures = new Map<string, AuthError>();
    const remember = (key: string) => (e: unknown): never => {
      if (e instanceof AuthError) authFailures.set(key, e);
      throw e;
    };
    const once = <T extends RedfishClient | HmmWebClient>(
      key: string,
      make: () => Promise<T>,
    ): Promise<T> => {
      let p = shared.get(key) as Promise<T> | undefined;
      if (!p) {
        p = make();
        shared.set(key, p);
        p.then(
          (c) => closers.push(() => ("logout" in c ? c.logout() : c.close())),
          (e) => e instanceof AuthError || shared.delete(key),
        );
      }
      return p;
    };
    const ctx: ChassisContext = {
      endpoints,
      credentials: opts.credentials,
      trust,
      recorder,
      defaults,
      onClose: (fn) => closers.push(fn),
      hmmRedfish: (o = {}) =>
        once("hmm-redfish", async () => {
          const base = endpoints.hmm?.redfish;
          if (!base) {
            throw new UnsupportedError("This chassis has no HMM Redfish endpoint", {
              details: { capability: "hmm-redfish" },
            });
          }
          return await openRedfish(ctx, "hmm", base, o);
        }),
      hmmWeb: (o = {}) =>
        once("hmm-web", async () => {
          const web = endpoints.hmm?.web;
          if (!web) {
            throw new UnsupportedError("This chassis has no HMM web endpoint", {
              details: { capability: "hmm-web" },
            });
          }
          const tls = await trust.tlsFor("hmm", web, o.signal ?? defaults.signal);
          return HmmWebClient.login({
            baseUrl: web,
            username: ctx.credentials.username,
            password: ctx.credentials.password,
            tls,
            recorder,
            timeoutMs: o.timeoutMs ?? defaults.timeoutMs,
            signal: o.signal ?? defaults.signal,
            explainCertificateError: (sig) => trust.explainTlsFailure("hmm", web, sig),
          });
        }),
      hmmShell: async (o = {}) => {
        const refused = authFailures.get("hmm-ssh");
        if (refused) throw refused;
        const url = endpoints.hmm?.ssh;
        if (!url) {
          throw new UnsupportedError("This chassis has no HMM shell endpoint", {
            details: { capability: "hmm-ssh" },
          });
        }
        const { host, port } = parseSshUrl(url);
        const sh = await HmmShell.connect({
          host,
          port,
          username: ctx.credentials.username,
          password: ctx.credentials.password,
          verifyHostKey: trust.sshVerifier(),
          recorder,
          commandTimeoutMs: o.timeoutMs ?? defaults.timeoutMs,
          timeoutMs: Math.min(o.timeoutMs ?? 15000, 15000),
          signal: o.signal ?? defaults.signal,
        }).catch(remember("hmm-ssh"));
        closers.push(() => sh.close());
        return sh;
      },
      ibmcRedfish: (slot, o = {}) =>
        once(`ibmc${slot}-redfish`, async () => {
          const base = endpoints.ibmc[String(slot)]?.redfish;
          if (!base) {
            throw new NotFoundError(`Blade ${slot} has no iBMC Redfish endpoint`, {
              hint: presentSlots(endpoints),
            });
          }
          // Behind the HMM (real chassis) the fabric address is often not routed from here:
          // fail fast so callers fall back to the shell through the HMM jump.
          const short = endpoints.ibmc[String(slot)]?.via === "hmm" ? 5000 : undefined;
          return await openRedfish(ctx, `ibmc${slot}`, base, o, short);
        }),
      ibmcShell: async (slot, o = {}) => {
        const ep = endpoints.ibmc[String(slot)];
        if (!ep?.ssh) {
          throw new NotFoundError(`Blade ${slot} has no iBMC shell endpoint`, {
            hint: presentSlots(endpoints),
          });
        }
        if (ep.via === "hmm") {
          const hmm = await ctx.hmmShell(o);
          try {
            const { host } = parseSshUrl(ep.ssh);
            return await hmm.jumpToIbmc(slot, ctx.credentials.password, { ...o, address: host });
          } catch (e) {
            await hmm.close();
            throw e;
          }
        }
        const refused = authFailures.get(`ibmc${slot}-ssh`);
        if (refused) throw refused;
        const { host, port } = parseSshUrl(ep.ssh);
        const sh = await IbmcShell.connect({
          device: `ibmc${slot}`,
          host,
          port,
          username: ctx.credentials.username,
          password: ctx.credentials.password,
          verifyHostKey: trust.sshVerifier(),
          recorder,
          commandTimeoutMs: o.timeoutMs ?? defaults.timeoutMs,
          signal: o.signal ?? defaults.signal,
        }).catch(remember(`ibmc${slot}-ssh`));
        closers.push(() => sh.close());
        return sh;
      },
    };
    this.context = ctx;
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
      const n = Number(key.slice(3));
      const exporter = ctx.endpoints.hmm?.ssh
        ? async (o: CallOptions) => {
          const hmm = await ctx.hmmShell(o);
          try {
            return await hmm.sftpGet(await hmm.swiconfexport(n, o), o);
          } finally {
            await hmm.close();
          }
        }
        : undefined;
      c = new SwitchClient(key, (o) => openVrp(ctx, key, o), ctx.defaults, exporter);
      this.#switches.set(key, c);
    }
    return c;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#switches.values()].map((s) => s.dispose()));
    // Clients still logging in register their logout when done: wait for them first.
    await Promise.allSettled([...this.#shared.values()]);
    for (const fn of this.#closers.reverse()) {
      try {
        await fn();
      } catch { /* closing is best effort */ }
    }
  }
}

/** Opens the VRP session of one switch: direct SSH (retried when reset), or the HMM jump. */
async function openVrp(ctx: ChassisContext, name: string, o: CallOptions): Promise<VrpSession> {
  return (await openSwitchSession(ctx, name, { ...o, retry: true })).session;
}

export { isTransientConnectError };

async function openRedfish(
  ctx: ChassisContext,
  device: string,
  base: string,
  o: CallOptions,
  connectTimeoutMs?: number,
): Promise<RedfishClient> {
  const tls = await ctx.trust.tlsFor(device, base, o.signal ?? ctx.defaults.signal);
  return RedfishClient.connect({
    device,
    baseUrl: base,
    username: ctx.credentials.username,
    password: ctx.credentials.password,
    tls,
    recorder: ctx.recorder,
    timeoutMs: o.timeoutMs ?? ctx.defaults.timeoutMs,
    signal: o.signal ?? ctx.defaults.signal,
    // Below the device's own limit: iBMCs exhaust theirs quickly (field lesson 4); the HMM's
    // limit is unknown upstream but it is the busiest queue during an inventory.
    maxSessions: device === "hmm" ? 4 : 2,
    connectTimeoutMs,
    explainCertificateError: (sig) => ctx.trust.explainTlsFailure(device, base, sig),
  });
}

function presentSlots(e: Endpoints): string {
  const s = Object.keys(e.ibmc).map(Number).sort((a, b) => a - b);
  return `Blades with an iBMC endpoint: ${s.join(", ") || "none"}`;
}
