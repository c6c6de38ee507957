/**
 * The VRP command line of the simulated CX310: line editing and echo, prompts for both
 * configuration modes, keyword abbreviation, errors with the `^` marker, paging with
 * `---- More ----`, the `save` and commit dialogues, and the command set documented in
 * `docs/simulator.md`.
 *
 * @module
 */
import type { ShellIO } from "../context.ts";
import {
  compareIfName,
  hasL2Config,
  type IfaceCfg,
  isPhysical,
  type LinkType,
  membership,
  renderConfig,
  renderIface,
  sameConfig,
  type SwitchConfig,
  tidyL2,
} from "./config.ts";
import { type ConfigOp, type SwitchDevice, VrpError } from "./device.ts";
import {
  arpEntries,
  displayArp,
  displayDevice,
  displayEthTrunk,
  displayInterface,
  displayInterfaceBrief,
  displayLldp,
  displayLldpBrief,
  displayMac,
  displayPortVlan,
  displayVersion,
  displayVlan,
} from "./display.ts";

/** `---- More ----` as VRP prints it, and the sequence that erases it. */
export const MORE = "  ---- More ----";
export const MORE_ERASE = "\x1b[42D" + " ".repeat(42) + "\x1b[42D";
/** Lines per page when paging is on (VRP default screen length, assumption). */
export const PAGE_LINES = 24;

type View =
  | { kind: "user" }
  | { kind: "system" }
  | { kind: "vlan"; vid: number }
  | { kind: "iface"; name: string };
type ViewKind = View["kind"];

type Arg = number | string | number[] | undefined;
type Args = Record<string, Arg>;

interface Param {
  kind: "int" | "word" | "text" | "vlans" | "if" | "ip";
  name: string;
  min?: number;
  max?: number;
}
type El = string | Param;

interface Cmd {
  views: ViewKind[];
  els: El[];
  /** Only in this configuration mode. */
  mode?: "immediate" | "two-stage";
  /** Extra applicability (e.g. interface kind). */
  when?: (s: VrpSession) => boolean;
  run: (s: VrpSession, a: Args) => void | Promise<void>;
}

const int = (name: string, min: number, max: number): Param => ({ kind: "int", name, min, max });
const word = (name: string): Param => ({ kind: "word", name });
const text = (name: string): Param => ({ kind: "text", name });
const vlans = (name: string): Param => ({ kind: "vlans", name });
const ifname = (name: string): Param => ({ kind: "if", name });
const ip = (name: string): Param => ({ kind: "ip", name });

interface Tok {
  text: string;
  start: number;
}

type MatchResult =
  | { ok: true; args: Args; path: string[]; exact: boolean[] }
  | { ok: false; at: number; kind: "wrong" | "incomplete" | "toomany" | "unrecognized" };

const IF_TYPES = ["10GE", "40GE", "GE", "Eth-Trunk", "Vlanif", "MEth", "NULL"];

function canonIf(t: string): string | undefined {
  const m = /^([A-Za-z0-9-]*?[A-Za-z-])(\d+(?:\/\d+)*)$/.exec(t);
  if (!m) return undefined;
  const type = IF_TYPES.find((x) => x.toLowerCase() === m[1].toLowerCase()) ??
    IF_TYPES.find((x) => x.toLowerCase().startsWith(m[1].toLowerCase()) && m[1].length >= 3);
  return type ? type + m[2] : undefined;
}

function matchCmd(cmd: Cmd, toks: Tok[], line: string): MatchResult {
  const args: Args = {};
  const path: string[] = [];
  const exact: boolean[] = [];
  let i = 0;
  for (const el of cmd.els) {
    if (i >= toks.length) return { ok: false, at: i, kind: "incomplete" };
    const t = toks[i];
    if (typeof el === "string") {
      if (!el.toLowerCase().startsWith(t.text.toLowerCase())) {
        return { ok: false, at: i, kind: "unrecognized" };
      }
      path.push(el);
      exact.push(el.toLowerCase() === t.text.toLowerCase());
      i++;
      continue;
    }
    switch (el.kind) {
      case "int": {
        if (!/^\d+$/.test(t.text)) return { ok: false, at: i, kind: "wrong" };
        const n = Number(t.text);
        if (n < (el.min ?? 0) || n > (el.max ?? Infinity)) {
          return { ok: false, at: i, kind: "wrong" };
        }
        args[el.name] = n;
        i++;
        break;
      }
      case "word":
        args[el.name] = t.text;
        i++;
        break;
      case "text":
        args[el.name] = line.slice(t.start).trimEnd();
        i = toks.length;
        break;
      case "ip": {
        const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t.text);
        if (!m || m.slice(1).some((x) => Number(x) > 255)) {
          return { ok: false, at: i, kind: "wrong" };
        }
        args[el.name] = t.text;
        i++;
        break;
      }
      case "if": {
        let name = canonIf(t.text);
        let used = 1;
        if (!name && i + 1 < toks.length) {
          const type = IF_TYPES.find((x) => x.toLowerCase() === t.text.toLowerCase());
          if (type && /^\d+(\/\d+)*$/.test(toks[i + 1].text)) {
            name = type + toks[i + 1].text;
            used = 2;
          }
        }
        if (!name) {
          const type = IF_TYPES.find((x) => x.toLowerCase() === t.text.toLowerCase());
          if (type && i + 1 >= toks.length) return { ok: false, at: i + 1, kind: "incomplete" };
          return { ok: false, at: i, kind: "wrong" };
        }
        args[el.name] = name;
        i += used;
        break;
      }
      case "vlans": {
        const ids: number[] = [];
        if (i >= toks.length) return { ok: false, at: i, kind: "incomplete" };
        while (i < toks.length) {
          const tt = toks[i].text;
          if (/^\d+$/.test(tt)) {
            const n = Number(tt);
            if (n < 1 || n > 4094) return { ok: false, at: i, kind: "wrong" };
            ids.push(n);
            i++;
          } else if (tt.toLowerCase() === "to" && ids.length) {
            if (i + 1 >= toks.length) return { ok: false, at: i + 1, kind: "incomplete" };
            const e = toks[i + 1].text;
            const from = ids[ids.length - 1];
            if (!/^\d+$/.test(e) || Number(e) > 4094 || Number(e) < from) {
              return { ok: false, at: i + 1, kind: "wrong" };
            }
            for (let v = from + 1; v <= Number(e); v++) ids.push(v);
            i += 2;
          } else return { ok: false, at: i, kind: "wrong" };
        }
        args[el.name] = [...new Set(ids)].sort((a, b) => a - b);
        break;
      }
    }
  }
  if (i < toks.length) return { ok: false, at: i, kind: "toomany" };
  return { ok: true, args, path, exact };
}

