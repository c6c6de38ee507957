/**
 * `vessel snapshot [--scope hmm|switches|ibmc|all]` and `vessel snapshot list|show|diff|verify`.
 *
 * Examples:
 *   vessel --chassis sim:// snapshot --scope switches
 *   vessel snapshot list
 *   vessel snapshot show 20261125T194500Z
 *   vessel snapshot diff 20261125T194500Z 20261125T201000Z
 *   vessel --chassis sim:///tmp/c snapshot diff latest live
 *   vessel snapshot verify            (every snapshot; or name one)
 *
 * Light at import time: the store, the SDK and the simulator load inside the actions.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import type { ChassisSession } from "./connect.ts";
import type { Globals } from "./global.ts";
import { type CommandIo, scrubActions, table } from "./audit.ts";

/** Opens the chassis of `--chassis` for one action (default: `withChassis` of connect.ts). */
export type Connect = <T>(g: Globals, fn: (s: ChassisSession) => Promise<T>) => Promise<T>;

/** Injection points (tests). */
export interface SnapshotCommandDeps {
  io?: CommandIo;
  connect?: Connect;
}

const defaultIo: CommandIo = { stdout: (l) => console.log(l) };

async function globalsOf(cmd: { optsWithGlobals(): unknown }): Promise<Globals> {
  const { resolveGlobals } = await import("./global.ts");
  return resolveGlobals(cmd.optsWithGlobals() as Parameters<typeof resolveGlobals>[0]);
}

