/**
 * `vessel destroy`: remove everything Vessel manages on the chassis (what state records), in
 * reverse dependency order, honouring `lifecycle.prevent_destroy`.
 *
 * Also exports the engine options shared with `vessel plan` / `vessel apply`
 * ({@link engineOptions}, {@link parseEngineFlags}) so that every engine command takes the same
 * `--var`, `--var-file`, `--target`, `--refresh-only`, `--out`, `--parallelism`, `--per-device`.
 *
 * Examples:
 *   vessel destroy --chassis sim:///tmp/lab --auto-approve
 *   vessel destroy -f chassis.hcl --target vessel_vlan.prod --chassis sim:///tmp/lab
 */
import { Command, Option } from "@commander-js/extra-typings";
import { UsageError } from "../errors.ts";
import { resolveGlobals } from "./global.ts";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The engine options (add them to a command with `cmd.addOption`). */
export function engineOptions(): Option[] {
  return [
    new Option("--var <name=value>", "set a variable (repeatable); complex types as HCL")
      .argParser(collect),
    new Option(
      "--var-file <path>",
      "variables from a .hcl/.tfvars, .json or .yaml file (repeatable)",
    )
      .argParser(collect),
    new Option("--target <address>", "only this resource (and what it depends on); repeatable")
      .argParser(collect),
    new Option("--parallelism <n>", "device calls in flight overall").default("8"),
    new Option("--per-device <n>", "device reads in flight per device (writes: always 1)").default(
      "8",
    ),
  ];
}

/** Engine flags after parsing. */
export interface EngineFlags {
  vars: Record<string, string>;
  varFiles: string[];
  targets: string[];
  parallelism: number;
  perDevice: number;
}

/**
 * Parse the raw option values of {@link engineOptions}.
 * @throws {UsageError} malformed `--var` or numbers
 */
export function parseEngineFlags(opts: Record<string, unknown>): EngineFlags {
  const vars: Record<string, string> = {};
  for (const a of (opts.var as string[] | undefined) ?? []) {
    const i = a.indexOf("=");
    if (i <= 0) {
      throw new UsageError(`Invalid --var "${a}"`, {
        hint: 'Use --var name=value, e.g. --var base=300 or --var \'slots=["1","2"]\'',
      });
    }
    vars[a.slice(0, i)] = a.slice(i + 1);
  }
  const num = (k: string, def: number) => {
    const v = Number(opts[k] ?? def);
    if (!Number.isInteger(v) || v < 1) {
      throw new UsageError(
        `--${
          k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())
        } must be a whole number of 1 or more`,
        {
          hint: `Got ${opts[k]}`,
        },
      );
    }
    return v;
  };
  return {
    vars,
    varFiles: (opts.varFile as string[] | undefined) ?? [],
    targets: (opts.target as string[] | undefined) ?? [],
    parallelism: num("parallelism", 8),
    perDevice: num("perDevice", 4),
  };
}

/** `vessel destroy`. */
export function destroyCommand() {
  const cmd = new Command("destroy")
    .description("destroy everything Vessel manages on the chassis (reverse dependency order)")
    .option(
      "-f, --file <path...>",
      "configuration (optional: variables and prevent_destroy come from it)",
    )
    .option("--auto-approve", "do not ask for confirmation");
  for (const o of engineOptions()) cmd.addOption(o);
  return cmd
    .addHelpText(
      "after",
      "\nExamples:\n  vessel destroy --chassis sim:///tmp/lab --auto-approve\n  vessel destroy -f chassis.hcl --target vessel_vlan.prod --chassis sim:///tmp/lab\n",
    )
    .action(async (opts, c) => {
      const g = resolveGlobals(c.optsWithGlobals());
      const flags = parseEngineFlags(opts as Record<string, unknown>);
      const { runEngine } = await import("./destroy_run.ts");
      await runEngine(g, {
        mode: "destroy",
        files: opts.file ?? [],
        ...flags,
        refreshOnly: false,
        detailedExitcode: false,
        autoApprove: opts.autoApprove === true,
      });
    });
}

/**
 * `vessel plan` with every engine option (`--var`, `--var-file`, `--target`, `--refresh-only`,
 * `--out`, `--detailed-exitcode`, `--parallelism`, `--per-device`). A drop-in for
 * `planCommand()` of plan.ts.
 */
export function enginePlanCommand() {
  const cmd = new Command("plan")
    .description("show what apply would change on the chassis, with each step's disruption")
    .requiredOption(
      "-f, --file <path...>",
      "configuration file(s) or directory (.hcl, .yaml, .json)",
    )
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are")
    .option("--refresh-only", "only compare state with the chassis (drift); plan no changes")
    .option("--out <file>", "save the plan; apply it later with vessel apply -f FILE");
  for (const o of engineOptions()) cmd.addOption(o);
  return cmd
    .addHelpText(
      "after",
      "\nExamples:\n  vessel plan -f examples/vlans.hcl --chassis sim://\n  vessel plan -f chassis.hcl --var base=300 --out plan.json --chassis sim:///tmp/lab\n  vessel plan -f chassis.hcl --target vessel_vlan.prod --detailed-exitcode --chassis sim:///tmp/lab\n",
    )
    .action(async (opts, c) => {
      const g = resolveGlobals(c.optsWithGlobals());
      const flags = parseEngineFlags(opts as Record<string, unknown>);
      const { runEngine } = await import("./destroy_run.ts");
      await runEngine(g, {
        mode: "plan",
        files: opts.file,
        ...flags,
        refreshOnly: opts.refreshOnly === true,
        detailedExitcode: opts.detailedExitcode === true,
        autoApprove: false,
        out: opts.out,
      });
    });
}

/**
 * `vessel apply` with every engine option; `-f plan.json` applies a saved plan (refused when
 * the chassis or the configuration changed since). A drop-in for `applyCommand()` of plan.ts.
 */
export function engineApplyCommand() {
  const cmd = new Command("apply")
    .description("change the chassis to match the configuration (or apply a saved plan)")
    .requiredOption("-f, --file <path...>", "configuration file(s) or directory, or a saved plan")
    .option("--auto-approve", "do not ask for confirmation")
    .option("--refresh-only", "only record the chassis' current values in state");
  for (const o of engineOptions()) cmd.addOption(o);
  return cmd
    .addHelpText(
      "after",
      "\nExamples:\n  vessel apply -f examples/vlans.hcl --chassis sim:///tmp/lab --auto-approve\n  vessel apply -f plan.json --chassis sim:///tmp/lab\n",
    )
    .action(async (opts, c) => {
      const g = resolveGlobals(c.optsWithGlobals());
      const flags = parseEngineFlags(opts as Record<string, unknown>);
      const { runEngine } = await import("./destroy_run.ts");
      await runEngine(g, {
        mode: "apply",
        files: opts.file,
        ...flags,
        refreshOnly: opts.refreshOnly === true,
        detailedExitcode: false,
        autoApprove: opts.autoApprove === true,
      });
    });
}
