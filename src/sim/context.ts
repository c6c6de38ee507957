/**
 * Shared types of the simulated E9000 (`vessel sim`).
 *
 * Every interface module of the simulator (CX310 switches in `src/sim/vrp/`, HMM and iBMC
 * services in `src/sim/hmm/` and `src/sim/ibmc/`) receives one {@link SimContext}. The context
 * carries the chassis {@link Topology}, the credentials, persistence, faults, an SSH server
 * helper, access to the switch devices and the management-plane reachability model.
 *
 * The simulator is an independent implementation of the device: nothing here (nor anywhere under
 * `src/sim`) imports `src/drivers`, `src/chassis`, `src/engine` or `src/resources`.
 *
 * Addresses such as `172.31.1.162` are *data* (the internal fabric the device reports); every
 * listener binds the loopback host with an OS-chosen port.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// Topology (parsed from a YAML seed; default = the chassis observed upstream)
// ---------------------------------------------------------------------------------------------

/** Power state of a blade as Redfish names it. */
export type PowerState = "On" | "Off";

/** Health as Redfish `Status.Health` names it. */
export type Health = "OK" | "Warning" | "Critical";

/** VRP configuration model of a switch: VRP5 immediate or VRP8 two-stage (commit). */
export type VrpMode = "immediate" | "two-stage";

/** One NIC port of a blade and the switch port it is wired to. */
export interface BladeNic {
  /** Port name as the OS/iBMC shows it, e.g. `NIC1-1` or `eth0`. */
  name: string;
  /** MAC address, lower-case colon form `xx:xx:xx:xx:xx:xx`. */
  mac: string;
  /** Switch the port is wired to (`swi2`), or undefined when not wired. */
  switch?: string;
  /** Switch port name, e.g. `10GE2/1/1`. */
  port?: string;
}

/** A front blade slot. */
export interface BladeSpec {
  /** Slot number 1..16. */
  slot: number;
  /** Board model: `CH121`, `CH222`, ... */
  model: string;
  /** Board serial number. */
  serial: string;
  /** System UUID (upper-case canonical form). */
  uuid: string;
  /** Host name the blade's OS announces over LLDP (default `blade<N>`). */
  hostname: string;
  /** iBMC address on the internal fabric: `172.31.1.(128+slot)` (data only). */
  bmcIp: string;
  /** iBMC MAC address. */
  bmcMac: string;
  /** Firmware versions. */
  firmware: { ibmc: string; bios: string; cpld?: string };
  /** Initial power state. */
  power: PowerState;
  /** Initial health. */
  health: Health;
  /** CPU/memory summary for inventory pages. */
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  /** NIC ports and their wiring. */
  nics: BladeNic[];
  /** Host IPv4 addresses per NIC (used for ARP on the switch), keyed by NIC name. */
  hostIps?: Record<string, string>;
}

/** The management path of a switch: how it is reached (issue 3 point 7). */
export interface SwitchMgmtSpec {
  /** Management VLAN id. */
  vlan: number;
  /** Uplink/management port that must carry the VLAN (e.g. `10GE2/17/1`). */
  uplink: string;
  /** Layer-3 management interface: `Vlanif<vlan>` or `MEth0/0/0`. */
  iface: string;
  /** Management IPv4 address (data): `172.31.1.(160+N)`. */
  ip: string;
  /** Prefix length of `ip`. */
  prefix: number;
  /**
   * How the HMM reaches this switch (its `ping` and `ssh 172.31.1.(160+N)` jump):
   * - `base-plane` (default): over the chassis' internal management network (the
   *   172.31.1.0/24 fabric on the SMM's eth2, hardware/redfish.md §2.1, hmm-cli.md §5), which is
   *   not a data VLAN of the switch, so a VLAN/port change that cuts the in-band path above
   *   leaves the HMM's path up [inferred: the fabric hangs off the SMM, not off a switch uplink];
   * - `in-band`: the HMM's path crosses the same management VLAN, so a cut freezes the jump too
   *   (the conservative assumption; a driver must then prevent the cut rather than repair it).
   */
  hmmPath?: "base-plane" | "in-band";
}

