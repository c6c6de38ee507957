/**
 * The CX310 switch modules of the simulator: one {@link SwitchDevice} and one SSH server per
 * switch, plus the {@link SwitchAccess} the HMM side uses (`ssh <ip>` jump, `swiconfexport`).
 *
 * @module
 */
import type { ShellIO, SimContext, SshServerHandle, SwitchAccess, VrpMode } from "../context.ts";
import { SwitchDevice, type SwitchState } from "./device.ts";
import { VrpSession } from "./cli.ts";

/** Running switches. */
export interface SwitchModules {
  devices: Map<string, SwitchDevice>;
  servers: Map<string, SshServerHandle>;
  access: SwitchAccess;
  close(): Promise<void>;
}

/** Create the switch devices (no listeners yet). */
export function createSwitchDevices(
  ctx: Pick<SimContext, "topology" | "persist">,
  defaultMode: VrpMode,
): Map<string, SwitchDevice> {
  const devices = new Map<string, SwitchDevice>();
  for (const spec of ctx.topology.switches) {
    const mode = spec.vrpMode ?? defaultMode;
    const store = ctx.persist<SwitchState>(`switches/${spec.name}`);
    devices.set(spec.name, new SwitchDevice(spec, mode, ctx.topology, store));
  }
  return devices;
}

/** Start one SSH server per switch device. */
export async function startSwitches(
  ctx: SimContext,
  devices: Map<string, SwitchDevice>,
): Promise<SwitchModules> {
  const servers = new Map<string, SshServerHandle>();
  const checkPassword = (dev: SwitchDevice) => (pw: string) =>
    pw === (dev.password ?? ctx.credentials.password);
  const startSession = (dev: SwitchDevice, io: ShellIO, onExit?: () => void) => {
    const s = new VrpSession(dev, io, true, { onExit });
    s.checkPassword = checkPassword(dev);
    s.run().catch((e) => {
      ctx.log(`${dev.name}: VRP session failed: ${(e as Error).message}`);
      io.end(1);
    });
  };
  await Promise.all(
    [...devices.values()].map(async (dev) => {
      const h = await ctx.ssh.createSshServer({
        device: dev.name,
        ident: "HUAWEI-1.5",
        authenticate: (u, p) => u === ctx.credentials.username && checkPassword(dev)(p),
        onShell: (io) => startSession(dev, io),
        onExec: (command, io) => {
          const s = new VrpSession(dev, io, false);
          s.runExec(command).catch(() => io.end(1));
        },
      });
      servers.set(dev.name, h);
    }),
  );
  const access: SwitchAccess = {
    list: () => [...devices.keys()],
    byIp: (ip) => [...devices.values()].find((d) => d.spec.mgmt.ip === ip)?.name,
    attachShell(name, io, onExit) {
      const dev = devices.get(name);
      if (!dev) throw new Error(`No switch ${name}`);
      // The HMM's jump crosses the switch's in-band management path only with hmmPath in-band.
      const gated = dev.spec.mgmt.hmmPath === "in-band"
        ? gateIO(io, () => ctx.mgmt.isReachable(name), ctx.mgmt.onChange)
        : io;
      startSession(dev, gated, onExit);
    },
    exportFiles(name) {
      const dev = devices.get(name);
      if (!dev) throw new Error(`No switch ${name}`);
      const enc = new TextEncoder();
      const day = new Date().toISOString().slice(0, 10);
      const saved = dev.savedText() ?? dev.runningText();
      return {
        "2_1_1.cfg": enc.encode(dev.runningText()),
        "entity_0.cfg": enc.encode(`${dev.spec.model}\n`),
        "entity_1.cfg": enc.encode("65794\n"),
        "entity_2.cfg": enc.encode(`${dev.spec.serial}\n`),
        [`bakcfg/${day}/2_1_1.cfg`]: enc.encode(saved),
      };
    },
    runningConfig(name) {
      const dev = devices.get(name);
      if (!dev) throw new Error(`No switch ${name}`);
      return dev.runningText();
    },
  };
  return {
    devices,
    servers,
    access,
    async close() {
      await Promise.all([...servers.values()].map((s) => s.close()));
      for (const d of devices.values()) d.close();
    },
  };
}

/**
 * The HMM's jump session to a switch crosses the switch's management path: while it is cut,
 * output and input are held (like a TCP session into a black hole) and delivered when it is back.
 */
export function gateIO(
  io: ShellIO,
  open: () => boolean,
  onChange: (l: () => void) => () => void,
): ShellIO {
  const out: string[] = [];
  const input: string[] = [];
  const listeners: ((s: string) => void)[] = [];
  let endCode: number | undefined;
  const pump = () => {
    if (!open() || io.closed) return;
    if (out.length) io.write(out.splice(0).join(""));
    for (const chunk of input.splice(0)) for (const l of [...listeners]) l(chunk);
    if (endCode !== undefined) io.end(endCode);
  };
  const off = onChange(pump);
  io.onClose(off);
  const offData = io.onData((d) => {
    input.push(d);
    pump();
  });
  return {
    get username() {
      return io.username;
    },
    get pty() {
      return io.pty;
    },
    get cols() {
      return io.cols;
    },
    get rows() {
      return io.rows;
    },
    kind: io.kind,
    command: io.command,
    get closed() {
      return io.closed;
    },
    write(text: string) {
      out.push(text);
      pump();
    },
    onData(listener) {
      listeners.push(listener);
      return () => {
        const i = listeners.indexOf(listener);
        if (i >= 0) listeners.splice(i, 1);
        if (!listeners.length) {
          offData();
          off();
        }
      };
    },
    end(code = 0) {
      endCode = code;
      pump();
    },
    onClose: (l) => io.onClose(l),
  };
}
