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
 * - security policy and SSL certificates: no known interface ({@link UnsupportedError}).
 *
 * @example
 * const s = system(chassis);
 * await s.setNtp({ enabled: true, server1: "10.0.0.1", timezone: "GMT+1" });
 * await s.createAccount({ username: "ops", password: "Passw0rd12", role: "operator" });
 */
import { z } from "zod";
import { ValidationError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { parseSel } from "./alarms.ts";
import type { Chassis } from "./chassis.ts";
import { type DeviceHub, perChassis } from "./hub.ts";
import { noTransport } from "./unsupported.ts";
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
  /** Security policy (no known interface). */
  security(_o: CallOptions = {}): Promise<never> {
    return rejectWith(() => noTransport("Security policy", "hmm.system.security"));
  }
  /** SSL certificate (no known interface). */
  ssl(_o: CallOptions = {}): Promise<never> {
    return rejectWith(() => noTransport("SSL certificate management", "hmm.system.ssl"));
  }
}

function rejectWith(fn: () => never): Promise<never> {
  try {
    fn();
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * The system-management module of a chassis (cached per chassis).
 *
 * @example
 * console.log(await system(chassis).ntp());
 */
export const system: (chassis: Chassis) => SystemModule = perChassis((_c, hub) =>
  new SystemModule(hub)
);