/** A switch module (Swi1..Swi4). */
export interface SwitchSpec {
  /** Lower-case CLI name, `swi2`. */
  name: string;
  /** Slot number 1..4. */
  slot: number;
  /** `CX310`. */
  model: string;
  /** VRP `sysname` shown in prompts. */
  sysname: string;
  /** Board serial number. */
  serial: string;
  /** Bridge MAC address. */
  mac: string;
  /**
   * VRP version line pieces: `vrp` is the VRP version (`5.160`, `8.150`) or `auto` (5.160 in
   * immediate mode, 8.150 in two-stage mode); `release` the product release string.
   */
  software: { vrp: string; release: string; patch?: string };
  /** Overrides the simulator-wide VRP mode. */
  vrpMode?: VrpMode;
  /** Management path. */
  mgmt: SwitchMgmtSpec;
  /** Blade downlink ports (one per slot), in slot order. */
  downlinks: string[];
  /** Panel uplink ports. */
  uplinks: string[];
  /** First login asks to change the password (option, issue 3 point 6). */
  passwordChangeRequired?: boolean;
  /** Optional initial VLAN ids (besides VLAN 1 and the management VLAN). */
  vlans?: number[];
  /** VRP5 `save` also asks for the file name (`[vrpcfg.zip]`) after the confirmation (option). */
  saveAsksFileName?: boolean;
  /** How long `reboot` keeps the switch unreachable (ms, default 1500). */
  rebootMs?: number;
}

/** A management module. */
export interface HmmModuleSpec {
  /** `HMM1` / `HMM2`. */
  name: string;
  role: "active" | "standby";
  /** Static address on the operator network (data). */
  ip: string;
  /** Address on the internal fabric `172.31.1.(164+N)` (data). */
  internalIp: string;
  mac: string;
  serial: string;
}

/** The HMM pair. */
export interface HmmSpec {
  /** Floating address owned by the active module (data). */
  floatingIp: string;
  gateway: string;
  netmask: string;
  modules: HmmModuleSpec[];
  /** SMM software version string (e.g. `7.63`). */
  version: string;
}

/** A power supply. */
export interface PsuSpec {
  /** 1-based index (`PSU1`). */
  id: number;
  present: boolean;
  health: Health;
  ratedWatts: number;
}

/** A fan module. */
export interface FanSpec {
  id: number;
  present: boolean;
  health: Health;
  rpm: number;
}

/** The whole chassis as the simulator models it. */
export interface Topology {
  chassis: { model: string; serial: string; name: string; location?: string };
  hmm: HmmSpec;
  blades: BladeSpec[];
  switches: SwitchSpec[];
  psus: PsuSpec[];
  fans: FanSpec[];
  /** The internal fabric network (data), `172.31.1.0/24`. */
  fabric: { network: string; prefix: number };
}

// ---------------------------------------------------------------------------------------------
// Credentials, persistence, logging
// ---------------------------------------------------------------------------------------------

/** The simulator's login (not a secret of any real device; printed by `vessel sim`). */
export interface Credentials {
  username: string;
  password: string;
}

/** A JSON document stored under the state dir (`<stateDir>/<namespace>.json`) or in memory. */
export interface PersistStore<T> {
  /** The stored value, or undefined when nothing was saved yet. */
  load(): T | undefined;
  /** Replace the stored value (written synchronously, atomically). */
  save(value: T): void;
}

// ---------------------------------------------------------------------------------------------
// Faults (implemented in src/sim/faults.ts)
// ---------------------------------------------------------------------------------------------

/** Interfaces a fault can target. `*` = all. */
export type FaultIface = "web" | "redfish" | "ssh" | "*";

/**
 * A fault as set by a test, the seed file, a flag or the admin API.
 *
 * Devices: `hmm`, `blade<N>` (the iBMC of slot N; `ibmc<N>` is accepted as an alias), `swi<N>`,
 * or `*` for every device.
 */
export interface FaultInput {
  device: string;
  /** Default `*`. */
  iface?: FaultIface;
  /** Added delay before each answer (HTTP response, SSH handshake and each SSH output write). */
  latencyMs?: number;
  /** Probability 0..1 that a request fails (HTTP: `status`; SSH: connection closed at once). */
  errorRate?: number;
  /** HTTP status used by `errorRate` (default 500). */
  status?: number;
  /** Never answer (HTTP: hang; SSH: accept TCP, never finish the handshake). */
  timeout?: boolean;
  /** Sessions (HTTP sessions, SSH connections) expire this many ms after creation. */
  sessionTtlMs?: number;
  /** SSH: the next command's output is cut in the middle and the connection dropped. */
  disconnectMidCommand?: boolean;
  /** Named device fault consumed by a module (`firmware-flash-failure`, `ibmc-reboot`, ...). */
  name?: string;
  /** Parameters of a named fault, e.g. `{ atPercent: 40 }` or `{ durationMs: 5000 }`. */
  params?: Record<string, unknown>;
}

