/**
 * The HMM menus the SDK writes (network, stateless computing, easyLink, power capping and
 * hibernation, fan control, alarm settings, accounts, security policy, NTP, LDAP, chassis basic
 * settings, chassis BIOS boot, black box, reminder), as tables of fields with validators. Pages
 * that are not a plain record or list (power records, alarm simulation, SSL certificate, FC ports,
 * configuration restore) are handled in `web.ts` and `menus.ts`.
 *
 * The real write formats were never captured (hmm-web-api.md §4.7: "No write verbs other than the
 * firmware ones"): every write here is an ASSUMPTION that follows the read style (form POST with
 * `actiontype`, XML `<result>` reply with `retcode`/`desp`). docs/simulator.md lists them.
 *
 * @module
 */

/** Checks one form value; returns an error text or undefined when valid. */
export type Validator = (value: string) => string | undefined;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Validators by kind. */
export const V = {
  ip: ((v) => IPV4.test(v) ? undefined : `"${v}" is not an IPv4 address`) as Validator,
  ipOrEmpty:
    ((v) => v === "" || IPV4.test(v) ? undefined : `"${v}" is not an IPv4 address`) as Validator,
  mask: ((v) => {
    if (!IPV4.test(v)) return `"${v}" is not a netmask`;
    const n = v.split(".").reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
    const inv = (~n) >>> 0;
    return (inv & (inv + 1)) === 0 ? undefined : `"${v}" is not a contiguous netmask`;
  }) as Validator,
  bool: ((v) => v === "0" || v === "1" ? undefined : `"${v}" must be 0 or 1`) as Validator,
  int: (min: number, max: number): Validator => (v) =>
    /^-?\d+$/.test(v) && Number(v) >= min && Number(v) <= max
      ? undefined
      : `"${v}" must be an integer in ${min}..${max}`,
  oneOf: (...values: string[]): Validator => (v) =>
    values.includes(v) ? undefined : `"${v}" must be one of ${values.join(", ")}`,
  text: (max: number, min = 0): Validator => (v) => {
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x1f\x7f<>&"']/.test(v)) return "contains a control or reserved character";
    if (v.length < min || v.length > max) return `length must be ${min}..${max}`;
    return undefined;
  },
  mac:
    ((v) =>
      /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/.test(v)
        ? undefined
        : `"${v}" is not a MAC address`) as Validator,
  uuid:
    ((v) =>
      /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/.test(v)
        ? undefined
        : `"${v}" is not a UUID`) as Validator,
  vlans: ((v) =>
    v === "" || v.split(",").every((p) => {
        const m = /^(\d+)(?:-(\d+))?$/.exec(p.trim());
        if (!m) return false;
        const a = Number(m[1]), b = Number(m[2] ?? m[1]);
        return a >= 1 && b <= 4094 && a <= b;
      })
      ? undefined
      : `"${v}" is not a VLAN list like 10,20-30`) as Validator,
  bootOrder: ((v) => {
    const items = v.split(",").map((x) => x.trim());
    const known = ["Hdd", "Cd", "Pxe", "Floppy", "Other"];
    if (!v || items.some((x) => !known.includes(x))) {
      return `"${v}" must be a comma-separated list of ${known.join(", ")}`;
    }
    return new Set(items).size === items.length ? undefined : `"${v}" names a device twice`;
  }) as Validator,
  password:
    ((v) =>
      v.length >= 8 && v.length <= 20 && /[A-Za-z]/.test(v) && /\d/.test(v)
        ? undefined
        : "the password must be 8..20 characters with letters and digits") as Validator,
};

/** A single-record settings page (one read verb, one write verb). */
export interface RecordSection {
  kind: "record";
  /** Dispatcher file, e.g. `ntphandler.php`. */
  handler: string;
  /** Read `actiontype`. */
  read: string;
  /** Write `actiontype`. */
  write: string;
  /** Element wrapping the fields in the read reply. */
  element: string;
  /** Field name -> validator. */
  fields: Record<string, Validator>;
  /** Defaults. */
  defaults: Record<string, string>;
  /** Fields that are write-only (never read back; e.g. passwords). */
  secret?: string[];
  /** Extra cross-field check. */
  check?: (rec: Record<string, string>) => string | undefined;
  /** Record is keyed by `bladename` (per blade/switch addresses). */
  keyed?: { pattern: RegExp; label: string };
}

