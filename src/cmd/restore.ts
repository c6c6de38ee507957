/**
 * `vessel restore <snapshot> [--scope …] [--auto-approve]`: preview what restoring would change,
 * ask for confirmation, restore scope by scope inside the change envelope, verify afterwards.
 *
 * Refused (exit 13, nothing changed) when the snapshot's hashes do not verify, when it was taken
 * on another chassis (serial mismatch), or when a scope that differs cannot be restored.
 *
 * Examples:
 *   vessel --chassis sim:///tmp/c restore latest --scope switches
 *   vessel --chassis sim:///tmp/c restore 20261125T194500Z --auto-approve
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { type CommandIo, scrubActions } from "./audit.ts";
import type { Connect } from "./snapshot.ts";
import type { Globals } from "./global.ts";

/** Injection points (tests). */
export interface RestoreCommandDeps {
  io?: CommandIo;
  connect?: Connect;
  /** Confirmation prompt (default: `confirm` of prompt.ts). */
  confirm?: (question: string, flagHint: string) => Promise<void>;
}

const defaultIo: CommandIo = { stdout: (l) => console.log(l) };
const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * Build the `restore` command.
 *
 * @example
 * program.addCommand(restoreCommand());
 */
export function restoreCommand(deps: RestoreCommandDeps = {}) {
  const io = deps.io ?? defaultIo;
  return scrubActions(
    new Command("restore")
      .description(
        "Restore a snapshot onto the chassis (preview, confirm, restore per scope, verify)",
      )
      .argument("<snapshot>", "snapshot id, directory or 'latest'")
      .option("--scope <scope>", "hmm, switches, ibmc, all, or a scope id (repeatable)", collect)
      .option("--auto-approve", "do not ask for confirmation")
      .addHelpText(
        "after",
        `
Examples:
  vessel --chassis sim:///tmp/c restore latest --scope switches
  vessel --chassis sim:///tmp/c restore 20261125T194500Z --auto-approve

Every scope is restored inside the change envelope: locked, snapshotted first (so the restore
itself can be undone), audited as snapshot.restore, verified by capturing again.`,
      )
      .action(async (ref, opts, cmd) => {
        const { resolveGlobals } = await import("./global.ts");
        const g: Globals = resolveGlobals(
          cmd.optsWithGlobals() as Parameters<typeof resolveGlobals>[0],
        );
        const connect = deps.connect ?? (await import("./connect.ts")).withChassis;
        await connect(g, async (s) => {
          const { registerCredentials, registerSecret } = await import("../util/redact.ts");
          s.secrets.forEach(registerSecret);
          registerCredentials(s.endpoints?.credentials ?? {});
          const { openStore } = await import("../store/db.ts");
          const { chassisEnvelope } = await import("../ops/mod.ts");
          const { planRestore, applyRestore } = await import("../ops/restore.ts");
          const { SafetyError } = await import("../errors.ts");
          const store = openStore(s.statePath);
          try {
            const ctx = chassisEnvelope({
              store,
              chassis: s.chassis,
              endpoints: s.endpoints ?? {},
              snapshotsDir: s.snapshotsDir ?? g.snapshotsDir,
              onEvent: g.verbose
                ? (e) => console.error(`restore: ${JSON.stringify(e)}`)
                : undefined,
            });
            const plan = await planRestore(ctx, ref, { scopes: opts.scope });
            const preview = plan.scopes.map(({ scope, restorable, reason, diff }) => ({
              scope,
              restorable,
              reason,
              diff,
            }));
            const pending = plan.scopes.filter((x) => x.diff.length);
            if (g.output !== "json") {
              io.stdout(
                `Restore from snapshot ${plan.snapshotId} (chassis ${
                  plan.chassisSerial ?? "unknown"
                }):`,
              );
              for (const p of plan.scopes) {
                if (!p.diff.length) io.stdout(`  ${p.scope}: already equal`);
                else {
                  io.stdout(
                    `  ${p.scope}: ${p.diff.length} difference(s)${
                      p.restorable ? "" : ` (cannot restore: ${p.reason})`
                    }`,
                  );
                  for (const l of p.diff) io.stdout(`    ${l}`);
                }
              }
            }
            if (!pending.length) {
              if (g.output === "json") {
                io.stdout(
                  JSON.stringify({ snapshot: plan.snapshotId, preview, results: [] }, null, 2),
                );
              } else io.stdout("Nothing to restore: the chassis already matches the snapshot");
              return;
            }
            if (!opts.autoApprove) {
              const confirm = deps.confirm ?? (await import("./prompt.ts")).confirm;
              await confirm(
                `Restore ${
                  pending.map((p) => p.scope).join(", ")
                } from snapshot ${plan.snapshotId}?`,
                "--auto-approve",
              );
            }
            const results = await applyRestore(ctx, plan);
            if (g.output === "json") {
              io.stdout(JSON.stringify({ snapshot: plan.snapshotId, preview, results }, null, 2));
            } else {
              for (const r of results) {
                io.stdout(
                  `  ${r.scope}: ${r.result}${
                    r.change ? ` (pre-restore snapshot ${r.change.snapshotId})` : ""
                  }`,
                );
                for (const l of r.remaining) io.stdout(`    still differs: ${l}`);
              }
            }
            const incomplete = results.filter((r) => r.result === "incomplete");
            if (incomplete.length) {
              throw new SafetyError(
                `Restore from ${plan.snapshotId} is incomplete for ${
                  incomplete.map((r) => r.scope).join(", ")
                }: ${incomplete.reduce((n, r) => n + r.remaining.length, 0)} difference(s) remain`,
                { hint: "These parts cannot be written back by this version; see docs/safety.md" },
              );
            }
          } finally {
            store.close();
          }
        });
      }),
  );
}
