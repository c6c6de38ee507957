/**
 * `vessel plan` and `vessel apply`: the main job.
 *
 * Examples:
 *   vessel plan -f chassis.hcl --chassis sim:///tmp/lab
 *   vessel apply -f chassis.hcl --chassis sim:///tmp/lab --auto-approve
 *   vessel plan -f chassis.yaml --detailed-exitcode   # exit 0 = no changes, 2 = changes
 */
import { Command, Option } from "@commander-js/extra-typings";
import { resolveGlobals } from "./global.ts";

function fileOption() {
  return new Option(
    "-f, --file <path...>",
    "configuration file(s) or directory (.hcl, .yaml, .json)",
  )
    .makeOptionMandatory();
}

/** `vessel plan`. */
export function planCommand() {
  return new Command("plan")
    .description("show what apply would change on the chassis")
    .addOption(fileOption())
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are")
    .option("--parallelism <n>", "device reads in flight", "8")
    .addHelpText("after", "\nExamples:\n  vessel plan -f examples/vlans.hcl --chassis sim://\n")
    .action(async (opts, cmd) => {
      const g = resolveGlobals(cmd.optsWithGlobals());
      const { runPlan } = await import("./plan_run.ts");
      await runPlan(g, {
        files: opts.file,
        detailedExitcode: opts.detailedExitcode === true,
        parallelism: Number(opts.parallelism),
        apply: false,
        autoApprove: false,
      });
    });
}

/** `vessel apply`. */
export function applyCommand() {
  return new Command("apply")
    .description("change the chassis to match the configuration")
    .addOption(fileOption())
    .option("--auto-approve", "do not ask for confirmation")
    .option("--parallelism <n>", "device reads in flight", "8")
    .addHelpText(
      "after",
      "\nExamples:\n  vessel apply -f examples/vlans.hcl --chassis sim:///tmp/lab --auto-approve\n",
    )
    .action(async (opts, cmd) => {
      const g = resolveGlobals(cmd.optsWithGlobals());
      const { runPlan } = await import("./plan_run.ts");
      await runPlan(g, {
        files: opts.file,
        detailedExitcode: false,
        parallelism: Number(opts.parallelism),
        apply: true,
        autoApprove: opts.autoApprove === true,
      });
    });
}