/** A list page (list/add/modify/delete), rows keyed by one field. */
export interface ListSection {
  kind: "list";
  handler: string;
  list: string;
  add: string;
  modify: string;
  remove: string;
  /** Row element name in list replies. */
  row: string;
  key: string;
  fields: Record<string, Validator>;
  /** Fields required on add. */
  required: string[];
  defaults: Record<string, string>;
  secret?: string[];
  /** Maximum number of rows. */
  max: number;
  /** Referer page the GUI would send (documentation only). */
  page?: string;
}

/** One settings section. */
export type Section = RecordSection | ListSection;

/** All writable sections of the simulated HMM (names are the keys used in state and docs). */
export const SECTIONS: Record<string, Section> = {
  mmNetwork: {
    kind: "record",
    handler: "networkhandler.php",
    read: "getsmmip",
    write: "setsmmip",
    element: "smmip",
    fields: {
      ipmode: V.oneOf("static", "dhcp"),
      floatip: V.ip,
      smm1ip: V.ip,
      smm2ip: V.ip,
      netmask: V.mask,
      gateway: V.ip,
    },
    defaults: {
      ipmode: "static",
      floatip: "192.168.1.30",
      smm1ip: "192.168.1.31",
      smm2ip: "192.168.1.32",
      netmask: "255.255.255.0",
      gateway: "192.168.1.1",
    },
  },
  bladeNetwork: {
    kind: "record",
    handler: "networkhandler.php",
    read: "getbladeip",
    write: "setbladeip",
    element: "bladeip",
    keyed: { pattern: /^Slot([1-9]|1[0-6])$/, label: "Slot1..Slot16" },
    fields: {
      ipmode: V.oneOf("static", "dhcp"),
      ipaddr: V.ipOrEmpty,
      netmask: V.mask,
      gateway: V.ipOrEmpty,
      vlan: V.int(0, 4094),
    },
    defaults: { ipmode: "static", ipaddr: "", netmask: "255.255.255.0", gateway: "", vlan: "0" },
  },
  switchNetwork: {
    kind: "record",
    handler: "networkhandler.php",
    read: "getswiip",
    write: "setswiip",
    element: "swiip",
    keyed: { pattern: /^Swi[1-4]$/, label: "Swi1..Swi4" },
    fields: {
      ipmode: V.oneOf("static", "dhcp"),
      ipaddr: V.ipOrEmpty,
      netmask: V.mask,
      gateway: V.ipOrEmpty,
    },
    defaults: { ipmode: "static", ipaddr: "", netmask: "255.255.255.0", gateway: "" },
  },
  computeProfiles: {
    kind: "list",
    handler: "computerhandler.php",
    list: "query_policytemplate_list2",
    add: "add_policytemplate",
    modify: "modify_policytemplate",
    remove: "delete_policytemplate",
    row: "template",
    key: "name",
    page: "/computer_manage.html?chassisid=0",
    fields: {
      name: V.text(31, 1),
      description: V.text(127),
      bootmode: V.oneOf("Legacy", "UEFI"),
      bootorder: V.text(63),
      macsource: V.oneOf("pool", "hardware"),
      uuidsource: V.oneOf("pool", "hardware"),
      nics: V.int(0, 8),
      vlans: V.vlans,
    },
    required: ["name"],
    defaults: {
      description: "",
      bootmode: "Legacy",
      bootorder: "Hdd,Cd,Pxe",
      macsource: "pool",
      uuidsource: "pool",
      nics: "2",
      vlans: "",
    },
    max: 64,
  },
  macPool: {
    kind: "record",
    handler: "computerhandler.php",
    read: "get_macpool",
    write: "set_macpool",
    element: "macpool",
    fields: { startmac: V.mac, count: V.int(0, 4096) },
    defaults: { startmac: "28:6E:D4:00:00:00", count: "0" },
  },
  uuidPool: {
    kind: "record",
    handler: "computerhandler.php",
    read: "get_uuidpool",
    write: "set_uuidpool",
    element: "uuidpool",
    fields: { startuuid: V.uuid, count: V.int(0, 4096) },
    defaults: { startuuid: "00000000-0000-0000-0000-000000000000", count: "0" },
  },
  nodeAssignments: {
    kind: "list",
    handler: "computerhandler.php",
    list: "query_nodepool_list",
    add: "assign_node",
    modify: "modify_node",
    remove: "unassign_node",
    row: "node",
    key: "bladename",
    fields: {
      bladename: (v) => /^Slot([1-9]|1[0-6])$/.test(v) ? undefined : `"${v}" must be Slot1..Slot16`,
      template: V.text(31, 1),
    },
    required: ["bladename", "template"],
    defaults: {},
    max: 16,
  },
  easylinkSettings: {
    kind: "record",
    handler: "easylinkhandler.php",
    read: "getsetting",
    write: "setsetting",
    element: "easylink",
    fields: {
      enabled: V.bool,
      mode: V.oneOf("auto", "manual"),
      uplinkmode: V.oneOf("lacp", "static", "none"),
    },
    defaults: { enabled: "0", mode: "manual", uplinkmode: "none" },
  },
  easylinkSwitchProfiles: {
    kind: "list",
    handler: "easylinkhandler.php",
    list: "list_switchprofile",
    add: "add_switchprofile",
    modify: "modify_switchprofile",
    remove: "delete_switchprofile",
    row: "switchprofile",
    key: "name",
    fields: {
      name: V.text(31, 1),
      bladename: (v) => /^Swi[1-4]$/.test(v) ? undefined : `"${v}" must be Swi1..Swi4`,
      vlans: V.vlans,
      uplinkports: V.text(127),
      lacp: V.bool,
    },
    required: ["name", "bladename"],
    defaults: { vlans: "", uplinkports: "", lacp: "0" },
    max: 16,
  },
  easylinkNicProfiles: {
    kind: "list",
    handler: "easylinkhandler.php",
    list: "list_nicprofile",
    add: "add_nicprofile",
    modify: "modify_nicprofile",
    remove: "delete_nicprofile",
    row: "nicprofile",
    key: "name",
    fields: {
      name: V.text(31, 1),
      vnics: V.int(0, 16),
      vlans: V.vlans,
      bandwidth: V.int(0, 100),
      pxe: V.bool,
    },
    required: ["name"],
    defaults: { vnics: "0", vlans: "", bandwidth: "100", pxe: "0" },
    max: 32,
  },
  powerCapping: {
    kind: "record",
    handler: "powerhandler.php",
    read: "getpowercap",
    write: "setpowercap",
    element: "powercap",
    fields: {
      enabled: V.bool,
      mode: V.oneOf("equal", "manual", "proportion"),
      limit: V.int(0, 20000),
      failaction: V.oneOf("none", "poweroff"),
    },
    defaults: { enabled: "0", mode: "equal", limit: "12000", failaction: "none" },
    check: (r) =>
      r.enabled === "1" && Number(r.limit) < 1000
        ? "the capping limit must be at least 1000 W when capping is enabled"
        : undefined,
  },
  alarmSettings: {
    kind: "record",
    handler: "alarmhandler.php",
    read: "getalarmconfig",
    write: "setalarmconfig",
    element: "alarmconfig",
    fields: {
      trapenabled: V.bool,
      trapversion: V.oneOf("v1", "v2c", "v3"),
      trapserver: V.ipOrEmpty,
      trapport: V.int(1, 65535),
      community: V.text(32),
      emailenabled: V.bool,
      smtpserver: V.ipOrEmpty,
      emailto: V.text(127),
      minlevel: V.oneOf("minor", "major", "critical"),
    },
    secret: ["community"],
    defaults: {
      trapenabled: "0",
      trapversion: "v2c",
      trapserver: "",
      trapport: "162",
      community: "",
      emailenabled: "0",
      smtpserver: "",
      emailto: "",
      minlevel: "minor",
    },
  },
  accounts: {
    kind: "list",
    handler: "userhandler.php",
    list: "listuser",
    add: "adduser",
    modify: "modifyuser",
    remove: "deluser",
    row: "user",
    key: "username",
    fields: {
      username: (v) =>
        /^[A-Za-z][A-Za-z0-9_.-]{0,15}$/.test(v) ? undefined : `"${v}" is not a valid user name`,
      userpwd: V.password,
      role: V.oneOf("administrator", "operator", "user"),
      enabled: V.bool,
    },
    required: ["username", "userpwd", "role"],
    secret: ["userpwd"],
    defaults: { enabled: "1" },
    max: 15,
  },
  ntp: {
    kind: "record",
    handler: "ntphandler.php",
    read: "getntp",
    write: "setntp",
    element: "ntp",
    fields: {
      enabled: V.bool,
      server1: V.ipOrEmpty,
      server2: V.ipOrEmpty,
      timezone: (v) =>
        /^GMT([+-](1[0-4]|[0-9])(:30|:45)?)?$/.test(v) ? undefined : `"${v}" must look like GMT+8`,
    },
    defaults: { enabled: "0", server1: "", server2: "", timezone: "GMT+0" },
    check: (r) =>
      r.enabled === "1" && !r.server1 ? "an NTP server is required when NTP is enabled" : undefined,
  },
  ldap: {
    kind: "record",
    handler: "ldaphandler.php",
    read: "getldap",
    write: "setldap",
    element: "ldap",
    fields: {
      enabled: V.bool,
      server: V.ipOrEmpty,
      port: V.int(1, 65535),
      ssl: V.bool,
      basedn: V.text(255),
      binddn: V.text(255),
      bindpwd: V.text(64),
      usergroup: V.text(63),
      role: V.oneOf("administrator", "operator", "user"),
    },
    secret: ["bindpwd"],
    defaults: {
      enabled: "0",
      server: "",
      port: "389",
      ssl: "0",
      basedn: "",
      binddn: "",
      bindpwd: "",
      usergroup: "",
      role: "user",
    },
    check: (r) =>
      r.enabled === "1" && !r.server
        ? "an LDAP server is required when LDAP is enabled"
        : undefined,
  },
  basic: {
    kind: "record",
    handler: "basichandler.php",
    read: "getbasic",
    write: "setbasic",
    element: "basic",
    fields: {
      chassisname: V.text(31, 1),
      location: V.text(63),
      assettag: V.text(31),
      contact: V.text(63),
    },
    defaults: { chassisname: "E9000", location: "", assettag: "", contact: "" },
  },
  powerHibernation: {
    kind: "record",
    handler: "powerhandler.php",
    read: "getpowersleep",
    write: "setpowersleep",
    element: "powersleep",
    fields: { enabled: V.bool, redundancy: V.oneOf("N+1", "N+N") },
    defaults: { enabled: "0", redundancy: "N+N" },
  },
  fanControl: {
    kind: "record",
    handler: "fanhandler.php",
    read: "getfancontrol",
    write: "setfancontrol",
    element: "fancontrol",
    fields: { mode: V.oneOf("auto", "manual"), speed: V.int(20, 100) },
    defaults: { mode: "auto", speed: "40" },
  },
  security: {
    kind: "record",
    handler: "securityhandler.php",
    read: "getsecurity",
    write: "setsecurity",
    element: "security",
    fields: {
      pwdcomplexity: V.bool,
      pwdvalidity: V.int(0, 365),
      minpwdlen: V.int(8, 20),
      lockoutthreshold: V.int(0, 10),
      lockoutminutes: V.int(1, 60),
      sessiontimeout: V.int(5, 480),
      sshenabled: V.bool,
    },
    defaults: {
      pwdcomplexity: "1",
      pwdvalidity: "0",
      minpwdlen: "8",
      lockoutthreshold: "5",
      lockoutminutes: "5",
      sessiontimeout: "30",
      sshenabled: "1",
    },
  },
  biosBoot: {
    kind: "record",
    handler: "bioshandler.php",
    read: "getbiosboot",
    write: "setbiosboot",
    element: "biosboot",
    keyed: { pattern: /^Slot([1-9]|1[0-6])$/, label: "Slot1..Slot16" },
    fields: {
      bootmode: V.oneOf("Legacy", "UEFI"),
      bootorder: V.bootOrder,
      effective: V.oneOf("once", "permanent"),
    },
    defaults: { bootmode: "Legacy", bootorder: "Hdd,Cd,Pxe,Other", effective: "permanent" },
  },
  blackBox: {
    kind: "record",
    handler: "blackboxhandler.php",
    read: "getblackbox",
    write: "setblackbox",
    element: "blackbox",
    keyed: { pattern: /^Slot([1-9]|1[0-6])$/, label: "Slot1..Slot16" },
    fields: { enabled: V.bool },
    defaults: { enabled: "1" },
  },
  reminder: {
    kind: "record",
    handler: "reminderhandler.php",
    read: "getreminder",
    write: "setreminder",
    element: "reminder",
    fields: { enabled: V.bool, interval: V.int(1, 365), content: V.text(127) },
    defaults: { enabled: "0", interval: "30", content: "" },
    check: (r) =>
      r.enabled === "1" && !r.content ? "a reminder text is required when enabled" : undefined,
  },
};
