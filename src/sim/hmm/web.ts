/**
 * The HMM web API (`*handler.php` dispatchers) of the simulated E9000, after
 * docs/hardware/hmm-web-api.md: `loginhandler.php` (`queryverify`, `login`, `Custom-Token: 0`,
 * `<csrftoken>`, `SESSID`), token + cookie + Referer checked on every call, lockout after repeated
 * bad passwords, XML replies with `retcode`/`desp`, HTTP 400 cases, versions, SEL and alarms with
 * paging, the firmware upgrade flow, and reads/writes of the menus listed in `settings.ts`.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { SimContext } from "../context.ts";
import { httpFaults } from "../faults.ts";
import type { BladeState } from "../ibmc/blade.ts";
import { Lockout, sameSecret } from "../ibmc/redfish_common.ts";
import { handleMenu } from "./menus.ts";
import { type ListSection, type RecordSection, SECTIONS } from "./settings.ts";
import type { HmmEvent, HmmState } from "./state.ts";
import { asctime, el, fields, result, versionText, XML_DECL } from "./xml.ts";

/** Options of the web API. */
export interface HmmWebOptions {
  /** Consecutive bad passwords before the account is locked (default 5). */
  lockoutThreshold?: number;
  /** Lock time (default 5 minutes, as observed). */
  lockoutMs?: number;
  /** Web session idle timeout (default 30 minutes; real value unknown). */
  sessionIdleMs?: number;
  /** Duration of one firmware flash (default 30 s). */
  upgradeMs?: number;
}

interface WebSession {
  id: string;
  token?: string;
  /** Per-session KVM applet secrets (`/kvm.html`). */
  kvm?: { verify: string; secretkey: string; secretiv: string; ext: string; typedata: string };
  user?: string;
  lastUsed: number;
  expiresAt?: number;
}

interface UpgradeTarget {
  name: string;
  kind: "smm" | "swi" | "blade";
  slot?: number;
  start: number;
  durationMs: number;
  failAt?: number;
  failMessage?: string;
  settled?: boolean;
}

/** Everything the web API needs. */
export interface HmmWebDeps {
  ctx: Pick<SimContext, "faults" | "credentials" | "topology" | "switches">;
  state: HmmState;
  blades: Map<number, BladeState>;
  now: () => number;
  /** PEM of the HMM's own TLS certificate (`sslhandler.php getcert` until one is imported). */
  hmmCert?: string;
  /** Called after `sslhandler.php importcert` stored a new certificate (listener switch). */
  onCertificate?: () => void;
}

/** Retcodes of the simulator (the real table is unknown; 5 = absent FRU is from a fixture). */
export const RETCODE = {
  ok: 0,
  authFailed: 1,
  locked: 2,
  invalidParam: 3,
  sessionInvalid: 4,
  absent: 5,
  busy: 6,
  notFound: 7,
  flashFailed: 12,
} as const;

const OK_DESP = "The operation succeeded";

const UPGRADE_PAGES: Record<string, "smm" | "swi" | "blade"> = {
  "/system_manage_smm.html": "smm",
  "/system_manage_swi.html": "swi",
  "/system_manage_blade.html": "blade",
};

