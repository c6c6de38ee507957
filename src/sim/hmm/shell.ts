/**
 * The HMM's restricted SSH dispatcher (`/smm/smmcli`) after docs/hardware/hmm-cli.md: `smmget` /
 * `smmset` items with their exact error strings, `cmdext -l/-u` (password prompt) and the
 * extended diagnostics, `swiconfexport swi<N>` writing `/tmp/exchange/swi<N>/swi<N>.tar.gz`
 * (fetched over SFTP), `reads`, `ping`, `ifconfig`, and the jump `ssh <ip> NoStricHostKeyChecking`
 * into an iBMC shell or a switch's VRP CLI.
 *
 * @module
 */
import type { SimContext } from "../context.ts";
import type { BladeState } from "../ibmc/blade.ts";
import { sameSecret } from "../ibmc/redfish_common.ts";
import { runIbmcShell } from "../ibmc/shell.ts";
import { flags, type Terminal, words } from "../ibmc/term.ts";
import type { HmmState } from "./state.ts";
import { tarGz } from "./tar.ts";

/** The HMM prompt. Not recorded upstream (docs use a generic `>`): an assumption. */
export const HMM_PROMPT = "SMM> ";

/** The 20 words Tab-Tab lists on the real HMM (hmm-cli.md §2). */
export const HMM_VOCABULARY = [
  "/smm/smmget",
  "/smm/smmset",
  "TMOUT",
  "clear",
  "cmdext",
  "date",
  "exit",
  "history",
  "ifconfig",
  "ntpq",
  "ping",
  "ping6",
  "reads",
  "reboot",
  "smmget",
  "smmset",
  "ssh",
  "swiconfexport",
  "telnet",
  "top",
];

/** The extended diagnostics loaded by `cmdext -l`. */
export const EXTENDED = [
  "cpuinfo",
  "meminfo",
  "netstat",
  "iptabledis",
  "export",
  "df",
  "ps",
  "fpgainfo",
  "cpldinfo",
  "routedis",
  "arp",
  "dmsg",
  "route6",
];

/** Exact error strings (hmm-cli.md §3). */
export const HMM_ERRORS = {
  noItem: "The data item does not exist.",
  noTarget: "Target is null,please input target.",
  badTarget: "The target does not exist, or the target does not support the dataitem.",
  badLocation: "smmget:cli invalid data item or location error",
  needLocation: "Please Operate: blade1 ~ blade32 swi1 ~ swi4",
  invalid: "Invalid parameter",
} as const;

/** What the HMM shell needs. */
export interface HmmShellDeps {
  ctx: Pick<SimContext, "topology" | "credentials" | "switches" | "mgmt">;
  state: HmmState;
  blades: Map<number, BladeState>;
  /** Exported files (path -> bytes) served over SFTP; the shell adds archives here. */
  exported: Map<string, Uint8Array>;
  now: () => number;
}

interface Location {
  kind: "smm" | "blade" | "swi";
  n: number;
}

function parseLocation(l: string | undefined): Location | undefined | "bad" {
  if (l === undefined) return undefined;
  const b = /^blade([1-9]|[12]\d|3[0-2])$/.exec(l);
  if (b) return { kind: "blade", n: Number(b[1]) };
  const s = /^swi([1-4])$/.exec(l);
  if (s) return { kind: "swi", n: Number(s[1]) };
  return "bad";
}

