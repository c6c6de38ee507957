/**
 * `startSimulator()`: the virtual E9000 on loopback. Starts the CX310 switches (SSH/VRP), the
 * HMM and iBMC services (`src/sim/hmm/mod.ts`, when present), and the admin API, and returns the
 * endpoints document (`docs/architecture.md`), the in-process fault API and test access to the
 * switches.
 *
 * @example
 * const sim = await startSimulator({ vrpMode: "two-stage" });
 * console.log(sim.endpoints.switches.swi2.ssh);
 * sim.faults.set({ device: "swi2", iface: "ssh", latencyMs: 200 });
 * await sim.close();
 *
 * @module
 */
import type {
  Credentials,
  EndpointsDocument,
  Fault,
  FaultInput,
  FaultRegistry,
  HmmServices,
  MgmtPlane,
  SimContext,
  StartHmmServices,
  Topology,
  VrpMode,
} from "./context.ts";
import { createFaultRegistry } from "./faults.ts";
import { createPersistence, prepareStateDir } from "./state.ts";
import { loadSeedFile, type Seed, SeedError, topologyFromSeed } from "./topology.ts";
import { createSshServer } from "./ssh.ts";
import { createSwitchDevices, startSwitches } from "./vrp/mod.ts";
import type { SwitchDevice } from "./vrp/device.ts";
import { createMgmtPlane } from "./mgmt.ts";
import { adminApp } from "./admin.ts";
import type { ReplayServices } from "./replay/mod.ts";

export type { EndpointsDocument, FaultInput, Topology, VrpMode } from "./context.ts";
export type { SwitchDevice } from "./vrp/device.ts";
export type { ReplayMiss, ReplayServices, ReplayStats } from "./replay/mod.ts";

/** Default simulator login (not a secret of any real device; printed by `vessel sim`). */
export const DEFAULT_CREDENTIALS: Credentials = { username: "root", password: "Huawei12#$" };

/** Options of {@link startSimulator}. */
export interface SimOptions {
  /** Keep state (switch configs, faults, module state, host keys) in this folder. */
  stateDir?: string;
  /** Seed: a YAML file path or an object (see `docs/simulator.md` "Seed file"). */
  seed?: string | Seed;
  /** VRP configuration mode of the switches (seed per switch overrides). Default two-stage. */
  vrpMode?: VrpMode;
  /** Login for every interface. Default {@link DEFAULT_CREDENTIALS}. */
  credentials?: Partial<Credentials>;
  /** Faults set at start (in addition to the seed's and the persisted ones). */
  faults?: FaultInput[];
  /** Listen host; loopback only. Default `127.0.0.1`. */
  host?: string;
  /** Log sink (default: none). */
  log?: (line: string) => void;
  /** Start the HMM/iBMC services (default true); false = switches and admin only (fast tests). */
  hmm?: boolean;
  /**
   * Serve a recording (`vessel --record DIR`) instead of simulated devices: a folder of `.jsonl`
   * files or one file (`docs/recordings.md` "Replay"). Seed, VRP mode, `hmm` and state dir are
   * not used; faults (latency, SSH faults) still apply.
   */
  replay?: string;
}

/** A running simulator. */
export interface Simulator {
  /** The endpoints document (`kind: "vessel-sim-endpoints"`). */
  endpoints: EndpointsDocument;
  /** In-process fault API. */
  faults: FaultRegistry;
  /** Management-plane reachability. */
  mgmt: MgmtPlane;
  /** The topology in use. */
  topology: Topology;
  /** Test access to a switch device (`swi2`): VLANs, interfaces, running/saved config, log. */
  switch(name: string): SwitchDevice;
  /** The context handed to modules (advanced tests). */
  context: SimContext;
  /**
   * The HMM/iBMC services handle returned by `src/sim/hmm/mod.ts` (undefined with `hmm: false`);
   * its extra fields (blade states, in-process fetch) are documented there.
   */
  hmm?: HmmServices;
  /** Replay mode only: the misses and counters of the recording being served. */
  replay?: ReplayServices;
  /** Wipe all state (faults, switch configs, module state) and reload defaults. */
  reset(): Promise<void>;
  /** Stop every listener and timer. */
  close(): Promise<void>;
}