function xml(c: Context, body: string, status = 200): Response {
  return c.body(body, status as 200, { "Content-Type": "text/xml; charset=UTF-8" });
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

function page(title: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><div id="app">${title}</div></body></html>`;
}

/** Infer a firmware image's target kind from its file name (undefined when unknown). */
function imageKind(name: string): "smm" | "swi" | "blade" | undefined {
  const n = name.toLowerCase();
  if (/smm|mm910|hmm/.test(n)) return "smm";
  if (/cx\d|swi|switch/.test(n)) return "swi";
  if (/ch\d|imana|ibmc|bios|cpld|blade/.test(n)) return "blade";
  return undefined;
}

function versionFrom(name: string): string | undefined {
  return /(\d+\.\d+(?:\.\d+)?)/.exec(name)?.[1];
}

/** Create the web API app (mounted at `/` of the HMM's HTTPS server). */
export function createHmmWebApp(deps: HmmWebDeps, options: HmmWebOptions = {}): Hono {
  const { ctx, state, blades, now } = deps;
  const t = ctx.topology;
  let lockout = new Lockout(options.lockoutThreshold ?? 5, options.lockoutMs ?? 300_000, now);
  let idleMs = options.sessionIdleMs ?? 30 * 60_000;
  /**
   * A written security policy (`securityhandler.php setsecurity`) takes effect at once: login
   * lockout threshold (0 = never) and time, web session idle timeout. Until one is written the
   * options apply (assumption: the real HMM applies the policy immediately).
   */
  const applySecurity = (r: Record<string, string>) => {
    const th = Number(r.lockoutthreshold);
    lockout = new Lockout(
      th === 0 ? Number.MAX_SAFE_INTEGER : th,
      Number(r.lockoutminutes) * 60_000,
      now,
    );
    idleMs = Number(r.sessiontimeout) * 60_000;
  };
  const sessions = new Map<string, WebSession>();
  let upload: { name: string; size: number; kind?: "smm" | "swi" | "blade" } | undefined;
  let job: UpgradeTarget[] = [];
  const app = new Hono();

  // Bad input is answered like the device would (retcode), never with a stack trace.
  app.onError((_err, c) => xml(c, result(RETCODE.invalidParam, "Invalid parameter"), 400));
  app.notFound((c) => c.html(page("404 Not Found"), 404));
  app.use("*", httpFaults(ctx, "hmm", "web"));

  const cookieSession = (c: Context): WebSession | undefined => {
    const m = /(?:^|;\s*)SESSID=([^;]+)/.exec(c.req.header("Cookie") ?? "");
    if (!m) return undefined;
    const s = sessions.get(m[1]);
    if (!s) return undefined;
    const n = now();
    if ((s.expiresAt !== undefined && n >= s.expiresAt) || n - s.lastUsed > idleMs) {
      sessions.delete(s.id);
      return undefined;
    }
    return s;
  };
  const newSession = (c: Context): WebSession => {
    const s: WebSession = { id: randomHex(16), lastUsed: now() };
    sessions.set(s.id, s);
    c.header("Set-Cookie", `SESSID=${s.id}; path=/; secure; HttpOnly`, { append: true });
    return s;
  };

  // ---- pages
  app.get("/", (c) => c.redirect("/login.html", 302));
  app.get("/login.html", (c) => {
    if (!cookieSession(c)) newSession(c);
    return c.html(page("Login"));
  });
  // The KVM applet page: the token travels in X-CSRF-Token here (hmm-web-api.md §2.1, §7).
  app.get("/kvm.html", (c) => {
    const s = cookieSession(c);
    const token = c.req.header("X-CSRF-Token");
    if (!s?.token || !token || !sameSecret(token, s.token)) {
      return c.html(page("Login"), 403);
    }
    s.kvm ??= (() => {
      const verify = crypto.getRandomValues(new Uint32Array(1))[0];
      const be = verify.toString(16).padStart(8, "0");
      const ext = randomHex(16);
      return {
        verify: String(verify),
        secretkey: be + randomHex(16),
        secretiv: randomHex(16),
        ext,
        typedata: String(Math.floor(now() / 1000)),
      };
    })();
    const k = s.kvm;
    const ip = state.data.records.mmNetwork.floatip;
    const attrs: Record<string, string> = {
      type: "application/x-java-applet",
      code: "com.kvm.KVMApplet.class",
      codebase: "jar",
      archive: "vconsole.jar",
      ipa: ip,
      ipb: ip,
      port: "2198",
      vmmserverport: "8500",
      shelftype: t.chassis.model,
      local: "en",
      securekvm: "1",
      verifyvalue: k.verify,
      mmverifyvalue: k.verify,
      secretkey: k.secretkey,
      secretiv: k.secretiv,
      codekey_ext: k.ext,
      verifyvalueext: k.ext,
      typedata: k.typedata,
    };
    const embed = Object.entries(attrs).map(([a, v]) => `${a}="${v}"`).join(" ");
    return c.html(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>KVM</title></head>` +
        `<body><embed ${embed} width="100%" height="100%"></body></html>`,
    );
  });
  app.get("/:page{[a-z_0-9]+\\.html}", (c) => c.html(page(c.req.param("page"))));

  // ---- login
  app.post("/loginhandler.php", async (c) => {
    const form = await formOf(c);
    const action = form.actiontype;
    if (action === "queryverify") {
      return xml(c, result(0, undefined, el("verify", 0)));
    }
    if (action !== "login") return xml(c, result(RETCODE.invalidParam, "Invalid parameter"));
    if (c.req.header("Custom-Token") !== "0") {
      return xml(c, result(RETCODE.invalidParam, "Invalid token"));
    }
    const user = form.username ?? "";
    const pass = form.userpasswd ?? "";
    const left = lockout.lockedFor(user);
    if (left) {
      return xml(
        c,
        result(
          RETCODE.locked,
          `The user is locked. Try again in ${Math.ceil(left / 60_000)} minute(s)`,
        ),
      );
    }
    const good =
      (sameSecret(user, ctx.credentials.username) && sameSecret(pass, ctx.credentials.password)) ||
      state.rows("accounts").some((a) =>
        a.username === user && a.enabled !== "0" && sameSecret(pass, a.userpwd ?? "")
      );
    if (!good) {
      const locked = lockout.fail(user);
      state.addEvent({
        level: 1,
        source: "MM",
        sensor: "User Login",
        description: `Login failed for ${user.slice(0, 32)} from web`,
        code: "0X2801FF01",
        asserted: true,
        component: "smm",
      });
      return xml(
        c,
        result(
          locked ? RETCODE.locked : RETCODE.authFailed,
          locked
            ? "The user is locked. Try again in 5 minute(s)"
            : "Incorrect user name or password",
        ),
      );
    }
    lockout.success(user);
    const s = cookieSession(c) ?? newSession(c);
    s.token = randomHex(16);
    s.user = user;
    s.lastUsed = now();
    const ttl = ctx.faults.effective("hmm", "web").sessionTtlMs;
    if (ttl) s.expiresAt = now() + ttl;
    return xml(
      c,
      `${XML_DECL}<result>${el("csrftoken", s.token)}${el("retcode", 0)}${
        el("desp", "OK")
      }</result>`,
    );
  });

  // ---- authenticated dispatchers
  const authed = (c: Context): { session?: WebSession; error?: Response } => {
    const s = cookieSession(c);
    const token = c.req.header("Custom-Token");
    if (!s || !s.token || !token || !sameSecret(token, s.token)) {
      return {
        error: xml(
          c,
          result(RETCODE.sessionInvalid, "The session is invalid or has timed out. Log in again"),
          403,
        ),
      };
    }
    s.lastUsed = now();
    return { session: s };
  };
  /** Path of the Referer when it names this host, else undefined. */
  const refererPath = (c: Context): string | undefined => {
    const r = c.req.header("Referer");
    if (!r) return undefined;
    try {
      const u = new URL(r);
      const host = c.req.header("Host") ?? new URL(c.req.url).host;
      return u.host === host ? u.pathname : undefined;
    } catch {
      return undefined;
    }
  };

  const paging = (form: Record<string, string>): { page: number; perpage: number } | undefined => {
    const page = Number(form.page ?? "1");
    const perpage = Number(form.perpage ?? "10");
    if (
      !Number.isInteger(page) || page < 1 || !Number.isInteger(perpage) || perpage < 1 ||
      perpage > 1000
    ) {
      return undefined;
    }
    return { page, perpage };
  };

  const levelDesp = ["Normal", "Minor", "Major", "Critical"];
  const bladeOf = (name: string | undefined): number | undefined => {
    const m = /^Slot(\d+)$/.exec(name ?? "");
    return m ? Number(m[1]) : undefined;
  };
  /**
   * Read-only columns of a node assignment (assumption: the GUI's node table shows whether the
   * slot holds a blade): `present` 1/0 and `status` `Active` (applied to the blade in the slot) or
   * `Pending` (empty slot: the profile takes effect when a blade is inserted).
   */
  const nodeStatus = (bladename: string | undefined): Record<string, string> => {
    const slot = bladename === undefined ? undefined : bladeOf(bladename);
    const has = slot !== undefined && blades.has(slot);
    return { present: has ? "1" : "0", status: has ? "Active" : "Pending" };
  };
  const present = (name: string): boolean => {
    if (name === "smm" || name === "othersmm") return true;
    const slot = bladeOf(name);
    if (slot !== undefined) return blades.has(slot);
    const sw = /^Swi([1-4])$/.exec(name);
    if (sw) return t.switches.some((s) => s.slot === Number(sw[1]));
    return false;
  };

  const versionLines = (name: string): string[] => {
    if (name === "smm" || name === "othersmm") {
      return [
        `Uboot    Version:   (U54)3.03`,
        `CPLD     Version:   (U1082)108  161206`,
        `PCB      Version:   SMMA REV B`,
        `FPGA     Version:   (U1049)008  130605`,
        `Software Version:   (U54)${state.data.versions[name] ?? t.hmm.version}`,
        `IPMI Module Built:   Aug 23 2021 15:10:44`,
      ];
    }
    const slot = bladeOf(name);
    if (slot !== undefined) {
      const b = blades.get(slot)!;
      const fw = b.data.firmware;
      return [
        `IPMC               CPU:           SPEAr310`,
        `BIOS           Version:           (U41)${fw.bios}`,
        `Active iMana   Version:           (U4005)${fw.ibmc}`,
        `CPLD           Version:           (U38)${fw.cpld ?? "023"}`,
      ];
    }
    const sw = t.switches.find((s) => `Swi${s.slot}` === name)!;
    return [
      `IPMC               CPU:           SPEAr310`,
      `Software       Version:           ${state.data.versions[name] ?? sw.software.release}`,
      `Active iMana   Version:           (U4005)5.95`,
      `Uboot          Version:           (U12)1.1.0`,
      `CPLD           Version:           (U38)005`,
    ];
  };

  const selXml = (e: HmmEvent) =>
    `<sel>${
      fields({
        level: e.level,
        leveldesp: levelDesp[e.level],
        datetime: asctime(e.time),
        source: e.source,
        sensorname: e.sensor,
        eventdesp: e.description,
        assert: e.asserted ? "Asserted" : "Deasserted",
      })
    }</sel>`;

  const upgradeView = (tg: UpgradeTarget) => {
    const elapsed = now() - tg.start;
    let progress = Math.max(0, Math.min(100, Math.floor((elapsed / tg.durationMs) * 100)));
    let failed = false;
    if (tg.failAt !== undefined && progress >= tg.failAt) {
      progress = tg.failAt;
      failed = true;
    }
    if (!tg.settled && (failed || progress >= 100)) {
      tg.settled = true;
      if (!failed) {
        const v = upload ? versionFrom(upload.name) : undefined;
        if (v) {
          if (tg.kind === "blade" && tg.slot) blades.get(tg.slot)?.setFirmware("ibmc", v);
          else if (tg.kind === "smm") {
            state.data.versions.smm = v;
            state.data.versions.othersmm = v;
            state.save();
          } else {
            state.data.versions[tg.name.split(":")[0]] = v;
            state.save();
          }
        }
      }
      state.addEvent({
        level: failed ? 2 : 0,
        source: "MM",
        sensor: "Firmware Upgrade",
        description: failed
          ? `Upgrade of ${tg.name} failed at ${progress}%`
          : `Upgrade of ${tg.name} completed`,
        code: failed ? "0X2C01FF02" : "0X2C01FF01",
        asserted: true,
        component: "smm",
      });
    }
    return { progress, failed };
  };
  const jobRunning = () =>
    job.some((tg) => !upgradeView(tg).failed && upgradeView(tg).progress < 100);

  app.post("/:handler{[a-z]+handler\\.php}", async (c) => {
    const handler = c.req.param("handler");
    const { error } = authed(c);
    if (error) return error;
    const ref = refererPath(c);
    const isMultipart = (c.req.header("Content-Type") ?? "").startsWith("multipart/form-data");
    if (handler === "smmupgradehandler.php" && isMultipart) {
      // Upload: the Referer must be the upgrade page of the image's target kind; else 400, empty.
      const kind = ref ? UPGRADE_PAGES[ref] : undefined;
      if (!kind) return c.body(null, 400);
      const body = await c.req.parseBody();
      const file = body.uploadfile;
      if (!(file instanceof File)) {
        return xml(c, result(RETCODE.invalidParam, "Invalid parameter uploadfile"));
      }
      const inferred = imageKind(file.name);
      if (inferred && inferred !== kind) return c.body(null, 400);
      if (file.size === 0) return xml(c, result(RETCODE.invalidParam, "The file is empty"));
      if (!/\.(hpm|bin)$/i.test(file.name)) {
        return xml(
          c,
          result(RETCODE.invalidParam, "Invalid file type. Select an .hpm or .bin file"),
        );
      }
      if (jobRunning()) return xml(c, result(RETCODE.busy, "An upgrade is in progress"));
      await file.arrayBuffer();
      upload = { name: file.name, size: file.size, kind };
      return xml(c, result(0, OK_DESP));
    }
    if (ref === undefined) return c.body(null, 400);
    const form = await formOf(c);
    const action = form.actiontype ?? "";
    const fail = (code: number, desp: string) => xml(c, result(code, desp));
    const ok = (inner = "") => xml(c, result(0, OK_DESP, inner));

    // -- generic settings sections
    for (const [name, s] of Object.entries(SECTIONS)) {
      // The documented list reads live on queryhandler.php (hmm-web-api.md §4.1).
      const listOnQuery = s.kind === "list" && handler === "queryhandler.php" && action === s.list;
      if (s.handler !== handler && !listOnQuery) continue;
      if (s.kind === "record") {
        const rec = s as RecordSection;
        if (action !== rec.read && action !== rec.write) continue;
        let key: string | undefined;
        if (rec.keyed) {
          key = form.bladename;
          if (!key || !rec.keyed.pattern.test(key)) {
            return fail(
              RETCODE.invalidParam,
              `Invalid parameter bladename: must be ${rec.keyed.label}`,
            );
          }
          if (!present(key)) return xml(c, result(RETCODE.absent), 400);
        }
        if (action === rec.read) {
          const data = rec.keyed
            ? state.data.keyed[name][key!] ?? rec.defaults
            : state.data.records[name];
          const visible = Object.fromEntries(
            Object.entries(data).filter(([k]) => !(rec.secret ?? []).includes(k)),
          );
          return ok(
            `<${rec.element}>${key ? el("bladename", key) : ""}${fields(visible)}</${rec.element}>`,
          );
        }
        const { actiontype: _a, chassisid: _c, bladename: _b, ...rest } = form;
        const err = state.writeRecord(name, rest, key);
        if (!err && name === "security") applySecurity(state.data.records.security);
        return err ? fail(RETCODE.invalidParam, err) : ok();
      }
      const ls = s as ListSection;
      if (action === ls.list) {
        const p = paging(form);
        if (!p) return fail(RETCODE.invalidParam, "Invalid parameter page or perpage");
        const rows = state.rows(name);
        const slice = rows.slice((p.page - 1) * p.perpage, p.page * p.perpage);
        const visible = (r: Record<string, string>) => ({
          ...Object.fromEntries(
            Object.entries(r).filter(([k]) => !(ls.secret ?? []).includes(k)),
          ),
          ...(name === "nodeAssignments" ? nodeStatus(r.bladename) : {}),
        });
        return ok(
          el("sum", rows.length) +
            slice.map((r) => `<${ls.row}>${fields(visible(r))}</${ls.row}>`).join(""),
        );
      }
      const op = action === ls.add
        ? "add"
        : action === ls.modify
        ? "modify"
        : action === ls.remove
        ? "remove"
        : undefined;
      if (!op) continue;
      const { actiontype: _a, chassisid: _c, ...rest } = form;
      const err = state.writeList(name, op, rest);
      return err ? fail(RETCODE.invalidParam, err) : ok();
    }

    // -- pages that are not plain records or lists (menus.ts)
    const menu = handleMenu(handler, action, form, {
      state,
      now,
      present,
      switchSlots: () => t.switches.map((s) => s.slot),
      bladesOn: () => [...blades.values()].filter((b) => b.data.power === "On").length,
      ...(deps.hmmCert ? { defaultCert: deps.hmmCert } : {}),
      ...(deps.onCertificate ? { onCertificate: deps.onCertificate } : {}),
    });
    if (menu) {
      return xml(c, result(menu.retcode, menu.desp, menu.inner ?? ""), menu.status ?? 200);
    }

    switch (`${handler} ${action}`) {
      case "versionhandler.php get": {
        const name = form.bladename ?? "";
        if (!present(name)) {
          return xml(c, `${XML_DECL}<result>${el("retcode", RETCODE.absent)}</result>`, 400);
        }
        return xml(
          c,
          `${XML_DECL}<result>${el("retcode", 0)}${el("desp", OK_DESP)}<version>${
            versionText(versionLines(name))
          }</version></result>`,
        );
      }
      case "queryhandler.php isupdate":
        return ok(el("state", jobRunning() ? 1 : 0));
      case "queryhandler.php getServerTime":
        return ok(
          el("servertime", asctime(now())) + el("timezone", state.data.records.ntp.timezone),
        );
      case "queryhandler.php isstack":
        return ok(el("isstack", 0));
      case "queryhandler.php status": {
        const bladesXml = Array.from({ length: 16 }, (_, i) => i + 1).map((slot) => {
          const b = blades.get(slot);
          return `<blade>${
            fields({
              bladename: `Slot${slot}`,
              present: b ? 1 : 0,
              model: b?.spec.model ?? "",
              power: b ? b.data.power : "",
              health: b ? b.spec.health : "",
            })
          }</blade>`;
        }).join("");
        const swXml = [1, 2, 3, 4].map((n) => {
          const s = t.switches.find((x) => x.slot === n);
          return `<swi>${
            fields({
              bladename: `Swi${n}`,
              present: s ? 1 : 0,
              model: s?.model ?? "",
              power: s ? "On" : "",
            })
          }</swi>`;
        }).join("");
        const pem = t.psus.map((p) =>
          `<pem>${
            fields({
              bladename: `PEM${p.id}`,
              present: p.present ? 1 : 0,
              health: p.present ? p.health : "",
            })
          }</pem>`
        ).join("");
        const fan = t.fans.map((f) =>
          `<fan>${
            fields({
              bladename: `Fan${f.id}`,
              present: f.present ? 1 : 0,
              health: f.present ? f.health : "",
              rpm: f.present ? f.rpm : 0,
            })
          }</fan>`
        ).join("");
        return ok(`<status>${bladesXml}${swXml}${pem}${fan}</status>`);
      }
      case "selhandler.php alarm": {
        const p = paging(form);
        if (!p) return fail(RETCODE.invalidParam, "Invalid parameter page or perpage");
        const all = state.data.alarms;
        if (!all.length) return ok();
        const count = (lvl: number) => all.filter((a) => a.level === lvl).length;
        const slice = all.slice((p.page - 1) * p.perpage, p.page * p.perpage);
        return xml(
          c,
          result(
            0,
            undefined,
            `<alarms>${el("sum", all.length)}${el("critical", count(3))}${el("major", count(2))}${
              el("minor", count(1))
            }${
              slice.map((a) =>
                `<alarm>${
                  fields({
                    level: a.level,
                    leveldesp: levelDesp[a.level],
                    source: a.source,
                    sensorname: a.sensor,
                    datetime: asctime(a.time),
                    eventdesp: a.description,
                    eventcode: a.code,
                    cleartag: a.cleared ? "1" : "0",
                  })
                }</alarm>`
              ).join("")
            }</alarms>`,
          ),
        );
      }
      case "selhandler.php sel": {
        const p = paging(form);
        if (!p) return fail(RETCODE.invalidParam, "Invalid parameter page or perpage");
        const name = form.bladename ?? "";
        if (!present(name)) {
          return xml(c, `${XML_DECL}<result>${el("retcode", RETCODE.absent)}</result>`, 400);
        }
        const slot = bladeOf(name);
        const events: HmmEvent[] = slot !== undefined
          ? blades.get(slot)!.data.sel.map((e) => ({
            time: Date.parse(e.time),
            level: e.level,
            source: name.replace("Slot", "Blade"),
            sensor: e.sensor,
            description: e.description,
            code: "",
            asserted: e.asserted,
            component: name,
          }))
          : state.data.events.filter((e) => e.component === name);
        const slice = events.slice((p.page - 1) * p.perpage, p.page * p.perpage);
        return xml(c, result(0, undefined, el("sum", events.length) + slice.map(selXml).join("")));
      }
      case "historyselhandler.php list": {
        const p = paging(form);
        if (!p) return fail(RETCODE.invalidParam, "Invalid parameter page or perpage");
        const all = state.data.events;
        const slice = all.slice((p.page - 1) * p.perpage, p.page * p.perpage);
        return xml(c, result(0, undefined, el("sum", all.length) + slice.map(selXml).join("")));
      }
      case "mezzhandler.php deviceinfo": {
        const slot = bladeOf(form.bladename);
        if (slot === undefined || !blades.has(slot)) {
          return xml(c, `${XML_DECL}<result>${el("retcode", RETCODE.absent)}</result>`, 400);
        }
        const b = blades.get(slot)!;
        return ok(
          b.spec.nics.map((n, i) =>
            `<mezz>${
              fields({
                name: `Mezz${i + 1}`,
                type: "MZ510",
                port: n.name,
                mac: n.mac.toUpperCase(),
                switch: n.switch ?? "",
                switchport: n.port ?? "",
              })
            }</mezz>`
          ).join(""),
        );
      }
      case "networkhandler.php getbmcipdata": {
        const ipType = form.ipType ?? "0";
        if (!["0", "1", "2"].includes(ipType)) {
          return fail(RETCODE.invalidParam, "Invalid parameter ipType");
        }
        const rows = [...blades.keys()].sort((a, b) => a - b).map((slot) => {
          const r = state.data.keyed.bladeNetwork[`Slot${slot}`] ?? {};
          return `<bmcip>${
            fields({
              bladename: `Slot${slot}`,
              ipType,
              ...(ipType === "1" ? { ipaddr: "", prefix: "" } : r),
            })
          }</bmcip>`;
        });
        return ok(rows.join(""));
      }
      case "networkhandler.php list": {
        const scope = form.bladename;
        if (!["eth", "fc", "mgmt"].includes(scope ?? "")) {
          return fail(RETCODE.invalidParam, "Invalid parameter bladename");
        }
        if (scope === "fc") return ok();
        if (scope === "mgmt") {
          const r = state.data.records.mmNetwork;
          return ok(
            t.hmm.modules.map((m, i) =>
              `<port>${
                fields({
                  name: m.name,
                  ipaddr: i === 0 ? r.smm1ip : r.smm2ip,
                  netmask: r.netmask,
                  gateway: r.gateway,
                  mac: m.mac.toUpperCase(),
                  role: m.role,
                })
              }</port>`
            ).join(""),
          );
        }
        const rows = [...blades.values()].flatMap((b) =>
          b.spec.nics.map((n) =>
            `<port>${
              fields({
                bladename: `Slot${b.slot}`,
                name: n.name,
                mac: n.mac.toUpperCase(),
                switch: n.switch ?? "",
                switchport: n.port ?? "",
              })
            }</port>`
          )
        );
        return ok(rows.join(""));
      }
      case "networkhandler.php listpresentfru": {
        const scope = form.bladename;
        let names: string[];
        if (scope === "blade") {
          names = [...blades.keys()].sort((a, b) => a - b).map((s) => `Slot${s}`);
        } else if (scope === "swi") names = t.switches.map((s) => `Swi${s.slot}`);
        else if (scope === "fan") names = t.fans.filter((f) => f.present).map((f) => `Fan${f.id}`);
        else if (scope === "pem") names = t.psus.filter((p) => p.present).map((p) => `PEM${p.id}`);
        else return fail(RETCODE.invalidParam, "Invalid parameter bladename");
        return ok(el("sum", names.length) + names.map((n) => el("fru", n)).join(""));
      }
      case "userhandler.php getassettag":
        return ok(el("assettag", state.data.records.basic.assettag));
      case "userhandler.php setassettag": {
        const err = state.writeRecord("basic", { assettag: form.assettag ?? "" });
        return err ? fail(RETCODE.invalidParam, err) : ok();
      }
      case "userhandler.php getslotalias": {
        const alias = state.data.records.slotAlias ?? {};
        return ok(
          Array.from({ length: 16 }, (_, i) => el(`slot${i + 1}`, alias[`slot${i + 1}`] ?? ""))
            .join(""),
        );
      }
      case "userhandler.php setslotalias": {
        const slot = Number(form.slot);
        const alias = form.alias ?? "";
        if (!Number.isInteger(slot) || slot < 1 || slot > 16) {
          return fail(RETCODE.invalidParam, "Invalid parameter slot");
        }
        // deno-lint-ignore no-control-regex
        if (alias.length > 31 || /[\x00-\x1f<>&"']/.test(alias)) {
          return fail(RETCODE.invalidParam, "Invalid parameter alias");
        }
        state.data.records.slotAlias = {
          ...(state.data.records.slotAlias ?? {}),
          [`slot${slot}`]: alias,
        };
        state.save();
        return ok();
      }
      case "flattenedhandler.php getflattened":
        return ok(el("flattened", 0));
      case "smmupgradehandler.php update": {
        const list = form.bladelist ?? "";
        if (!upload) return fail(RETCODE.invalidParam, "No upgrade file has been uploaded");
        if (jobRunning()) return fail(RETCODE.busy, "An upgrade is in progress");
        let targets: UpgradeTarget[];
        const dur = options.upgradeMs ?? 30_000;
        const start = now();
        if (list === "bothsmm") {
          targets = ["smm", "othersmm"].map((name) => ({
            name,
            kind: "smm" as const,
            start,
            durationMs: dur,
          }));
        } else {
          const tokens = list.split(";");
          if (tokens.pop() !== "" || !tokens.length) {
            return fail(RETCODE.invalidParam, "Invalid parameter bladelist");
          }
          targets = [];
          for (const tok of tokens) {
            const m = /^(Slot(\d+)|Swi([1-4])):fru(\d+)$/.exec(tok);
            if (!m) return fail(RETCODE.invalidParam, `Invalid parameter bladelist: ${tok}`);
            const name = m[1];
            if (!present(name)) {
              return xml(c, result(RETCODE.absent, `${name} is not present`), 400);
            }
            const kind = m[2] ? "blade" as const : "swi" as const;
            targets.push({
              name: kind === "blade" ? name : `${name}:fru${m[4]}`,
              kind,
              slot: m[2] ? Number(m[2]) : undefined,
              start,
              durationMs: dur,
            });
          }
        }
        if (upload.kind && targets.some((tg) => tg.kind !== upload!.kind)) {
          return fail(
            RETCODE.invalidParam,
            "The upgrade file does not match the selected components",
          );
        }
        for (const tg of targets) {
          const dev = tg.kind === "smm"
            ? "hmm"
            : tg.kind === "blade"
            ? `blade${tg.slot}`
            : `swi${tg.name[3]}`;
          const f = ctx.faults.named(dev, "firmware-flash-failure");
          if (f) {
            tg.failAt = Math.max(0, Math.min(99, Number(f.params?.atPercent ?? 50)));
            tg.failMessage = typeof f.params?.message === "string" ? f.params.message : undefined;
          }
        }
        job = targets;
        return ok();
      }
      case "smmupgradehandler.php get": {
        const inner = job.map((tg) => {
          const v = upgradeView(tg);
          const done = v.progress >= 100;
          return `<blade name="${tg.name}">${
            fields({
              retcode: v.failed ? RETCODE.flashFailed : 0,
              desp: v.failed ? (tg.failMessage ?? `Flash failure at ${v.progress}%`) : OK_DESP,
              progress: v.progress,
              progressdesp: v.failed ? "Failed" : done ? "Done" : "Upgrading...",
            })
          }</blade>`;
        }).join("");
        return xml(c, `${XML_DECL}<upgrade>${inner}</upgrade>`);
      }
      case "smmupgradehandler.php delete":
        if (jobRunning()) {
          return fail(RETCODE.busy, "An upgrade is in progress and cannot be cancelled");
        }
        job = [];
        upload = undefined;
        return ok();
      case "smmupgradehandler.php checkupgrade": {
        if (form.smmtype !== "1" && form.smmtype !== "2") {
          return fail(RETCODE.invalidParam, "Invalid parameter smmtype");
        }
        return jobRunning() ? fail(RETCODE.busy, "An upgrade is in progress") : ok();
      }
    }
    return fail(RETCODE.invalidParam, `Invalid parameter actiontype: ${action.slice(0, 40)}`);
  });
  return app;
}

async function formOf(c: Context): Promise<Record<string, string>> {
  const type = c.req.header("Content-Type") ?? "";
  if (
    type.startsWith("multipart/form-data") || type.startsWith("application/x-www-form-urlencoded")
  ) {
    const body = await c.req.parseBody();
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
    return out;
  }
  const text = await c.req.text();
  return Object.fromEntries(new URLSearchParams(text));
}
