/**
 * HMM web API pages that are not a plain settings record or record list: power records
 * (`powerhandler.php`), alarm simulation (`alarmhandler.php`), the SSL certificate
 * (`sslhandler.php`; after an import the HMM's HTTPS listener serves the new certificate), FC ports (`fcporthandler.php`) and configuration backup/restore
 * (`configrecoveryhandler.php`).
 *
 * Every verb here is an ASSUMPTION (no write verb of these menus was ever captured, hmm-web-api.md
 * §4.7); they follow the read style of the captured dispatchers: form POST with `actiontype`,
 * `<result>` with `retcode`/`desp`, lists as `<sum>` + rows, dates as asctime. docs/simulator.md
 * H.4 lists them.
 *
 * @module
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { HmmState } from "./state.ts";
import { asctime, el, fields } from "./xml.ts";

/** A reply of a menu page: retcode, desp, inner XML, HTTP status. */
export interface MenuReply {
  retcode: number;
  desp?: string;
  inner?: string;
  status?: number;
}

/** What the menu pages need from the web API. */
export interface MenuDeps {
  state: HmmState;
  now: () => number;
  /** Component present (`SlotN`, `SwiN`, `smm`). */
  present: (name: string) => boolean;
  /** Present switch module slots. */
  switchSlots: () => number[];
  /** Powered-on blades (for the power history level). */
  bladesOn: () => number;
  /** The simulator's own HMM certificate (PEM), shown until one is imported. */
  defaultCert?: string;
  /** Called after a certificate import: the HTTPS listener switches to it. */
  onCertificate?: () => void;
}

const OK = "The operation succeeded";
const HOUR = 3600_000;
/** Hours of power history kept (7 days). */
export const POWER_HISTORY_HOURS = 168;
/** FC ports per switch module (assumption). */
export const FC_PORTS = 8;
const FC_DEFAULTS = { enabled: "1", speed: "auto", mode: "F" };
const SIM_SENSOR = "Alarm Simulation";

const ok = (inner = ""): MenuReply => ({ retcode: 0, desp: OK, inner });
const bad = (desp: string): MenuReply => ({ retcode: 3, desp });

function paging(form: Record<string, string>): { page: number; perpage: number } | undefined {
  const page = Number(form.page ?? "1");
  const perpage = Number(form.perpage ?? "10");
  if (
    !Number.isInteger(page) || page < 1 || !Number.isInteger(perpage) || perpage < 1 ||
    perpage > 1000
  ) return undefined;
  return { page, perpage };
}

/** Hourly power samples, newest first: average and peak watts, deterministic per hour. */
function powerHistory(d: MenuDeps): { time: number; average: number; peak: number }[] {
  const end = Math.floor(d.now() / HOUR) * HOUR;
  const cleared = d.state.data.menus.powerClearedAt ?? 0;
  const base = 600 + 250 * d.bladesOn();
  const out = [];
  for (let i = 0; i < POWER_HISTORY_HOURS; i++) {
    const time = end - i * HOUR;
    if (time <= cleared) break;
    const h = Math.floor(time / HOUR);
    const average = base + ((h * 37) % 200) - 100;
    out.push({ time, average, peak: average + 80 + ((h * 13) % 120) });
  }
  return out;
}

function certInfo(pem: string): Record<string, string> {
  const x = new X509Certificate(pem);
  return {
    subject: x.subject.replaceAll("\n", ", "),
    issuer: x.issuer.replaceAll("\n", ", "),
    validfrom: asctime(Date.parse(x.validFrom)),
    validto: asctime(Date.parse(x.validTo)),
    serialnumber: x.serialNumber,
    fingerprint: x.fingerprint256,
  };
}

