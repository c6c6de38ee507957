/**
 * System management (HMM menu "System Mgmt": Logs, Account, Security, NTP, SSL; LDAP).
 *
 * - logs: the chassis event history (`historyselhandler.php list`, paged) and the HMM shell's
 *   `reads faillog|secure|smmlog|oplog` (hmm-cli.md §2);
 * - accounts: Redfish `AccountService` is read first (it lists only `Accounts/2` on the HMM,
 *   redfish.md §1.2); the account list and changes go through `userhandler.php`
 *   (`listuser`/`adduser`/`modifyuser`/`deluser`; shapes per docs/simulator.md H.4); passwords
 *   are write-only and never read back or logged;
 * - NTP and LDAP: `ntphandler.php`, `ldaphandler.php` settings pages (bind password write-only);
 * - security policy: `securityhandler.php getsecurity/setsecurity` (`<security>`), read back;
 * - SSL certificate: `sslhandler.php getcert` (`<cert>`) and `importcert` (`cert`, `privatekey`,
 *   `keypwd`): checked locally (parses, key matches, not expired) before anything is sent, and
 *   read back by fingerprint. Replacing the certificate breaks every client that pinned the old
 *   one: only src/ops calls it, inside the change envelope.
 *
 * Security and SSL verbs were never captured on a real HMM: shapes per docs/simulator.md H.4
 * ("assumption").
 *
 * @example
 * const s = system(chassis);
 * await s.setNtp({ enabled: true, server1: "10.0.0.1", timezone: "GMT+1" });
 * await s.createAccount({ username: "ops", password: "Passw0rd12", role: "operator" });
 */
import { z } from "zod";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { connect as tlsConnect } from "node:tls";
import { DeviceError, ValidationError } from "../errors.ts";
import { WebApiError } from "../drivers/webapi/client.ts";
import { child, childText } from "../drivers/webapi/xml.ts";
import { abortReason, type CallOptions, withDeadline } from "../drivers/deadline.ts";
import { parseSel } from "./alarms.ts";
import type { Chassis } from "./chassis.ts";
import { type DeviceHub, perChassis } from "./hub.ts";
import {
  type CollectionDef,
  createRecord,
  deleteRecord,
  type Fields,
  type Input,
  listCollection,
  modelSchema,
  readSection,
  type SectionDef,
  updateRecord,
  writeSection,
} from "./webform.ts";

/** An HMM account. */
export const ACCOUNT_FIELDS = {
  username: { wire: "username", kind: "string", describe: "Account name (key)" },
  password: {
    wire: "userpwd",
    kind: "secret",
    describe: "Password (write-only; 8-20 letters and digits)",
  },
  role: { wire: "role", kind: "string", describe: "Role, e.g. administrator, operator, user" },
  enabled: { wire: "enabled", kind: "bool", describe: "Account may log in" },
} as const satisfies Fields;

/** Security policy. */
export const SECURITY_FIELDS = {
  passwordComplexity: {
    wire: "pwdcomplexity",
    kind: "bool",
    describe: "Passwords must mix letters, digits and special characters",
  },
  passwordValidityDays: {
    wire: "pwdvalidity",
    kind: "int",
    min: 0,
    max: 365,
    describe: "Days a password stays valid (0: forever)",
  },
  minPasswordLength: {
    wire: "minpwdlen",
    kind: "int",
    min: 8,
    max: 20,
    describe: "Shortest password accepted (8-20)",
  },
  lockoutThreshold: {
    wire: "lockoutthreshold",
    kind: "int",
    min: 0,
    max: 10,
    describe: "Failed logins before the account is locked (0: never)",
  },
  lockoutMinutes: {
    wire: "lockoutminutes",
    kind: "int",
    min: 1,
    max: 60,
    describe: "How long a locked account stays locked",
  },
  sessionTimeoutMinutes: {
    wire: "sessiontimeout",
    kind: "int",
    min: 5,
    max: 480,
    describe: "Idle minutes before a web session ends",
  },
  sshEnabled: { wire: "sshenabled", kind: "bool", describe: "SSH service of the HMM on" },
} as const satisfies Fields;
/** Security policy model. */
export const SecuritySchema = modelSchema(SECURITY_FIELDS);

/** The HMM's SSL certificate as it reads. */
export const SslCertificateSchema = z.object({
  subject: z.string().describe("Subject distinguished name, e.g. CN=hmm"),
  issuer: z.string().describe("Issuer distinguished name"),
  validFrom: z.string().describe("Start of validity (asctime, no zone)"),
  validTo: z.string().describe("End of validity (asctime, no zone)"),
  serialNumber: z.string().describe("Serial number in hex"),
  fingerprint: z.string().describe("SHA-256 fingerprint, colon-separated hex"),
});
/** The HMM's SSL certificate. */
export type SslCertificate = z.infer<typeof SslCertificateSchema>;

