/**
 * The work behind `vessel sessions …` (loaded lazily).
 */
import { ValidationError } from "../errors.ts";
import { openStore } from "../store/db.ts";
import { AuditLog, defaultActor } from "../store/audit.ts";
import { withChassis } from "./connect.ts";
import type { Globals } from "./global.ts";
import { confirm } from "./prompt.ts";
import { table } from "./audit.ts";

/** Options of {@link runSessions}. */
export type SessionsOp =
  | { op: "list"; device?: string }
  | {
    op: "clean";
    device: string;
    user?: string;
    olderThan?: string;
    dryRun: boolean;
    yes: boolean;
  };

const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));

/** List or clean Redfish sessions. */
export async function runSessions(g: Globals, o: SessionsOp): Promise<void> {
  let olderThanMs: number | undefined;
  if (o.op === "clean" && o.olderThan !== undefined) {
    const n = Number(o.olderThan);
    if (!/^\d+$/.test(o.olderThan)) {
      throw new ValidationError(`Invalid --older-than "${o.olderThan}": give whole seconds`, {
        field: "older-than",
      });
    }
    olderThanMs = n * 1000;
  }
  await withChassis(g, async (s) => {
    const { redfishSessions } = await import("../chassis/redfish_sessions.ts");
    const rs = redfishSessions(s.chassis);
    if (o.op === "list") {
      const devices = o.device ? [o.device] : [
        ...(s.endpoints.hmm?.redfish ? ["hmm"] : []),
        ...Object.entries(s.endpoints.ibmc ?? {})
          .filter(([, e]) => (e as { redfish?: string }).redfish)
          .map(([slot]) => `ibmc${slot}`),
      ];
      const rows = (await Promise.all(devices.map((d) => rs.list(d)))).flat();
      if (g.output === "json") return out(JSON.stringify(rows, null, 2) + "\n");
      out(
        table(
          ["DEVICE", "ID", "USER", "CREATED", "OWN"],
          rows.map((r) => [r.device, r.id, r.user ?? "", r.createdAt ?? "", r.own ? "yes" : ""]),
        ) + "\n",
      );
      return;
    }
    const preview = await rs.clean(o.device, { user: o.user, olderThanMs, dryRun: true });
    if (o.dryRun || preview.deleted.length === 0) {
      if (g.output === "json") return out(JSON.stringify(preview, null, 2) + "\n");
      out(
        `${preview.deleted.length} session(s) on ${o.device} would be logged out` +
          (preview.deleted.length ? `: ${preview.deleted.map((d) => d.id).join(", ")}` : "") + "\n",
      );
      return;
    }
    if (!o.yes) {
      await confirm(
        `Log out ${preview.deleted.length} session(s) on ${o.device}? Their users lose their sessions.`,
        "--yes",
      );
    }
    const r = await rs.clean(o.device, { user: o.user, olderThanMs });
    // Sessions are not configuration (no snapshot to take), but logging people out is recorded.
    const store = openStore(s.statePath);
    try {
      new AuditLog(store).append({
        actor: defaultActor(),
        target: { kind: "device", id: o.device },
        operation: "sessions.clean",
        parameters: { user: o.user ?? null, older_than_s: olderThanMs ? olderThanMs / 1000 : null },
        evidence: {
          deleted: r.deleted.map((d) => ({ id: d.id, user: d.user })),
          kept: r.kept.length,
          errors: r.errors,
        },
        result: r.errors.length ? "failed" : "success",
        phase: "event",
      });
    } finally {
      store.close();
    }
    if (g.output === "json") return out(JSON.stringify(r, null, 2) + "\n");
    out(
      `Logged out ${r.deleted.length} session(s) on ${o.device}` +
        (r.errors.length ? `; ${r.errors.length} failed` : "") + "\n",
    );
  });
}
