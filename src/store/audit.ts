/**
 * The audit log: an append-only, hash-chained record of every mutating call, in the store.
 *
 * Each record carries `prev_hash` (the `hash` of the record before it; 64 zeros for the first)
 * and `hash` = SHA-256 over the canonical JSON of every other field including `prev_hash`.
 * {@link AuditLog.verify} recomputes the chain and names the first bad record, so an edited,
 * deleted or reordered record is detected. SQLite triggers refuse UPDATE and DELETE, and a head
 * row (last seq and hash, written in the same transaction) catches removal of the newest record.
 *
 * A change writes three kinds of record (`phase`): `intent` before the change (if it cannot be
 * written the change does not happen), `outcome` after it, `rollback` when the scope was restored.
 * `parameters` and `evidence` are redacted with the process-wide redactor before they are hashed
 * and stored. Records may optionally be forwarded to syslog (RFC 5424 over UDP).
 *
 * @example
 * const store = openStore(":memory:");
 * const audit = new AuditLog(store);
 * audit.append({ actor: "ops@host", target: { kind: "switch", id: "swi2" }, operation: "vlan.add",
 *   parameters: { vlan_id: 10 }, phase: "intent", result: "pending" });
 * audit.verify(); // { ok: true, count: 1, ... }
 *
 * @module
 */
import { hostname, userInfo } from "node:os";
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { Store } from "./db.ts";
import { canonicalJson, sha256Hex } from "./canonical.ts";
import { defaultRedactor, type Redactor } from "../util/redact.ts";
import { SafetyError, UsageError } from "../errors.ts";

/** What a record is about. Kinds: `chassis`, `hmm`, `switch`, `blade`, `ibmc`, `snapshot`, ... */
export interface AuditTarget {
  kind: string;
  id: string;
}

/** Phase of a change a record belongs to. */
export type AuditPhase = "intent" | "outcome" | "rollback" | "event";

/**
 * Result vocabulary: `pending` (intent), `success`, `failed`, `rollback` (scope restored),
 * `rollback-failed` (restore did not bring the scope back: manual recovery), `refused`,
 * `dry-run`, `in-progress`.
 */
export type AuditResult =
  | "pending"
  | "success"
  | "failed"
  | "rollback"
  | "rollback-failed"
  | "refused"
  | "dry-run"
  | "in-progress";

/** What a caller supplies; the log fills seq, time, hashes and redacts. */
export interface AuditInput {
  actor: string;
  target: AuditTarget;
  /** Dotted verb, e.g. `vlan.add`, `snapshot.restore`. */
  operation: string;
  parameters?: Record<string, unknown>;
  snapshot_id?: string | null;
  evidence?: Record<string, unknown>;
  result: AuditResult;
  duration_ms?: number | null;
  phase: AuditPhase;
  /** Ties the intent, outcome and rollback records of one change together. */
  change_id?: string | null;
}

/** A stored record (JSON shape of `vessel audit list --output json` and of the NDJSON export). */
export interface AuditRecord {
  seq: number;
  /** UTC, ISO 8601 with milliseconds. */
  time: string;
  actor: string;
  target: AuditTarget;
  operation: string;
  parameters: Record<string, unknown>;
  snapshot_id: string | null;
  evidence: Record<string, unknown>;
  result: AuditResult;
  duration_ms: number | null;
  phase: AuditPhase;
  change_id: string | null;
  prev_hash: string;
  hash: string;
}

/** Filters of {@link AuditLog.list}. */
export interface AuditFilter {
  /** `switch:swi2`, `swi2` (any kind) or `switch:` / `switch:*` (every switch). */
  target?: string;
  /** Exact operation or a prefix pattern ending in `*` (`vlan.*`). */
  op?: string;
  /** ISO time, or a duration back from now: `30m`, `12h`, `7d`, `90s`. */
  since?: string;
  changeId?: string;
  /** Only the newest `limit` records (still returned oldest first). */
  limit?: number;
}

/** Result of {@link AuditLog.verify}. */
export interface AuditVerifyResult {
  ok: boolean;
  /** Records checked. */
  count: number;
  /** Hash of the last good record (64 zeros when empty). */
  head: string;
  /** First bad sequence number when not ok. */
  firstBadSeq?: number;
  /** Why the first bad record is bad. */
  reason?: string;
}

/** Where to forward records (RFC 5424 over UDP). */
export interface SyslogTarget {
  host: string;
  port: number;
  /** Syslog facility number, default 13 (log audit). */
  facility?: number;
  /** APP-NAME, default `vessel`. */
  appName?: string;
}

