/**
 * Starts everything HMM and iBMC of the simulated E9000: the HMM's HTTPS server (web API
 * dispatchers + Redfish 1.0.2), the HMM SSH shell (with SFTP for exported archives), and per
 * blade an iBMC Redfish HTTPS server and an iBMC SSH shell. All listeners bind `ctx.host` on
 * OS-chosen ports, with certificates from the simulator CA (`src/sim/tls.ts`).
 *
 * Options come from the seed file (extra keys on `hmm:` and on each blade) or from
 * {@link HmmServicesOptions}; see docs/simulator.md "HMM, HMM Redfish and iBMC".
 *
 * @module
 */
import type { BladeSpec, HmmServices, SimContext } from "../context.ts";
import { type BladeOptions, BladeState } from "../ibmc/blade.ts";
import { createIbmcApp, type IbmcAppOptions } from "../ibmc/redfish.ts";
import { runIbmcShell } from "../ibmc/shell.ts";
import { Terminal } from "../ibmc/term.ts";
import { loadSimTls } from "../tls.ts";
import { createHmmRedfishApp, type HmmRedfishOptions } from "./redfish.ts";
import { runHmmShell } from "./shell.ts";
import { HmmState } from "./state.ts";
import { createHmmWebApp, type HmmWebOptions } from "./web.ts";

/** Options of {@link startHmmServices} (all optional; seed keys in parentheses). */
export interface HmmServicesOptions {
  /** Web API options (`hmm.lockoutThreshold`, `hmm.lockoutMinutes`, `hmm.upgradeSeconds`). */
  web?: HmmWebOptions;
  /** HMM Redfish options (`hmm.redfishSessionCap`). */
  redfish?: HmmRedfishOptions;
  /** iBMC Redfish timings. */
  ibmc?: IbmcAppOptions;
  /**
   * Per-slot blade options (`blades[].redfish`, `.redfishSessionCap`, `.taskMessages`,
   * `.bootdeviceConfirm`).
   */
  blades?: Record<number, BladeOptions>;
  /** Clock (tests). */
  now?: () => number;
}

/** The handles `startHmmServices` returns, plus in-process access for tests and the admin API. */
export interface HmmServicesHandle extends HmmServices {
  tls: { ca: string };
  /**
   * A certificate and key issued by the simulator CA for `name` (SAN localhost, 127.0.0.1), e.g.
   * to rotate the HMM certificate through `sslhandler.php importcert` in a test while clients
   * keep trusting the CA.
   */
  tlsLeaf(name: string): { cert: string; key: string };
  /** Blade state per slot (power, boot, media, SEL). */
  blades: Map<number, BladeState>;
  /** The HMM's persisted state. */
  state: HmmState;
  /** In-process fetch of the HMM HTTPS app (web + Redfish), for tests. */
  hmmFetch: (req: Request) => Response | Promise<Response>;
  /** In-process fetch of an iBMC's Redfish app, for tests. */
  ibmcFetch: (slot: number, req: Request) => Response | Promise<Response>;
  /** Files offered over the HMM's SFTP (path -> bytes). */
  exported: Map<string, Uint8Array>;
}

type Extra = Record<string, unknown>;

/** Read HMM options from extra keys of the seed's `hmm:` mapping (adapter: not in context.ts). */
function seedHmmOptions(ctx: SimContext): HmmServicesOptions {
  const h = ctx.topology.hmm as unknown as Extra;
  const num = (k: string) => (typeof h[k] === "number" ? h[k] as number : undefined);
  return {
    web: {
      lockoutThreshold: num("lockoutThreshold"),
      lockoutMs: num("lockoutMinutes") !== undefined ? num("lockoutMinutes")! * 60_000 : undefined,
      upgradeMs: num("upgradeSeconds") !== undefined ? num("upgradeSeconds")! * 1000 : undefined,
    },
    redfish: {
      sessionCap: num("redfishSessionCap"),
      lockoutThreshold: num("lockoutThreshold"),
      lockoutMs: num("lockoutMinutes") !== undefined ? num("lockoutMinutes")! * 60_000 : undefined,
    },
  };
}

