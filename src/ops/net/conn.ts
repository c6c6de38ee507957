/**
 * Fresh VRP sessions for the switch operations and the watchdog. The opener is the SDK's
 * ({@link openSwitchSession}: direct SSH or the HMM jump, one way to reach a switch); the
 * watchdog needs *new* connections (a heartbeat over an old session proves nothing about the
 * management path) and a second path for recovery, so it asks for its own sessions here.
 *
 * @module
 */
import type { CallOptions } from "../../drivers/deadline.ts";
import type { VrpSession } from "../../drivers/vrp/session.ts";
import type { Chassis } from "../../chassis/chassis.ts";
import {
  hasHmmShell as ctxHasHmmShell,
  type OpenedSession,
  openSwitchSession,
  type VrpPath,
} from "../../chassis/switch_session.ts";
import { assertSafeLine } from "./cli_text.ts";

export {
  type OpenedSession,
  switchMgmtAddress,
  switchSlot,
  type VrpPath,
} from "../../chassis/switch_session.ts";

/** True when the chassis has an HMM shell endpoint (the jump path and the HMM probe need it). */
export function hasHmmShell(chassis: Chassis): boolean {
  return ctxHasHmmShell(chassis.context);
}

/**
 * Open a new VRP session to `name` over `path` (default: the endpoint's own path).
 *
 * @throws {TransportError} / {TimeoutError} / {AuthError} from the drivers
 */
export function openVrpSession(
  chassis: Chassis,
  name: string,
  opts: CallOptions & { path?: VrpPath } = {},
): Promise<OpenedSession> {
  return openSwitchSession(chassis.context, name, opts);
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
