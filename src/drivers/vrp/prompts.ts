/**
 * VRP prompt and marker patterns, as named constants. All patterns apply to terminal output
 * cleaned by `cleanTerminal` (escapes removed, `\n` line ends).
 *
 * VRP views (Huawei VRP5 and VRP8 command-line conventions):
 * - user view `<HUAWEI>`
 * - system view, immediate commit (VRP5) `[HUAWEI]`, sub-views `[HUAWEI-vlan10]`
 * - system view, two-stage commit (VRP8): `[~HUAWEI]` when nothing is pending,
 *   `[*HUAWEI]` once the candidate configuration holds uncommitted changes.
 */

/** User view: `<sysname>` as the whole last line. */
export const USER_VIEW_PROMPT = /^<([^<>\s][^<>]*)>$/;

/** System view or a sub-view: `[name]`, `[~name]`, `[*name]`, `[~name-vlan10]`. */
export const SYSTEM_VIEW_PROMPT = /^\[([~*]?)([^[\]\s][^[\]]*)\]$/;

/** The pager: `  ---- More ----` at the end of the output so far. */
export const MORE_PROMPT = /(?:^|\n)[ \t]*-{2,}[ \t]*More[ \t]*-{2,}[ \t]*$/;

/**
 * A yes/no question at the end of the output: `Continue? [Y/N]:`, `[Y/N]`, and the VRP8 form
 * `[Y(yes)/N(no)/C(cancel)]:`.
 */
export const CONFIRM_PROMPT = /\[(?:Y\/N|Y\(yes\)\/N\(no\)(?:\/C\(cancel\))?)\][ \t]*:?[ \t]*$/i;

/** An error line: `Error: Unrecognized command found at '^' position.` */
export const ERROR_LINE = /^\s*Error\s*:\s*(.*\S)\s*$/;

/** The caret line under a rejected command: spaces then `^`. */
export const CARET_LINE = /^\s*\^\s*$/;

/** An informational line: `Info: …`. */
export const INFO_LINE = /^\s*Info\s*:\s*(.*\S)\s*$/;

/** A warning line: `Warning: …`. */
export const WARNING_LINE = /^\s*Warning\s*:\s*(.*\S)\s*$/;

/** Line terminator sent after every command (what VRP's own CLI clients send). */
export const VRP_NEWLINE = "\n";

/** Commit-failure markers in `commit` output besides `Error:` lines (VRP8). */
export const COMMIT_FAILURE =
  /(?:fail(?:ed|s)? to (?:be )?commit|commit (?:failed|fail)|configuration (?:fails|failed)|commit aborted)/i;

/** Which kind of prompt ended a command. */
export type VrpView = "user" | "system";

/** Parsed prompt. */
export interface VrpPrompt {
  /** The prompt text as printed, e.g. `[*swi2-vlan10]`. */
  text: string;
  view: VrpView;
  /** The name inside the brackets without the `~`/`*` marker, e.g. `swi2-vlan10`. */
  name: string;
  /** `~` (two-stage, nothing pending), `*` (two-stage, changes pending) or `` (immediate). */
  marker: "" | "~" | "*";
}

/** Parses one line as a prompt, or returns undefined. */
export function parsePrompt(line: string): VrpPrompt | undefined {
  const t = line.trimEnd();
  let m = USER_VIEW_PROMPT.exec(t);
  if (m) return { text: t, view: "user", name: m[1], marker: "" };
  m = SYSTEM_VIEW_PROMPT.exec(t);
  if (m) return { text: t, view: "system", name: m[2], marker: m[1] as "" | "~" | "*" };
  return undefined;
}