/** Run the HMM shell on a terminal until `exit` or close. Exec mode: pass `once`. */
export async function runHmmShell(t: Terminal, deps: HmmShellDeps, once?: string): Promise<void> {
  const { ctx, state, blades } = deps;
  const topo = ctx.topology;
  let extended = false;
  const history: string[] = [];
  const active = topo.hmm.modules.find((m) => m.role === "active") ?? topo.hmm.modules[0];

  const checkPassword = (p: string) => sameSecret(p, ctx.credentials.password);
  const oplog = (text: string) =>
    state.addEvent({
      level: 0,
      source: "MM",
      sensor: "Operation",
      description: text,
      code: "0X2801FF00",
      asserted: true,
      component: "smm",
    });

  const smmVersion = () => [
    "SMM Version Information:",
    "Uboot    Version :(U54)3.03",
    "CPLD     Version :(U1082)108  161206",
    "PCB      Version :SMMA REV B",
    "BOM      Version :001",
    "FPGA     Version :(U1049)008  130605",
    `Software Version :(U54)${state.data.versions.smm ?? topo.hmm.version}`,
    "IPMI Module Built:Aug 23 2021 15:10:44",
  ];

  const swiPresent = (n: number) => topo.switches.some((s) => s.slot === n);

  const smmget = (args: string[]) => {
    const p = flags(args);
    if (!p || p.rest.length || !p.opts.d) return t.line(HMM_ERRORS.invalid);
    const loc = parseLocation(p.opts.l);
    if (loc === "bad") return t.line(HMM_ERRORS.badLocation);
    const item = p.opts.d;
    const needsLoc = ["health", "biosbootmode", "macaddress"];
    const bladeOnly = ["biosbootmode", "macaddress"];
    const known = [
      "version",
      "gateway",
      "timezone",
      "presence",
      "health",
      "biosbootmode",
      "macaddress",
      "temperature",
    ];
    if (!known.includes(item)) return t.line(HMM_ERRORS.noItem);
    if (needsLoc.includes(item) && !loc) return t.line(HMM_ERRORS.needLocation);
    if (bladeOnly.includes(item) && loc && loc.kind !== "blade") {
      return t.line(HMM_ERRORS.badLocation);
    }
    if (loc?.kind === "blade" && item !== "presence" && !blades.has(loc.n)) {
      return t.line(`Blade${loc.n} is not present.`);
    }
    if (loc?.kind === "swi" && item !== "presence" && !swiPresent(loc.n)) {
      return t.line(`Swi${loc.n} is not present.`);
    }
    switch (item) {
      case "version": {
        if (!loc) return smmVersion().forEach((l) => t.line(l));
        if (loc.kind === "swi") {
          const s = topo.switches.find((x) => x.slot === loc.n)!;
          t.line(`Swi${loc.n} Version Information:`);
          t.line("IPMC     Version :(U12)5.95");
          t.line("IPMI     Version :2.0");
          t.line("iMana    Version :(U4005)5.95");
          t.line("Driver   Version :1.0.12");
          t.line("Uboot    Version :(U12)1.1.0");
          t.line(`Software Version :${state.data.versions[`Swi${loc.n}`] ?? s.software.release}`);
          t.line(`IPMB     Address :0x${(0x80 + loc.n * 2).toString(16)}`);
          return;
        }
        const fw = blades.get(loc.n)!.data.firmware;
        t.line(`Blade${loc.n} Version Information:`);
        t.line(`BIOS     Version :(U41)${fw.bios}`);
        t.line(`iMana    Version :(U4005)${fw.ibmc}`);
        t.line(`CPLD     Version :(U38)${fw.cpld ?? "023"}`);
        return;
      }
      case "gateway":
        if (loc) return t.line(HMM_ERRORS.badLocation);
        t.line(`Configuration gateway: ${state.data.records.mmNetwork.gateway}`);
        t.line(`Active gateway: ${state.data.records.mmNetwork.gateway}`);
        return;
      case "timezone":
        if (loc) return t.line(HMM_ERRORS.badLocation);
        return t.line(`Time Zone: ${state.data.records.ntp.timezone}`);
      case "presence":
        if (!loc) return t.line("SMM is present.");
        if (loc.kind === "blade") {
          return t.line(
            blades.has(loc.n) ? `Blade${loc.n} is present.` : `Blade${loc.n} is not present.`,
          );
        }
        return t.line(
          swiPresent(loc.n) ? `Swi${loc.n} is present.` : `Swi${loc.n} is not present.`,
        );
      case "health": {
        const name = `${loc!.kind}${loc!.n}`;
        if (loc!.kind === "blade") {
          const b = blades.get(loc!.n)!;
          return t.line(
            b.spec.health === "OK"
              ? `${name} has no problem.`
              : `${name} has ${b.spec.health === "Critical" ? "critical" : "minor"} alarm.`,
          );
        }
        return t.line(`${name} has no problem.`);
      }
      case "biosbootmode":
        return t.line(blades.get(loc!.n)!.data.boot.enabled === "Disabled" ? "disable" : "enable");
      case "macaddress": {
        const mac = blades.get(loc!.n)!.spec.nics[0]?.mac;
        return t.line(mac ? mac.toUpperCase() : "NO MAC Address!");
      }
      case "temperature": {
        if (!p.opts.t) return t.line(HMM_ERRORS.noTarget);
        const targets: Record<string, number> = {
          BaseboardTemp: 31,
          InletTemp: 24,
          OutletTemp: 35,
        };
        if (!(p.opts.t in targets)) return t.line(HMM_ERRORS.badTarget);
        return t.line(`${p.opts.t}: ${targets[p.opts.t]} degrees C`);
      }
    }
  };

  const smmset = (args: string[]) => {
    const p = flags(args);
    if (!p || p.rest.length || !p.opts.d || p.opts.v === undefined) {
      return t.line(HMM_ERRORS.invalid);
    }
    const loc = parseLocation(p.opts.l);
    if (loc === "bad") return t.line(HMM_ERRORS.badLocation);
    const v = p.opts.v;
    switch (p.opts.d) {
      case "timezone": {
        if (loc) return t.line(HMM_ERRORS.badLocation);
        const err = state.writeRecord("ntp", { timezone: v });
        if (err) return t.line(HMM_ERRORS.invalid);
        oplog(`Set time zone to ${v}`);
        return t.line("Set time zone successfully.");
      }
      case "gateway": {
        if (loc) return t.line(HMM_ERRORS.badLocation);
        const err = state.writeRecord("mmNetwork", { gateway: v });
        if (err) return t.line(HMM_ERRORS.invalid);
        oplog(`Set gateway to ${v}`);
        return t.line("Set gateway successfully.");
      }
      case "powerstate":
        // Observed: the HMM's own smmset -d powerstate rejected every value tried.
        return t.line(HMM_ERRORS.invalid);
      default:
        return t.line(HMM_ERRORS.noItem);
    }
  };

  const ping = (args: string[]) => {
    const host = args.filter((a, i) =>
      !a.startsWith("-") && !(i > 0 && /^-[cWw]$/.test(args[i - 1]))
    ).pop();
    if (!host) return t.line("BusyBox v1.13.2 multi-call binary\n\nUsage: ping [OPTION]... host");
    const count = Math.max(1, Math.min(10, Number(args[args.indexOf("-c") + 1]) || 1));
    const up = reachableIp(host);
    t.line(`PING ${host} (${host}): 56 data bytes`);
    if (up) {
      for (let i = 0; i < count; i++) {
        t.line(`64 bytes from ${host}: seq=${i} ttl=64 time=0.4${i} ms`);
      }
    }
    t.line("");
    t.line(`--- ${host} ping statistics ---`);
    t.line(
      `${count} packets transmitted, ${up ? count : 0} packets received, ${
        up ? 0 : 100
      }% packet loss`,
    );
    if (up) t.line("round-trip min/avg/max = 0.400/0.405/0.409 ms");
  };

  const bladeByIp = (ip: string) => {
    const m = /^172\.31\.1\.(\d+)$/.exec(ip);
    const slot = m ? Number(m[1]) - 128 : 0;
    return slot >= 1 && slot <= 32 ? blades.get(slot) : undefined;
  };
  const bladeUp = (b: BladeState) => !b.rebootUntil && ctx.mgmt.isReachable(`blade${b.slot}`);
  function reachableIp(ip: string): boolean {
    const b = bladeByIp(ip);
    if (b) return bladeUp(b);
    const sw = ctx.switches.byIp(ip);
    if (sw) return ctx.mgmt.reachableFromHmm(sw);
    const net = state.data.records.mmNetwork;
    return [
      "127.0.0.1",
      net.floatip,
      net.smm1ip,
      net.smm2ip,
      net.gateway,
      "172.31.1.236",
      "172.31.1.237",
      ...topo.hmm.modules.flatMap((
        m,
      ) => [m.internalIp, m.internalIp.replace("172.31.1.", "172.31.0.")]),
    ].includes(ip);
  }

  const ifconfig = () => {
    const net = state.data.records.mmNetwork;
    const idx = topo.hmm.modules.indexOf(active);
    const own = idx === 0 ? net.smm1ip : net.smm2ip;
    const iface = (name: string, ip: string, mask: string, mac?: string) => {
      t.line(
        `${name.padEnd(10)}Link encap:${
          mac ? "Ethernet  HWaddr " + mac.toUpperCase() : "Local Loopback"
        }`,
      );
      t.line(`          inet addr:${ip}  Mask:${mask}`);
      t.line("          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1");
      t.line("");
    };
    iface("eth0", own, net.netmask, active.mac);
    iface("eth0:0", net.floatip, net.netmask, active.mac);
    iface("eth1", active.internalIp.replace("172.31.1.", "172.31.0."), "255.255.255.0", active.mac);
    iface("eth2", active.internalIp, "255.255.255.0", active.mac);
    iface("lo", "127.0.0.1", "255.0.0.0");
  };

  const reads = (args: string[]) => {
    const kind = args[0];
    if (
      !["faillog", "secure", "smmlog", "oplog"].includes(kind ?? "") ||
      args.slice(1).some((a) => a !== "-t")
    ) {
      return t.line(HMM_ERRORS.invalid);
    }
    let events = state.data.events.filter((e) => e.component === "smm");
    if (kind === "faillog") events = events.filter((e) => e.sensor === "User Login");
    if (kind === "secure") events = events.filter((e) => /Login|Password|User/.test(e.sensor));
    if (kind === "oplog") {
      events = events.filter((e) => e.sensor === "Operation" || e.sensor === "Firmware Upgrade");
    }
    if (args.includes("-t")) events = events.slice(0, 10);
    for (const e of [...events].reverse()) {
      t.line(
        `${
          new Date(e.time).toISOString().replace("T", " ").slice(0, 19)
        } ${active.name} ${e.sensor}: ${e.description}`,
      );
    }
  };

  const swiconfexport = (args: string[]) => {
    if (args.length !== 1) return t.line(HMM_ERRORS.invalid);
    const m = /^swi([1-4])$/.exec(args[0]);
    if (!m) return t.line(HMM_ERRORS.invalid);
    const name = args[0];
    if (
      !swiPresent(Number(m[1])) || !ctx.switches.list().includes(name) ||
      !ctx.mgmt.reachableFromHmm(name)
    ) {
      return t.line("Failed");
    }
    const files = ctx.switches.exportFiles(name);
    const mtime = Math.floor(deps.now() / 1000);
    const dirs = new Set<string>([`${name}/`, `${name}/swcfg/`, `${name}/bakcfg/`]);
    for (const p of Object.keys(files)) {
      const parts = p.split("/");
      for (let i = 1; i < parts.length; i++) dirs.add(`${name}/${parts.slice(0, i).join("/")}/`);
    }
    const entries = [
      ...[...dirs].sort().map((path) => ({ path, mtime })),
      ...Object.entries(files).map(([p, data]) => ({ path: `${name}/${p}`, data, mtime })),
    ];
    deps.exported.set(`/tmp/exchange/${name}/${name}.tar.gz`, tarGz(entries));
    oplog(`Export configuration of ${name}`);
    t.line("Successed");
    t.line(`Please check "/tmp/exchange/${name}/${name}.tar.gz"`);
  };

  const extendedCmd = (cmd: string) => {
    const net = state.data.records.mmNetwork;
    switch (cmd) {
      case "routedis":
        t.line("Kernel IP routing table");
        t.line("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface");
        t.line(
          `${net.floatip.replace(/\.\d+$/, ".0").padEnd(16)}0.0.0.0         ${
            net.netmask.padEnd(16)
          }U     0      0        0 eth0`,
        );
        t.line("172.31.0.0      0.0.0.0         255.255.255.0   U     0      0        0 eth1");
        t.line("172.31.1.0      0.0.0.0         255.255.255.0   U     0      0        0 eth2");
        t.line(
          `0.0.0.0         ${net.gateway.padEnd(16)}0.0.0.0         UG    0      0        0 eth0`,
        );
        return;
      case "arp":
        for (const b of [...blades.values()].filter(bladeUp)) {
          t.line(`? (${b.spec.bmcIp}) at ${b.spec.bmcMac} [ether]  on eth2`);
        }
        for (const s of topo.switches.filter((s) => ctx.mgmt.reachableFromHmm(s.name))) {
          t.line(`? (${s.mgmt.ip}) at ${s.mac} [ether]  on eth2`);
        }
        return;
      case "df":
        t.line("Filesystem           1K-blocks      Used Available Use% Mounted on");
        t.line("/dev/root               253871    180212     60551  75% /");
        t.line("tmpfs                   516040      2860    513180   1% /tmp");
        return;
      case "cpuinfo":
        t.line("Processor       : ARMv7 Processor rev 0 (v7l)\nBogoMIPS        : 1196.85");
        return;
      case "meminfo":
        t.line("MemTotal:        1032080 kB\nMemFree:          402116 kB");
        return;
      case "ps":
        t.line(
          "  PID USER       VSZ STAT COMMAND\n    1 root      1880 S    init\n  612 root     23504 S    /smm/smmcli",
        );
        return;
      default:
        t.line(`${cmd}: no data`);
    }
  };

  const jump = async (args: string[]) => {
    const host = args[0];
    if (
      !host || args.length > 2 || (args[1] !== undefined && args[1] !== "NoStricHostKeyChecking")
    ) {
      return t.line(HMM_ERRORS.invalid);
    }
    const blade = bladeByIp(host);
    const sw = blade ? undefined : ctx.switches.byIp(host);
    if (!blade && !sw) return t.line(`ssh: connect to host ${host} port 22: No route to host`);
    if ((blade && !bladeUp(blade)) || (sw && !ctx.mgmt.reachableFromHmm(sw))) {
      return t.line(`ssh: connect to host ${host} port 22: Connection timed out`);
    }
    if (args[1] !== "NoStricHostKeyChecking") {
      t.line(`The authenticity of host '${host} (${host})' can't be established.`);
      t.line("RSA key fingerprint is 3b:9f:0e:5c:71:2a:8d:44:19:c0:aa:5e:63:7b:12:90.");
      t.write("Are you sure you want to continue connecting (yes/no)? ");
      const a = await t.readLine();
      if (a === null) return;
      // Ctrl-C kills the OpenSSH client: back to the HMM prompt.
      if (a === "\x03") return;
      if (a.trim() !== "yes") return t.line("Host key verification failed.");
      t.line(`Warning: Permanently added '${host}' (RSA) to the list of known hosts.`);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      t.write(`root@${host}'s password: `);
      const pw = await t.readLine({ echo: false });
      if (pw === null) return;
      // Ctrl-C at the password prompt aborts the login like OpenSSH (SIGINT ends the client):
      // no attempt is counted, the HMM prompt comes back.
      if (pw === "\x03") return;
      const ok = blade
        ? checkPassword(pw) ||
          Object.values(blade.data.accounts).some((a) =>
            a.userName === "root" && sameSecret(pw, a.password)
          )
        : checkPassword(pw);
      if (ok) {
        if (blade) {
          t.line("");
          t.line(`iBMC login: slot ${blade.slot}, iMana ${blade.data.firmware.ibmc}`);
          await runIbmcShell(t, blade, { onExit: () => t.line(`Connection to ${host} closed.`) });
          return;
        }
        await new Promise<void>((resolve) => {
          t.paused = true;
          ctx.switches.attachShell(sw!, t.io, () => {
            t.paused = false;
            t.line(`Connection to ${host} closed.`);
            resolve();
          });
          t.io.onClose(() => resolve());
        });
        return;
      }
      t.line("Permission denied, please try again.");
    }
    t.line(`Permission denied (publickey,password).`);
  };

  const dispatch = async (line: string): Promise<"exit" | void> => {
    const argv = words(line);
    if (!argv.length) return;
    history.push(line);
    const [raw, ...args] = argv;
    const cmd = raw.replace(/^\/smm\//, "");
    if (extended && EXTENDED.includes(cmd)) return extendedCmd(cmd);
    if (!HMM_VOCABULARY.includes(raw)) return t.line(`unknown command : ${raw}`);
    switch (cmd) {
      case "exit":
        return "exit";
      case "smmget":
        return smmget(args);
      case "smmset":
        return smmset(args);
      case "ping":
      case "ping6":
        return ping(args);
      case "ifconfig":
        return ifconfig();
      case "reads":
        return reads(args);
      case "date":
        return t.line(new Date(deps.now()).toUTCString().replace("GMT", "UTC"));
      case "history":
        return history.forEach((h, i) => t.line(`  ${i + 1}  ${h}`));
      case "clear":
        return t.write("\x1b[H\x1b[2J");
      case "TMOUT":
        return t.line("TMOUT=0");
      case "ntpq": {
        const ntp = state.data.records.ntp;
        if (ntp.enabled !== "1") return t.line("ntpq: read: Connection refused");
        t.line("     remote           refid      st t when poll reach   delay   offset  jitter");
        t.line("==============================================================================");
        for (const s of [ntp.server1, ntp.server2].filter(Boolean)) {
          t.line(`*${s.padEnd(16)}.GPS.            1 u   34   64  377    0.412    0.031   0.012`);
        }
        return;
      }
      case "top":
        return t.line("Mem: 629964K used, 402116K free\nCPU:   3% usr   2% sys   0% nic  95% idle");
      case "reboot":
      case "telnet":
        return t.line(HMM_ERRORS.invalid);
      case "cmdext": {
        if (args.length !== 1 || (args[0] !== "-l" && args[0] !== "-u")) {
          return t.line(HMM_ERRORS.invalid);
        }
        t.write("Password: ");
        const pw = await t.readLine({ echo: false });
        if (pw === null) return "exit";
        if (!checkPassword(pw)) return t.line("Password error.");
        extended = args[0] === "-l";
        oplog(extended ? "Load extended commands" : "Unload extended commands");
        return t.line(
          extended
            ? "Extended commands loaded successfully."
            : "Extended commands unloaded successfully.",
        );
      }
      case "swiconfexport":
        if (!extended) return t.line("Please load the extended commands first (cmdext -l).");
        return swiconfexport(args);
      case "ssh":
        return await jump(args);
    }
  };

  if (once !== undefined) {
    await dispatch(once);
    t.end(0);
    return;
  }
  t.line(
    `Info: Welcome to ${topo.chassis.model} ${active.name} (SMM ${
      state.data.versions.smm ?? topo.hmm.version
    }).`,
  );
  while (!t.closed) {
    t.write(HMM_PROMPT);
    const line = await t.readLine();
    if (line === null) return;
    if (line === "\x03") continue;
    if (line === "\x04" || (await dispatch(line)) === "exit") {
      t.end(0);
      return;
    }
  }
}
