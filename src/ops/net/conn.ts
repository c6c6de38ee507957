/**
 * Fresh VRP sessions for the switch operations and the watchdog, over the public driver API:
 * direct SSH to the switch's management address, or the HMM jump (`ssh 172.31.1.16N` typed in
 * the HMM shell, `docs/hardware/hmm-cli.md` §6). The SDK's `SwitchClient` keeps one long-lived
 * session per switch; the watchdog needs *new* connections (a heartbeat over an old session proves
 * nothing about the management path) and a second path for recovery, so it opens its own here.
 *
 * @module
 */
import { NotFoundError, UnsupportedError } from "../../errors.ts";
import type { CallOptions } from "../../drivers/deadline.ts";
import { VrpSession } from "../../drivers/vrp/session.ts";
import { switchFabricAddress } from "../../drivers/hmmcli/shell.ts";
import { parseSshUrl } from "../../chassis/endpoints.ts";
import type { Chassis } from "../../chassis/chassis.ts";
import { assertSafeLine } from "./cli_text.ts";

/** Which path a session took. */
export type VrpPath = "direct" | "hmm-jump";

/** A session and the path it took. */
export interface OpenedSession {
  session: VrpSession;
  path: VrpPath;
}

/** True when the chassis has an HMM shell endpoint (the jump path and the HMM probe need it). */
export function hasHmmShell(chassis: Chassis): boolean {
  return !!chassis.endpoints.hmm?.ssh;
}

/** Switch slot number from `swiN`. */
export function switchSlot(name: string): number {
  const m = /^swi([1-4])$/.exec(name);
  if (!m) throw new NotFoundError(`Unknown switch ${name}`, { hint: "Use swi1..swi4" });
  return Number(m[1]);
}

/** The switch's management (fabric) address, `172.31.1.(160+N)`. */
export function switchMgmtAddress(name: string): string {
  return switchFabricAddress(switchSlot(name));
}

/**
 * Open a new VRP session to `name` over `path` (default: the endpoint's own path).
 *
 * @throws {TransportError} / {TimeoutError} / {AuthError} from the drivers
 */
export async function openVrpSession(
  chassis: Chassis,
  name: string,
  opts: CallOptions & { path?: VrpPath } = {},
): Promise<OpenedSession> {
  const ctx = chassis.context;
  const ep = chassis.endpoints.switches[name];
  if (!ep) {
    throw new NotFoundError(`Switch ${name} is not present in this chassis`, {
      hint: `Present switch modules: ${Object.keys(chassis.endpoints.switches).sort().join(", ")}`,
    });
  }
  const path: VrpPath = opts.path ?? (ep.via === "hmm" ? "hmm-jump" : "direct");
  const timeoutMs = opts.timeoutMs ?? ctx.defaults.timeoutMs ?? 30000;
  if (path === "direct") {
    if (ep.via === "hmm") {
      throw new UnsupportedError(`Switch ${name} has no direct management path in the endpoints`, {
        details: { capability: "switch-direct-ssh" },
      });
    }
    const { host, port } = parseSshUrl(ep.ssh);
    const session = await VrpSession.connect({
      device: name,
      host,
      port,
      username: ctx.credentials.username,
      password: ctx.credentials.password,
      verifyHostKey: ctx.trust.sshVerifier(),
      recorder: ctx.recorder,
      commandTimeoutMs: timeoutMs,
      loginTimeoutMs: timeoutMs,
      signal: opts.signal ?? ctx.defaults.signal,
    });
    return { session, path };
  }
  if (!hasHmmShell(chassis)) {
    throw new UnsupportedError(`No HMM shell endpoint: cannot jump to ${name} through the HMM`, {
      details: { capability: "hmm-ssh" },
    });
  }
  const hmm = await ctx.hmmShell({ timeoutMs, signal: opts.signal });
  try {
    const session = await hmm.jumpToSwitch(switchSlot(name), ctx.credentials.password, {
      timeoutMs,
      signal: opts.signal,
      address: ep.via === "hmm" ? parseSshUrl(ep.ssh).host : switchMgmtAddress(name),
      onClose: async () => {
        await hmm.returnFromJump({ timeoutMs: 2000 }).catch(() => {});
        await hmm.close();
      },
    });
    return { session, path };
  } catch (e) {
    await hmm.close();
    throw e;
  }
}

/** Run a display command (validated) and return its output. */
export async function display(
  s: VrpSession,
  command: string,
  opts: CallOptions = {},
): Promise<string> {
  assertSafeLine(command);
  return (await s.exec(command, opts)).output;
}

/** Close quietly. */
export async function closeQuietly(s: { close(): Promise<void> } | undefined): Promise<void> {
  if (!s) return;
  try {
    await s.close();
  } catch { /* best effort */ }
}