/** Start the simulator. Every listener binds 127.0.0.1 (or `host`) with an OS-chosen port. */
export async function startSimulator(opts: SimOptions = {}): Promise<Simulator> {
  const host = opts.host ?? "127.0.0.1";
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host)) {
    throw new Error(
      `The simulator only listens on loopback; host ${host} is not a loopback address`,
    );
  }
  const log = opts.log ?? (() => {});
  let seed: Seed | undefined;
  if (typeof opts.seed === "string") seed = await loadSeedFile(opts.seed);
  else seed = opts.seed;
  const topology = topologyFromSeed(seed, typeof opts.seed === "string" ? opts.seed : "seed");
  const vrpMode = opts.vrpMode ?? seed?.vrpMode ?? "two-stage";
  if (vrpMode !== "immediate" && vrpMode !== "two-stage") {
    throw new SeedError(`vrpMode must be immediate or two-stage, got ${vrpMode}`);
  }
  const credentials: Credentials = {
    username: opts.credentials?.username ?? seed?.credentials?.username ??
      DEFAULT_CREDENTIALS.username,
    password: opts.credentials?.password ?? seed?.credentials?.password ??
      DEFAULT_CREDENTIALS.password,
  };
  if (opts.replay !== undefined) return await startReplaySimulator(opts, topology, credentials);
  if (opts.stateDir) prepareStateDir(opts.stateDir);
  const persistence = createPersistence(opts.stateDir);
  const faultStore = persistence.store<Fault[]>("faults");
  const fresh = faultStore.load() === undefined;
  const faults = createFaultRegistry(faultStore, [
    ...(fresh ? seed?.faults ?? [] : []),
    ...(opts.faults ?? []),
  ]);
  const persist = <T>(ns: string) => persistence.store<T>(ns);
  const devices = createSwitchDevices({ topology, persist }, vrpMode);
  const mgmt = createMgmtPlane(topology, devices);
  let powerSource: ((slot: number) => "On" | "Off" | undefined) | undefined;
  const bladePower = {
    power: (slot: number) =>
      powerSource ? powerSource(slot) : topology.blades.find((b) => b.slot === slot)?.power,
    setSource(source: (slot: number) => "On" | "Off" | undefined) {
      powerSource = source;
      for (const d of devices.values()) d.bladePower = source;
      for (const d of devices.values()) d.notify();
    },
    changed() {
      for (const d of devices.values()) d.notify();
    },
  };
  const resetHooks = new Set<() => void | Promise<void>>();
  // deno-lint-ignore prefer-const
  let switchesRef: Awaited<ReturnType<typeof startSwitches>> | undefined;
  const ctx: SimContext = {
    topology,
    credentials,
    host,
    stateDir: opts.stateDir,
    persist,
    faults,
    bladePower,
    ssh: {
      createSshServer: (o) => createSshServer({ host, credentials, faults, mgmt, persist, log }, o),
    },
    switches: {
      list: () => switchesRef?.access.list() ?? [...devices.keys()],
      byIp: (ip) => switchesRef?.access.byIp(ip),
      attachShell: (name, io, onExit) => switchesRef!.access.attachShell(name, io, onExit),
      exportFiles: (name) => switchesRef!.access.exportFiles(name),
      runningConfig: (name) => switchesRef!.access.runningConfig(name),
    },
    mgmt,
    log,
    onReset(listener) {
      resetHooks.add(listener);
      return () => resetHooks.delete(listener);
    },
  };
  const switches = await startSwitches(ctx, devices);
  switchesRef = switches;

  let hmm: HmmServices | undefined;
  if (opts.hmm !== false) {
    try {
      // A literal specifier, so `deno compile` and bundlers include the HMM services.
      const mod = await import("./hmm/mod.ts") as { startHmmServices?: StartHmmServices };
      if (typeof mod.startHmmServices !== "function") {
        log("sim: src/sim/hmm/mod.ts exports no startHmmServices; HMM and iBMC services skipped");
      } else hmm = await mod.startHmmServices(ctx);
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      if (/Module not found|Cannot find module|ERR_MODULE_NOT_FOUND/i.test(msg)) {
        log("sim: HMM and iBMC services not available yet (src/sim/hmm/mod.ts missing); skipped");
      } else {
        await switches.close();
        mgmt.close();
        faults.close();
        throw e;
      }
    }
  }

  const endpoints: EndpointsDocument = {
    kind: "vessel-sim-endpoints",
    version: 1,
    chassis: { model: topology.chassis.model, serial: topology.chassis.serial },
    ...(hmm ? { hmm: hmm.endpoints.hmm } : {}),
    ibmc: hmm?.endpoints.ibmc ?? {},
    switches: Object.fromEntries(
      [...switches.servers].map(([name, s]) => [name, { ssh: s.url }]),
    ),
    admin: "",
    credentials,
    ...(hmm?.tls ? { tls: hmm.tls } : {}),
  };

  const reset = async () => {
    faults.clear();
    persistence.reset();
    for (const d of devices.values()) d.factoryReset();
    for (const h of [...resetHooks]) await h();
    log("sim: state reset");
  };

  const app = adminApp({
    endpoints: () => endpoints,
    faults,
    devices,
    persistence,
    reset,
  });
  const ac = new AbortController();
  const server = Deno.serve({
    hostname: host,
    port: 0,
    signal: ac.signal,
    onListen: () => {},
  }, app.fetch);
  endpoints.admin = `http://${host}:${server.addr.port}`;
  log(`sim: switches ${Object.keys(endpoints.switches).join(", ")}; admin ${endpoints.admin}`);

  let closed = false;
  return {
    endpoints,
    faults,
    mgmt,
    topology,
    context: ctx,
    hmm,
    switch(name: string): SwitchDevice {
      const d = devices.get(name.toLowerCase());
      if (!d) {
        throw new Error(
          `No switch ${name} in this simulator; present: ${[...devices.keys()].join(", ")}`,
        );
      }
      return d;
    },
    reset,
    async close() {
      if (closed) return;
      closed = true;
      faults.close();
      ac.abort();
      await Promise.allSettled([
        server.finished,
        hmm?.close(),
        switches.close(),
      ]);
      mgmt.close();
    },
  };
}