function importCert(d: MenuDeps, form: Record<string, string>): MenuReply {
  const pem = form.cert ?? "";
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
    return bad("Invalid parameter cert: a PEM certificate is required");
  }
  let x: X509Certificate;
  try {
    x = new X509Certificate(pem);
  } catch {
    return bad("Invalid parameter cert: the certificate cannot be parsed");
  }
  if (Date.parse(x.validTo) <= d.now()) return bad("The certificate has expired");
  let key;
  try {
    key = createPrivateKey({
      key: form.privatekey ?? "",
      format: "pem",
      ...(form.keypwd ? { passphrase: form.keypwd } : {}),
    });
  } catch {
    return bad(
      "Invalid parameter privatekey: the private key cannot be read (wrong format or password)",
    );
  }
  if (!x.checkPrivateKey(key)) return bad("The private key does not match the certificate");
  d.state.data.menus.sslCert = pem;
  d.state.data.menus.sslKey = key.export({ type: "pkcs8", format: "pem" }) as string;
  d.state.addEvent({
    level: 0,
    source: "MM",
    sensor: "SSL Certificate",
    description: "SSL certificate imported",
    code: "0X2C01FF10",
    asserted: true,
    component: "smm",
  });
  d.onCertificate?.();
  return ok();
}

function simulate(d: MenuDeps, form: Record<string, string>, assert: boolean): MenuReply {
  const source = form.bladename ?? "";
  if (!/^(smm|Slot([1-9]|1[0-6])|Swi[1-4]|Fan([1-9]|1[0-4])|PEM[1-6])$/.test(source)) {
    return bad("Invalid parameter bladename: must be smm, SlotN, SwiN, FanN or PEMN");
  }
  if ((/^(Slot|Swi)/.test(source)) && !d.present(source)) {
    return { retcode: 5, status: 400 };
  }
  const code = (form.eventcode ?? "").toUpperCase();
  if (!/^0X[0-9A-F]{8}$/.test(code)) {
    return bad("Invalid parameter eventcode: must look like 0X5F0001FF");
  }
  const alarms = d.state.data.alarms;
  const active = alarms.find((a) =>
    a.sensor === SIM_SENSOR && a.source === source && a.code === code && !a.cleared
  );
  if (!assert) {
    if (!active) return bad(`No simulated alarm ${code} on ${source}`);
    active.cleared = true;
    active.asserted = false;
    d.state.save();
    return ok();
  }
  const level = Number(form.level ?? "");
  if (![1, 2, 3].includes(level)) return bad("Invalid parameter level: must be 1, 2 or 3");
  if (active) return bad(`The alarm ${code} on ${source} is already simulated`);
  const desp = form.eventdesp ?? "Simulated alarm";
  // deno-lint-ignore no-control-regex
  if (desp.length > 127 || /[\x00-\x1f<>&]/.test(desp)) {
    return bad("Invalid parameter eventdesp: one line, at most 127 characters");
  }
  const e = {
    level: level as 1 | 2 | 3,
    source,
    sensor: SIM_SENSOR,
    description: desp,
    code,
    asserted: true,
    cleared: false,
    component: "smm",
  };
  alarms.unshift({ ...e, time: d.now() });
  d.state.addEvent(e);
  return ok();
}

function fcRows(d: MenuDeps): Record<string, string>[] {
  const rows = [];
  for (const slot of d.switchSlots()) {
    for (let p = 1; p <= FC_PORTS; p++) {
      const cur = d.state.data.menus.fcPorts[`Swi${slot}:FC${p}`] ?? FC_DEFAULTS;
      rows.push({ bladename: `Swi${slot}`, port: `FC${p}`, ...FC_DEFAULTS, ...cur });
    }
  }
  return rows;
}

function setFc(d: MenuDeps, form: Record<string, string>): MenuReply {
  const sw = form.bladename ?? "";
  if (!/^Swi[1-4]$/.test(sw)) return bad("Invalid parameter bladename: must be Swi1..Swi4");
  if (!d.present(sw)) return { retcode: 5, status: 400 };
  const port = form.port ?? "";
  if (!new RegExp(`^FC[1-${FC_PORTS}]$`).test(port)) {
    return bad(`Invalid parameter port: must be FC1..FC${FC_PORTS}`);
  }
  const checks: Record<string, string[]> = {
    enabled: ["0", "1"],
    speed: ["auto", "4G", "8G", "16G"],
    mode: ["F", "E", "N"],
  };
  const key = `${sw}:${port}`;
  const next = { ...FC_DEFAULTS, ...d.state.data.menus.fcPorts[key] };
  let any = false;
  for (const [f, allowed] of Object.entries(checks)) {
    const v = form[f];
    if (v === undefined) continue;
    if (!allowed.includes(v)) {
      return bad(`Invalid parameter ${f}: "${v}" must be one of ${allowed.join(", ")}`);
    }
    next[f as keyof typeof next] = v;
    any = true;
  }
  if (!any) return bad("Invalid parameter: no field to set");
  d.state.data.menus.fcPorts[key] = next;
  d.state.save();
  return ok();
}