/** A certificate to import (PEM); the key and its password are never logged or read back. */
export const SslImportSchema = z.object({
  certificate: z.string().describe("PEM certificate (leaf first)"),
  privateKey: z.string().describe("PEM private key of the certificate (write-only)"),
  keyPassword: z.string().optional().describe("Password of an encrypted key (write-only)"),
}).strict();
/** A certificate to import. */
export type SslImport = z.infer<typeof SslImportSchema>;

/** NTP settings. */
export const NTP_FIELDS = {
  enabled: { wire: "enabled", kind: "bool", describe: "NTP on" },
  server1: { wire: "server1", kind: "string", describe: "Preferred server" },
  server2: { wire: "server2", kind: "string", describe: "Alternate server" },
  timezone: { wire: "timezone", kind: "string", describe: "Time zone like GMT+8" },
} as const satisfies Fields;

/** LDAP settings. */
export const LDAP_FIELDS = {
  enabled: { wire: "enabled", kind: "bool", describe: "LDAP login on" },
  server: { wire: "server", kind: "string", describe: "LDAP server" },
  port: { wire: "port", kind: "int", min: 1, max: 65535, describe: "Port" },
  ssl: { wire: "ssl", kind: "bool", describe: "LDAPS" },
  baseDn: { wire: "basedn", kind: "string", describe: "Base DN" },
  bindDn: { wire: "binddn", kind: "string", describe: "Bind DN" },
  bindPassword: { wire: "bindpwd", kind: "secret", describe: "Bind password (write-only)" },
  userGroup: { wire: "usergroup", kind: "string", describe: "Group whose members may log in" },
  role: { wire: "role", kind: "string", describe: "Role granted to them" },
} as const satisfies Fields;

/** Zod models. */
export const AccountSchema = modelSchema(ACCOUNT_FIELDS);
/** NTP model. */
export const NtpSchema = modelSchema(NTP_FIELDS);
/** LDAP model. */
export const LdapSchema = modelSchema(LDAP_FIELDS);

const ACCOUNTS: CollectionDef<typeof ACCOUNT_FIELDS> = {
  what: "account",
  handler: "userhandler.php",
  list: "listuser",
  add: "adduser",
  modify: "modifyuser",
  del: "deluser",
  element: "user",
  key: "username",
  fields: ACCOUNT_FIELDS,
};
const NTP: SectionDef<typeof NTP_FIELDS> = {
  what: "NTP settings",
  handler: "ntphandler.php",
  get: "getntp",
  set: "setntp",
  element: "ntp",
  fields: NTP_FIELDS,
};
const LDAP: SectionDef<typeof LDAP_FIELDS> = {
  what: "LDAP settings",
  handler: "ldaphandler.php",
  get: "getldap",
  set: "setldap",
  element: "ldap",
  fields: LDAP_FIELDS,
};

/** HMM shell logs. */
export const SHELL_LOGS = ["faillog", "secure", "smmlog", "oplog"] as const;

/** The Redfish account as the HMM shows it. */
export const RedfishAccountSchema = z.object({
  id: z.string().describe("Account id (2 on the HMM)"),
  username: z.string(),
  role: z.string().optional(),
  enabled: z.boolean().optional(),
});

/** System management of one chassis. */
export class SystemModule {
  readonly hub: DeviceHub;
  constructor(hub: DeviceHub) {
    this.hub = hub;
  }

  /** One page of the chassis event history (newest first). */
  async eventHistory(o: CallOptions & { page?: number; perpage?: number } = {}) {
    const r = await this.hub.web("historyselhandler.php", {
      actiontype: "list",
      chassisid: "0",
      page: String(o.page ?? 1),
      perpage: String(o.perpage ?? 50),
    }, { ...o, idempotent: true });
    return parseSel(r.doc, "chassis");
  }

  /** An HMM shell log (`reads <log>`, `tail` = only the last lines). */
  async shellLog(
    log: typeof SHELL_LOGS[number],
    o: CallOptions & { tail?: boolean } = {},
  ): Promise<string> {
    if (!(SHELL_LOGS as readonly string[]).includes(log)) {
      throw new ValidationError(`Unknown log ${log}`, {
        field: "log",
        hint: `Use one of ${SHELL_LOGS.join(", ")}`,
      });
    }
    const cmd = `reads ${log}${o.tail ? " -t" : ""}`;
    return await this.hub.withHmmShell(
      (sh) => this.hub.call("hmm", "ssh", cmd, () => sh.exec(cmd, this.hub.opts(o)), o),
      o,
    );
  }

