import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import { auditCommand } from "./audit.ts";
import { openStore } from "../store/db.ts";
import { AuditLog } from "../store/audit.ts";
import { SafetyError } from "../errors.ts";

/** A root program with the global options main.ts defines. */
function program(lines: string[]) {
  return new Command("vessel")
    .exitOverride()
    .option("--output <format>", "text or json", "text")
    .option("--state <path>", "store path")
    .addCommand(auditCommand({ stdout: (l) => lines.push(l) }));
}

async function seeded(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/vessel.db`;
  const store = openStore(path);
  const log = new AuditLog(store);
  for (const [id, op] of [["swi2", "vlan.add"], ["swi3", "vlan.remove"], ["swi2", "port.trunk"]]) {
    log.append({
      actor: "bob@ws",
      target: { kind: "switch", id },
      operation: op,
      parameters: { vlan_id: 10 },
      result: "success",
      phase: "outcome",
    });
  }
  store.close();
  return path;
}

Deno.test("auditCommand list filters and prints text and json", async () => {
  const path = await seeded();
  const out: string[] = [];
  await program(out).parseAsync(["audit", "list", "--state", path, "--target", "switch:swi2"], {
    from: "user",
  });
  assert.match(out[0], /^SEQ\s+TIME/);
  assert.equal(out[0].split("\n").length, 3);
  out.length = 0;
  await program(out).parseAsync([
    "--output",
    "json",
    "--state",
    path,
    "audit",
    "list",
    "--op",
    "vlan.*",
  ], {
    from: "user",
  });
  const recs = JSON.parse(out[0]);
  assert.deepEqual(recs.map((r: { operation: string }) => r.operation), [
    "vlan.add",
    "vlan.remove",
  ]);
  await Deno.remove(path.replace(/\/vessel.db$/, ""), { recursive: true });
});

Deno.test("auditCommand export writes NDJSON and verify detects tampering", async () => {
  const path = await seeded();
  const dir = path.replace(/\/vessel.db$/, "");
  const out: string[] = [];
  await program(out).parseAsync(["audit", "export", "--state", path, "--out", `${dir}/a.ndjson`], {
    from: "user",
  });
  const lines = (await Deno.readTextFile(`${dir}/a.ndjson`)).trim().split("\n");
  assert.equal(lines.length, 3);
  assert.deepEqual(lines.map((l) => JSON.parse(l).seq), [1, 2, 3]);

  out.length = 0;
  await program(out).parseAsync(["audit", "verify", "--state", path], { from: "user" });
  assert.match(out[0], /Audit log OK: 3 records/);

  const store = openStore(path);
  store.db.exec("DROP TRIGGER audit_log_no_update");
  store.db.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2");
  store.close();
  await assert.rejects(
    () => program(out).parseAsync(["audit", "verify", "--state", path], { from: "user" }),
    (e: unknown) => e instanceof SafetyError && /record 2/.test(e.message),
  );
  await Deno.remove(dir, { recursive: true });
});
