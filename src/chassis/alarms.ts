/**
 * Alarm monitoring (HMM menu "Alarm Monitoring"): active alarms with paging, the event log (SEL)
 * per component, summary counters, alarm reporting settings, alarm simulation
 * (`alarmhandler.php getsimulatealarm/simulatealarm/stopsimulatealarm`; verbs never captured on a
 * real HMM, shapes per docs/simulator.md H.4 "assumption": a simulated alarm shows among the
 * active alarms with sensor "Alarm Simulation" until it is stopped).
 *
 * Transport: the HMM web API `selhandler.php` (`alarm`, `sel`; hmm-web-api.md §4.5–4.6 [live]):
 * the HMM Redfish service has no alarm resource, and its log service covers the HMM only. Blade
 * event logs prefer the blade's iBMC Redfish `LogServices` when it answers.
 *
 * Quirks handled (hmm-web-api.md §6): counters may include cleared alarms (`cleartag` 1), so
 * `active` is computed from the entries; `page` is 1-based and `sum` is the grand total; dates are
 * asctime strings without a zone (kept verbatim, plus an ISO form read as UTC); event codes carry
 * an upper-case `0X` prefix.
 *
 * @example
 * const a = alarms(chassis);
 * const { alarms: list, counts } = await a.active();
 * const sel = await a.events("Slot3", { perpage: 50 });
 */
import { z } from "zod";
import { DeviceError, NotFoundError, ValidationError } from "../errors.ts";
import { WebApiError } from "../drivers/webapi/client.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { children, childText, type XmlNode } from "../drivers/webapi/xml.ts";
import type { Chassis } from "./chassis.ts";
import { type DeviceHub, isNoService, perChassis } from "./hub.ts";
import { ibmcAccess } from "./ibmc.ts";
import {
  type Fields,
  type Input,
  modelSchema,
  readSection,
  type SectionDef,
  writeSection,
} from "./webform.ts";

/** A simulated alarm. */
export const SimulatedAlarmSchema = z.object({
  source: z.string().describe("Component the alarm is raised on: smm, SlotN, SwiN, FanN, PEMN"),
  code: z.string().describe("Event code, upper-case 0X + 8 hex digits"),
  level: z.number().int().describe("1 minor, 2 major, 3 critical"),
  description: z.string().describe("Event text shown with the alarm"),
  time: z.string().describe("When it was asserted (asctime, no zone)"),
  timeIso: z.string().optional().describe("Same, read as UTC"),
});
/** A simulated alarm. */
export type SimulatedAlarm = z.infer<typeof SimulatedAlarmSchema>;

/** What {@link AlarmModule.createSimulatedAlarm} takes. */
export const SimulatedAlarmInputSchema = z.object({
  source: z.string().regex(
    /^(smm|Slot([1-9]|1[0-6])|Swi[1-4]|Fan([1-9]|1[0-4])|PEM[1-6])$/i,
    "must be smm, Slot1-Slot16, Swi1-Swi4, Fan1-Fan14 or PEM1-PEM6",
  ).describe("Component: smm, SlotN, SwiN, FanN, PEMN"),
  code: z.string().regex(/^0x[0-9a-f]{8}$/i, "must look like 0X0801FFFF").describe(
    "Event code (0X + 8 hex digits)",
  ),
  level: z.union([z.literal(1), z.literal(2), z.literal(3)]).describe(
    "1 minor, 2 major, 3 critical",
  ),
  // deno-lint-ignore no-control-regex
  description: z.string().max(127).regex(/^[^\x00-\x1f<>&]*$/, "one line without < > &")
    .optional().describe("Event text (default: Simulated alarm)"),
}).strict();
/** What {@link AlarmModule.createSimulatedAlarm} takes. */
export type SimulatedAlarmInput = z.input<typeof SimulatedAlarmInputSchema>;

function checkSimulated(a: unknown): SimulatedAlarmInput {
  const r = SimulatedAlarmInputSchema.safeParse(a);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ValidationError(`Invalid simulated alarm ${i.path.join(".")}: ${i.message}`, {
      field: i.path.join("."),
      hint: "Nothing was sent to the chassis",
    });
  }
  const d = r.data;
  const src = d.source.replace(
    /^(smm|slot|swi|fan|pem)/i,
    (p) =>
      p.toLowerCase() === "smm"
        ? "smm"
        : p.toLowerCase() === "pem"
        ? "PEM"
        : p[0].toUpperCase() + p.slice(1).toLowerCase(),
  );
  return { ...d, source: src, code: `0X${d.code.slice(2).toUpperCase()}` };
}