const ERR_TEXT = {
  wrong: "Error: Wrong parameter found at '^' position.",
  incomplete: "Error: Incomplete command found at '^' position.",
  toomany: "Error: Too many parameters found at '^' position.",
  unrecognized: "Error: Unrecognized command found at '^' position.",
  ambiguous: "Error: Ambiguous command found at '^' position.",
};

// ---------------------------------------------------------------------------------------------
// Configuration operations (pure functions on SwitchConfig)
// ---------------------------------------------------------------------------------------------

function vlanExists(c: SwitchConfig, v: number): boolean {
  return !!c.vlans[String(v)];
}

function ifaceOf(c: SwitchConfig, name: string): IfaceCfg {
  const i = c.ifaces[name];
  if (!i) throw new VrpError("The interface does not exist.");
  return i;
}

function linkTypeOf(s: VrpSession, i: IfaceCfg): LinkType {
  return membership(i, s.dev.mode).type;
}

function requireType(s: VrpSession, i: IfaceCfg, type: LinkType): void {
  if (i.ethTrunk !== undefined) {
    throw new VrpError("The interface has been added to an Eth-Trunk; configure the Eth-Trunk.");
  }
  if (linkTypeOf(s, i) !== type) {
    throw new VrpError(`The port link-type is not ${type}; run port link-type ${type} first.`);
  }
}

const sortU = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);

// ---------------------------------------------------------------------------------------------
// The command table
// ---------------------------------------------------------------------------------------------

const CFG: ViewKind[] = ["system", "vlan", "iface"];
const ALL: ViewKind[] = ["user", "system", "vlan", "iface"];

const isIfKind = (re: RegExp) => (s: VrpSession) => s.view.kind === "iface" && re.test(s.view.name);
const PHYS = isIfKind(/^(10GE|40GE|GE)/);
const L2 = isIfKind(/^(10GE|40GE|GE|Eth-Trunk)/);
const TRUNK = isIfKind(/^Eth-Trunk/);
const L3 = isIfKind(/^(Vlanif|MEth)/);

function displayCmds(): Cmd[] {
  const d = (els: El[], run: Cmd["run"], mode?: Cmd["mode"]): Cmd => ({
    views: ALL,
    els: ["display", ...els],
    run,
    mode,
  });
  return [
    d(["vlan"], (s) => s.emit(displayVlan(s.dev, s.viewConfig()))),
    d(["vlan", int("vid", 1, 4094)], (s, a) => {
      const c = s.viewConfig();
      if (!c.vlans[String(a.vid)]) throw new VrpError("The VLAN does not exist.");
      s.emit(displayVlan(s.dev, c, a.vid as number));
    }),
    d(["port", "vlan"], (s) => s.emit(displayPortVlan(s.dev, s.viewConfig()))),
    d(["port", "vlan", ifname("if")], (s, a) => {
      const c = s.viewConfig();
      ifaceOf(c, a.if as string);
      s.emit(displayPortVlan(s.dev, c, a.if as string));
    }),
    d(["interface", "brief"], (s) => s.emit(displayInterfaceBrief(s.dev, s.viewConfig()))),
    d(["interface", ifname("if")], (s, a) => {
      const c = s.viewConfig();
      ifaceOf(c, a.if as string);
      s.emit(displayInterface(s.dev, c, a.if as string));
    }),
    d(["lldp", "neighbor"], (s) => s.emit(displayLldp(s.dev, s.viewConfig()))),
    d(["lldp", "neighbor", "brief"], (s) => s.emit(displayLldpBrief(s.dev, s.viewConfig()))),
    d(["lldp", "neighbor", "interface", ifname("if")], (s, a) => {
      const c = s.viewConfig();
      ifaceOf(c, a.if as string);
      s.emit(displayLldp(s.dev, c, a.if as string));
    }),
    d(["mac-address"], (s) => s.emit(displayMac(s.dev, s.viewConfig()))),
    d(["arp"], (s) => s.emit(displayArp(s.dev, s.viewConfig()))),
    d(["arp", "brief"], (s) => s.emit(displayArp(s.dev, s.viewConfig()))),
    d(["eth-trunk"], (s) => s.emit(displayEthTrunk(s.dev, s.viewConfig()))),
    d(["eth-trunk", int("n", 0, 127)], (s, a) => {
      const c = s.viewConfig();
      if (!c.ifaces[`Eth-Trunk${a.n}`]) throw new VrpError("The Eth-Trunk does not exist.");
      s.emit(displayEthTrunk(s.dev, c, a.n as number));
    }),
    d(["current-configuration"], (s) => s.emit(s.dev.runningText().trimEnd().split("\n"))),
    d(["current-configuration", "interface", ifname("if")], (s, a) => {
      const c = s.viewConfig();
      const i = ifaceOf(c, a.if as string);
      s.emit(["#", ...renderIface(i, s.dev.mode), "#", "return"]);
    }),
    d(["current-configuration", "configuration", "vlan"], (s) => {
      const lines = s.dev.runningText().trimEnd().split("\n");
      const out: string[] = ["#"];
      let inVlan = false;
      for (const l of lines) {
        if (/^vlan (batch )?\d/.test(l)) inVlan = true;
        else if (!l.startsWith(" ") && l !== "#") inVlan = false;
        if (inVlan) out.push(l);
        if (inVlan && l === "#") inVlan = false;
      }
      s.emit([...out.filter((l, k) => !(l === "#" && out[k - 1] === "#")), "return"]);
    }),
    d(["saved-configuration"], (s) => {
      const t = s.dev.savedText();
      if (t === undefined) throw new VrpError("The saved configuration file does not exist.");
      s.emit(t.trimEnd().split("\n"));
    }),
    d(["configuration", "candidate"], (s) => {
      const c = s.candidate();
      s.emit(renderCandidate(s, c));
    }, "two-stage"),
    d(["configuration", "commit", "list"], (s) => s.emit(commitList(s)), "two-stage"),
    d(["device"], (s) => s.emit(displayDevice(s.dev))),
    d(["version"], (s) => s.emit(displayVersion(s.dev))),
    {
      views: ["vlan", "iface"],
      els: ["display", "this"],
      run: (s) => s.emit(displayThis(s)),
    },
  ];
}