  /** Accounts as HMM Redfish lists them (only `Accounts/2` on the real HMM). */
  async redfishAccounts(o: CallOptions = {}): Promise<z.infer<typeof RedfishAccountSchema>[]> {
    const coll = await this.hub.redfish<{ Members?: { "@odata.id": string }[] }>(
      "hmm",
      "GET",
      "/redfish/v1/AccountService/Accounts",
      undefined,
      o,
    );
    return await this.hub.map(coll.data.Members ?? [], async (m) => {
      const a = (await this.hub.redfish<Record<string, unknown>>(
        "hmm",
        "GET",
        m["@odata.id"],
        undefined,
        o,
      )).data;
      return RedfishAccountSchema.parse({
        id: String(a.Id ?? ""),
        username: String(a.UserName ?? ""),
        ...(a.RoleId ? { role: String(a.RoleId) } : {}),
        ...(typeof a.Enabled === "boolean" ? { enabled: a.Enabled } : {}),
      });
    });
  }

  /** Accounts managed on the HMM (passwords never read back). */
  accounts(o: CallOptions = {}) {
    return listCollection(this.hub, ACCOUNTS, o);
  }
  /** Adds an account. */
  createAccount(
    v: Input<typeof ACCOUNT_FIELDS> & { username: string; password: string },
    o: CallOptions = {},
  ) {
    return createRecord(this.hub, ACCOUNTS, v, o);
  }
  /** Changes an account (role, enabled, password). */
  updateAccount(username: string, patch: Input<typeof ACCOUNT_FIELDS>, o: CallOptions = {}) {
    return updateRecord(this.hub, ACCOUNTS, username, patch, o);
  }
  /** Deletes an account. */
  deleteAccount(username: string, o: CallOptions & { missingOk?: boolean } = {}) {
    return deleteRecord(this.hub, ACCOUNTS, username, o);
  }
  /** NTP settings. */
  ntp(o: CallOptions = {}) {
    return readSection(this.hub, NTP, {}, o);
  }
  /** Changes NTP settings (read back). */
  setNtp(v: Input<typeof NTP_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, NTP, v, {}, o);
  }
  /** LDAP settings (bind password never read back). */
  ldap(o: CallOptions = {}) {
    return readSection(this.hub, LDAP, {}, o);
  }
  /** Changes LDAP settings (read back). */
  setLdap(v: Input<typeof LDAP_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, LDAP, v, {}, o);
  }
  /** Security policy (passwords, lockout, session timeout, SSH). */
  security(o: CallOptions = {}) {
    return readSection(this.hub, SECURITY, {}, o);
  }
  /** Changes the security policy (read back). */
  setSecurity(v: Input<typeof SECURITY_FIELDS>, o: CallOptions = {}) {
    return writeSection(this.hub, SECURITY, v, {}, o);
  }
  /** The HMM's SSL certificate. */
  async sslCertificate(o: CallOptions = {}): Promise<SslCertificate> {
    const r = await this.hub.web("sslhandler.php", {
      actiontype: "getcert",
      chassisid: "0",
    }, { ...o, idempotent: true, referer: SYSTEM_PAGE });
    const cert = child(r.doc, "cert");
    const t = (n: string) => childText(cert, n) ?? "";
    return SslCertificateSchema.parse({
      subject: t("subject"),
      issuer: t("issuer"),
      validFrom: t("validfrom"),
      validTo: t("validto"),
      serialNumber: t("serialnumber"),
      fingerprint: t("fingerprint"),
    });
  }
  /**
   * Replaces the HMM's SSL certificate (read back by fingerprint). DANGEROUS: clients that pinned
   * the old certificate (Vessel's own trust file included) fail until they trust the new one.
   * Call it only from src/ops, inside the change envelope.
   *
   * @throws {ValidationError} not a PEM certificate, key unreadable or not matching, expired
   *   (nothing sent), or refused by the HMM
   * @throws {DeviceError} the HMM shows another certificate afterwards
   */
  async updateSslCertificate(v: SslImport, o: CallOptions = {}): Promise<SslCertificate> {
    const want = checkImport(v);
    const web = this.hub.context.endpoints.hmm?.web;
    return await this.hub.serialize("hmm", async () => {
      try {
        await this.hub.web("sslhandler.php", {
          actiontype: "importcert",
          chassisid: "0",
          cert: v.certificate,
          privatekey: v.privateKey,
          ...(v.keyPassword ? { keypwd: v.keyPassword } : {}),
        }, { ...o, referer: SYSTEM_PAGE });
      } catch (e) {
        if (e instanceof WebApiError && e.retcode === 3) {
          throw new ValidationError(`The HMM refused the SSL certificate: ${e.desp ?? e.message}`, {
            cause: e,
            hint: "The chassis validated the certificate and changed nothing",
          });
        }
        throw e;
      }
      // Read back what the HMM actually serves (its web server restarts with the new certificate;
      // a pinned or CA-checked session would refuse it, so the handshake here only reads it).
      if (web) await waitForServedCertificate(web, want.fingerprint, o);
      return want;
    });
  }
}

