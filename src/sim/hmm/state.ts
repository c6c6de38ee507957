/**
 * The persisted state of the simulated HMM: settings of every writable menu, the SMM event log,
 * active alarms, slot aliases and the firmware versions of the management modules and switch
 * modules. Namespace `hmm` of the simulator's persistence.
 *
 * @module
 */
import type { PersistStore, SimContext, Topology } from "../context.ts";
import { type ListSection, type RecordSection, SECTIONS } from "./settings.ts";

/** One SEL/alarm entry of the HMM. */
export interface HmmEvent {
  time: number;
  level: 0 | 1 | 2 | 3;
  source: string;
  sensor: string;
  description: string;
  code: string;
  asserted: boolean;
  /** For alarms: cleared. */
  cleared?: boolean;
  /** Component the entry belongs to: `smm`, `othersmm`, `Swi<N>`. */
  component: string;
}

/** Persisted data. */
export interface HmmData {
  records: Record<string, Record<string, string>>;
  keyed: Record<string, Record<string, Record<string, string>>>;
  lists: Record<string, Record<string, string>[]>;
  events: HmmEvent[];
  alarms: HmmEvent[];
  versions: Record<string, string>;
  /** Pages that are not plain records or lists (`menus.ts`). */
  menus: MenuData;
}

/** State of the pages `menus.ts` serves. */
export interface MenuData {
  /** FC port settings by `SwiN:FCn` (absent = defaults). */
  fcPorts: Record<string, Record<string, string>>;
  /** Imported HMM certificate (PEM); undefined = the simulator's own leaf. */
  sslCert?: string;
  /** Its private key (PEM PKCS#8, unencrypted; simulator state only, never served). */
  sslKey?: string;
  /** Power history cleared at (ms). */
  powerClearedAt?: number;
  /** Saved configuration (`backupconfig`). */
  backup?: {
    time: number;
    records: HmmData["records"];
    keyed: HmmData["keyed"];
    lists: HmmData["lists"];
  };
  lastRestore?: { time: number; source: string };
}

const SMM_SENSORS = [
  ["SMM1 Critical Alarm", "Transition to idle", 0],
  ["SMM1 Management Port", "Transition to OK", 0],
  ["SMM2 Heartbeat", "Device Present", 0],
  ["Chassis Power", "Power supply redundancy regained", 0],
  ["Fan Redundancy", "Fully redundant", 0],
  ["SMM1 Management Port", "Transition to non-recoverable", 3],
  ["Inlet Temp", "Upper non-critical going high", 1],
  ["Inlet Temp", "Upper non-critical going high", 0],
] as const;

/** Deterministic default SMM SEL (newest first). */
function defaultEvents(t: Topology, now: number): HmmEvent[] {
  const out: HmmEvent[] = [];
  const comps = ["smm", "othersmm", ...t.switches.map((s) => `Swi${s.slot}`)];
  let time = now - 3600_000;
  for (const comp of comps) {
    const n = comp === "smm" ? 37 : 6;
    for (let i = 0; i < n; i++) {
      const [sensor, description, level] = SMM_SENSORS[(i * 5 + comp.length) % SMM_SENSORS.length];
      out.push({
        time: time - i * 97_000,
        level,
        source: comp.startsWith("Swi") ? comp : "MM",
        sensor: comp.startsWith("Swi") ? `${comp} ${sensor.replace(/^SMM\d /, "")}` : sensor,
        description,
        code: `0X${(0x0743ff00 + i).toString(16).toUpperCase()}`,
        asserted: i % 3 !== 2,
        component: comp,
      });
    }
    time -= 60_000;
  }
  return out.sort((a, b) => b.time - a.time);
}