function renderCandidate(s: VrpSession, c: SwitchConfig): string[] {
  return renderConfig(c, s.dev.mode, { version: s.dev.spec.software.release });
}

function commitList(s: VrpSession): string[] {
  const fmt = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, "+00:00");
  const out = [
    new Date().toISOString().replace("T", " ").replace("Z", ""),
    " " + "-".repeat(79),
    "  No.   CommitId    Label                User       Date",
    " " + "-".repeat(79),
  ];
  s.dev.commits.forEach((c, i) => {
    out.push(
      `  ${String(i + 1).padEnd(6)}${c.id.padEnd(12)}${(c.label ?? "-").padEnd(21)}` +
        `${c.user.padEnd(11)}${fmt(c.time)}`,
    );
  });
  return out;
}

function displayThis(s: VrpSession): string[] {
  const c = s.viewConfig();
  const out = ["#"];
  if (s.view.kind === "vlan") {
    const v = c.vlans[String(s.view.vid)];
    if (v) {
      out.push(`vlan ${v.id}`);
      if (v.name) out.push(` name ${v.name}`);
      if (v.description) out.push(` description ${v.description}`);
    }
  } else if (s.view.kind === "iface") {
    const i = c.ifaces[s.view.name];
    if (i) out.push(...renderIface(i, s.dev.mode));
  }
  out.push("#", "return");
  return out;
}

