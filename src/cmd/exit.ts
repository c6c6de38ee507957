/**
 * Commands report their exit status here; only `main.ts` calls `Deno.exit`.
 */
let code = 0;

/** Set the exit code the process ends with (e.g. 2 for "changes pending"). */
export function setExitCode(n: number): void {
  code = n;
}

/** The exit code set so far. */
export function getExitCode(): number {
  return code;
}
