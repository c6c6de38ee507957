import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { openStore, type Store } from "./db.ts";
import { type AuditInput, AuditLog, GENESIS_HASH, parseSince, syslogFromEnv } from "./audit.ts";
import { Redactor } from "../util/redact.ts";
import { SafetyError, UsageError } from "../errors.ts";

function input(i: number, over: Partial<AuditInput> = {}): AuditInput {
  return {
    actor: "alice@ws",
    target: { kind: "switch", id: i % 2 ? "swi2" : "swi3" },
    operation: i % 3 ? "vlan.add" : "port.trunk",
    parameters: { vlan_id: 10 + i },
    evidence: { before: { vlans: [1] }, after: { vlans: [1, 10 + i] } },
    result: "success",
    phase: "outcome",
    duration_ms: 5,
    ...over,
  };
}

function fill(n: number): { store: Store; audit: AuditLog } {
  const store = openStore(":memory:");
  let t = Date.parse("2026-11-25T10:00:00Z");
  const audit = new AuditLog(store, { now: () => new Date(t += 60_000) });
  for (let i = 1; i <= n; i++) audit.append(input(i));
  return { store, audit };
}

/** What an attacker with write access to the SQLite file can do: drop the guard triggers. */
function dropGuards(store: Store): void {
  store.db.exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
}

Deno.test("AuditLog.append chains records and verify accepts an intact log", () => {
  const { store, audit } = fill(5);
  const all = audit.list();
  assert.deepEqual(all.map((r) => r.seq), [1, 2, 3, 4, 5]);
  assert.equal(all[0].prev_hash, GENESIS_HASH);
  for (let i = 1; i < all.length; i++) assert.equal(all[i].prev_hash, all[i - 1].hash);
  assert.deepEqual(audit.verify(), { ok: true, count: 5, head: all[4].hash });
  store.close();
});

Deno.test("AuditLog.verify names the first edited record", () => {
  const { store, audit } = fill(6);
  dropGuards(store);
  store.db.prepare("UPDATE audit_log SET parameters = ? WHERE seq = 4").run('{"vlan_id":999}');
  const v = audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.firstBadSeq, 4);
  assert.match(v.reason!, /altered/);
  store.close();
});

Deno.test("AuditLog.verify detects a deleted record in the middle and at the end", () => {
  const { store, audit } = fill(6);
  dropGuards(store);
  store.db.exec("DELETE FROM audit_log WHERE seq = 3");
  let v = audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.firstBadSeq, 3);
  assert.match(v.reason!, /missing/);

  const b = fill(4);
  dropGuards(b.store);
  b.store.db.exec("DELETE FROM audit_log WHERE seq = 4");
  v = b.audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.firstBadSeq, 4);
  store.close();
  b.store.close();
});

Deno.test("AuditLog.verify detects reordered records and a renumbered deletion", () => {
  const { store, audit } = fill(5);
  dropGuards(store);
  // Swap the content of records 2 and 3, keeping seq in place.
  const cols =
    "time, actor, target_kind, target_id, operation, parameters, snapshot_id, evidence, result, duration_ms, phase, change_id, prev_hash, hash";
  store.db.exec(`CREATE TEMP TABLE t AS SELECT seq, ${cols} FROM audit_log WHERE seq IN (2, 3)`);
  const set = cols.split(", ").map((c) => `${c} = (SELECT ${c} FROM t WHERE t.seq = ?)`).join(", ");
  store.db.prepare(`UPDATE audit_log SET ${set} WHERE seq = 2`).run(
    ...cols.split(", ").map(() => 3),
  );
  store.db.prepare(`UPDATE audit_log SET ${set} WHERE seq = 3`).run(
    ...cols.split(", ").map(() => 2),
  );
  let v = audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.firstBadSeq, 2);

  // Delete record 2 and renumber the rest to hide the gap.
  const b = fill(4);
  dropGuards(b.store);
  b.store.db.exec(
    "DELETE FROM audit_log WHERE seq = 2; UPDATE audit_log SET seq = seq - 1 WHERE seq > 2",
  );
  v = b.audit.verify();
  assert.equal(v.ok, false);
  assert.equal(v.firstBadSeq, 2);
  store.close();
  b.store.close();
});

Deno.test("AuditLog guards refuse UPDATE and DELETE", () => {
  const { store } = fill(2);
  assert.throws(() => store.db.exec("UPDATE audit_log SET actor = 'x'"), /append-only/);
  assert.throws(() => store.db.exec("DELETE FROM audit_log"), /append-only/);
  store.close();
});

Deno.test("AuditLog.append redacts parameters, evidence and known secret values", () => {
  const store = openStore(":memory:");
  const audit = new AuditLog(store, { redactor: new Redactor(["Planted-Pw-77"]) });
  const rec = audit.append(input(1, {
    parameters: { password: "Planted-Pw-77", name: "prod" },
    evidence: { output: "login with Planted-Pw-77 ok", error: new Error("auth Planted-Pw-77") },
  }));
  assert.equal(rec.parameters.password, "***");
  assert.equal(rec.parameters.name, "prod");
  const dump = [...audit.ndjson()].join("\n");
  assert.ok(!dump.includes("Planted-Pw-77"));
  assert.equal(audit.verify().ok, true);
  store.close();
});