async function connectOf(deps: SnapshotCommandDeps): Promise<Connect> {
  if (deps.connect) return deps.connect;
  const { withChassis } = await import("./connect.ts");
  return withChassis;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * Build the `snapshot` command.
 *
 * @example
 * program.addCommand(snapshotCommand());
 */
export function snapshotCommand(deps: SnapshotCommandDeps = {}) {
  const io = deps.io ?? defaultIo;
  const snapshot = new Command("snapshot")
    .description("Back up the chassis configuration (snapshot first, change second)")
    .option(
      "--scope <scope>",
      "hmm, switches, ibmc, all, or a scope id like switch:swi2 (repeatable)",
      collect,
    )
    .option("--reason <text>", "why this snapshot was taken (kept in the manifest)")
    .addHelpText(
      "after",
      `
Examples:
  vessel --chassis sim:// snapshot --scope switches
  vessel snapshot list
  vessel snapshot diff 20261125T194500Z live
  vessel snapshot verify

Layout: snapshots/<YYYYMMDDTHHMMSSZ>/ with hmm/, switches/swi<N>.cfg, ibmc/ and manifest.yaml
(SHA-256 of every file). Secrets are replaced by *** before anything is written.`,
    )
    .action(async (opts, cmd) => {
      const g = await globalsOf(cmd);
      const connect = await connectOf(deps);
      const root = g.snapshotsDir;
      await connect(g, async (s) => {
        const { registerCredentials, registerSecret } = await import("../util/redact.ts");
        s.secrets.forEach(registerSecret);
        registerCredentials(s.endpoints?.credentials ?? {});
        const { openStore } = await import("../store/db.ts");
        const { AuditLog, defaultActor, syslogFromEnv } = await import("../store/audit.ts");
        const { SnapshotCatalog } = await import("../store/snapshots.ts");
        const { chassisScopes, registerBuiltinScopes } = await import("../ops/mod.ts");
        const { createSnapshot, selectSnapshotScopes } = await import(
          "../ops/snapshot/use_cases.ts"
        );
        const registry = registerBuiltinScopes();
        const { take, skipped } = selectSnapshotScopes(
          registry,
          chassisScopes(s.endpoints ?? {}),
          opts.scope ?? [],
        );
        const store = openStore(s.statePath);
        try {
          const audit = new AuditLog(store, { syslog: syslogFromEnv() });
          const { ref } = await createSnapshot(take, {
            registry,
            env: { chassis: s.chassis },
            settings: {
              root,
              chassis: {
                model: s.endpoints?.chassis?.model ?? null,
                serial: s.endpoints?.chassis?.serial ?? null,
              },
              actor: defaultActor(),
              catalog: new SnapshotCatalog(store),
            },
            skipped,
            reason: opts.reason,
            audit,
            target: { kind: "chassis", id: s.endpoints?.chassis?.serial ?? s.workspace },
          }).finally(() => audit.close());
          if (g.output === "json") {
            io.stdout(
              JSON.stringify(
                { id: ref.id, dir: ref.dir, skipped, manifest: ref.manifest },
                null,
                2,
              ),
            );
            return;
          }
          io.stdout(`Snapshot ${ref.id} written to ${ref.dir}`);
          for (const f of ref.manifest.files) {
            io.stdout(`  ${f.scope.padEnd(14)} ${f.path} (${f.bytes} bytes)`);
          }
          if (skipped.length) io.stdout(`  skipped (no collector yet): ${skipped.join(", ")}`);
        } finally {
          store.close();
        }
      });
    });

  snapshot
    .command("list")
    .description("List complete snapshots, oldest first")
    .action(async (_opts, cmd) => {
      const g = await globalsOf(cmd);
      const root = g.snapshotsDir;
      const { listSnapshotDirs, readManifest } = await import("../ops/snapshot/snapshot.ts");
      const { join } = await import("node:path");
      const rows = [];
      for (const id of await listSnapshotDirs(root)) {
        try {
          const { manifest } = await readManifest(join(root, id));
          rows.push({
            id,
            created_at: manifest.created_at,
            created_by: manifest.created_by,
            chassis_serial: manifest.chassis?.serial ?? null,
            scopes: manifest.scopes,
            files: manifest.files.length,
            reason: manifest.reason ?? null,
          });
        } catch (e) {
          rows.push({ id, error: (e as Error).message });
        }
      }
      const incomplete: string[] = [];
      try {
        for await (const e of Deno.readDir(root)) {
          if (e.name.startsWith(".tmp-")) incomplete.push(e.name);
        }
      } catch { /* no root yet */ }
      if (g.output === "json") {
        io.stdout(JSON.stringify({ snapshots: rows, incomplete }, null, 2));
        return;
      }
      if (!rows.length) io.stdout(`No snapshots under ${root}`);
      else {
        io.stdout(table(
          ["ID", "CREATED", "BY", "SCOPES", "FILES", "REASON"],
          rows.map((r) =>
            "error" in r ? [r.id, "-", "-", "-", "-", `unreadable: ${r.error}`] : [
              r.id,
              r.created_at.replace(/\.\d+Z$/, "Z"),
              r.created_by,
              r.scopes.join(","),
              String(r.files),
              r.reason ?? "",
            ]
          ),
        ));
      }
      if (incomplete.length) {
        io.stdout(`${incomplete.length} interrupted snapshot(s) ignored: ${incomplete.join(", ")}`);
      }
    });

  snapshot
    .command("show")
    .description("Show a snapshot's manifest and whether it verifies")
    .argument("<snapshot>", "snapshot id, directory or 'latest'")
    .action(async (ref, _opts, cmd) => {
      const g = await globalsOf(cmd);
      const root = g.snapshotsDir;
      const { verifySnapshot } = await import("../ops/snapshot/snapshot.ts");
      const v = await withCatalog(g, (cat) => verifySnapshot(root, ref, cat));
      if (g.output === "json") {
        io.stdout(
          JSON.stringify(
            { id: v.id, dir: v.dir, verified: v.ok, problems: v.problems, manifest: v.manifest },
            null,
            2,
          ),
        );
        return;
      }
      const { stringify } = await import("yaml");
      if (v.manifest) io.stdout(stringify(v.manifest, { lineWidth: 0 }).trimEnd());
      io.stdout(
        v.ok
          ? `verified: ${v.files} files match their SHA-256`
          : `NOT VERIFIED:\n  ${v.problems.join("\n  ")}`,
      );
    });

  snapshot
    .command("diff")
    .description("Differences from snapshot A to B ('live' = the chassis now)")
    .argument("<a>", "snapshot id, directory, 'latest' or 'live'")
    .argument("<b>", "snapshot id, directory, 'latest' or 'live'")
    .option("--scope <scope>", "limit to these scopes (repeatable)", collect)
    .action(async (a, b, opts, cmd) => {
      const g = await globalsOf(cmd);
      const root = g.snapshotsDir;
      const { loadSnapshot } = await import("../ops/snapshot/snapshot.ts");
      const { captureLive, diffSnapshots } = await import("../ops/snapshot/use_cases.ts");
      const { registerBuiltinScopes, chassisScopes } = await import("../ops/mod.ts");
      const { registerSecret } = await import("../util/redact.ts");
      const registry = registerBuiltinScopes();
      const want = opts.scope ?? (cmd.optsWithGlobals() as { scope?: string[] }).scope;
      const diff = (live?: () => ReturnType<typeof captureLive>) =>
        diffSnapshots(a, b, {
          registry,
          scopes: want,
          load: async (ref) =>
            (await withCatalog(g, (cat) => loadSnapshot(root, ref, cat))).captures,
          live,
        });
      let result: Record<string, string[]>;
      if (a === "live" || b === "live") {
        const connect = await connectOf(deps);
        result = await connect(g, async (s) => {
          s.secrets.forEach(registerSecret);
          return await diff(() =>
            captureLive(registry, { chassis: s.chassis }, chassisScopes(s.endpoints ?? {}), want)
          );
        });
      } else result = await diff();
      if (g.output === "json") {
        io.stdout(JSON.stringify({ a, b, scopes: result }, null, 2));
        return;
      }
      const changed = Object.entries(result).filter(([, l]) => l.length);
      if (!changed.length) io.stdout(`No differences between ${a} and ${b}`);
      for (const [sc, lines] of changed) {
        io.stdout(`${sc}: ${lines.length} difference(s)`);
        for (const l of lines) io.stdout(`  ${l}`);
      }
    });

  snapshot
    .command("verify")
    .description("Check manifests and SHA-256 of snapshots (all, or the ones named)")
    .argument("[snapshots...]", "snapshot ids, directories or 'latest'")
    .action(async (refs, _opts, cmd) => {
      const g = await globalsOf(cmd);
      const root = g.snapshotsDir;
      const { verifySnapshot, listSnapshotDirs } = await import("../ops/snapshot/snapshot.ts");
      const { SafetyError, NotFoundError } = await import("../errors.ts");
      const ids = refs.length ? refs : await listSnapshotDirs(root);
      if (!ids.length) {
        throw new NotFoundError(`No snapshots under ${root}`, {
          hint: "Run vessel snapshot first",
        });
      }
      const reports = await withCatalog(g, async (cat) => {
        const out = [];
        for (const id of ids) out.push(await verifySnapshot(root, id, cat));
        return out;
      });
      if (g.output === "json") {
        io.stdout(JSON.stringify(reports.map(({ manifest: _m, ...r }) => r), null, 2));
      } else {
        for (const r of reports) {
          io.stdout(
            r.ok
              ? `${r.id}: OK (${r.files} files)`
              : `${r.id}: FAILED\n  ${r.problems.join("\n  ")}`,
          );
        }
      }
      const bad = reports.filter((r) => !r.ok);
      if (bad.length) {
        throw new SafetyError(
          `${bad.length} of ${reports.length} snapshot(s) do not verify: ${
            bad.map((r) => r.id).join(", ")
          }`,
          {
            hint: "Do not restore from them; take a new snapshot",
            details: { failed: bad.map((r) => ({ id: r.id, problems: r.problems })) },
          },
        );
      }
    });

  return scrubActions(snapshot);
}

/** Run `fn` with the snapshot catalog of the store when the store file exists. */
async function withCatalog<T>(
  g: Globals,
  fn: (cat: import("../store/snapshots.ts").SnapshotCatalog | undefined) => Promise<T>,
): Promise<T> {
  let exists = false;
  try {
    exists = g.statePath !== ":memory:" && (await Deno.stat(g.statePath)).isFile;
  } catch { /* no store yet */ }
  if (!exists) return await fn(undefined);
  const { openStore } = await import("../store/db.ts");
  const { SnapshotCatalog } = await import("../store/snapshots.ts");
  const store = openStore(g.statePath);
  try {
    return await fn(new SnapshotCatalog(store));
  } finally {
    store.close();
  }
}
