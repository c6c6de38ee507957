/**
 * The iBMC restricted shell (iMana 6.05) after docs/hardware/hmm-cli.md §6: prompt
 * `root@BMC:/#`, `ipmcget -d bootdevice`, `ipmcget -d sel -v list` (newest first, paged with a
 * pager left by `q`), `ipmcset -d powerstate|frucontrol -v <value>` confirmed at
 * `Do you want to continue?[Y/N]:` (`bootdevice` too only with the blade option
 * `bootdeviceConfirm`; hmm-cli.md §6.2 reports no question for it), `-v ?` listing the values. Reached directly (the blade's SSH
 * endpoint) or through the HMM's `ssh <ip>` jump; power and boot state are the blade's shared
 * {@link BladeState}.
 *
 * @module
 */
import { type BladeState, bootFromIpmi, type BootTarget, type ResetType } from "./blade.ts";
import { flags, type Terminal, words } from "./term.ts";

/** The iBMC prompt (hmm-cli.md §6). */
export const IBMC_PROMPT = "root@BMC:/#";

/** The confirmation question of disruptive `ipmcset` items. */
export const CONFIRM = "Do you want to continue?[Y/N]:";

const VOCABULARY = [
  "TMOUT",
  "df",
  "dmesg",
  "exit",
  "free",
  "ifconfig",
  "ipmcget",
  "ipmcset",
  "maintenance_debug",
  "netstat",
  "ping",
  "ps",
  "route",
  "top",
];

const BOOT_LABEL: Record<BootTarget, string> = {
  None: "No override",
  Pxe: "PXE",
  Hdd: "Hard Drive",
  Cd: "DVD-ROM/CD-ROM",
  Floppy: "Floppy",
  BiosSetup: "BIOS Setup",
};

const SET_ITEMS: Record<string, { values: Record<string, string>; usage: string }> = {
  powerstate: {
    usage: "ipmcset -d powerstate -v <option>",
    values: { "0": "power off", "1": "power on" },
  },
  frucontrol: {
    usage: "ipmcset -d frucontrol -v <option>",
    values: {
      "0": "forced system reset",
      "2": "forced power cycle",
      "3": "diagnostic interrupt (NMI)",
    },
  },
  bootdevice: {
    usage: "ipmcset -d bootdevice -v <option> [once|permanent]",
    values: {
      "0": "No override",
      "1": "Force PXE",
      "2": "Force boot from default Hard-drive",
      "5": "Force boot from default CD/DVD",
      "0xF": "Force boot from Floppy/primary removable media",
    },
  },
};

const GET_ITEMS = ["bootdevice", "sel", "version", "serialrecord"];

/** `/tmp/sol.dat` of each iBMC (in memory; shared by the sessions of that blade). */
const SOL_FILES = new WeakMap<BladeState, string[]>();

/** A plausible serial console capture for the blade's current state (text is an assumption). */
function solConsole(blade: BladeState): string[] {
  const d = blade.data;
  if (d.power === "Off") return ["[SOL] host is powered off; no console output since power off"];
  const boot = d.boot.target === "None" ? "Hard Drive" : BOOT_LABEL[d.boot.target];
  return [
    `Huawei BIOS (U41)${d.firmware.bios}, ${blade.spec.model}, slot ${blade.slot}`,
    `CPU: ${blade.spec.cpus} x ${blade.spec.cpuModel}`,
    `Memory: ${blade.spec.memoryGiB} GB`,
    `Boot device: ${boot}${d.vmedia.inserted ? ` (virtual media: ${d.vmedia.image})` : ""}`,
    `${blade.spec.hostname} login:`,
  ];
}

/** Options of {@link runIbmcShell}. */
export interface IbmcShellOptions {
  /** Called when the user leaves with `exit` (default: end the channel). */
  onExit?: () => void;
  /** Lines per page of the SEL pager (default 20). */
  pageLines?: number;
  /** Exec mode: run this one command (a `[Y/N]` answer is read from the channel), then close. */
  once?: string;
}

function usageGet(t: Terminal): void {
  t.line("Usage: ipmcget [-t target] -d dataitem [-v value]");
  t.line("Data items: " + GET_ITEMS.join(" "));
}