Deno.test("AuditLog.append throws SafetyError when the store cannot be written", () => {
  const store = openStore(":memory:");
  const audit = new AuditLog(store);
  store.db.exec("PRAGMA query_only = ON");
  assert.throws(() => audit.append(input(1)), SafetyError);
  store.close();
});

Deno.test("AuditLog.list filters by target, op prefix, since and limit", () => {
  const { store, audit } = fill(9);
  assert.ok(audit.list({ target: "swi2" }).every((r) => r.target.id === "swi2"));
  assert.equal(audit.list({ target: "switch:swi2" }).length, 5);
  assert.equal(audit.list({ target: "switch:*" }).length, 9);
  assert.equal(audit.list({ target: "blade:swi2" }).length, 0);
  assert.ok(audit.list({ op: "vlan.*" }).every((r) => r.operation === "vlan.add"));
  assert.equal(audit.list({ op: "port.trunk" }).length, 3);
  const all = audit.list();
  assert.deepEqual(audit.list({ since: all[6].time }).map((r) => r.seq), [7, 8, 9]);
  assert.deepEqual(audit.list({ limit: 2 }).map((r) => r.seq), [8, 9]);
  assert.throws(() => audit.list({ since: "yesterday-ish" }), UsageError);
  store.close();
});

Deno.test("parseSince accepts durations and ISO times", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  assert.equal(parseSince("2h", now).toISOString(), "2026-11-25T10:00:00.000Z");
  assert.equal(parseSince("1d", now).toISOString(), "2026-11-24T12:00:00.000Z");
  assert.equal(parseSince("2026-11-01T00:00:00Z", now).toISOString(), "2026-11-01T00:00:00.000Z");
});

Deno.test("syslogFromEnv parses host:port and refuses junk", () => {
  assert.deepEqual(syslogFromEnv("127.0.0.1:5514"), { host: "127.0.0.1", port: 5514 });
  assert.deepEqual(syslogFromEnv("[::1]:514"), { host: "::1", port: 514 });
  assert.throws(() => syslogFromEnv("nohost"), UsageError);
});

Deno.test("AuditLog forwards RFC 5424 messages over UDP", async () => {
  const server = createSocket("udp4");
  await new Promise<void>((r) => server.bind(0, "127.0.0.1", () => r()));
  const port = server.address().port;
  const got: string[] = [];
  const twoMessages = new Promise<void>((resolve) => {
    server.on("message", (m) => {
      got.push(new TextDecoder().decode(m));
      if (got.length === 2) resolve();
    });
  });
  const store = openStore(":memory:");
  const audit = new AuditLog(store, {
    syslog: { host: "127.0.0.1", port },
    redactor: new Redactor(["Udp-Secret-1"]),
  });
  audit.append(input(1, { phase: "intent", result: "pending" }));
  audit.append(input(2, { result: "failed", evidence: { error: "Udp-Secret-1 refused" } }));
  await twoMessages;
  await audit.close();
  await new Promise<void>((r) => server.close(() => r()));
  store.close();
  const re =
    /^<(\d+)>1 (\S+) (\S+) vessel (\d+) audit \[vessel@32473 seq="(\d+)" hash="([0-9a-f]{64})" phase="(\w+)" result="([\w-]+)" op="[\w.]+"\] \uFEFF(\{.*\})$/s;
  const parsed = got.map((g) => re.exec(g)).sort((a, b) => Number(a![5]) - Number(b![5]));
  assert.ok(parsed.every((p) => p !== null), got.join("\n"));
  assert.equal(Number(parsed[0]![1]), 13 * 8 + 6);
  assert.equal(Number(parsed[1]![1]), 13 * 8 + 4);
  const body = JSON.parse(parsed[1]![9]);
  assert.equal(body.seq, 2);
  assert.equal(body.hash, parsed[1]![6]);
  assert.ok(!got.join("").includes("Udp-Secret-1"));
});

Deno.test("AuditLog.danglingIntents lists changes with an intent but no outcome", () => {
  const store = openStore(":memory:");
  const audit = new AuditLog(store);
  audit.append(input(1, { phase: "intent", result: "pending", change_id: "c1" }));
  audit.append(input(2, { phase: "outcome", result: "success", change_id: "c1" }));
  audit.append(input(3, { phase: "intent", result: "pending", change_id: "c2" }));
  audit.append(input(4, { phase: "intent", result: "pending", change_id: "c3" }));
  audit.append(input(5, { phase: "rollback", result: "rollback", change_id: "c3" }));
  assert.deepEqual(audit.danglingIntents().map((r) => r.change_id), ["c2"]);
  store.close();
});