function defaultAlarms(t: Topology, now: number): HmmEvent[] {
  const out: HmmEvent[] = [];
  for (const p of t.psus) {
    if (p.present && p.health !== "OK") {
      out.push({
        time: now - 600_000,
        level: p.health === "Critical" ? 3 : 2,
        source: "PSU",
        sensor: `PS${p.id} Status`,
        description: "Power supply failure",
        code: "0X0801FFFF",
        asserted: true,
        cleared: false,
        component: "smm",
      });
    }
  }
  for (const f of t.fans) {
    if (f.present && f.health !== "OK") {
      out.push({
        time: now - 500_000,
        level: f.health === "Critical" ? 3 : 2,
        source: "FAN",
        sensor: `Fan${f.id} Status`,
        description: "Fan speed below lower critical threshold",
        code: "0X0401FFFF",
        asserted: true,
        cleared: false,
        component: "smm",
      });
    }
  }
  // A cleared alarm, as in the fixture (counters include cleared entries).
  out.push({
    time: now - 7200_000,
    level: 2,
    source: "MM",
    sensor: "SMM1 Management Port",
    description: "Transition to non-recoverable",
    code: "0X0743FF27",
    asserted: false,
    cleared: true,
    component: "smm",
  });
  return out.sort((a, b) => b.time - a.time);
}

function defaultData(t: Topology, now: number): HmmData {
  const records: HmmData["records"] = {};
  const keyed: HmmData["keyed"] = {};
  const lists: HmmData["lists"] = {};
  for (const [name, s] of Object.entries(SECTIONS)) {
    if (s.kind === "list") lists[name] = [];
    else if (s.keyed) keyed[name] = {};
    else records[name] = { ...s.defaults };
  }
  records.mmNetwork = {
    ...records.mmNetwork,
    floatip: t.hmm.floatingIp,
    netmask: t.hmm.netmask,
    gateway: t.hmm.gateway,
    smm1ip: t.hmm.modules[0]?.ip ?? records.mmNetwork.smm1ip,
    smm2ip: t.hmm.modules[1]?.ip ?? records.mmNetwork.smm2ip,
  };
  records.basic = {
    ...records.basic,
    chassisname: t.chassis.name,
    location: t.chassis.location ?? "",
  };
  for (const b of t.blades) {
    keyed.bladeNetwork[`Slot${b.slot}`] = {
      ...(SECTIONS.bladeNetwork as RecordSection).defaults,
      ipaddr: b.bmcIp,
      netmask: "255.255.255.0",
      gateway: "172.31.1.1",
    };
  }
  for (const s of t.switches) {
    keyed.switchNetwork[`Swi${s.slot}`] = {
      ...(SECTIONS.switchNetwork as RecordSection).defaults,
      ipaddr: s.mgmt.ip,
      netmask: "255.255.255.0",
      gateway: "172.31.1.1",
    };
  }
  return {
    records,
    keyed,
    lists,
    events: defaultEvents(t, now),
    alarms: defaultAlarms(t, now),
    versions: { smm: t.hmm.version, othersmm: t.hmm.version },
    menus: { fcPorts: {} },
  };
}

/** The HMM's persisted state with typed accessors. */
export class HmmState {
  #store: PersistStore<HmmData>;
  #topology: Topology;
  #now: () => number;
  data: HmmData;

  constructor(ctx: Pick<SimContext, "persist" | "topology">, now: () => number) {
    this.#store = ctx.persist<HmmData>("hmm");
    this.#topology = ctx.topology;
    this.#now = now;
    this.data = this.#load();
  }

  #load(): HmmData {
    const saved = this.#store.load();
    const fresh = defaultData(this.#topology, this.#now());
    if (!saved) return fresh;
    // New sections added since the state was saved get their defaults.
    return {
      ...fresh,
      ...saved,
      records: { ...fresh.records, ...saved.records },
      keyed: { ...fresh.keyed, ...saved.keyed },
      lists: { ...fresh.lists, ...saved.lists },
      menus: { ...fresh.menus, ...saved.menus },
    };
  }

  /** Copy of every settings section (records, keyed records, lists). */
  settingsSnapshot(): Pick<HmmData, "records" | "keyed" | "lists"> {
    return structuredClone({
      records: this.data.records,
      keyed: this.data.keyed,
      lists: this.data.lists,
    });
  }