/** Alarm reporting settings (SNMP trap, e-mail). */
export const ALARM_SETTINGS_FIELDS = {
  trapEnabled: { wire: "trapenabled", kind: "bool", describe: "Send SNMP traps" },
  trapVersion: { wire: "trapversion", kind: "string", describe: "Trap version, e.g. v2c" },
  trapServer: { wire: "trapserver", kind: "string", describe: "Trap receiver" },
  trapPort: { wire: "trapport", kind: "int", min: 1, max: 65535, describe: "Trap port" },
  community: { wire: "community", kind: "secret", describe: "SNMP community (write-only)" },
  emailEnabled: { wire: "emailenabled", kind: "bool", describe: "Send e-mail" },
  smtpServer: { wire: "smtpserver", kind: "string", describe: "SMTP server" },
  emailTo: { wire: "emailto", kind: "string", describe: "Recipient" },
  minLevel: { wire: "minlevel", kind: "string", describe: "Lowest severity reported, e.g. minor" },
} as const satisfies Fields;
/** Alarm settings model. */
export const AlarmSettingsSchema = modelSchema(ALARM_SETTINGS_FIELDS);

const SETTINGS: SectionDef<typeof ALARM_SETTINGS_FIELDS> = {
  what: "alarm settings",
  handler: "alarmhandler.php",
  get: "getalarmconfig",
  set: "setalarmconfig",
  element: "alarmconfig",
  fields: ALARM_SETTINGS_FIELDS,
};

/** Severity names by level (1 = Minor is presumed: never seen upstream). */
export const SEVERITIES = ["Normal", "Minor", "Major", "Critical"] as const;

/** One alarm. */
export const AlarmSchema = z.object({
  level: z.number().int().describe("0 Normal, 1 Minor (presumed), 2 Major, 3 Critical"),
  severity: z.string().describe("leveldesp as the HMM prints it"),
  source: z.string().describe("Component, e.g. MM1, PSU, Slot3"),
  sensor: z.string().describe("Sensor name, e.g. PS3 Status"),
  time: z.string().describe("As printed (asctime, no zone)"),
  timeIso: z.string().optional().describe("The same read as UTC, ISO 8601"),
  description: z.string().describe("eventdesp"),
  code: z.string().describe("Event code, e.g. 0X0801FFFF"),
  cleared: z.boolean().describe("cleartag 1: cleared but still listed"),
});
/** One alarm. */
export type Alarm = z.infer<typeof AlarmSchema>;

/** A page of alarms. */
export const AlarmPageSchema = z.object({
  counts: z.object({
    sum: z.number().int().describe("Total entries the HMM has (may include cleared ones)"),
    critical: z.number().int(),
    major: z.number().int(),
    minor: z.number().int(),
  }).describe("Counters as the HMM reports them"),
  active: z.number().int().describe("Entries on this page not cleared"),
  alarms: z.array(AlarmSchema),
});
/** A page of alarms. */
export type AlarmPage = z.infer<typeof AlarmPageSchema>;

/** One event log entry. */
export const EventSchema = z.object({
  level: z.number().int().describe("Severity level"),
  severity: z.string().describe("Severity text"),
  time: z.string().describe("As printed"),
  timeIso: z.string().optional().describe("Read as UTC, ISO 8601"),
  source: z.string().describe("Component"),
  sensor: z.string().describe("Sensor name"),
  description: z.string().describe("What happened"),
  asserted: z.boolean().describe("Asserted (true) or Deasserted (false)"),
});
/** One event log entry. */
export type Event = z.infer<typeof EventSchema>;

/** A page of events. */
export const EventPageSchema = z.object({
  component: z.string().describe("smm, othersmm, Slot<N>, Swi<N>"),
  sum: z.number().int().describe("Total events of the component"),
  events: z.array(EventSchema).describe("Newest first"),
  transport: z.enum(["web", "redfish"]).describe("Where the events came from"),
});
/** A page of events. */
export type EventPage = z.infer<typeof EventPageSchema>;

