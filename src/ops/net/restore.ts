/**
 * Put a switch's running configuration back to a saved text (`display current-configuration`
 * from a snapshot): read the live configuration, compute the restore commands
 * ({@link reconcileCommands}: VLANs, VLAN names/descriptions, interface lines, Eth-Trunks), send
 * them (and `commit` on a two-stage switch), read back and compare.
 *
 * Used by the `switch:*` scope's restore (inside the change envelope) after its VLAN pass, and by
 * the watchdog's immediate-mode rollback. Covers the parts of a configuration Vessel's switch
 * operations change; lines it has no inverse for are reported in `unsupported` and left alone.
 *
 * @example
 * const r = await restoreRunningConfig(chassis, "swi2", snapshotRunningText);
 * r.equal; // true when the live configuration now matches (volatile `!` lines ignored)
 *
 * @module
 */
import type { Chassis } from "../../chassis/chassis.ts";
import type { CallOptions } from "../../drivers/deadline.ts";
import { assertSafeLine } from "./cli_text.ts";
import { closeQuietly, display, openVrpSession } from "./conn.ts";
import { parseConfig, reconcileCommands, sameConfigText } from "./vrp_parse.ts";

/** The redaction marker snapshots carry instead of secrets. */
const REDACTED = "***";

/** What {@link restoreRunningConfig} did. */
export interface RestoreResult {
  switch: string;
  commands: string[];
  unsupported: string[];
  /** The live configuration equals the wanted one afterwards. */
  equal: boolean;
}

/**
 * Restore `wantText` on switch `sw` over a fresh session.
 *
 * @throws {VrpCommandError} / {VrpCommitError} the switch refused a command or the commit
 *   (nothing half-committed on a two-stage switch: the candidate is discarded)
 */
export async function restoreRunningConfig(
  chassis: Chassis,
  sw: string,
  wantText: string,
  opts: CallOptions = {},
): Promise<RestoreResult> {
  const { session: s } = await openVrpSession(chassis, sw, opts);
  try {
    const now = await display(s, "display current-configuration", opts);
    if (sameConfigText(now, wantText)) {
      return { switch: sw, commands: [], unsupported: [], equal: true };
    }
    const plan = reconcileCommands(parseConfig(wantText), parseConfig(now));
    // A snapshot's secrets are redacted: never type the marker back as a value.
    const redacted = plan.commands.filter((c) => c.includes(REDACTED));
    if (redacted.length) {
      plan.commands = plan.commands.filter((c) => !c.includes(REDACTED));
      plan.unsupported.push(...redacted.map((c) => `redacted in the snapshot: "${c}"`));
    }
    for (const c of plan.commands) assertSafeLine(c);
    // One configuration unit: on a two-stage switch a refused command or commit discards the
    // candidate (nothing half-committed).
    if (plan.commands.length) await s.configure(plan.commands, opts);
    const after = await display(s, "display current-configuration", opts);
    return {
      switch: sw,
      commands: plan.commands,
      unsupported: plan.unsupported,
      equal: sameConfigText(after, wantText),
    };
  } finally {
    await closeQuietly(s);
  }
}