/** A stored fault with its id. */
export interface Fault extends FaultInput {
  id: string;
  iface: FaultIface;
}

/** The merged effect of all faults that match one device and interface. */
export interface EffectiveFaults {
  latencyMs: number;
  errorRate: number;
  status: number;
  timeout: boolean;
  sessionTtlMs?: number;
  disconnectMidCommand: boolean;
}

/** The fault registry every module consults. */
export interface FaultRegistry {
  /** All faults. */
  list(): Fault[];
  /** Add a fault; returns it with its id. */
  set(input: FaultInput): Fault;
  /** Remove faults matching the filter (all when no filter); returns how many. */
  clear(filter?: { id?: string; device?: string; iface?: FaultIface; name?: string }): number;
  /** Merged effect for a device and interface. */
  effective(device: string, iface: FaultIface): EffectiveFaults;
  /** The named fault for a device (or `*`), if any. */
  named(device: string, name: string): Fault | undefined;
  /** Consume a one-shot flag (`disconnectMidCommand`): true once, then the flag is cleared. */
  take(device: string, iface: FaultIface, flag: "disconnectMidCommand"): boolean;
  /** Called after every change. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

// ---------------------------------------------------------------------------------------------
// SSH server helper (implemented in src/sim/ssh.ts)
// ---------------------------------------------------------------------------------------------

/** The I/O of one SSH session channel (shell or exec), with faults and reachability applied. */
export interface ShellIO {
  /** Authenticated user name. */
  readonly username: string;
  /** True when the client requested a pty (interactive terminal: echo expected). */
  readonly pty: boolean;
  /** Terminal size (defaults 80x24). */
  readonly cols: number;
  readonly rows: number;
  /** `shell` or `exec`; for exec, {@link command} is the requested command. */
  readonly kind: "shell" | "exec";
  readonly command?: string;
  /** Send text to the client (`\n` is sent as is; use `\r\n` for terminals). */
  write(text: string): void;
  /**
   * Register a listener for input from the client (decoded UTF-8). Returns a function that
   * removes the listener (a shell stops reading while a jump session is attached).
   */
  onData(listener: (chunk: string) => void): () => void;
  /** Close the channel with an exit status. */
  end(exitCode?: number): void;
  /** Register a listener called once when the channel or connection closes. */
  onClose(listener: () => void): void;
  /** True once closed. */
  readonly closed: boolean;
}

/** SFTP: a read-only virtual file tree served to the client. */
export interface SftpProvider {
  /** Absolute path -> file content, evaluated at each request. */
  files(): Record<string, Uint8Array>;
}

/** Options of {@link SimContext.ssh}.createSshServer. */
export interface SshServerOptions {
  /** Device id (`swi2`, `hmm`, `blade3`): host key persistence, faults and reachability. */
  device: string;
  /** Server identification after `SSH-2.0-` (default `HUAWEI-1.5` for switches, else `-`). */
  ident?: string;
  /** Text sent as the SSH pre-auth banner (optional). */
  banner?: string;
  /** Custom password check (default: the simulator credentials). */
  authenticate?: (username: string, password: string) => boolean;
  /** Interactive shell handler. */
  onShell: (io: ShellIO) => void;
  /** Exec handler (default: refuse exec with exit status 1). */
  onExec?: (command: string, io: ShellIO) => void;
  /** Optional SFTP subsystem. */
  sftp?: SftpProvider;
  /**
   * Reachability (management plane): when it returns false new connections are black-holed
   * (TCP accepted, no SSH identification ever sent) and existing sessions stop delivering output.
   * Default: `ctx.mgmt.isReachable(device)`.
   */
  reachable?: () => boolean;
}

/** A running SSH server. */
export interface SshServerHandle {
  /** `ssh://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Host key fingerprint `SHA256:...` (OpenSSH style). */
  fingerprint: string;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Switch access (for the HMM's `ssh <ip>` jump and `swiconfexport`)
// ---------------------------------------------------------------------------------------------

/** What the HMM side may do with the switch devices. */
export interface SwitchAccess {
  /** Names of present switches (`swi2`, `swi3`). */
  list(): string[];
  /** Switch name for an internal fabric address (`172.31.1.162` -> `swi2`). */
  byIp(ip: string): string | undefined;
  /**
   * Attach a VRP CLI session of the switch to an existing shell (the HMM's `ssh <ip>` jump, after
   * the HMM side asked for the password). The VRP session ends with `quit` in user view; then
   * `onExit` is called and the caller resumes its own shell.
   */
  attachShell(name: string, io: ShellIO, onExit: () => void): void;
  /**
   * Files of `swiconfexport swi<N>`: archive members relative to `swi<N>/`
   * (`2_1_1.cfg`, `entity_0.cfg`, ...). Real files are proprietary binary; the simulator writes
   * the running configuration text (documented assumption).
   */
  exportFiles(name: string): Record<string, Uint8Array>;
  /** The running configuration text of a switch. */
  runningConfig(name: string): string;
}

// ---------------------------------------------------------------------------------------------
// Management plane (issue 3 point 7)
// ---------------------------------------------------------------------------------------------

/** Reachability model of the internal fabric. */
export interface MgmtPlane {
  /** True when the device's management path is intact (`swi2`, `hmm`, `blade3`). */
  isReachable(device: string): boolean;
  /**
   * True when the HMM reaches the device (its `ping`, its `ssh` jump). Over the base plane
   * (the default, see {@link SwitchMgmtSpec.hmmPath}) a cut of a switch's in-band management
   * path does not cut the HMM's own path to it.
   */
  reachableFromHmm(device: string): boolean;
  /**
   * Blade ports reachable through the switches: per NIC, whether its switch is reachable and its
   * port is up and carries at least one VLAN that also exists on the switch.
   */
  bladeLinks(slot: number): { nic: string; switch?: string; port?: string; up: boolean }[];
  /** Called whenever reachability may have changed. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

// ---------------------------------------------------------------------------------------------
// The context and the module contract
// ---------------------------------------------------------------------------------------------

/**
 * Live blade power as the switches see it (link up, LLDP, MAC learning). The HMM/iBMC module
 * owns blade power: it registers its source once and calls `changed()` after a power change.
 * Until a source is registered, the topology's initial power state applies.
 */
export interface BladePowerLink {
  /** Current power state of the blade in `slot` (undefined when the slot is empty). */
  power(slot: number): PowerState | undefined;
  /** Register the live source (replaces the previous one). */
  setSource(source: (slot: number) => PowerState | undefined): void;
  /** Tell the switches that a blade's power changed (links, LLDP, MAC tables, reachability). */
  changed(): void;
}

/** Everything an interface module of the simulator receives. */
export interface SimContext {
  topology: Topology;
  credentials: Credentials;
  /** Host every listener binds (`127.0.0.1`). */
  host: string;
  /** State dir, when persistent. */
  stateDir?: string;
  /** JSON store for a namespace (`hmm`, `ibmc/3`, `swi2`), file-backed with a state dir. */
  persist<T>(namespace: string): PersistStore<T>;
  faults: FaultRegistry;
  /** Live blade power for the switch model (see {@link BladePowerLink}). */
  bladePower: BladePowerLink;
  ssh: { createSshServer(opts: SshServerOptions): Promise<SshServerHandle> };
  switches: SwitchAccess;
  mgmt: MgmtPlane;
  /** Log one line (stderr of `vessel sim`, or the `log` option). Never log secrets. */
  log(line: string): void;
  /**
   * Register a hook run by `/admin/reset` and `sim.reset()` after the persisted state was wiped:
   * a module drops its in-memory state and reloads its defaults. Returns an unsubscribe function.
   */
  onReset(listener: () => void | Promise<void>): () => void;
}

/** What `src/sim/hmm/mod.ts` `startHmmServices(ctx)` returns. */
export interface HmmServices {
  endpoints: {
    hmm: { web: string; redfish: string; ssh: string };
    ibmc: Record<string, { redfish: string; ssh: string }>;
  };
  /** PEM of the CA that signed the HTTPS certificates (endpoints document `tls.ca`). */
  tls?: { ca: string };
  close(): Promise<void>;
}

/** Signature of `startHmmServices` in `src/sim/hmm/mod.ts`. */
export type StartHmmServices = (ctx: SimContext) => Promise<HmmServices>;

/** The endpoints document (`docs/architecture.md`), kind `vessel-sim-endpoints`. */
export interface EndpointsDocument {
  kind: "vessel-sim-endpoints";
  version: 1;
  chassis: { model: string; serial: string };
  hmm?: { web: string; redfish: string; ssh: string };
  ibmc: Record<string, { redfish: string; ssh: string }>;
  switches: Record<string, { ssh: string }>;
  admin: string;
  credentials: Credentials;
  tls?: { ca: string };
}