/** Read per-blade options from extra keys of a seed blade (adapter: not in context.ts). */
function seedBladeOptions(spec: BladeSpec): BladeOptions {
  const b = spec as unknown as Extra;
  return {
    redfish: typeof b.redfish === "boolean" ? b.redfish : undefined,
    sessionCap: typeof b.redfishSessionCap === "number" ? b.redfishSessionCap : undefined,
    taskMessages: b.taskMessages === "object" || b.taskMessages === "array"
      ? b.taskMessages
      : undefined,
    bootdeviceConfirm: typeof b.bootdeviceConfirm === "boolean" ? b.bootdeviceConfirm : undefined,
  };
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<
    T
  >;
}

/** An HTTPS listener that can go away (iBMC reboot window) and come back on the same port. */
class HttpsListener {
  #server: Deno.HttpServer<Deno.NetAddr> | undefined;
  port = 0;
  constructor(
    private readonly host: string,
    /** Certificate served from the next start on. */
    public cert: { cert: string; key: string },
    private readonly handler: (req: Request) => Response | Promise<Response>,
  ) {}
  start(): void {
    if (this.#server) return;
    this.#server = Deno.serve({
      hostname: this.host,
      port: this.port,
      cert: this.cert.cert,
      key: this.cert.key,
      onListen: () => {},
      onError: () => new Response("Internal Server Error", { status: 500 }),
    }, this.handler);
    this.port = this.#server.addr.port;
  }
  get running(): boolean {
    return this.#server !== undefined;
  }
  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) await s.shutdown();
  }
}

/**
 * Start the HMM and iBMC services of the simulator.
 *
 * @example
 * const hmm = await startHmmServices(ctx);
 * console.log(hmm.endpoints.hmm.web, hmm.endpoints.ibmc["1"].redfish);
 * await hmm.close();
 */
