/**
 * `vessel`: the single entry point. Parses arguments, dispatches to one subcommand, renders
 * errors, and is the only place that exits. Subcommand modules are light; heavy modules
 * (engine, SDK, simulator) load lazily inside each action.
 *
 * Exit codes (the one table; see README "Exit codes"): {@link EXIT_CODES} in src/errors.ts.
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import {
  ConfigError,
  DeviceError,
  EXIT_CODES,
  exitCodeFor,
  ValidationError,
  VesselError,
} from "../errors.ts";
import { globalOptions } from "./global.ts";
import { getExitCode, setExitCode } from "./exit.ts";
import { netCommand } from "./net.ts";
import { simCommand } from "./sim.ts";
import { auditCommand } from "./audit.ts";
import { destroyCommand, engineApplyCommand, enginePlanCommand } from "./destroy.ts";
import { importCommand } from "./import.ts";
import { stateCommand } from "./state.ts";
import { driftCommand } from "./drift.ts";
import { inventoryCommand } from "./inventory.ts";
import { discoverCommand } from "./discover.ts";
import { snapshotCommand } from "./snapshot.ts";
import { restoreCommand } from "./restore.ts";
import { serveCommand } from "./serve.ts";
import { bladeCommand } from "./blade.ts";
import { sessionsCommand } from "./sessions.ts";
import { commandAbort } from "./connect.ts";
import { VERSION } from "../version.ts";
import { redactText, registerSecret } from "../util/redact.ts";

export { VERSION };

/** Build the command tree (exported for tests and the REST/doc generators). */
export function buildProgram(): Command {
  const program = new Command("vessel")
    .description(
      "Huawei E9000 chassis as code: plan, apply, snapshot, switch operations, simulator",
    )
    .version(VERSION, "-V, --version")
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false })
    .exitOverride();
  for (const o of globalOptions()) program.addOption(o);
  // Order = the order of `vessel --help`: the main job first.
  const commands = [
    enginePlanCommand(),
    engineApplyCommand(),
    destroyCommand(),
    driftCommand(),
    importCommand(),
    stateCommand(),
    inventoryCommand(),
    discoverCommand(),
    bladeCommand(),
    snapshotCommand(),
    restoreCommand(),
    netCommand(),
    auditCommand(),
    sessionsCommand(),
    serveCommand(),
    simCommand(),
  ];
  // deno-lint-ignore no-explicit-any
  for (const c of commands) program.addCommand(c as any);
  // Every subcommand (and its children) reports usage errors through exitOverride too.
  const walk = (c: Command) => {
    c.exitOverride();
    c.showSuggestionAfterError(true);
    for (const sub of c.commands) walk(sub as unknown as Command);
  };
  walk(program as unknown as Command);
  return program as unknown as Command;
}

/** Render an error for humans (or JSON), with position, field and hint. */
export function renderError(e: unknown, json: boolean, verbose: boolean): string {
  // Last line of defence: no known secret (credentials in use) leaves through an error.
  return redactText(renderErrorRaw(e, json, verbose));
}

function renderErrorRaw(e: unknown, json: boolean, verbose: boolean): string {
  if (json) {
    const body = e instanceof VesselError
      ? e.toJSON()
      : { error: "InternalError", code: "internal", message: String((e as Error)?.message ?? e) };
    return JSON.stringify(body) + "\n";
  }
  if (!(e instanceof VesselError)) {
    const msg = `Error: internal error: ${(e as Error)?.message ?? e}\n`;
    return verbose && e instanceof Error && e.stack ? msg + e.stack + "\n" : msg;
  }
  const lines = [`Error: ${e.message}`];
  if (e instanceof ConfigError && e.where()) lines.push(`  at ${e.where()}`);
  if (e instanceof ConfigError && e.path) lines.push(`  field: ${e.path}`);
  if (e instanceof ValidationError && e.field) lines.push(`  field: ${e.field}`);
  if (e instanceof DeviceError) {
    if (e.device) lines.push(`  device: ${e.device}`);
    if (e.messageId) lines.push(`  device message: ${e.messageId}`);
  }
  if (e.hint) lines.push(`  hint: ${e.hint}`);
  if (verbose && e.cause) lines.push(`  cause: ${(e.cause as Error)?.message ?? e.cause}`);
  return lines.join("\n") + "\n";
}

/** Terraform's single-dash spellings, accepted as aliases of the double-dash options. */
const TERRAFORM_FLAGS = new Set([
  "-out",
  "-var",
  "-var-file",
  "-target",
  "-refresh-only",
  "-auto-approve",
  "-detailed-exitcode",
  "-parallelism",
]);

/** `-out=plan.json` → `--out=plan.json`, so Terraform users' muscle memory works. */
export function normalizeTerraformFlags(args: string[]): string[] {
  return args.map((a) => {
    const eq = a.indexOf("=");
    const key = eq < 0 ? a : a.slice(0, eq);
    return TERRAFORM_FLAGS.has(key) ? "-" + a : a;
  });
}

/** Run the CLI with `args`; returns the exit code (does not exit). */
export async function run(rawArgs: string[]): Promise<number> {
  const args = normalizeTerraformFlags(rawArgs);
  const program = buildProgram();
  const json = args.includes("--output=json") ||
    args.some((a, i) => a === "--output" && args[i + 1] === "json");
  const verbose = args.includes("--verbose");
  setExitCode(0);
  registerSecret(Deno.env.get("VESSEL_PASSWORD"));
  try {
    await program.parseAsync(args, { from: "user" });
    return getExitCode();
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === "commander.helpDisplayed" || e.code === "commander.version" ||
        e.code === "commander.help"
      ) return 0;
      return EXIT_CODES.usage;
    }
    Deno.stderr.writeSync(new TextEncoder().encode(renderError(e, json, verbose)));
    return exitCodeFor(e);
  }
}

/** The process entry: run with `Deno.args`, Ctrl-C cancels (twice exits), then exit. */
export async function main(args: string[] = Deno.args): Promise<never> {
  const onSignal = () => {
    if (commandAbort.signal.aborted) Deno.exit(EXIT_CODES.cancelled);
    commandAbort.abort(new DOMException("Interrupted", "AbortError"));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  const code = await run(args);
  Deno.exit(code);
}

if (import.meta.main) await main();