function configCmds(): Cmd[] {
  const cfg = (els: El[], run: Cmd["run"], when?: Cmd["when"]): Cmd => ({
    views: CFG,
    els,
    run,
    when,
  });
  const sys = (els: El[], run: Cmd["run"], mode?: Cmd["mode"]): Cmd => ({
    views: ["system"],
    els,
    run,
    mode,
  });
  const vl = (els: El[], run: Cmd["run"]): Cmd => ({ views: ["vlan"], els, run });
  const ifc = (els: El[], when: Cmd["when"], run: Cmd["run"]): Cmd => ({
    views: ["iface"],
    els,
    run,
    when,
  });
  const here = (s: VrpSession) => (s.view as { name: string }).name;
  return [
    sys(["sysname", word("name")], (s, a) => {
      const n = a.name as string;
      if (n.length > 246) throw new VrpError("The system name is too long.");
      s.change((c) => c.sysname = n);
    }),
    sys(["vlan", int("vid", 1, 4094)], (s, a) => {
      const vid = a.vid as number;
      s.change((c) => {
        if (!vlanExists(c, vid)) c.vlans[String(vid)] = { id: vid };
      });
      s.view = { kind: "vlan", vid };
    }),
    sys(["vlan", "batch", vlans("ids")], (s, a) => {
      const ids = a.ids as number[];
      s.change((c) => {
        for (const v of ids) if (!vlanExists(c, v)) c.vlans[String(v)] = { id: v };
      });
      s.emit(["Info: This operation may take a few seconds. Please wait for a moment...done."]);
    }),
    sys(["undo", "vlan", int("vid", 1, 4094)], (s, a) => {
      const vid = a.vid as number;
      s.change((c) => {
        if (vid === 1) throw new VrpError("The default VLAN cannot be deleted.");
        if (!vlanExists(c, vid)) throw new VrpError("The VLAN does not exist.");
        delete c.vlans[String(vid)];
      });
    }),
    sys(["undo", "vlan", "batch", vlans("ids")], (s, a) => {
      const ids = a.ids as number[];
      s.change((c) => {
        if (ids.includes(1)) throw new VrpError("The default VLAN cannot be deleted.");
        for (const v of ids) delete c.vlans[String(v)];
      });
      s.emit(["Info: This operation may take a few seconds. Please wait for a moment...done."]);
    }),
    sys(["interface", ifname("if")], (s, a) => {
      const name = a.if as string;
      s.change((c) => {
        if (c.ifaces[name]) return;
        const eth = /^Eth-Trunk(\d+)$/.exec(name);
        const vif = /^Vlanif(\d+)$/.exec(name);
        if (eth && Number(eth[1]) <= 127) c.ifaces[name] = { name };
        else if (vif && Number(vif[1]) >= 1 && Number(vif[1]) <= 4094) c.ifaces[name] = { name };
        else throw new VrpError("The interface does not exist.");
      });
      s.view = { kind: "iface", name };
    }),
    sys(["undo", "interface", ifname("if")], (s, a) => {
      const name = a.if as string;
      s.change((c) => {
        if (!/^(Eth-Trunk|Vlanif)\d+$/.test(name)) {
          throw new VrpError("The physical interface cannot be deleted.");
        }
        if (!c.ifaces[name]) throw new VrpError("The interface does not exist.");
        const n = name.startsWith("Eth-Trunk") ? Number(name.slice(9)) : undefined;
        if (n !== undefined && Object.values(c.ifaces).some((i) => i.ethTrunk === n)) {
          throw new VrpError("The Eth-Trunk has member interfaces; remove them first.");
        }
        delete c.ifaces[name];
      });
    }),
    // VLAN view
    vl(["name", word("name")], (s, a) => {
      const vid = (s.view as { vid: number }).vid;
      const n = a.name as string;
      if (n.length > 31) throw new VrpError("The VLAN name is too long (at most 31 characters).");
      s.change((c) => c.vlans[String(vid)] && (c.vlans[String(vid)].name = n));
    }),
    vl(["undo", "name"], (s) => {
      const vid = (s.view as { vid: number }).vid;
      s.change((c) => c.vlans[String(vid)] && delete c.vlans[String(vid)].name);
    }),
    vl(["description", text("text")], (s, a) => {
      const vid = (s.view as { vid: number }).vid;
      const t = a.text as string;
      if (t.length > 80) throw new VrpError("The description is too long (at most 80 characters).");
      s.change((c) => c.vlans[String(vid)] && (c.vlans[String(vid)].description = t));
    }),
    vl(["undo", "description"], (s) => {
      const vid = (s.view as { vid: number }).vid;
      s.change((c) => c.vlans[String(vid)] && delete c.vlans[String(vid)].description);
    }),
    // Interface view
    ifc(["description", text("text")], () => true, (s, a) => {
      const t = a.text as string;
      if (t.length > 242) throw new VrpError("The description is too long.");
      s.change((c) => ifaceOf(c, here(s)).description = t);
    }),
    ifc(["undo", "description"], () => true, (s) => {
      s.change((c) => delete ifaceOf(c, here(s)).description);
    }),
    ifc(["shutdown"], () => true, (s) => s.change((c) => ifaceOf(c, here(s)).shutdown = true)),
    ifc(["undo", "shutdown"], () => true, (s) => {
      s.change((c) => delete ifaceOf(c, here(s)).shutdown);
    }),
    ifc(["port", "link-type", word("type")], L2, (s, a) => {
      const type = ["access", "trunk", "hybrid"].find((t) =>
        t.startsWith((a.type as string).toLowerCase())
      ) as LinkType | undefined;
      if (!type) throw new WrongParam(2);
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        if (i.ethTrunk !== undefined) {
          throw new VrpError(
            "The interface has been added to an Eth-Trunk; configure the Eth-Trunk.",
          );
        }
        if (linkTypeOf(s, i) === type) return;
        if (hasL2Config(i)) throw new VrpError("Please renew the default configurations.");
        tidyL2(i);
        i.linkType = type;
      });
    }),
    ifc(["undo", "port", "link-type"], L2, (s) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        if (hasL2Config(i)) throw new VrpError("Please renew the default configurations.");
        tidyL2(i);
        delete i.linkType;
      });
    }),
    ifc(["port", "default", "vlan", int("vid", 1, 4094)], L2, (s, a) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "access");
        if (!vlanExists(c, a.vid as number)) throw new VrpError("The VLAN does not exist.");
        i.pvid = a.vid === 1 ? undefined : a.vid as number;
        if (i.pvid === undefined) delete i.pvid;
      });
    }),
    ifc(["undo", "port", "default", "vlan"], L2, (s) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "access");
        delete i.pvid;
      });
    }),
    ifc(["port", "trunk", "allow-pass", "vlan", vlans("ids")], L2, (s, a) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "trunk");
        i.allowed = sortU([...(i.allowed ?? [1]), ...(a.ids as number[])]);
        tidyL2(i);
      });
    }),
    ifc(["port", "trunk", "allow-pass", "vlan", "all"], L2, (s) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "trunk");
        i.allowed = Array.from({ length: 4094 }, (_, k) => k + 1);
        tidyL2(i);
      });
    }),
    ifc(["undo", "port", "trunk", "allow-pass", "vlan", vlans("ids")], L2, (s, a) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "trunk");
        const rm = a.ids as number[];
        i.allowed = (i.allowed ?? [1]).filter((v) => !rm.includes(v));
        tidyL2(i);
      });
    }),
    ifc(["undo", "port", "trunk", "allow-pass", "vlan", "all"], L2, (s) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "trunk");
        i.allowed = [];
        tidyL2(i);
      });
    }),
    ifc(["port", "trunk", "pvid", "vlan", int("vid", 1, 4094)], L2, (s, a) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "trunk");
        i.pvid = a.vid as number;
        if (i.pvid === 1) delete i.pvid;
      });
    }),
    ifc(["undo", "port", "trunk", "pvid", "vlan"], L2, (s) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "trunk");
        delete i.pvid;
      });
    }),
    ifc(["port", "hybrid", "tagged", "vlan", vlans("ids")], L2, (s, a) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "hybrid");
        const ids = a.ids as number[];
        i.untagged = (i.untagged ?? [1]).filter((v) => !ids.includes(v));
        i.tagged = sortU([...(i.tagged ?? []), ...ids]);
        tidyL2(i);
      });
    }),
    ifc(["port", "hybrid", "untagged", "vlan", vlans("ids")], L2, (s, a) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "hybrid");
        const ids = a.ids as number[];
        i.tagged = (i.tagged ?? []).filter((v) => !ids.includes(v));
        i.untagged = sortU([...(i.untagged ?? [1]), ...ids]);
        tidyL2(i);
      });
    }),
    ifc(["undo", "port", "hybrid", "vlan", vlans("ids")], L2, (s, a) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "hybrid");
        const ids = a.ids as number[];
        i.tagged = (i.tagged ?? []).filter((v) => !ids.includes(v));
        i.untagged = (i.untagged ?? [1]).filter((v) => !ids.includes(v));
        tidyL2(i);
      });
    }),
    ifc(["port", "hybrid", "pvid", "vlan", int("vid", 1, 4094)], L2, (s, a) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        requireType(s, i, "hybrid");
        i.pvid = a.vid as number;
        if (i.pvid === 1) delete i.pvid;
      });
    }),
    ifc(["eth-trunk", int("n", 0, 127)], PHYS, (s, a) => {
      s.change((c) => {
        const i = ifaceOf(c, here(s));
        if (!c.ifaces[`Eth-Trunk${a.n}`]) throw new VrpError("The Eth-Trunk does not exist.");
        if (i.ethTrunk !== undefined && i.ethTrunk !== a.n) {
          throw new VrpError("The interface has been added to another Eth-Trunk.");
        }
        if (hasL2Config(i) || i.linkType) {
          throw new VrpError("Please renew the default configurations.");
        }
        i.ethTrunk = a.n as number;
      });
    }),
    ifc(["undo", "eth-trunk"], PHYS, (s) => {
      s.change((c) => delete ifaceOf(c, here(s)).ethTrunk);
    }),
    ifc(["mode", "lacp-static"], TRUNK, (s) => {
      s.change((c) => ifaceOf(c, here(s)).lacpStatic = true);
    }),
    ifc(["mode", "manual", "load-balance"], TRUNK, (s) => {
      s.change((c) => delete ifaceOf(c, here(s)).lacpStatic);
    }),
    ifc(["undo", "mode"], TRUNK, (s) => {
      s.change((c) => delete ifaceOf(c, here(s)).lacpStatic);
    }),
    ifc(["ip", "address", ip("addr"), ip("mask")], L3, (s, a) => {
      s.change((c) =>
        ifaceOf(c, here(s)).ip = { address: a.addr as string, mask: a.mask as string }
      );
    }),
    ifc(["undo", "ip", "address"], L3, (s) => {
      s.change((c) => delete ifaceOf(c, here(s)).ip);
    }),
    // Two-stage commit
    cfg(["commit"], (s) => s.commit({})),
    cfg(["commit", "label", word("label")], (s, a) => s.commit({ label: a.label as string })),
    cfg(["commit", "trial"], (s) => s.commit({ trialSeconds: 600 })),
    cfg(["commit", "trial", int("secs", 1, 65535)], (s, a) => {
      s.commit({ trialSeconds: a.secs as number });
    }),
    cfg(["abort", "trial"], (s) => {
      if (!s.dev.abortTrial(s.user)) throw new VrpError("No trial configuration is running.");
      s.emit(["Info: The trial configuration has been rolled back."]);
    }),
    cfg(["clear", "configuration", "candidate"], (s) => {
      s.pending = [];
    }),
  ].map((
    c,
  ) => (c.els[0] === "commit" || c.els[0] === "abort" || c.els[0] === "clear"
    ? { ...c, mode: "two-stage" as const }
    : c)
  );
}