/** Options of {@link AuditLog}. */
export interface AuditLogOptions {
  /** Redactor for parameters and evidence; default the process-wide one. */
  redactor?: Redactor;
  /** Clock, for tests. */
  now?: () => Date;
  /** Forward every record to syslog too (best effort; the store stays authoritative). */
  syslog?: SyslogTarget | null;
  /** Called with a redacted warning when forwarding fails. */
  onWarning?: (message: string) => void;
}

/** `prev_hash` of the first record. */
export const GENESIS_HASH = "0".repeat(64);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  target_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  parameters TEXT NOT NULL,
  snapshot_id TEXT,
  evidence TEXT NOT NULL,
  result TEXT NOT NULL,
  duration_ms INTEGER,
  phase TEXT NOT NULL,
  change_id TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_target ON audit_log (target_kind, target_id);
CREATE INDEX IF NOT EXISTS audit_log_op ON audit_log (operation);
CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (time);
CREATE TABLE IF NOT EXISTS audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
`;

interface Row {
  seq: number;
  time: string;
  actor: string;
  target_kind: string;
  target_id: string;
  operation: string;
  parameters: string;
  snapshot_id: string | null;
  evidence: string;
  result: string;
  duration_ms: number | null;
  phase: string;
  change_id: string | null;
  prev_hash: string;
  hash: string;
}

function fromRow(r: Row): AuditRecord {
  return {
    seq: Number(r.seq),
    time: r.time,
    actor: r.actor,
    target: { kind: r.target_kind, id: r.target_id },
    operation: r.operation,
    parameters: JSON.parse(r.parameters),
    snapshot_id: r.snapshot_id,
    evidence: JSON.parse(r.evidence),
    result: r.result as AuditResult,
    duration_ms: r.duration_ms === null ? null : Number(r.duration_ms),
    phase: r.phase as AuditPhase,
    change_id: r.change_id,
    prev_hash: r.prev_hash,
    hash: r.hash,
  };
}

/** The hash of a record: SHA-256 over the canonical JSON of every field except `hash`. */
export function recordHash(rec: Omit<AuditRecord, "hash">): string {
  const { hash: _ignored, ...body } = rec as AuditRecord;
  return sha256Hex(canonicalJson(body));
}

/** `user@host`, or `$VESSEL_AUDIT_ACTOR` when set. */
export function defaultActor(): string {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("VESSEL_AUDIT_ACTOR");
  } catch { /* no env permission */ }
  if (fromEnv) return fromEnv;
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch { /* no user database */ }
  return `${user}@${hostname()}`;
}

/**
 * Parse `host:port` (or `[v6]:port`) from `$VESSEL_AUDIT_SYSLOG`, or null when unset.
 *
 * @throws {UsageError} when the value is not `host:port`
 */
export function syslogFromEnv(value?: string): SyslogTarget | null {
  let v = value;
  if (v === undefined) {
    try {
      v = Deno.env.get("VESSEL_AUDIT_SYSLOG");
    } catch { /* no env permission */ }
  }
  if (!v) return null;
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(v.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new UsageError(`Invalid syslog target "${v}" in VESSEL_AUDIT_SYSLOG`, {
      hint: "Use host:port, for example 127.0.0.1:514 or [::1]:514",
    });
  }
  return { host: m[1], port: Number(m[2]) };
}

/** Parse an `--since` value into a Date. @throws {UsageError} */
export function parseSince(since: string, now: Date = new Date()): Date {
  const rel = /^(\d+)\s*(s|m|h|d|w)$/i.exec(since.trim());
  if (rel) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[
      rel[2].toLowerCase() as "s"
    ];
    return new Date(now.getTime() - Number(rel[1]) * unit);
  }
  const t = Date.parse(since);
  if (Number.isNaN(t)) {
    throw new UsageError(`Invalid --since value "${since}"`, {
      hint: "Use an ISO time (2026-11-25T10:00:00Z) or a duration such as 30m, 12h, 7d",
    });
  }
  return new Date(t);
}

/** The audit log over a {@link Store}. */
export class AuditLog {
  readonly store: Store;
  #redactor: Redactor;
  #now: () => Date;
  #syslog: SyslogTarget | null;
  #socket: Socket | null = null;
  #pending = new Set<Promise<void>>();
  #onWarning: (m: string) => void;

  /** Open the log on `store`, creating its tables when missing. */
  constructor(store: Store, options: AuditLogOptions = {}) {
    this.store = store;
    this.#redactor = options.redactor ?? defaultRedactor;
    this.#now = options.now ?? (() => new Date());
    this.#syslog = options.syslog ?? null;
    this.#onWarning = options.onWarning ?? (() => {});
    store.db.exec(SCHEMA);
  }

  /**
   * Append one record (redacted, hashed, chained) in one IMMEDIATE transaction, then forward
   * it to syslog if configured.
   *
   * @throws {SafetyError} when the record cannot be written (the caller must not change anything)
   */
  append(input: AuditInput): AuditRecord {
    let rec: AuditRecord;
    try {
      rec = this.store.tx(() => {
        const last = this.store.db
          .prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
          .get() as { seq: number; hash: string } | undefined;
        const body: Omit<AuditRecord, "hash"> = {
          seq: last ? Number(last.seq) + 1 : 1,
          time: this.#now().toISOString(),
          actor: this.#redactor.text(input.actor),
          target: { kind: input.target.kind, id: this.#redactor.text(input.target.id) },
          operation: input.operation,
          parameters: this.#redactor.value(jsonSafe(input.parameters ?? {})),
          snapshot_id: input.snapshot_id ?? null,
          evidence: this.#redactor.value(jsonSafe(input.evidence ?? {})),
          result: input.result,
          duration_ms: input.duration_ms ?? null,
          phase: input.phase,
          change_id: input.change_id ?? null,
          prev_hash: last ? last.hash : GENESIS_HASH,
        };
        const full: AuditRecord = { ...body, hash: recordHash(body) };
        this.store.db.prepare(
          `INSERT INTO audit_log (seq, time, actor, target_kind, target_id, operation, parameters,
             snapshot_id, evidence, result, duration_ms, phase, change_id, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          full.seq,
          full.time,
          full.actor,
          full.target.kind,
          full.target.id,
          full.operation,
          JSON.stringify(full.parameters),
          full.snapshot_id,
          JSON.stringify(full.evidence),
          full.result,
          full.duration_ms,
          full.phase,
          full.change_id,
          full.prev_hash,
          full.hash,
        );
        this.store.db.prepare(
          "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        ).run(full.seq, full.hash);
        return full;
      });
    } catch (e) {
      throw new SafetyError(
        `Cannot write the audit record for ${input.operation} on ${input.target.kind} ${input.target.id} to ${this.store.path}: ${
          this.#redactor.text(e instanceof Error ? e.message : String(e))
        }`,
        {
          hint:
            "Check that the store is writable and not full; no change was made without its record",
        },
      );
    }
    if (this.#syslog) this.#forward(rec);
    return rec;
  }

  /** Records matching `filter`, oldest first. @throws {UsageError} on a bad `since` */
  list(filter: AuditFilter = {}): AuditRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.target) {
      const t = filter.target;
      const i = t.indexOf(":");
      if (i < 0) {
        where.push("target_id = ?");
        args.push(t);
      } else {
        where.push("target_kind = ?");
        args.push(t.slice(0, i));
        const id = t.slice(i + 1);
        if (id && id !== "*") {
          where.push("target_id = ?");
          args.push(id);
        }
      }
    }
    if (filter.op) {
      if (filter.op.endsWith("*")) {
        where.push("substr(operation, 1, ?) = ?");
        const p = filter.op.slice(0, -1);
        args.push(p.length, p);
      } else {
        where.push("operation = ?");
        args.push(filter.op);
      }
    }
    if (filter.since) {
      where.push("time >= ?");
      args.push(parseSince(filter.since, this.#now()).toISOString());
    }
    if (filter.changeId) {
      where.push("change_id = ?");
      args.push(filter.changeId);
    }
    let sql = `SELECT * FROM audit_log${where.length ? " WHERE " + where.join(" AND ") : ""}`;
    if (filter.limit !== undefined) {
      sql = `SELECT * FROM (${sql} ORDER BY seq DESC LIMIT ${
        Math.max(0, Math.floor(filter.limit))
      })`;
    }
    sql += " ORDER BY seq ASC";
    return (this.store.db.prepare(sql).all(...args) as unknown as Row[]).map(fromRow);
  }

  /** Every record as one NDJSON line each (compact JSON, oldest first). */
  *ndjson(filter: AuditFilter = {}): Generator<string> {
    for (const r of this.list(filter)) yield JSON.stringify(r);
  }

  /**
   * Recompute the chain. Detects edited fields (hash mismatch), deleted records (a gap in seq,
   * a `prev_hash` that does not match, or fewer records than the head row says) and reordered
   * records (a hash computed for another position).
   */
  verify(): AuditVerifyResult {
    const rows = this.store.db.prepare("SELECT * FROM audit_log ORDER BY seq ASC").iterate();
    let prev = GENESIS_HASH;
    let expectSeq = 1;
    let count = 0;
    for (const raw of rows) {
      const row = raw as unknown as Row;
      const seq = Number(row.seq);
      const fail = (firstBadSeq: number, reason: string): AuditVerifyResult => ({
        ok: false,
        count,
        head: prev,
        firstBadSeq,
        reason,
      });
      if (seq !== expectSeq) {
        return fail(expectSeq, `record ${expectSeq} is missing (deleted); next is ${seq}`);
      }
      let rec: AuditRecord;
      try {
        rec = fromRow(row);
      } catch {
        return fail(seq, `record ${seq} is not valid JSON (edited)`);
      }
      if (rec.prev_hash !== prev) {
        return fail(seq, `record ${seq} does not follow record ${seq - 1} (prev_hash mismatch)`);
      }
      if (recordHash(rec) !== rec.hash) {
        return fail(seq, `record ${seq} was altered (hash mismatch)`);
      }
      prev = rec.hash;
      expectSeq++;
      count++;
    }
    const head = this.store.db.prepare("SELECT seq, hash FROM audit_head WHERE id = 1").get() as
      | { seq: number; hash: string }
      | undefined;
    if (head && (Number(head.seq) !== count || head.hash !== prev)) {
      return {
        ok: false,
        count,
        head: prev,
        firstBadSeq: count + 1,
        reason: Number(head.seq) > count
          ? `records ${count + 1}..${head.seq} are missing (deleted from the end)`
          : `the head row (seq ${head.seq}) does not match the last record (seq ${count})`,
      };
    }
    return { ok: true, count, head: prev };
  }

  /**
   * Intent records with no outcome for the same change: the process stopped (crash, kill, power
   * loss) between announcing a change and recording what happened. The device state of those
   * changes is unknown; compare it with the intent's snapshot (`vessel snapshot diff <id> live`).
   */
  danglingIntents(): AuditRecord[] {
    const rows = this.store.db.prepare(
      `SELECT * FROM audit_log i WHERE i.phase = 'intent' AND i.change_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM audit_log o WHERE o.change_id = i.change_id AND o.phase IN ('outcome', 'rollback'))
       ORDER BY seq`,
    ).all() as unknown as Row[];
    return rows.map(fromRow);
  }

  /** Wait until every syslog datagram sent so far has left. */
  async flush(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  /** Flush and close the syslog socket (the store stays open: it belongs to the caller). */
  async close(): Promise<void> {
    await this.flush();
    if (this.#socket) {
      const s = this.#socket;
      this.#socket = null;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  #forward(rec: AuditRecord): void {
    const target = this.#syslog!;
    const msg = formatSyslog(rec, target);
    if (!this.#socket) {
      this.#socket = createSocket(isIPv6(target.host) ? "udp6" : "udp4");
      this.#socket.on("error", (e) => this.#onWarning(`syslog socket error: ${e.message}`));
    }
    const socket = this.#socket;
    const p = new Promise<void>((resolve) => {
      socket.send(msg, target.port, target.host, (err) => {
        if (err) {
          this.#onWarning(
            `Cannot forward audit record ${rec.seq} to syslog ${target.host}:${target.port}: ${err.message}`,
          );
        }
        resolve();
      });
    });
    this.#pending.add(p);
    p.finally(() => this.#pending.delete(p));
  }
}

/** Largest syslog payload sent; longer records are sent without their evidence. */
export const SYSLOG_MAX_BYTES = 8192;

function sdEscape(s: string): string {
  return s.replace(/["\\\]]/g, (c) => `\\${c}`);
}

/**
 * One RFC 5424 message for `rec`:
 * `<PRI>1 TIME HOST APP PROCID audit [vessel@32473 seq=".." hash=".." phase=".." result=".."] JSON`.
 * Severity: notice (5) for success, warning (4) for failed/rollback, info (6) otherwise.
 */
export function formatSyslog(
  rec: AuditRecord,
  target: Pick<SyslogTarget, "facility" | "appName">,
): Uint8Array {
  const severity = rec.result === "success"
    ? 5
    : ["failed", "rollback", "rollback-failed", "refused"].includes(rec.result)
    ? 4
    : 6;
  const pri = (target.facility ?? 13) * 8 + severity;
  const host = hostname().replace(/[^\x21-\x7e]/g, "").slice(0, 255) || "-";
  const app = (target.appName ?? "vessel").slice(0, 48);
  const sd = `[vessel@32473 seq="${rec.seq}" hash="${rec.hash}" phase="${
    sdEscape(rec.phase)
  }" result="${sdEscape(rec.result)}" op="${sdEscape(rec.operation)}"]`;
  const head = `<${pri}>1 ${rec.time} ${host} ${app} ${Deno.pid} audit ${sd} \uFEFF`;
  let body = JSON.stringify(rec);
  const enc = new TextEncoder();
  if (enc.encode(head + body).length > SYSLOG_MAX_BYTES) {
    body = JSON.stringify({
      ...rec,
      evidence: { truncated: true },
      parameters: { truncated: true },
    });
  }
  return enc.encode(head + body);
}

function jsonSafe(v: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(v, (_k, x) => {
      if (x instanceof Error) return { name: x.name, message: x.message };
      if (typeof x === "bigint") return x.toString();
      return x;
    }) ?? "{}",
  );
}