/** Paging options. */
export interface PageOptions extends CallOptions {
  /** 1-based page (default 1). */
  page?: number;
  /** Entries per page (default 50; the GUI uses 10, upstream 50 and 100). */
  perpage?: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Wed Mar 11 06:42:18 2026` → `2026-03-11T06:42:18Z` (the HMM gives no zone: read as UTC). */
export function asctimeToIso(s: string): string | undefined {
  const m = /^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(s.trim());
  if (!m) return undefined;
  const mon = MONTHS.indexOf(m[1]);
  if (mon < 0) return undefined;
  return new Date(Date.UTC(+m[6], mon, +m[2], +m[3], +m[4], +m[5])).toISOString().replace(
    ".000Z",
    "Z",
  );
}

const num = (s: string | undefined, d = 0) => (s && /^-?\d+$/.test(s) ? Number(s) : d);

/** Reads a `selhandler.php alarm` reply. */
export function parseAlarms(doc: XmlNode | undefined): AlarmPage {
  const block = doc ? children(doc, "alarms")[0] : undefined;
  const alarms = children(block, "alarm").map((a) => {
    const time = childText(a, "datetime") ?? "";
    const iso = asctimeToIso(time);
    return {
      level: num(childText(a, "level")),
      severity: childText(a, "leveldesp") ?? "",
      source: childText(a, "source") ?? "",
      sensor: childText(a, "sensorname") ?? "",
      time,
      ...(iso ? { timeIso: iso } : {}),
      description: childText(a, "eventdesp") ?? "",
      code: childText(a, "eventcode") ?? "",
      cleared: childText(a, "cleartag") === "1",
    };
  });
  return AlarmPageSchema.parse({
    counts: {
      sum: num(childText(block, "sum")),
      critical: num(childText(block, "critical")),
      major: num(childText(block, "major")),
      minor: num(childText(block, "minor")),
    },
    active: alarms.filter((a) => !a.cleared).length,
    alarms,
  });
}

/** Reads a `selhandler.php sel` reply. */
export function parseSel(doc: XmlNode | undefined, component: string): EventPage {
  const events = children(doc, "sel").map((e) => {
    const time = childText(e, "datetime") ?? "";
    const iso = asctimeToIso(time);
    return {
      level: num(childText(e, "level")),
      severity: childText(e, "leveldesp") ?? "",
      time,
      ...(iso ? { timeIso: iso } : {}),
      source: childText(e, "source") ?? "",
      sensor: childText(e, "sensorname") ?? "",
      description: childText(e, "eventdesp") ?? "",
      asserted: !/^deassert/i.test(childText(e, "assert") ?? ""),
    };
  });
  return EventPageSchema.parse({
    component,
    sum: num(childText(doc, "sum"), events.length),
    events,
    transport: "web",
  });
}

/** Components that have an event log. */
export function checkComponent(c: string): string {
  if (/^(smm|othersmm)$/.test(c)) return c;
  const s = /^slot(\d+)$/i.exec(c);
  if (s && +s[1] >= 1 && +s[1] <= 16) return `Slot${+s[1]}`;
  const w = /^swi([1-4])$/i.exec(c);
  if (w) return `Swi${w[1]}`;
  throw new NotFoundError(`Unknown component ${c}`, {
    hint: "Use smm, othersmm, Slot1-Slot16 or Swi1-Swi4",
  });
}

/**
 * Checks paging options (page 1-based, perpage 1-500; defaults 1 and 50).
 *
 * @throws {ValidationError} out of range (nothing sent)
 */
export function checkPage(o: PageOptions): { page: number; perpage: number } {
  const page = o.page ?? 1;
  const perpage = o.perpage ?? 50;
  if (!Number.isInteger(page) || page < 1) {
    throw new ValidationError(`Invalid page ${page}: pages start at 1`, { field: "page" });
  }
  if (!Number.isInteger(perpage) || perpage < 1 || perpage > 500) {
    throw new ValidationError(`Invalid perpage ${perpage}: use 1-500`, { field: "perpage" });
  }
  return { page, perpage };
}

/** Alarm monitoring of one chassis. */
export class AlarmModule {
  readonly hub: DeviceHub;
  constructor(hub: DeviceHub) {
    this.hub = hub;
  }

  /** One page of the alarm list (active and cleared entries, with the HMM's counters). */
  async active(o: PageOptions = {}): Promise<AlarmPage> {
    const { page, perpage } = checkPage(o);
    const r = await this.hub.web("selhandler.php", {
      actiontype: "alarm",
      page: String(page),
      perpage: String(perpage),
      chassisid: "0",
      isstep: "1",
      bladename: "all",
    }, { ...o, referer: "/alarm_config.html?chassisid=0", idempotent: true });
    return parseAlarms(r.doc);
  }

  /** Every alarm, following the pages until `sum` entries were read. */
  async all(o: CallOptions & { perpage?: number } = {}): Promise<AlarmPage> {
    const perpage = o.perpage ?? 100;
    const first = await this.active({ ...o, page: 1, perpage });
    const pages = Math.ceil(first.counts.sum / perpage);
    const rest = await this.hub.map(
      Array.from({ length: Math.max(0, pages - 1) }, (_, i) => i + 2),
      (page) => this.active({ ...o, page, perpage }),
    );
    const alarms = [first, ...rest].flatMap((p) => p.alarms);
    return { counts: first.counts, active: alarms.filter((a) => !a.cleared).length, alarms };
  }

  /** Summary counters (one small page). */
  async summary(o: CallOptions = {}): Promise<AlarmPage["counts"] & { active: number }> {
    const all = await this.all({ ...o, perpage: 100 });
    return { ...all.counts, active: all.active };
  }

  /**
   * One page of a component's event log (`smm`, `othersmm`, `Slot<N>`, `Swi<N>`). A blade's log
   * comes from its iBMC Redfish `LogServices` when reachable, else from the HMM.
   *
   * @throws {NotFoundError} unknown component
   */
  async events(component: string, o: PageOptions = {}): Promise<EventPage> {
    const c = checkComponent(component);
    const { page, perpage } = checkPage(o);
    const slot = /^Slot(\d+)$/.exec(c);
    const acc = ibmcAccess(this.hub);
    if (slot && acc.hasRedfish(+slot[1])) {
      try {
        return await this.#ibmcEvents(c, +slot[1], page, perpage, o);
      } catch (e) {
        if (!isNoService(e)) throw e;
      }
    }
    const r = await this.hub.web("selhandler.php", {
      actiontype: "sel",
      page: String(page),
      perpage: String(perpage),
      chassisid: "0",
      bladename: c,
    }, {
      ...o,
      referer: `/${c === "smm" || c === "othersmm" ? "smm" : c}.html?chassisid=0`,
      idempotent: true,
    });
    return parseSel(r.doc, c);
  }

  /** Alarm reporting settings (`alarmhandler.php`; shape per docs/simulator.md H.4). */
  settings(o: CallOptions = {}) {
    return readSection(this.hub, SETTINGS, {}, o);
  }

  /** Changes alarm reporting settings (read back; the community is write-only). */
  setSettings(v: Input<typeof ALARM_SETTINGS_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, SETTINGS, v, {}, o);
  }

  /** Alarms being simulated (asserted by {@link createSimulatedAlarm}, not yet stopped). */
  async simulatedAlarms(o: CallOptions = {}): Promise<SimulatedAlarm[]> {
    const r = await this.hub.web("alarmhandler.php", {
      actiontype: "getsimulatealarm",
      chassisid: "0",
    }, { ...o, idempotent: true, referer: "/alarm_config.html?chassisid=0" });
    return children(r.doc, "simalarm").map((n) => {
      const time = childText(n, "datetime") ?? "";
      const iso = asctimeToIso(time);
      return SimulatedAlarmSchema.parse({
        source: childText(n, "bladename") ?? "",
        code: childText(n, "eventcode") ?? "",
        level: Number(childText(n, "level") ?? "0"),
        description: childText(n, "eventdesp") ?? "",
        time,
        ...(iso ? { timeIso: iso } : {}),
      });
    });
  }

  /**
   * Asserts a simulated alarm (HMM menu "Alarm Monitoring → Simulation"): it shows among the active
   * alarms and may trigger traps and e-mails like a real one. Read back from the simulation list.
   *
   * @throws {ValidationError} bad source, code or level (nothing sent), or refused by the HMM
   * @throws {DeviceError} not listed afterwards
   * @example
   * await alarms(chassis).createSimulatedAlarm({ source: "PEM2", code: "0X0801FFFF", level: 3 });
   */
  async createSimulatedAlarm(
    a: SimulatedAlarmInput,
    o: CallOptions = {},
  ): Promise<SimulatedAlarm> {
    const v = checkSimulated(a);
    return await this.hub.serialize("hmm", async () => {
      await this.#simWrite("simulatealarm", {
        bladename: v.source,
        eventcode: v.code,
        level: String(v.level),
        ...(v.description !== undefined ? { eventdesp: v.description } : {}),
      }, o);
      const got = (await this.simulatedAlarms(o)).find((x) =>
        x.source === v.source && x.code === v.code
      );
      if (!got || got.level !== v.level) {
        throw new DeviceError(
          `Inconsistent result after apply: simulated alarm ${v.code} on ${v.source} is not listed`,
          { device: "hmm" },
        );
      }
      return got;
    });
  }

  /**
   * Stops a simulated alarm (it is cleared among the active alarms); checked afterwards.
   *
   * @throws {NotFoundError} no such simulated alarm (unless `missingOk`)
   */
  async deleteSimulatedAlarm(
    source: string,
    code: string,
    o: CallOptions & { missingOk?: boolean } = {},
  ): Promise<void> {
    const v = checkSimulated({ source, code, level: 1 });
    await this.hub.serialize("hmm", async () => {
      const listed = (await this.simulatedAlarms(o)).some((x) =>
        x.source === v.source && x.code === v.code
      );
      if (!listed) {
        if (o.missingOk) return;
        throw new NotFoundError(`No simulated alarm ${v.code} on ${v.source}`);
      }
      await this.#simWrite("stopsimulatealarm", { bladename: v.source, eventcode: v.code }, o);
      if ((await this.simulatedAlarms(o)).some((x) => x.source === v.source && x.code === v.code)) {
        throw new DeviceError(
          `Inconsistent result after apply: simulated alarm ${v.code} on ${v.source} still listed`,
          { device: "hmm" },
        );
      }
    });
  }

  async #simWrite(action: string, form: Record<string, string>, o: CallOptions): Promise<void> {
    try {
      await this.hub.web("alarmhandler.php", { actiontype: action, chassisid: "0", ...form }, {
        ...o,
        referer: "/alarm_config.html?chassisid=0",
      });
    } catch (e) {
      if (e instanceof WebApiError && e.retcode === 3) {
        throw new ValidationError(`The HMM refused the alarm simulation: ${e.desp ?? e.message}`, {
          cause: e,
          hint: "The chassis validated the request and changed nothing",
        });
      }
      throw e;
    }
  }

  async #ibmcEvents(
    c: string,
    slot: number,
    page: number,
    perpage: number,
    o: CallOptions,
  ): Promise<EventPage> {
    const acc = ibmcAccess(this.hub);
    const sys = await acc.systemPath(slot, o);
    const logs =
      (await acc.get<{ Members?: { "@odata.id": string }[] }>(slot, `${sys}/LogServices`, o))
        .data.Members ?? [];
    if (!logs[0]) throw new NotFoundError(`No log service on the iBMC of slot ${slot}`);
    const skip = (page - 1) * perpage;
    const entries = (await acc.get<{
      Members?: Record<string, unknown>[];
      "Members@odata.count"?: number;
    }>(slot, `${logs[0]["@odata.id"]}/Entries?$skip=${skip}&$top=${perpage}`, o)).data;
    const members = entries.Members ?? [];
    const sliced = members.length > perpage ? members.slice(skip, skip + perpage) : members;
    return EventPageSchema.parse({
      component: c,
      sum: entries["Members@odata.count"] ?? members.length,
      transport: "redfish",
      events: sliced.map((m) => {
        const sev = String(m.Severity ?? "OK");
        return {
          level: sev === "Critical" ? 3 : sev === "Warning" ? 2 : 0,
          severity: sev,
          time: String(m.Created ?? ""),
          ...(m.Created ? { timeIso: String(m.Created) } : {}),
          source: c,
          sensor: String(m.SensorType ?? m.Name ?? ""),
          description: String(m.Message ?? ""),
          asserted: String(m.EntryCode ?? "Assert") !== "Deassert",
        };
      }),
    });
  }
}

/**
 * The alarm module of a chassis (cached per chassis).
 *
 * @example
 * const counts = await alarms(chassis).summary();
 */
export const alarms: (chassis: Chassis) => AlarmModule = perChassis((_c, hub) =>
  new AlarmModule(hub)
);