export async function startHmmServices(
  ctx: SimContext,
  options: HmmServicesOptions = {},
): Promise<HmmServicesHandle> {
  const now = options.now ?? (() => Date.now());
  const seed = seedHmmOptions(ctx);
  const tls = loadSimTls({ dir: ctx.stateDir });
  const blades = new Map<number, BladeState>();
  for (const spec of ctx.topology.blades) {
    const opts = { ...defined(seedBladeOptions(spec)), ...defined(options.blades?.[spec.slot]) };
    blades.set(spec.slot, new BladeState(ctx, spec, opts, now));
  }
  const state = new HmmState(ctx, now);
  const exported = new Map<string, Uint8Array>();

  // The HMM serves an imported certificate (sslhandler.php importcert) once it is stored, and
  // after a restart with --state; a reset returns to the simulator's own leaf.
  const hmmCert = () => {
    const m = state.data.menus;
    return m.sslCert && m.sslKey ? { cert: m.sslCert, key: m.sslKey } : tls.leaf("hmm");
  };
  let switchCert: () => void = () => {};
  const web = createHmmWebApp({
    ctx,
    state,
    blades,
    now,
    hmmCert: tls.leaf("hmm").cert,
    onCertificate: () => switchCert(),
  }, {
    ...defined(seed.web),
    ...defined(options.web),
  });
  const redfish = createHmmRedfishApp({ ctx, state, blades, now }, {
    ...defined(seed.redfish),
    ...defined(options.redfish),
  });
  const hmmFetch = (req: Request) =>
    /^\/redfish(\/|$)/.test(new URL(req.url).pathname) ? redfish.fetch(req) : web.fetch(req);

  const closers: (() => Promise<void>)[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const unsubs: (() => void)[] = [];
  let closed = false;
  try {
    const hmmHttps = new HttpsListener(ctx.host, hmmCert(), hmmFetch);
    hmmHttps.start();
    closers.push(() => hmmHttps.stop());
    // Like a real HMM restarting its web server: after the reply, the listener closes (open
    // connections end) and reopens on the same port with the new certificate.
    let switching = Promise.resolve();
    switchCert = () => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        switching = switching.then(async () => {
          if (closed) return;
          const next = hmmCert();
          if (next.cert === hmmHttps.cert.cert) return;
          await hmmHttps.stop();
          hmmHttps.cert = next;
          if (!closed) hmmHttps.start();
        });
      }, 0);
      timers.add(timer);
    };
    closers.push(() => switching);
    const hmmSsh = await ctx.ssh.createSshServer({
      device: "hmm",
      onShell: (io) => void runHmmShell(new Terminal(io), { ctx, state, blades, exported, now }),
      onExec: (command, io) =>
        void runHmmShell(new Terminal(io), { ctx, state, blades, exported, now }, command),
      sftp: { files: () => Object.fromEntries(exported) },
    });
    closers.push(() => hmmSsh.close());

    const ibmcApps = new Map<number, ReturnType<typeof createIbmcApp>>();
    const ibmc: HmmServices["endpoints"]["ibmc"] = {};
    for (const [slot, blade] of blades) {
      const device = `blade${slot}`;
      const ssh = await ctx.ssh.createSshServer({
        device,
        reachable: () => ctx.mgmt.isReachable(device) && !blade.rebootUntil,
        onShell: (io) => void runIbmcShell(new Terminal(io), blade),
        onExec: (command, io) => void runIbmcShell(new Terminal(io), blade, { once: command }),
      });
      closers.push(() => ssh.close());
      let redfishUrl = "";
      if (blade.options.redfish) {
        const app = createIbmcApp(ctx, blade, options.ibmc);
        ibmcApps.set(slot, app);
        const listener = new HttpsListener(
          ctx.host,
          tls.leaf(`ibmc${slot}`),
          (req) => app.fetch(req),
        );
        listener.start();
        closers.push(() => listener.stop());
        redfishUrl = `https://${ctx.host}:${listener.port}/redfish/v1`;
        // Reboot window: close the port (connection refused), reopen it when the window ends.
        unsubs.push(blade.onChange(() => {
          const until = blade.rebootUntil;
          if (until && listener.running) {
            void listener.stop();
            const timer = setTimeout(() => {
              timers.delete(timer);
              if (!closed) listener.start();
            }, Math.max(0, until - now()));
            timers.add(timer);
          } else if (!until && !listener.running && !closed) {
            listener.start();
          }
        }));
      }
      ibmc[String(slot)] = { redfish: redfishUrl, ssh: ssh.url };
    }

    // Blade power reaches the switches: links, LLDP, MAC learning and reachability follow every
    // power change made here (iBMC Redfish reset, `ipmcset powerstate`/`frucontrol`, reset).
    ctx.bladePower.setSource((slot) => blades.get(slot)?.data.power);
    for (const b of blades.values()) {
      let last = b.data.power;
      unsubs.push(b.onChange(() => {
        if (b.data.power === last) return;
        last = b.data.power;
        ctx.bladePower.changed();
      }));
    }

    // Named fault `ibmc-reboot` (device blade<N> or *): starts a reboot window once per fault.
    const seen = new Set<string>();
    const applyRebootFaults = () => {
      for (const f of ctx.faults.list()) {
        if (f.name !== "ibmc-reboot" || seen.has(f.id)) continue;
        seen.add(f.id);
        const ms = Number(f.params?.durationMs ?? 30_000);
        for (const [slot, b] of blades) {
          if (f.device === "*" || f.device === `blade${slot}`) b.startReboot(ms);
        }
      }
    };
    applyRebootFaults();
    unsubs.push(ctx.faults.onChange(applyRebootFaults));
    unsubs.push(ctx.onReset(() => {
      // Keep the certificates clients pinned; everything else returns to its defaults.
      tls.save();
      state.reload();
      for (const b of blades.values()) b.reload();
      exported.clear();
      switchCert();
    }));

    return {
      endpoints: {
        hmm: {
          web: `https://${ctx.host}:${hmmHttps.port}`,
          redfish: `https://${ctx.host}:${hmmHttps.port}/redfish/v1`,
          ssh: hmmSsh.url,
        },
        ibmc,
      },
      tls: { ca: tls.ca },
      tlsLeaf: (name) => tls.leaf(name),
      blades,
      state,
      hmmFetch,
      ibmcFetch: (slot, req) => {
        const app = ibmcApps.get(slot);
        if (!app) throw new Error(`No iBMC Redfish service for slot ${slot}`);
        return app.fetch(req);
      },
      exported,
      async close() {
        if (closed) return;
        closed = true;
        for (const u of unsubs) u();
        for (const t of timers) clearTimeout(t);
        timers.clear();
        await Promise.all(closers.map((c) => c()));
      },
    };
  } catch (e) {
    for (const u of unsubs) u();
    await Promise.all(closers.map((c) => c().catch(() => {})));
    throw e;
  }
}
