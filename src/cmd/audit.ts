/**
 * `vessel audit list|export|verify`: read the hash-chained audit log in the store.
 *
 * Examples:
 *   vessel audit list --target switch:swi2 --op 'vlan.*' --since 24h
 *   vessel audit list --output json
 *   vessel audit export --out audit.ndjson
 *   vessel audit verify
 *
 * Light at import time: the store is imported inside the actions.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";

/** The global options this command reads (defined on the root program by `main.ts`). */
export interface GlobalOptions {
  output?: string;
  verbose?: boolean;
  color?: boolean;
  chassis?: string;
  state?: string;
}

/** Where command output goes; tests pass their own. */
export interface CommandIo {
  stdout: (line: string) => void;
}

const defaultIo: CommandIo = { stdout: (l) => console.log(l) };

function globals(cmd: { optsWithGlobals(): unknown }): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/**
 * Build the `audit` command.
 *
 * @example
 * program.addCommand(auditCommand());
 */
export function auditCommand(io: CommandIo = defaultIo) {
  const audit = new Command("audit")
    .description("Read, export and verify the append-only audit log")
    .addHelpText(
      "after",
      `
Examples:
  vessel audit list --target switch:swi2 --op 'vlan.*' --since 24h
  vessel audit export --out audit.ndjson
  vessel audit verify`,
    );

  audit
    .command("list")
    .description("List audit records, oldest first")
    .option("--target <target>", "kind:id (switch:swi2), an id (swi2) or a kind (switch:)")
    .option("--op <operation>", "operation, or a prefix ending in * (vlan.*)")
    .option("--since <when>", "ISO time or a duration back from now (30m, 12h, 7d)")
    .option("--change <id>", "only the records of one change")
    .option("--limit <n>", "only the newest n records", (v) => Number.parseInt(v, 10))
    .action(async (opts, cmd) => {
      const g = globals(cmd);
      const { openStore, DEFAULT_STORE_PATH } = await import("../store/db.ts");
      const { AuditLog } = await import("../store/audit.ts");
      const store = openStore(g.state ?? DEFAULT_STORE_PATH);
      try {
        const records = new AuditLog(store).list({
          target: opts.target,
          op: opts.op,
          since: opts.since,
          changeId: opts.change,
          limit: opts.limit,
        });
        if (g.output === "json") {
          io.stdout(JSON.stringify(records, null, 2));
          return;
        }
        if (!records.length) {
          io.stdout("No audit records match");
          return;
        }
        const rows = records.map((r) => [
          String(r.seq),
          r.time.replace(/\.\d+Z$/, "Z"),
          r.actor,
          `${r.target.kind}:${r.target.id}`,
          r.operation,
          r.phase,
          r.result,
          r.snapshot_id ?? "-",
          r.duration_ms === null ? "-" : `${r.duration_ms}ms`,
        ]);
        io.stdout(
          table(
            ["SEQ", "TIME", "ACTOR", "TARGET", "OP", "PHASE", "RESULT", "SNAPSHOT", "TOOK"],
            rows,
          ),
        );
      } finally {
        store.close();
      }
    });

  audit
    .command("export")
    .description("Export every record as NDJSON (one compact JSON object per line)")
    .option("--out <file>", "write to this file instead of standard output")
    .option("--target <target>", "filter as in audit list")
    .option("--op <operation>", "filter as in audit list")
    .option("--since <when>", "filter as in audit list")
    .action(async (opts, cmd) => {
      const g = globals(cmd);
      const { openStore, DEFAULT_STORE_PATH } = await import("../store/db.ts");
      const { AuditLog } = await import("../store/audit.ts");
      const store = openStore(g.state ?? DEFAULT_STORE_PATH);
      try {
        const log = new AuditLog(store);
        const filter = { target: opts.target, op: opts.op, since: opts.since };
        if (opts.out) {
          const f = await Deno.open(opts.out, {
            write: true,
            create: true,
            truncate: true,
            mode: 0o600,
          });
          const enc = new TextEncoder();
          let n = 0;
          try {
            for (const line of log.ndjson(filter)) {
              await writeAll(f, enc.encode(line + "\n"));
              n++;
            }
          } finally {
            f.close();
          }
          if ((g.output ?? "text") === "json") {
            io.stdout(JSON.stringify({ file: opts.out, records: n }));
          } else io.stdout(`Exported ${n} audit records to ${opts.out}`);
        } else {
          for (const line of log.ndjson(filter)) io.stdout(line);
        }
      } finally {
        store.close();
      }
    });

  audit
    .command("verify")
    .description(
      "Recompute the hash chain; fails naming the first edited, deleted or reordered record",
    )
    .action(async (_opts, cmd) => {
      const g = globals(cmd);
      const { openStore, DEFAULT_STORE_PATH } = await import("../store/db.ts");
      const { AuditLog } = await import("../store/audit.ts");
      const { SafetyError } = await import("../errors.ts");
      const path = g.state ?? DEFAULT_STORE_PATH;
      const store = openStore(path);
      try {
        const log = new AuditLog(store);
        const v = log.verify();
        const dangling = log.danglingIntents().map((r) => ({
          seq: r.seq,
          time: r.time,
          target: `${r.target.kind}:${r.target.id}`,
          operation: r.operation,
          snapshot_id: r.snapshot_id,
          change_id: r.change_id,
        }));
        if (g.output === "json") io.stdout(JSON.stringify({ ...v, dangling_intents: dangling }));
        if (!v.ok) {
          throw new SafetyError(
            `Audit log ${path} failed verification at record ${v.firstBadSeq}: ${v.reason}`,
            {
              hint:
                "Compare with an exported copy or the syslog stream; do not trust records from that seq on",
              details: { ...v },
            },
          );
        }
        if (g.output !== "json") {
          io.stdout(`Audit log OK: ${v.count} records, head ${v.head.slice(0, 16)}`);
          for (const d of dangling) {
            io.stdout(
              `warning: change ${d.change_id} (${d.operation} on ${d.target}, record ${d.seq}) has an intent but no outcome: check the device against snapshot ${d.snapshot_id}`,
            );
          }
        }
      } finally {
        store.close();
      }
    });

  return scrubActions(audit);
}

/**
 * Make every action of `cmd` (and its subcommands) redact the errors it throws, with their
 * causes (principle 5: secrets never reach error output). Uses commander's public `action()`:
 * the registered handler is wrapped by re-registering it.
 */
export function scrubActions<C>(cmd: C): C {
  const c = cmd as unknown as {
    _actionHandler?: (args: unknown[]) => Promise<unknown>;
    commands: unknown[];
  };
  const h = c._actionHandler;
  if (typeof h === "function") {
    c._actionHandler = async (args: unknown[]) => {
      try {
        return await h.call(cmd, args);
      } catch (e) {
        const { scrubError } = await import("../util/redact.ts");
        throw scrubError(e);
      }
    };
  }
  for (const sub of c.commands) scrubActions(sub);
  return cmd;
}

async function writeAll(f: Deno.FsFile, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await f.write(data.subarray(off));
}

/** Plain left-aligned table. */
export function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join("  ");
  return [line(head), ...rows.map(line)].join("\n");
}