class WrongParam extends Error {
  constructor(readonly tokenIndex: number) {
    super("wrong parameter");
  }
}

function sessionCmds(): Cmd[] {
  return [
    { views: ["user"], els: ["system-view"], run: (s) => s.enterSystem() },
    {
      views: ALL,
      els: ["screen-length", int("n", 0, 512), "temporary"],
      run: (s, a) => {
        s.screenLength = a.n as number;
        s.emit([
          "Info: The configuration takes effect on the current user terminal interface only.",
        ]);
      },
    },
    {
      views: ALL,
      els: ["undo", "screen-length", "temporary"],
      run: (s) => {
        s.screenLength = PAGE_LINES;
        s.emit([
          "Info: The configuration takes effect on the current user terminal interface only.",
        ]);
      },
    },
    { views: ALL, els: ["quit"], run: (s) => s.quit() },
    { views: CFG, els: ["return"], run: (s) => s.toUser() },
    { views: ALL, els: ["save"], run: (s) => s.save() },
    {
      views: ["user"],
      els: ["reset", "saved-configuration"],
      run: async (s) => {
        const ans = (await s.ask(
          "Warning: The action will delete the saved configuration in the device. " +
            "The configuration will be erased to reconfigure. Continue? [Y/N]:",
        )).trim().toLowerCase();
        if (ans !== "y" && ans !== "yes") return;
        s.dev.resetSaved();
        s.emit(["Info: Succeeded in clearing the configuration in the device."]);
      },
    },
    {
      views: ["user"],
      els: ["reboot"],
      run: async (s) => {
        const ans = (await s.ask("Warning: The system will reboot. Continue? [Y/N]:")).trim()
          .toLowerCase();
        if (ans !== "y" && ans !== "yes") return;
        s.emit(["Info: The system is rebooting, please wait..."]);
        s.flushNow();
        s.dev.reboot();
      },
    },
    { views: ["user"], els: ["ping", ip("ip")], run: (s, a) => s.ping(a.ip as string, 5) },
    {
      views: ["user", "system"],
      els: ["ping", "-c", int("n", 1, 100), ip("ip")],
      run: (s, a) => s.ping(a.ip as string, a.n as number),
    },
    { views: ["system"], els: ["ping", ip("ip")], run: (s, a) => s.ping(a.ip as string, 5) },
    {
      views: ["user"],
      els: ["rollback", "configuration", "to", "commit-id", word("id")],
      mode: "two-stage",
      run: (s, a) => {
        s.dev.rollbackTo(a.id as string, s.user);
        s.emit(["Info: Succeeded in rolling back the configuration."]);
      },
    },
    {
      views: ["user"],
      els: ["rollback", "configuration", "last", int("n", 1, 80)],
      mode: "two-stage",
      run: (s, a) => {
        const list = s.dev.commits;
        const target = list[(a.n as number) - 1];
        if (!target) throw new VrpError("The number of commits to roll back is too large.");
        s.dev.rollbackTo(target.id, s.user);
        s.emit(["Info: Succeeded in rolling back the configuration."]);
      },
    },
  ];
}

const COMMANDS: Cmd[] = [...sessionCmds(), ...displayCmds(), ...configCmds()];

// ---------------------------------------------------------------------------------------------
// The session
// ---------------------------------------------------------------------------------------------

/** Options of a VRP CLI session. */
export interface VrpSessionOptions {
  /** Called instead of closing the channel when the user quits user view (HMM jump). */
  onExit?: () => void;
}

/** One CLI session (interactive shell or exec). */
export class VrpSession {
  readonly dev: SwitchDevice;
  readonly io: ShellIO;
  readonly user: string;
  view: View = { kind: "user" };
  pending: ConfigOp[] = [];
  screenLength = PAGE_LINES;
  #buf = "";
  #waiter?: () => void;
  #out: string[] = [];
  #echo = "";
  #lastCR = false;
  #interactive: boolean;
  #opts: VrpSessionOptions;
  #ended = false;
  #currentPrompt = "";
  #offData: () => void;

