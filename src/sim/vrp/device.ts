/**
 * A simulated CX310 switch device: running and saved configuration, two-stage commits with
 * commit ids, `commit trial` with timed automatic revert, rollback, the received command log,
 * and persistence. The CLI (`cli.ts`) drives it; tests read it through `sim.switch(name)`.
 *
 * @module
 */
import type { PersistStore, SwitchSpec, Topology, VrpMode } from "../context.ts";
import {
  cloneConfig,
  compareIfName,
  type IfaceCfg,
  initialConfig,
  mgmtPathUp,
  renderConfig,
  sameConfig,
  type SwitchConfig,
  type VlanCfg,
} from "./config.ts";

/** A semantic error raised by a configuration change: printed as `Error: <message>`. */
export class VrpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VrpError";
  }
}

/** One entry of `display configuration commit list`. */
export interface CommitRecord {
  /** VRP8 commit ids count up from 1000000001. */
  id: string;
  label?: string;
  user: string;
  /** ISO time. */
  time: string;
  /** Configuration before the commit (a rollback to this id restores it). */
  before: SwitchConfig;
}

/** A command the switch received (test access). */
export interface CommandLogEntry {
  time: string;
  user: string;
  /** Prompt shown when the command was entered, e.g. `[~CX310_2]`. */
  prompt: string;
  line: string;
}

/** Persisted state of a switch. */
export interface SwitchState {
  running: SwitchConfig;
  saved?: SwitchConfig;
  commits: CommitRecord[];
  nextCommitId: number;
  trial?: { deadline: number; before: SwitchConfig; commitId: string };
  /** Password set through the first-login change dialogue (replaces the sim password). */
  password?: string;
  updatedAt?: string;
  updatedBy?: string;
  savedAt?: string;
}

/** A mutation of a configuration; throws {@link VrpError} when refused. */
export type ConfigOp = (c: SwitchConfig) => void;

/** Commit points kept (each holds a full configuration). */
const MAX_COMMITS = 30;

function stamp(d = new Date()): string {
  return d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "+00:00");
}

/** A simulated switch. */
export class SwitchDevice {
  readonly name: string;
  readonly spec: SwitchSpec;
  readonly mode: VrpMode;
  readonly topology: Topology;
  readonly startedAt = Date.now();
  /** Every command line received over any session, in order. */
  readonly commandLog: CommandLogEntry[] = [];
  #state: SwitchState;
  #store?: PersistStore<SwitchState>;
  #listeners = new Set<() => void>();
  #trialTimer?: ReturnType<typeof setTimeout>;
  #lastMgmt: boolean;
  #version = 0;
  #rebootTimer?: ReturnType<typeof setTimeout>;
  #sessionKills = new Set<() => void>();
  /** Active CLI sessions (for `display users` style checks and tests). */
  sessions = 0;
  /** Live power of a blade slot (set by the simulator; default: the topology's initial state). */
  bladePower: (slot: number) => "On" | "Off" | undefined = (slot) =>
    this.topology.blades.find((b) => b.slot === slot)?.power;

  /** Tell listeners that something outside the configuration changed (blade power). */
  notify(): void {
    this.#changedListenersOnly();
  }

  constructor(
    spec: SwitchSpec,
    mode: VrpMode,
    topology: Topology,
    store?: PersistStore<SwitchState>,
  ) {
    this.name = spec.name;
    this.spec = spec;
    this.mode = mode;
    this.topology = topology;
    this.#store = store;
    const loaded = store?.load();
    this.#state = loaded?.running ? loaded : {
      running: initialConfig(spec),
      commits: [],
      nextCommitId: 1000000001,
    };
    if (!loaded?.running) {
      this.#state.saved = cloneConfig(this.#state.running);
      this.#state.savedAt = stamp();
    }
    this.#lastMgmt = this.mgmtUp();
    if (this.#state.trial) this.#armTrial();
    this.#persist();
  }

  /** The VRP version string (`5.160` / `8.150`). */
  get vrpVersion(): string {
    const v = this.spec.software.vrp;
    if (v && v !== "auto") return v;
    return this.mode === "two-stage" ? "8.150" : "5.160";
  }