function recovery(d: MenuDeps): string {
  const m = d.state.data.menus;
  return `<configrecovery>${
    fields({
      backuptime: m.backup ? asctime(m.backup.time) : "",
      restoretime: m.lastRestore ? asctime(m.lastRestore.time) : "",
      restoresource: m.lastRestore?.source ?? "",
    })
  }</configrecovery>`;
}

function restore(d: MenuDeps, form: Record<string, string>): MenuReply {
  const source = form.source ?? "";
  const m = d.state.data.menus;
  if (source !== "backup" && source !== "factory") {
    return bad("Invalid parameter source: must be backup or factory");
  }
  if (source === "backup" && !m.backup) return bad("No configuration backup exists");
  d.state.restoreSettings(source === "backup" ? m.backup! : "factory");
  m.lastRestore = { time: d.now(), source };
  d.state.addEvent({
    level: 1,
    source: "MM",
    sensor: "Configuration",
    description: `Configuration restored from ${source}`,
    code: "0X2C01FF20",
    asserted: true,
    component: "smm",
  });
  return ok();
}

/**
 * Answers one of the pages of this module, or undefined when `handler`/`action` is not one.
 *
 * @example
 * const r = handleMenu("powerhandler.php", "getpowerhistory", { page: "1" }, deps);
 */
export function handleMenu(
  handler: string,
  action: string,
  form: Record<string, string>,
  d: MenuDeps,
): MenuReply | undefined {
  switch (`${handler} ${action}`) {
    case "powerhandler.php getpowerhistory": {
      const p = paging(form);
      if (!p) return bad("Invalid parameter page or perpage");
      const all = powerHistory(d);
      return ok(
        el("sum", all.length) +
          all.slice((p.page - 1) * p.perpage, p.page * p.perpage).map((r) =>
            `<powerrecord>${
              fields({ datetime: asctime(r.time), average: r.average, peak: r.peak })
            }</powerrecord>`
          ).join(""),
      );
    }
    case "powerhandler.php clearpowerhistory":
      d.state.data.menus.powerClearedAt = d.now();
      d.state.save();
      return ok();
    case "alarmhandler.php getsimulatealarm": {
      const rows = d.state.data.alarms.filter((a) => a.sensor === SIM_SENSOR && !a.cleared);
      return ok(
        el("sum", rows.length) +
          rows.map((a) =>
            `<simalarm>${
              fields({
                bladename: a.source,
                eventcode: a.code,
                level: a.level,
                eventdesp: a.description,
                datetime: asctime(a.time),
              })
            }</simalarm>`
          ).join(""),
      );
    }
    case "alarmhandler.php simulatealarm":
      return simulate(d, form, true);
    case "alarmhandler.php stopsimulatealarm":
      return simulate(d, form, false);
    case "sslhandler.php getcert": {
      const pem = d.state.data.menus.sslCert ?? d.defaultCert;
      if (!pem) return ok("<cert></cert>");
      return ok(`<cert>${fields(certInfo(pem))}</cert>`);
    }
    case "sslhandler.php importcert":
      return importCert(d, form);
    case "fcporthandler.php listfcport": {
      const p = paging(form);
      if (!p) return bad("Invalid parameter page or perpage");
      const rows = fcRows(d);
      return ok(
        el("sum", rows.length) +
          rows.slice((p.page - 1) * p.perpage, p.page * p.perpage).map((r) =>
            `<fcport>${fields(r)}</fcport>`
          ).join(""),
      );
    }
    case "fcporthandler.php setfcport":
      return setFc(d, form);
    case "configrecoveryhandler.php getconfigrecovery":
      return ok(recovery(d));
    case "configrecoveryhandler.php backupconfig":
      d.state.data.menus.backup = { time: d.now(), ...d.state.settingsSnapshot() };
      d.state.save();
      return ok();
    case "configrecoveryhandler.php restoreconfig":
      return restore(d, form);
  }
  return undefined;
}
