/**
 * The change envelope for one CLI command: every mutation a command makes goes through it
 * (device lock, snapshot of the scope, audit intent, apply, verify, audit outcome, rollback).
 */
import type { Store } from "../store/db.ts";
import type { EnvelopeContext, EnvelopeEvent } from "../ops/mod.ts";
import type { ChassisSession } from "./connect.ts";

/** Build the envelope context of a command session. */
export async function commandEnvelope(
  s: ChassisSession,
  store: Store,
  onEvent?: (e: EnvelopeEvent) => void,
): Promise<EnvelopeContext> {
  const { chassisEnvelope } = await import("../ops/mod.ts");
  return chassisEnvelope({
    store,
    chassis: s.chassis,
    endpoints: s.endpoints,
    snapshotsDir: s.snapshotsDir,
    onEvent,
  });
}
