/**
 * Confirmation prompts read from stdin (works with pipes as well as terminals).
 */
import { CancelledError, UsageError } from "../errors.ts";

/** Read one line from stdin; `undefined` at end of input. */
export async function readLine(): Promise<string | undefined> {
  const buf = new Uint8Array(1);
  const bytes: number[] = [];
  while (true) {
    const n = await Deno.stdin.read(buf);
    if (n === null || n === 0) {
      return bytes.length ? new TextDecoder().decode(new Uint8Array(bytes)) : undefined;
    }
    if (buf[0] === 10) return new TextDecoder().decode(new Uint8Array(bytes)).replace(/\r$/, "");
    bytes.push(buf[0]);
  }
}

/**
 * Ask for `yes`; anything else cancels.
 * @throws {CancelledError} the answer was not "yes"
 * @throws {UsageError} stdin is closed (nobody can answer)
 */
export async function confirm(question: string, flagHint: string): Promise<void> {
  await Deno.stderr.write(
    new TextEncoder().encode(`${question}\n  Only 'yes' will be accepted.\n\n  Enter a value: `),
  );
  const answer = await readLine();
  if (answer === undefined) {
    throw new UsageError("Cannot ask for confirmation: standard input is closed", {
      hint: `Pass ${flagHint} to proceed without a prompt`,
    });
  }
  if (answer.trim() !== "yes") throw new CancelledError("Cancelled: nothing was changed");
}