/** Replay mode: the recorded devices, the admin API, and a context without simulated devices. */
async function startReplaySimulator(
  opts: SimOptions,
  topology: Topology,
  credentials: Credentials,
): Promise<Simulator> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  const persistence = createPersistence(undefined);
  const persist = <T>(ns: string) => persistence.store<T>(ns);
  const faults = createFaultRegistry(persistence.store<Fault[]>("faults"), opts.faults ?? []);
  const listeners = new Set<() => void>();
  const mgmt: MgmtPlane & { close(): void } = {
    isReachable: () => true,
    reachableFromHmm: () => true,
    bladeLinks: () => [],
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => listeners.clear(),
  };
  const resetHooks = new Set<() => void | Promise<void>>();
  const noSwitch = (name: string): never => {
    throw new Error(`No switch ${name}: the simulator is replaying a recording`);
  };
  const ctx: SimContext = {
    topology,
    credentials,
    host,
    persist,
    faults,
    bladePower: {
      power: (slot) => topology.blades.find((b) => b.slot === slot)?.power,
      setSource: () => {},
      changed: () => {},
    },
    ssh: {
      createSshServer: (o) => createSshServer({ host, credentials, faults, mgmt, persist, log }, o),
    },
    switches: {
      list: () => [],
      byIp: () => undefined,
      attachShell: (name) => noSwitch(name),
      exportFiles: (name) => noSwitch(name),
      runningConfig: (name) => noSwitch(name),
    },
    mgmt,
    log,
    onReset(listener) {
      resetHooks.add(listener);
      return () => resetHooks.delete(listener);
    },
  };
  const { startReplay } = await import("./replay/mod.ts");
  let replay: ReplayServices;
  try {
    replay = await startReplay(opts.replay!, { host, log, ssh: ctx.ssh, faults });
  } catch (e) {
    faults.close();
    throw e;
  }
  const endpoints: EndpointsDocument = {
    kind: "vessel-sim-endpoints",
    version: 1,
    chassis: { model: topology.chassis.model, serial: "replay" },
    hmm: replay.endpoints.hmm,
    ibmc: replay.endpoints.ibmc,
    switches: replay.endpoints.switches,
    admin: "",
    credentials,
    tls: replay.tls,
  };
  const reset = async () => {
    faults.clear();
    replay.restart();
    for (const h of [...resetHooks]) await h();
    log("sim: replay restarted from the first recorded answers");
  };
  const app = adminApp({
    endpoints: () => endpoints,
    faults,
    devices: new Map(),
    persistence,
    reset,
    replay,
  });
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: host, port: 0, signal: ac.signal, onListen: () => {} },
    app.fetch,
  );
  endpoints.admin = `http://${host}:${server.addr.port}`;
  let closed = false;
  return {
    endpoints,
    faults,
    mgmt,
    topology,
    context: ctx,
    replay,
    switch: noSwitch,
    reset,
    async close() {
      if (closed) return;
      closed = true;
      faults.close();
      ac.abort();
      await Promise.allSettled([server.finished, replay.close()]);
      mgmt.close();
    },
  };
}
