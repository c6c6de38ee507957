/**
 * The one way to reach a switch module's VRP CLI: direct SSH to its management address, or the
 * HMM jump (`ssh 172.31.1.16N NoStricHostKeyChecking` typed in the HMM shell,
 * `docs/hardware/hmm-cli.md` §6; the HMM refuses TCP forwarding). Used by the SDK's
 * {@link SwitchClient} (one long-lived session per switch) and by the switch watchdog (fresh
 * sessions for probes, the lifeline and rollbacks, `src/ops/net`).
 *
 * @example
 * const { session, path } = await openSwitchSession(chassis.context, "swi2", { path: "hmm-jump" });
 * try {
 *   await session.exec("display device");
 * } finally {
 *   await session.close();
 * }
 *
 * @module
 */
import { NotFoundError, TransportError, UnsupportedError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { VrpSession } from "../drivers/vrp/session.ts";
import { switchFabricAddress } from "../drivers/hmmcli/shell.ts";
import { HostKeyChangedError } from "./trust.ts";
import { withRetry } from "../drivers/retry.ts";
import type { ChassisContext } from "./chassis.ts";
import { parseSshUrl } from "./endpoints.ts";

/** Which path a session took. */
export type VrpPath = "direct" | "hmm-jump";

/** A session and the path it took. */
export interface OpenedSession {
  session: VrpSession;
  path: VrpPath;
}

/** Options of {@link openSwitchSession}. */
export interface OpenSwitchSessionOptions extends CallOptions {
  /** Default: the endpoint's own path (`via: "hmm"` = the HMM jump, else direct). */
  path?: VrpPath;
  /**
   * Retry a dropped or reset direct connection (a switch busy or rebooting); never a refused
   * login, a changed host key or a timeout. Default false: the watchdog wants one honest try.
   */
  retry?: boolean;
}

/** A connection attempt that may succeed when repeated. */
export function isTransientConnectError(e: unknown): boolean {
  return e instanceof TransportError && !(e instanceof HostKeyChangedError) &&
    !/refused|ENOTFOUND|EHOSTUNREACH|unknown (ssh|tls)/i.test(e.message);
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

/** True when the chassis has an HMM shell endpoint (the jump path needs it). */
export function hasHmmShell(ctx: Pick<ChassisContext, "endpoints">): boolean {
  return !!ctx.endpoints.hmm?.ssh;
}

/**
 * Opens a new VRP session to switch `name` over `opts.path`.
 *
 * @throws {NotFoundError} the switch is not in the endpoints
 * @throws {UnsupportedError} the path does not exist (no direct address, no HMM shell)
 * @throws {TransportError} / {TimeoutError} / {AuthError} from the drivers
 */
export async function openSwitchSession(
  ctx: ChassisContext,
  name: string,
  opts: OpenSwitchSessionOptions = {},
): Promise<OpenedSession> {
  const ep = ctx.endpoints.switches[name];
  if (!ep) {
    throw new NotFoundError(`Switch ${name} is not present in this chassis`, {
      hint: `Present switch modules: ${Object.keys(ctx.endpoints.switches).sort().join(", ")}`,
    });
  }
  const path: VrpPath = opts.path ?? (ep.via === "hmm" ? "hmm-jump" : "direct");
  const timeoutMs = opts.timeoutMs ?? ctx.defaults.timeoutMs ?? 30000;
  const signal = opts.signal ?? ctx.defaults.signal;
  if (path === "direct") {
    if (ep.via === "hmm") {
      throw new UnsupportedError(`Switch ${name} has no direct management path in the endpoints`, {
        details: { capability: "switch-direct-ssh" },
      });
    }
    const { host, port } = parseSshUrl(ep.ssh);
    const connect = () =>
      VrpSession.connect({
        device: name,
        host,
        port,
        username: ctx.credentials.username,
        password: ctx.credentials.password,
        verifyHostKey: ctx.trust.sshVerifier(),
        recorder: ctx.recorder,
        commandTimeoutMs: timeoutMs,
        loginTimeoutMs: Math.min(timeoutMs, 15000),
        signal,
      });
    const session = opts.retry
      ? await withRetry(
        connect,
        isTransientConnectError,
        { attempts: 3, baseMs: 200, maxMs: 2000 },
        signal,
      )
      : await connect();
    return { session, path };
  }
  if (!hasHmmShell(ctx)) {
    throw new UnsupportedError(`No HMM shell endpoint: cannot jump to ${name} through the HMM`, {
      details: { capability: "hmm-ssh" },
    });
  }
  const hmm = await ctx.hmmShell({ timeoutMs, signal });
  try {
    const session = await hmm.jumpToSwitch(switchSlot(name), ctx.credentials.password, {
      timeoutMs,
      signal,
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