  /**
   * Restore every settings section from a snapshot, or to the defaults of the topology
   * (`factory`: accounts, profiles, pools, NTP, LDAP... all return to their first-start values).
   */
  restoreSettings(from: Pick<HmmData, "records" | "keyed" | "lists"> | "factory"): void {
    const src = from === "factory" ? defaultData(this.#topology, this.#now()) : from;
    const fresh = defaultData(this.#topology, this.#now());
    this.data.records = { ...fresh.records, ...structuredClone(src.records) };
    this.data.keyed = { ...fresh.keyed, ...structuredClone(src.keyed) };
    this.data.lists = { ...fresh.lists, ...structuredClone(src.lists) };
    if (from === "factory") this.data.menus.fcPorts = {};
    this.save();
  }

  /** Drop in-memory state and reload (after a simulator reset). */
  reload(): void {
    this.data = this.#load();
  }

  /** Save after a change. */
  save(): void {
    this.#store.save(this.data);
  }

  /** Record a new SEL entry for a component. */
  addEvent(e: Omit<HmmEvent, "time">): void {
    this.data.events.unshift({ ...e, time: this.#now() });
    if (this.data.events.length > 2000) this.data.events.length = 2000;
    this.save();
  }

  /** Validate and apply a record write; returns an error text or undefined. */
  writeRecord(name: string, form: Record<string, string>, key?: string): string | undefined {
    const s = SECTIONS[name] as RecordSection;
    const current = s.keyed
      ? this.data.keyed[name][key!] ?? { ...s.defaults }
      : this.data.records[name];
    const next = { ...current };
    let any = false;
    for (const [f, v] of Object.entries(form)) {
      const check = s.fields[f];
      if (!check) continue;
      const err = check(v);
      if (err) return `Invalid parameter ${f}: ${err}`;
      next[f] = v;
      any = true;
    }
    if (!any) return "Invalid parameter: no field to set";
    const err = s.check?.(next);
    if (err) return err;
    if (s.keyed) this.data.keyed[name][key!] = next;
    else this.data.records[name] = next;
    this.save();
    return undefined;
  }

  /** Rows of a list section. */
  rows(name: string): Record<string, string>[] {
    return this.data.lists[name] ?? [];
  }

  /** Add, modify or remove a row; returns an error text or undefined. */
  writeList(
    name: string,
    op: "add" | "modify" | "remove",
    form: Record<string, string>,
  ): string | undefined {
    const s = SECTIONS[name] as ListSection;
    const rows = this.data.lists[name];
    const keyValue = form[s.key];
    if (!keyValue) return `Invalid parameter ${s.key}: required`;
    const idx = rows.findIndex((r) => r[s.key] === keyValue);
    if (op === "remove") {
      if (idx < 0) return `The object ${keyValue} does not exist`;
      if (
        name === "computeProfiles" &&
        this.data.lists.nodeAssignments.some((n) => n.template === keyValue)
      ) return `The profile ${keyValue} is assigned to a node and cannot be deleted`;
      rows.splice(idx, 1);
      this.save();
      return undefined;
    }
    if (op === "add" && idx >= 0) return `The object ${keyValue} already exists`;
    if (op === "modify" && idx < 0) return `The object ${keyValue} does not exist`;
    if (op === "add" && rows.length >= s.max) {
      return `The maximum number of entries (${s.max}) is reached`;
    }
    const next: Record<string, string> = op === "add" ? { ...s.defaults } : { ...rows[idx] };
    for (const [f, v] of Object.entries(form)) {
      const check = s.fields[f];
      if (!check) continue;
      const err = check(v);
      if (err) return `Invalid parameter ${f}: ${err}`;
      next[f] = v;
    }
    if (op === "add") {
      for (const r of s.required) {
        if (!(r in next) || next[r] === "") return `Invalid parameter ${r}: required`;
      }
    }
    if (name === "nodeAssignments") {
      // Stateless computing: the identity belongs to the slot, so an empty slot may be bound too;
      // the profile takes effect when a blade is inserted (issue 5; reads show `present`/`status`).
      const exists = this.data.lists.computeProfiles.some((p) => p.name === next.template);
      if (!exists) return `The profile ${next.template} does not exist`;
    }
    // Keep the field order of the section (key first), as a GUI table would.
    const ordered = Object.fromEntries(
      Object.keys(s.fields).filter((k) => k in next).map((k) => [k, next[k]]),
    );
    if (op === "add") rows.push(ordered);
    else rows[idx] = ordered;
    this.save();
    return undefined;
  }
}