  /** Running configuration (a copy). */
  get running(): SwitchConfig {
    return cloneConfig(this.#state.running);
  }

  /** The running configuration itself, read-only (no copy; displays and checks). */
  peek(): Readonly<SwitchConfig> {
    return this.#state.running;
  }

  /** Current sysname (no copy). */
  get sysname(): string {
    return this.#state.running.sysname;
  }

  /** Increases on every change of the running configuration. */
  get version(): number {
    return this.#version;
  }

  /** Saved configuration (a copy), if any. */
  get saved(): SwitchConfig | undefined {
    return this.#state.saved ? cloneConfig(this.#state.saved) : undefined;
  }

  /** Commit history, newest first. */
  get commits(): CommitRecord[] {
    return [...this.#state.commits].reverse();
  }

  /** VLANs of the running configuration, by id. */
  vlans(): VlanCfg[] {
    return Object.values(this.#state.running.vlans).sort((a, b) => a.id - b.id)
      .map((v) => ({ ...v }));
  }

  /** Interfaces of the running configuration, sorted like VRP. */
  interfaces(): IfaceCfg[] {
    return Object.values(this.#state.running.ifaces).sort((a, b) => compareIfName(a.name, b.name))
      .map((i) => structuredClone(i));
  }

  /** Pending trial, if any. */
  get trial(): { deadline: number; commitId: string } | undefined {
    const t = this.#state.trial;
    return t ? { deadline: t.deadline, commitId: t.commitId } : undefined;
  }

  /** The password set on this switch through the change dialogue, if any. */
  get password(): string | undefined {
    return this.#state.password;
  }

  set password(value: string | undefined) {
    this.#state.password = value;
    this.#persist();
  }

  /** Is the management path intact in the running configuration? */
  mgmtUp(): boolean {
    if (this.#rebootTimer !== undefined) return false;
    return mgmtPathUp(this.#state.running, this.spec, this.mode);
  }

  /** True while the switch reboots. */
  get rebooting(): boolean {
    return this.#rebootTimer !== undefined;
  }

  /** Register a session; `kill` drops it (reboot). Returns the unregister function. */
  addSession(kill: () => void): () => void {
    this.#sessionKills.add(kill);
    return () => this.#sessionKills.delete(kill);
  }

  /**
   * `reboot`: drop every session, stay unreachable for `spec.rebootMs` (default 1500 ms), then
   * come back with the saved configuration (factory configuration when none is saved).
   */
  reboot(): void {
    this.#clearTrialTimer();
    this.#state.trial = undefined;
    for (const k of [...this.#sessionKills]) {
      try {
        k();
      } catch { /* ignore */ }
    }
    if (this.#rebootTimer !== undefined) clearTimeout(this.#rebootTimer);
    this.#rebootTimer = setTimeout(() => {
      this.#rebootTimer = undefined;
      this.#setRunning(this.saved ?? initialConfig(this.spec), "SYSTEM");
    }, this.spec.rebootMs ?? 1500);
    this.#changed();
  }

  /** `reset saved-configuration`: forget the saved configuration. */
  resetSaved(): void {
    this.#state.saved = undefined;
    this.#state.savedAt = undefined;
    this.#persist();
  }

  /** Called after every change of the running configuration. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Running configuration text (`display current-configuration`). */
  runningText(): string {
    return renderConfig(this.#state.running, this.mode, {
      version: this.spec.software.release,
      updated: this.#state.updatedAt
        ? `${this.#state.updatedAt} by ${this.#state.updatedBy ?? "SYSTEM"}`
        : undefined,
      saved: this.#state.savedAt,
    }).join("\n") + "\n";
  }

  /** Saved configuration text, or undefined. */
  savedText(): string | undefined {
    if (!this.#state.saved) return undefined;
    return renderConfig(this.#state.saved, this.mode, {
      version: this.spec.software.release,
      saved: this.#state.savedAt,
    }).join("\n") + "\n";
  }

  /** Apply ops to a copy of the running configuration; throws VrpError, changes nothing then. */
  preview(ops: ConfigOp[], base: Readonly<SwitchConfig> = this.#state.running): SwitchConfig {
    const c = cloneConfig(base as SwitchConfig);
    for (const op of ops) op(c);
    return c;
  }

  /** Immediate mode: apply one change to the running configuration. */
  apply(op: ConfigOp, user: string): void {
    const next = this.preview([op]);
    this.#setRunning(next, user);
  }

  /**
   * Two-stage commit: apply the ops to the running configuration and record a commit point.
   * With `trialSeconds`, the change reverts automatically unless confirmed by another commit.
   * A commit while a trial runs confirms the trial. Returns the commit id ("" when nothing changed).
   */
  commit(ops: ConfigOp[], user: string, opts: { trialSeconds?: number; label?: string } = {}) {
    const before = this.running;
    const next = this.preview(ops);
    const changed = !sameConfig(before, next);
    if (this.#state.trial && opts.trialSeconds === undefined) this.#confirmTrial();
    if (!changed && opts.trialSeconds === undefined) return "";
    const id = String(this.#state.nextCommitId++);
    this.#state.commits.push({
      id,
      label: opts.label,
      user,
      time: new Date().toISOString(),
      before,
    });
    if (this.#state.commits.length > MAX_COMMITS) this.#state.commits.shift();
    if (opts.trialSeconds !== undefined) {
      const prior = this.#state.trial?.before ?? before;
      this.#state.trial = {
        deadline: Date.now() + opts.trialSeconds * 1000,
        before: prior,
        commitId: id,
      };
      this.#armTrial();
    }
    this.#setRunning(next, user);
    return id;
  }

  /** `abort trial`: revert the trial commit now. False when no trial runs. */
  abortTrial(user = "SYSTEM"): boolean {
    const t = this.#state.trial;
    if (!t) return false;
    this.#clearTrialTimer();
    this.#state.trial = undefined;
    this.#setRunning(cloneConfig(t.before), user);
    return true;
  }

  /** `rollback configuration to commit-id X`: restore the configuration before commit X. */
  rollbackTo(commitId: string, user: string): void {
    const rec = this.#state.commits.find((c) => c.id === commitId);
    if (!rec) throw new VrpError(`The commit ID ${commitId} does not exist.`);
    if (this.#state.trial) {
      this.#clearTrialTimer();
      this.#state.trial = undefined;
    }
    const before = this.running;
    const id = String(this.#state.nextCommitId++);
    this.#state.commits.push({
      id,
      label: undefined,
      user,
      time: new Date().toISOString(),
      before,
    });
    if (this.#state.commits.length > MAX_COMMITS) this.#state.commits.shift();
    this.#setRunning(cloneConfig(rec.before), user);
  }

  /** `save`: running -> saved. */
  save(): void {
    this.#state.saved = this.running;
    this.#state.savedAt = stamp();
    this.#persist();
  }

  /** Admin/test API: replace the running configuration. */
  setRunning(config: SwitchConfig, user = "admin"): void {
    this.#setRunning(cloneConfig(config), user);
  }

  /** Admin/test API: restore the saved configuration as running (like a reboot). */
  revertToSaved(): void {
    this.#clearTrialTimer();
    this.#state.trial = undefined;
    this.#setRunning(this.saved ?? initialConfig(this.spec), "SYSTEM");
  }

  /** Admin/test API: factory reset (running and saved). */
  factoryReset(): void {
    this.#clearTrialTimer();
    this.#state = { running: initialConfig(this.spec), commits: [], nextCommitId: 1000000001 };
    this.#state.saved = cloneConfig(this.#state.running);
    this.#state.savedAt = stamp();
    this.#changed();
  }

  /** Record a received command line. */
  logCommand(user: string, prompt: string, line: string): void {
    this.commandLog.push({ time: new Date().toISOString(), user, prompt, line });
    if (this.commandLog.length > 5000) this.commandLog.shift();
  }

  /** Stop timers. */
  close(): void {
    this.#clearTrialTimer();
    if (this.#rebootTimer !== undefined) clearTimeout(this.#rebootTimer);
    this.#rebootTimer = undefined;
    this.#listeners.clear();
  }

  #setRunning(next: SwitchConfig, user: string): void {
    this.#state.running = next;
    this.#state.updatedAt = stamp();
    this.#state.updatedBy = user;
    this.#changed();
  }

  #changed(): void {
    this.#version++;
    this.#persist();
    const now = this.mgmtUp();
    this.#lastMgmt = now;
    for (const l of [...this.#listeners]) {
      try {
        l();
      } catch { /* ignore */ }
    }
  }

  #changedListenersOnly(): void {
    for (const l of [...this.#listeners]) {
      try {
        l();
      } catch { /* ignore */ }
    }
  }

  #persist(): void {
    this.#store?.save(this.#state);
  }

  #confirmTrial(): void {
    this.#clearTrialTimer();
    this.#state.trial = undefined;
    this.#persist();
  }

  #clearTrialTimer(): void {
    if (this.#trialTimer !== undefined) clearTimeout(this.#trialTimer);
    this.#trialTimer = undefined;
  }

  #armTrial(): void {
    this.#clearTrialTimer();
    const t = this.#state.trial;
    if (!t) return;
    const ms = Math.max(0, t.deadline - Date.now());
    this.#trialTimer = setTimeout(() => {
      this.#trialTimer = undefined;
      this.abortTrial("SYSTEM");
    }, ms);
  }
}