  constructor(dev: SwitchDevice, io: ShellIO, interactive: boolean, opts: VrpSessionOptions = {}) {
    this.dev = dev;
    this.io = io;
    this.user = io.username || "root";
    this.#interactive = interactive;
    this.#opts = opts;
    if (!interactive) this.screenLength = 0;
    this.#offData = io.onData((d) => {
      this.#buf += d;
      const w = this.#waiter;
      this.#waiter = undefined;
      w?.();
    });
    io.onClose(() => {
      this.#ended = true;
      const w = this.#waiter;
      this.#waiter = undefined;
      w?.();
    });
  }

  /** The prompt of the current view. */
  prompt(): string {
    const name = this.dev.sysname;
    if (this.view.kind === "user") return `<${name}>`;
    const mark = this.dev.mode === "two-stage" ? (this.pending.length ? "*" : "~") : "";
    const sub = this.view.kind === "system"
      ? ""
      : this.view.kind === "vlan"
      ? `-vlan${this.view.vid}`
      : `-${this.view.name}`;
    return `[${mark}${name}${sub}]`;
  }

  /** Queue output lines (written with the next prompt, or paged). */
  emit(lines: string[]): void {
    this.#out.push(...lines);
  }

  /** Configuration the displays of this session show (running; candidate for `this`). */
  viewConfig(): SwitchConfig {
    return this.dev.peek() as SwitchConfig;
  }

  /** Candidate configuration (two-stage): running + pending changes. */
  candidate(): SwitchConfig {
    const k = this.#cand;
    if (k && k.version === this.dev.version && k.pending === this.pending.length) return k.config;
    const config = this.dev.preview(this.pending);
    this.#cand = { version: this.dev.version, pending: this.pending.length, config };
    return config;
  }

  #cand?: { version: number; pending: number; config: SwitchConfig };

  /** Apply or stage a configuration change. */
  change(fn: ConfigOp): void {
    // Ops replay later (commit, preview): bind them to the view they were entered in.
    const view = this.view;
    const op: ConfigOp = (c) => {
      const cur = this.view;
      this.view = view;
      try {
        fn(c);
      } finally {
        this.view = cur;
      }
    };
    if (this.dev.mode === "immediate") this.dev.apply(op, this.user);
    else {
      const before = this.candidate();
      const after = this.dev.preview([op], before);
      if (!sameConfig(before, after)) {
        this.pending.push(op);
        this.#cand = { version: this.dev.version, pending: this.pending.length, config: after };
      }
    }
  }

  /** Commit staged changes (two-stage). */
  commit(opts: { trialSeconds?: number; label?: string }): void {
    const ops = this.pending;
    const wasTrial = this.dev.trial !== undefined;
    try {
      this.dev.commit(ops, this.user, opts);
    } catch (e) {
      if (!(e instanceof VrpError)) throw e;
      // The running configuration changed under the candidate (another session): VRP8 keeps
      // the candidate and reports the failed commit (wording assumption).
      this.emit([`Error: ${e.message}`, "Error: The configuration failed to be committed."]);
      return;
    }
    this.pending = [];
    if (opts.trialSeconds !== undefined) {
      this.emit([
        `Info: The system will roll back the configuration if it is not confirmed in ${opts.trialSeconds} seconds.`,
      ]);
    } else if (wasTrial) {
      this.emit(["Info: The trial configuration has been confirmed."]);
    }
  }

  enterSystem(): void {
    this.view = { kind: "system" };
    this.emit(["Enter system view, return user view with return command."]);
  }

  async #leaveConfig(): Promise<boolean> {
    if (this.dev.mode !== "two-stage" || !this.pending.length) return true;
    const ans = await this.ask(
      "Warning: Uncommitted configurations found. Are you sure to commit them before exiting? " +
        "[Y(yes)/N(no)/C(cancel)]:",
    );
    const a = ans.trim().toLowerCase();
    if (a === "y" || a === "yes") {
      this.commit({});
      return true;
    }
    if (a === "n" || a === "no") {
      this.pending = [];
      return true;
    }
    return false;
  }

  async quit(): Promise<void> {
    switch (this.view.kind) {
      case "user":
        this.#ended = true;
        return;
      case "system":
        if (await this.#leaveConfig()) this.view = { kind: "user" };
        return;
      default:
        this.view = { kind: "system" };
    }
  }

  async toUser(): Promise<void> {
    if (this.view.kind === "user") return;
    if (await this.#leaveConfig()) this.view = { kind: "user" };
  }

  async save(): Promise<void> {
    const vrp8 = this.dev.mode === "two-stage";
    const q = vrp8
      ? "Warning: The current configuration will be written to the device. Continue? [Y/N]:"
      : "The current configuration will be written to the device.\r\nAre you sure to continue?[Y/N]:";
    const ans = (await this.ask(q)).trim().toLowerCase();
    if (ans !== "y" && ans !== "yes") {
      if (ans !== "n" && ans !== "no") this.emit(["Error: Please input Y or N."]);
      return;
    }
    if (!vrp8 && this.dev.spec.saveAsksFileName) {
      const name =
        (await this.ask("Info: Please input the file name ( *.cfg, *.zip ) [vrpcfg.zip]:"))
          .trim();
      if (name && !/^[\w.-]+\.(cfg|zip)$/i.test(name)) {
        this.emit(["Error: Wrong file name."]);
        return;
      }
    }
    this.dev.save();
    this.emit([
      `Now saving the current configuration to the slot ${this.dev.spec.slot}.`,
      vrp8 ? "Info: Save the configuration successfully." : "Save the configuration successfully.",
    ]);
  }

  ping(target: string, count: number): void {
    const ok = this.#reachableIp(target);
    const out = [`  PING ${target}: 56  data bytes, press CTRL_C to break`];
    for (let i = 1; i <= count; i++) {
      out.push(
        ok
          ? `    Reply from ${target}: bytes=56 Sequence=${i} ttl=64 time=1 ms`
          : "    Request time out",
      );
    }
    out.push(
      "",
      `  --- ${target} ping statistics ---`,
      `    ${count} packet(s) transmitted`,
      `    ${ok ? count : 0} packet(s) received`,
      `    ${ok ? "0.00" : "100.00"}% packet loss`,
    );
    if (ok) out.push("    round-trip min/avg/max = 1/1/1 ms");
    out.push("");
    this.emit(out);
  }

  #reachableIp(target: string): boolean {
    const c = this.dev.peek() as SwitchConfig;
    if (arpEntries(this.dev, c).some((a) => a.ip === target)) return true;
    if (!this.dev.mgmtUp()) return false;
    const t = this.dev.topology;
    const fabric = [
      ...t.hmm.modules.map((m) => m.internalIp),
      ...t.blades.map((b) => b.bmcIp),
    ];
    return fabric.includes(target);
  }

  /** Ask a question and read one line (the answer). */
  async ask(question: string): Promise<string> {
    this.#flush(question);
    const line = await this.readLine(true);
    return line ?? "";
  }

  /** Write queued output now (before the session is dropped). */
  flushNow(): void {
    this.#flush("");
  }

  #flush(tail: string): void {
    const body = this.#out.length ? this.#out.join("\r\n") + "\r\n" : "";
    this.#out = [];
    const text = this.#echo + body + tail;
    this.#echo = "";
    if (text) this.io.write(text);
  }

  async #nextChar(): Promise<string | undefined> {
    while (!this.#buf) {
      if (this.#ended || this.io.closed) return undefined;
      if (this.#echo) {
        this.io.write(this.#echo);
        this.#echo = "";
      }
      await new Promise<void>((r) => this.#waiter = r);
    }
    const ch = this.#buf[0];
    this.#buf = this.#buf.slice(1);
    return ch;
  }

  /** Read one line with echo and basic editing; null when the session ended. */
  async readLine(echo = true): Promise<string | null> {
    let line = "";
    for (;;) {
      const ch = await this.#nextChar();
      if (ch === undefined) return null;
      if (ch === "\n" && this.#lastCR) {
        this.#lastCR = false;
        continue;
      }
      this.#lastCR = ch === "\r";
      if (ch === "\r" || ch === "\n") {
        if (this.#interactive) this.#echo += "\r\n";
        return line;
      }
      if (ch === "\x7f" || ch === "\b") {
        if (line) {
          line = line.slice(0, -1);
          if (echo && this.#interactive) this.#echo += "\b \b";
        }
        continue;
      }
      if (ch === "\x03") {
        if (this.#interactive) this.#echo += "^C\r\n";
        return "\x03";
      }
      if (ch === "\x1a") {
        if (this.#interactive) this.#echo += "\r\n";
        return "\x1a";
      }
      if (ch === "?" && echo && this.#interactive) {
        this.#echo += "?\r\n" + this.#help(line).join("\r\n") + "\r\n\r\n" + this.#currentPrompt +
          line;
        continue;
      }
      if (ch < " " || ch === "\x1b") continue;
      line += ch;
      if (echo && this.#interactive) this.#echo += ch;
    }
  }

  #help(partial: string): string[] {
    const toks = [...partial.matchAll(/\S+/g)].map((m) => m[0]);
    const complete = partial.endsWith(" ") || partial === "";
    const pos = complete ? toks.length : toks.length - 1;
    const words = new Set<string>();
    for (const c of this.#candidates()) {
      const el = c.els[pos];
      if (el === undefined) continue;
      const prefixOk = toks.slice(0, pos).every((t, k) => {
        const e = c.els[k];
        return typeof e !== "string" || e.toLowerCase().startsWith(t.toLowerCase());
      });
      if (!prefixOk) continue;
      if (typeof el === "string") {
        if (complete || el.toLowerCase().startsWith(toks[pos].toLowerCase())) words.add(el);
      } else words.add(`<${el.name}>`);
    }
    return [...words].sort().map((w) => `  ${w}`);
  }

  #candidates(kinds?: ViewKind[]): Cmd[] {
    const k = kinds ?? [this.view.kind];
    return COMMANDS.filter((c) =>
      c.views.some((v) => k.includes(v)) && (!c.mode || c.mode === this.dev.mode) &&
      (!c.when || c.when(this))
    );
  }

  /** Page `lines` to the terminal (or write them at once when paging is off). */
  async #page(): Promise<void> {
    if (!this.screenLength || this.#out.length <= this.screenLength) return;
    const lines = this.#out;
    this.#out = [];
    let idx = 0;
    let first = true;
    let step = this.screenLength;
    while (idx < lines.length) {
      const chunk = lines.slice(idx, idx + step);
      idx += chunk.length;
      const text = (first ? this.#echo : MORE_ERASE) + chunk.join("\r\n") + "\r\n";
      this.#echo = "";
      first = false;
      if (idx >= lines.length) {
        this.#out = [];
        this.io.write(text);
        return;
      }
      this.io.write(text + MORE);
      const key = await this.#nextChar();
      if (key === undefined) return;
      if (key === "\r") {
        this.#lastCR = true;
        if (this.#buf.startsWith("\n")) {
          this.#buf = this.#buf.slice(1);
          this.#lastCR = false;
        }
      }
      if (key === " ") step = this.screenLength;
      else if (key === "\r" || key === "\n") step = 1;
      else {
        this.io.write(MORE_ERASE);
        return;
      }
    }
  }

  /** Run one command line. */
  async execute(raw: string): Promise<void> {
    if (raw === "\x03") return;
    if (raw === "\x1a") {
      await this.toUser();
      return;
    }
    let line = raw;
    let filter: ((l: string) => boolean) | undefined;
    let beginRe: RegExp | undefined;
    const pipe = /^(\s*dis\S*\s.*?)\s\|\s*(\S+)\s+(.+)$/i.exec(line);
    if (pipe) {
      const kind = ["include", "exclude", "begin"].find((k) => k.startsWith(pipe[2].toLowerCase()));
      let re: RegExp;
      try {
        re = new RegExp(pipe[3].trim());
      } catch {
        re = new RegExp(pipe[3].trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      }
      if (kind) {
        line = pipe[1];
        if (kind === "include") filter = (l) => re.test(l);
        else if (kind === "exclude") filter = (l) => !re.test(l);
        else beginRe = re;
      }
    }
    if (!line.trim()) return;
    this.dev.logCommand(this.user, this.prompt(), raw);
    const toks: Tok[] = [...line.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index! }));
    const offset = this.#interactive ? this.#currentPrompt.length : 0;
    const marker = (pos: number, msg: string) => {
      this.emit([" ".repeat(offset + pos) + "^", msg]);
    };
    let chosen = this.#resolve(toks, line, this.#candidates());
    if (!("cmd" in chosen) && this.view.kind !== "system" && this.view.kind !== "user") {
      const parent = this.#resolve(toks, line, this.#candidates(["system"]));
      if ("cmd" in parent) {
        const saved = this.view;
        this.view = { kind: "system" };
        if (parent.cmd.when && !parent.cmd.when(this)) this.view = saved;
        else chosen = parent;
      }
    }
    if (!("cmd" in chosen)) {
      const pos = chosen.at < toks.length ? toks[chosen.at].start : line.trimEnd().length + 1;
      marker(pos, ERR_TEXT[chosen.kind]);
      return;
    }
    try {
      const before = this.#out.length;
      await chosen.cmd.run(this, chosen.args);
      if (filter || beginRe) {
        const produced = this.#out.splice(before);
        let started = !beginRe;
        this.#out.push(...produced.filter((l) => {
          if (!started && beginRe!.test(l)) started = true;
          return started && (!filter || filter(l));
        }));
      }
    } catch (e) {
      if (e instanceof VrpError) this.emit([`Error: ${e.message}`]);
      else if (e instanceof WrongParam) {
        marker(toks[e.tokenIndex]?.start ?? line.length + 1, ERR_TEXT.wrong);
      } else {
        this.emit([`Error: ${(e as Error).message}`]);
      }
    }
  }

  #resolve(
    toks: Tok[],
    line: string,
    cands: Cmd[],
  ): { cmd: Cmd; args: Args } | {
    at: number;
    kind: "wrong" | "incomplete" | "toomany" | "unrecognized" | "ambiguous";
  } {
    const ok: { cmd: Cmd; args: Args; path: string[]; exact: boolean[] }[] = [];
    let best: { at: number; kind: "wrong" | "incomplete" | "toomany" | "unrecognized" } = {
      at: 0,
      kind: "unrecognized",
    };
    const rank = { unrecognized: 0, incomplete: 1, toomany: 2, wrong: 3 };
    for (const cmd of cands) {
      const r = matchCmd(cmd, toks, line);
      if (r.ok) ok.push({ cmd, args: r.args, path: r.path, exact: r.exact });
      else if (r.at > best.at || (r.at === best.at && rank[r.kind] > rank[best.kind])) {
        best = { at: r.at, kind: r.kind };
      }
    }
    if (!ok.length) return best;
    // VRP refuses an abbreviation that fits several keywords at one position (`s` for save,
    // sysname, screen-length), even when only one of them would complete.
    const amb = this.#ambiguousAt(toks, cands);
    if (amb !== undefined) return { at: amb, kind: "ambiguous" as "unrecognized" };
    if (ok.length === 1) return ok[0];
    // Disambiguate keyword abbreviations position by position: an exact keyword wins.
    let alive = ok;
    for (let p = 0; p < toks.length && alive.length > 1; p++) {
      const words = new Set(alive.map((a) => a.path[p]));
      if (words.size <= 1) continue;
      const exact = alive.filter((a) => a.exact[p]);
      if (exact.length) alive = exact;
      else return { at: p, kind: "ambiguous" as "unrecognized" };
    }
    return alive[0];
  }

  #ambiguousAt(toks: Tok[], cands: Cmd[]): number | undefined {
    for (let p = 0; p < toks.length; p++) {
      const t = toks[p].text.toLowerCase();
      const words = new Set<string>();
      for (const c of cands) {
        const el = c.els[p];
        if (typeof el !== "string") continue;
        const prefixOk = toks.slice(0, p).every((tk, k) => {
          const e = c.els[k];
          return e !== undefined &&
            (typeof e !== "string" || e.toLowerCase().startsWith(tk.text.toLowerCase()));
        });
        if (prefixOk && el.toLowerCase().startsWith(t)) words.add(el.toLowerCase());
      }
      if (words.size > 1 && !words.has(t)) return p;
    }
    return undefined;
  }

  /** Interactive session: banner, optional password change, then the command loop. */
  async run(): Promise<void> {
    this.dev.sessions++;
    const unregister = this.dev.addSession(() => {
      this.#ended = true;
      this.io.end(0);
    });
    try {
      const now = new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, "+00:00");
      if (this.dev.mode === "two-stage") {
        this.emit([
          "",
          "Info: The max number of VTY users is 21, the number of current VTY users online is " +
          `${this.dev.sessions}, and total number of terminal users online is ${this.dev.sessions}.`,
          `      The current login time is ${now}.`,
        ]);
      } else {
        this.emit([
          "",
          "Info: The max number of VTY users is 5, and the number",
          `      of current VTY users on line is ${this.dev.sessions}.`,
          `      The current login time is ${now}.`,
        ]);
      }
      if (this.dev.spec.passwordChangeRequired && !this.dev.password) {
        if (!await this.#passwordChange()) return;
      }
      while (!this.#ended && !this.io.closed) {
        this.#currentPrompt = this.prompt();
        await this.#page();
        this.#flush(this.#currentPrompt);
        const line = await this.readLine();
        if (line === null) break;
        await this.execute(line);
      }
      this.#offData();
      if (!this.io.closed) {
        this.#flush("");
        if (this.#opts.onExit) this.#opts.onExit();
        else this.io.end(0);
      }
    } finally {
      unregister();
      this.dev.sessions--;
    }
  }

  async #passwordChange(): Promise<boolean> {
    this.emit(["Warning: The initial password poses security risks."]);
    const ans = (await this.ask("The password needs to be changed. Change now? [Y/N]: "))
      .trim().toLowerCase();
    if (ans !== "y" && ans !== "yes") return true;
    const old = await this.#askSecret("Please enter old password: ");
    const newPw = await this.#askSecret("Please enter new password: ");
    const confirm = await this.#askSecret("Please confirm new password: ");
    if (old === null || newPw === null || confirm === null) return false;
    if (!this.#checkOld(old)) {
      this.emit(["Error: The password is incorrect."]);
      this.#flush("");
      this.io.end(0);
      return false;
    }
    if (newPw !== confirm) {
      this.emit(["Error: The two new passwords are different."]);
      this.#flush("");
      this.io.end(0);
      return false;
    }
    if (newPw.length < 8) {
      this.emit(["Error: The password must contain at least 8 characters."]);
      this.#flush("");
      this.io.end(0);
      return false;
    }
    this.dev.password = newPw;
    this.emit(["Info: Your password has been changed. Save the change to survive a reboot."]);
    return true;
  }

  /** Set by the switch module: checks the current password. */
  checkPassword?: (pw: string) => boolean;

  #checkOld(pw: string): boolean {
    return this.checkPassword ? this.checkPassword(pw) : true;
  }

  async #askSecret(q: string): Promise<string | null> {
    this.#flush(q);
    const l = await this.readLine(false);
    return l;
  }

  /** Non-interactive: run each line of an exec request and end the channel. */
  async runExec(command: string): Promise<void> {
    for (const line of command.split(/\r?\n/)) {
      if (this.io.closed) return;
      await this.execute(line);
    }
    this.#flush("");
    this.io.end(0);
  }
}

/** Exported for tests: is `name` a known interface type for the CLI? */
export function canonicalInterfaceName(name: string): string | undefined {
  return canonIf(name);
}

export { compareIfName, isPhysical };
