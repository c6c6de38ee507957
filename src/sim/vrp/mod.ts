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
      startSession(dev, io, onExit);
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