/** Run the iBMC shell on a terminal until `exit` or the channel closes. */
export async function runIbmcShell(
  t: Terminal,
  blade: BladeState,
  options: IbmcShellOptions = {},
): Promise<void> {
  const pageLines = options.pageLines ?? 20;
  const confirm = async (): Promise<boolean | null> => {
    t.line("WARNING: The operation may have many adverse effects.");
    t.write(CONFIRM);
    const answer = await t.readLine();
    if (answer === null) return null;
    return /^y(es)?$/i.test(answer.trim());
  };
  let pending = options.once;
  let ran = false;
  while (!t.closed) {
    if (options.once !== undefined && ran) {
      // Exec mode: one command, then the channel closes.
      t.end(0);
      return;
    }
    let line: string | null;
    if (pending !== undefined) {
      line = pending;
      pending = undefined;
      ran = true;
    } else {
      t.write(IBMC_PROMPT);
      line = await t.readLine();
    }
    if (line === null) return;
    const argv = words(line);
    if (!argv.length || line === "\x03") continue;
    const [cmd, ...args] = argv;
    if (cmd === "exit" || line === "\x04") {
      if (options.onExit) return options.onExit();
      t.end(0);
      return;
    }
    if (!VOCABULARY.includes(cmd)) {
      t.line(`${cmd}: command not found`);
      continue;
    }
    const parsed = flags(args);
    if (cmd === "ipmcget") {
      if (!parsed || !parsed.opts.d) {
        usageGet(t);
        continue;
      }
      const item = parsed.opts.d;
      if (item === "bootdevice") {
        const b = blade.data.boot;
        t.line(`Boot device: ${BOOT_LABEL[b.target]}`);
        if (b.target !== "None") {
          t.line(`Effective: ${b.enabled === "Continuous" ? "permanent" : "once"}`);
        }
      } else if (item === "version") {
        const fw = blade.data.firmware;
        t.line("------------------- iBMC INFO -------------------");
        t.line(`IPMC               CPU:           SPEAr310`);
        t.line(`IPMI           Version:           2.0`);
        t.line(`Active iMana   Version:           (U4005)${fw.ibmc}`);
        t.line(`BIOS           Version:           (U41)${fw.bios}`);
        t.line(`CPLD           Version:           (U38)${fw.cpld ?? "023"}`);
        t.line(`Slot ID                :           ${blade.slot}`);
      } else if (item === "sel") {
        if (parsed.opts.v !== "list") {
          t.line("Usage: ipmcget -d sel -v <list|info>");
          continue;
        }
        const rows = blade.data.sel.map((e) =>
          `${String(e.id).padStart(5)} | ${
            e.time.replace("T", " ").slice(0, 19)
          } | ${e.sensor} | ${e.description} | ${e.asserted ? "Asserted" : "Deasserted"}`
        );
        t.line("   ID | Time                | Sensor | Event | Status");
        for (let i = 0; i < rows.length; i++) {
          if (i > 0 && i % pageLines === 0 && t.io.pty) {
            t.write("--More-- (q to quit)");
            const k = await t.readKey();
            t.write("\r                    \r");
            if (k === null) return;
            if (k === "q" || k === "Q") break;
          }
          t.line(rows[i]);
        }
      } else if (item === "serialrecord") {
        if (parsed.opts.v !== "list") {
          t.line("Usage: ipmcget -d serialrecord -v list");
        } else if (!SOL_FILES.has(blade)) {
          t.line("No serial record. Run ipmcset -d download -v 0 first.");
        } else {
          for (const l of SOL_FILES.get(blade)!) t.line(l);
        }
      } else {
        usageGet(t);
      }
      continue;
    }
    if (cmd === "ipmcset" && parsed?.opts.d === "download") {
      // SOL capture (hmm-cli.md §6.2): packages the serial console ring buffer into /tmp/sol.dat.
      const v = parsed.opts.v;
      if (v === "?") {
        t.line("Usage: ipmcset -d download -v <option>");
        t.line("Options are:");
        t.line("    0     download the serial port data to /tmp/sol.dat");
      } else if (v !== "0") {
        t.line("Input parameter[-v] error");
      } else {
        for (const pct of [0, 25, 50, 75, 100]) {
          t.line(`Downloading...   ${String(pct).padStart(3)}%`);
        }
        SOL_FILES.set(blade, solConsole(blade));
        t.line("Download successfully.");
        t.line("The sol.dat file has been saved in /tmp/sol.dat.");
      }
      continue;
    }
    if (cmd === "ipmcset") {
      if (!parsed || !parsed.opts.d || parsed.opts.v === undefined) {
        t.line("Usage: ipmcset [-t target] -d dataitem -v value");
        t.line("Data items: " + [...Object.keys(SET_ITEMS), "download"].join(" "));
        continue;
      }
      const item = SET_ITEMS[parsed.opts.d];
      if (!item) {
        t.line("Usage: ipmcset [-t target] -d dataitem -v value");
        t.line("Data items: " + [...Object.keys(SET_ITEMS), "download"].join(" "));
        continue;
      }
      const v = parsed.opts.v;
      if (v === "?") {
        t.line(`Usage: ${item.usage}`);
        t.line("Options are:");
        for (const [k, d] of Object.entries(item.values)) t.line(`    ${k.padEnd(6)}${d}`);
        continue;
      }
      const key = Object.keys(item.values).find((k) => k.toLowerCase() === v.toLowerCase());
      if (!key) {
        t.line("Input parameter[-v] error");
        t.line(`Usage: ${item.usage}`);
        continue;
      }
      const mode = parsed.rest[0];
      if (
        parsed.opts.d === "bootdevice" && mode !== undefined && mode !== "once" &&
        mode !== "permanent"
      ) {
        t.line("Input parameter error");
        t.line(`Usage: ${item.usage}`);
        continue;
      }
      // hmm-cli.md §6.2 / redfish.md §2.4: only powerstate and frucontrol ask.
      if (parsed.opts.d !== "bootdevice" || blade.options.bootdeviceConfirm) {
        const yes = await confirm();
        if (yes === null) return;
        if (!yes) continue;
      }
      switch (parsed.opts.d) {
        case "powerstate":
          blade.reset(key === "1" ? "On" : "ForceOff");
          t.line(`Control fru0 power ${key === "1" ? "on" : "off"} successfully.`);
          break;
        case "frucontrol": {
          const type: ResetType = key === "0"
            ? "ForceRestart"
            : key === "2"
            ? "ForcePowerCycle"
            : "Nmi";
          blade.reset(type);
          t.line(`Control fru0 ${item.values[key]} successfully.`);
          break;
        }
        case "bootdevice": {
          const target = bootFromIpmi(key)!;
          blade.setBoot({
            target,
            enabled: target === "None" ? "Disabled" : mode === "permanent" ? "Continuous" : "Once",
          });
          t.line("Set boot device successfully.");
          break;
        }
      }
      continue;
    }
    switch (cmd) {
      case "ifconfig":
        t.line("eth2      Link encap:Ethernet  HWaddr " + blade.spec.bmcMac.toUpperCase());
        t.line(`          inet addr:${blade.spec.bmcIp}  Bcast:172.31.1.255  Mask:255.255.255.0`);
        t.line("          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1");
        t.line("");
        t.line("lo        Link encap:Local Loopback");
        t.line("          inet addr:127.0.0.1  Mask:255.0.0.0");
        break;
      case "free":
        t.line("             total       used       free     shared    buffers");
        t.line("Mem:        126448      98112      28336          0       4012");
        break;
      case "df":
        t.line("Filesystem           1K-blocks      Used Available Use% Mounted on");
        t.line("/dev/root                30720     25044      5676  82% /");
        t.line("tmpfs                    63224      1468     61756   2% /tmp");
        break;
      case "route":
        t.line("Kernel IP routing table");
        t.line("Destination     Gateway         Genmask         Flags Metric Ref    Use Iface");
        t.line("172.31.1.0      0.0.0.0         255.255.255.0   U     0      0        0 eth2");
        break;
      case "ping": {
        const host = args.filter((a) => !a.startsWith("-") && !/^\d+$/.test(a)).pop();
        if (!host) t.line("BusyBox v1.13.2 multi-call binary\nUsage: ping [OPTIONS] HOST");
        else {t.line(
            `PING ${host} (${host}): 56 data bytes\n\n--- ${host} ping statistics ---\n1 packets transmitted, 0 packets received, 100% packet loss`,
          );}
        break;
      }
      case "TMOUT":
        t.line("TMOUT=600");
        break;
      default:
        t.line(`${cmd}: restricted in this shell`);
    }
  }
}