/**
 * Polls the TLS handshake of `url` until it presents the certificate with `fingerprint` (the
 * handshake only reads the certificate; nothing is sent), to the deadline (default 30 s).
 *
 * @throws {DeviceError} another certificate is still served at the deadline
 */
async function waitForServedCertificate(
  url: string,
  fingerprint: string,
  o: CallOptions,
): Promise<void> {
  const u = new URL(url);
  let last = "";
  try {
    await withDeadline(
      `waiting for the HMM to serve the new certificate at ${u.host}`,
      { ...o, timeoutMs: o.timeoutMs ?? 30_000 },
      async (signal) => {
        while (true) {
          last = await servedFingerprint(u.hostname, Number(u.port || 443), signal).catch(() => "");
          if (last === fingerprint) return;
          await new Promise<void>((res, rej) => {
            const t = setTimeout(res, 200);
            signal.addEventListener("abort", () => {
              clearTimeout(t);
              rej(abortReason(signal, "certificate read-back"));
            }, { once: true });
          });
        }
      },
    );
  } catch (e) {
    throw new DeviceError(
      `Inconsistent result after apply: the HMM at ${u.host} serves certificate ${
        last || "(no answer)"
      }, expected ${fingerprint}`,
      { device: "hmm", cause: e },
    );
  }
}

/** SHA-256 fingerprint of the certificate a TLS server presents (nothing is sent). */
function servedFingerprint(host: string, port: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ host, port, rejectUnauthorized: false }, () => {
      const fp = sock.getPeerCertificate().fingerprint256 ?? "";
      sock.destroy();
      resolve(fp);
    });
    const stop = () => {
      sock.destroy();
      reject(abortReason(signal, "certificate read-back"));
    };
    signal.addEventListener("abort", stop, { once: true });
    sock.once("error", (e) => {
      signal.removeEventListener("abort", stop);
      reject(e);
    });
    sock.once("close", () => signal.removeEventListener("abort", stop));
  });
}

const SYSTEM_PAGE = "/system_manage.html?chassisid=0";

/** Local checks of a certificate import; returns what the certificate will read as. */
function checkImport(v: unknown): SslCertificate {
  const r = SslImportSchema.safeParse(v);
  const fail = (field: string, why: string): never => {
    throw new ValidationError(`Invalid SSL certificate import ${field}: ${why}`, {
      field,
      hint: "Nothing was sent to the chassis",
    });
  };
  if (!r.success) return fail(r.error.issues[0].path.join("."), r.error.issues[0].message);
  let x: X509Certificate;
  try {
    x = new X509Certificate(r.data.certificate);
  } catch {
    return fail("certificate", "not a PEM certificate");
  }
  if (Date.parse(x.validTo) <= Date.now()) fail("certificate", `expired on ${x.validTo}`);
  let key;
  try {
    key = createPrivateKey({
      key: r.data.privateKey,
      format: "pem",
      ...(r.data.keyPassword ? { passphrase: r.data.keyPassword } : {}),
    });
  } catch {
    return fail("privateKey", "not a readable PEM private key (or wrong keyPassword)");
  }
  if (!x.checkPrivateKey(key)) fail("privateKey", "does not belong to the certificate");
  return SslCertificateSchema.parse({
    subject: x.subject.replaceAll("\n", ", "),
    issuer: x.issuer.replaceAll("\n", ", "),
    validFrom: asctimeOf(Date.parse(x.validFrom)),
    validTo: asctimeOf(Date.parse(x.validTo)),
    serialNumber: x.serialNumber,
    fingerprint: x.fingerprint256,
  });
}

/** `Wed Nov 25 21:05:53 2026` in UTC (the HMM's date style). */
function asctimeOf(ms: number): string {
  const d = new Date(ms);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()];
  const mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
    d.getUTCMonth()
  ];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${day} ${mon} ${String(d.getUTCDate()).padStart(2, " ")} ${p(d.getUTCHours())}:${
    p(d.getUTCMinutes())
  }:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

const SECURITY: SectionDef<typeof SECURITY_FIELDS> = {
  what: "security policy",
  handler: "securityhandler.php",
  get: "getsecurity",
  set: "setsecurity",
  element: "security",
  fields: SECURITY_FIELDS,
  referer: SYSTEM_PAGE,
};

/**
 * The system-management module of a chassis (cached per chassis).
 *
 * @example
 * console.log(await system(chassis).ntp());
 */
export const system: (chassis: Chassis) => SystemModule = perChassis((_c, hub) =>
  new SystemModule(hub)
);
