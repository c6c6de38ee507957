/**
 * A line-oriented interactive shell whose prompt is learned, not configured: used for the HMM
 * restricted shell (its exact prompt was never recorded upstream) and the iBMC shell
 * (`root@BMC:/#` on iMana 6.05). The prompt is learned by pressing Enter at login and taking
 * the last line that then repeats; every command waits for that prompt (or a caller's pattern),
 * never for a time.
 */
import { TimeoutError, TransportError } from "../../errors.ts";
import { type CallOptions, withDeadline } from "../deadline.ts";
import type { Recorder } from "../record/recorder.ts";
import { cleanTerminal, type ShellStream } from "./shell.ts";

/** Line terminator sent after each command. */
export const SHELL_NEWLINE = "\n";

/** A question the shell may ask while a command runs, and how to answer it. */
export interface ShellAnswer {
  /** Tested against the end of the output so far. */
  pattern: RegExp;
  /** Text sent (a newline is appended). */
  answer: string;
  /** Never record the answer (passwords). */
  secret?: boolean;
  /** Answer at most once (a second ask fails the command, e.g. a refused password). */
  once?: boolean;
}

/** Options of {@link PromptShell.exec}. */
export interface PromptExecOptions extends CallOptions {
  answers?: ShellAnswer[];
  /** Also finish when the last line matches one of these (a jump's target prompt). */
  until?: RegExp[];
  /** A pager marker to answer with `pagerKey` (default space). */
  pager?: RegExp;
  pagerKey?: string;
  /** The command text is secret (a password typed as a command). */
  secret?: boolean;
}

/** Result of one command. */
export interface PromptExecResult {
  command: string;
  /** Output without the echoed command and the final prompt. */
  output: string;
  /** The last line that ended the command (the prompt, or an `until` match). */
  ended: string;
  /** Which `until` pattern matched (index), or -1 for the own prompt. */
  matched: number;
  /** Questions answered. */
  questions: string[];
}

/**
 * An interactive shell with a learned prompt.
 */
export class PromptShell {
  readonly device: string;
  readonly shell: ShellStream;
  #prompt = "";
  #recorder?: Recorder;
  #timeoutMs: number;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    shell: ShellStream,
    opts: { device: string; recorder?: Recorder; commandTimeoutMs?: number },
  ) {
    this.shell = shell;
    this.device = opts.device;
    this.#recorder = opts.recorder;
    this.#timeoutMs = opts.commandTimeoutMs ?? 30000;
  }

  /** The learned prompt (trimmed), e.g. `root@BMC:/#`. */
  get prompt(): string {
    return this.#prompt;
  }

  /** Sets the prompt explicitly (when it is known). */
  set prompt(p: string) {
    this.#prompt = p.trim();
  }

  /**
   * Learns the prompt: presses Enter and waits until the last line of output also appeared as a
   * complete line just before (the same prompt printed twice). `accept` may reject candidates.
   *
   * @throws {TimeoutError} nothing prompt-like before the deadline
   */
  learnPrompt(
    opts: CallOptions & { accept?: (line: string) => boolean; answers?: ShellAnswer[] } = {},
  ): Promise<string> {
    return this.#exclusive(() =>
      withDeadline(`prompt of ${this.device}`, {
        signal: opts.signal,
        timeoutMs: opts.timeoutMs ?? 15000,
      }, async (signal) => {
        const t0 = Date.now();
        this.shell.write(SHELL_NEWLINE);
        let seen = "";
        while (true) {
          const ev = await this.shell.waitFor((buf) => {
            const c = cleanTerminal(buf);
            for (const a of opts.answers ?? []) {
              if (a.pattern.test(c)) return { kind: "answer" as const, c, a };
            }
            const lines = c.split("\n");
            const last = lines[lines.length - 1].trim();
            if (!last || (opts.accept && !opts.accept(last))) return undefined;
            if (lines.slice(0, -1).some((l) => l.trim() === last)) {
              return { kind: "prompt" as const, c, last };
            }
            return undefined;
          }, signal);
          seen += ev.c;
          this.shell.consume();
          if (ev.kind === "answer") {
            this.shell.write(ev.a.answer + SHELL_NEWLINE);
            continue;
          }
          this.#prompt = ev.last;
          this.#recorder?.record({
            kind: "ssh",
            device: this.device,
            command: "",
            output: seen,
            prompt: ev.last,
            ms: Date.now() - t0,
          });
          return ev.last;
        }
      })
    );
  }

  /**
   * Runs one command and waits for the prompt (or an `until` pattern).
   *
   * @throws {TimeoutError} no prompt before the deadline
   * @throws {TransportError} the connection closed
   */
  exec(command: string, opts: PromptExecOptions = {}): Promise<PromptExecResult> {
    return this.#exclusive(() => this.execUnlocked(command, opts));
  }

  /** {@link exec} without taking the lock (for callers already holding it via {@link exclusive}). */
  async execUnlocked(command: string, opts: PromptExecOptions = {}): Promise<PromptExecResult> {
    if (/[\r\n]/.test(command)) {
      throw new TransportError(`Refusing to send a line break to ${this.device}`);
    }
    const t0 = Date.now();
    let collected = "";
    const questions: string[] = [];
    const used = new Set<ShellAnswer>();
    try {
      const end = await withDeadline(
        `${opts.secret ? "(secret)" : `"${command}"`} on ${this.device}`,
        { signal: opts.signal, timeoutMs: opts.timeoutMs ?? this.#timeoutMs },
        async (signal) => {
          this.shell.consume();
          this.shell.write(command + SHELL_NEWLINE);
          while (true) {
            const ev = await this.shell.waitFor((buf) => {
              const c = cleanTerminal(buf);
              const nl = c.lastIndexOf("\n");
              const last = c.slice(nl + 1).trim();
              if (nl >= 0 || collected) {
                const i = (opts.until ?? []).findIndex((re) => re.test(last));
                if (i >= 0) return { kind: "end" as const, c, last, i };
                if (this.#prompt && last === this.#prompt) {
                  return { kind: "end" as const, c, last, i: -1 };
                }
              }
              for (const a of opts.answers ?? []) {
                if (a.pattern.test(c)) return { kind: "answer" as const, c, a };
              }
              if (opts.pager?.test(c)) return { kind: "pager" as const, c };
              return undefined;
            }, signal);
            this.shell.consume();
            if (ev.kind === "end") {
              collected += ev.c;
              return ev;
            }
            if (ev.kind === "pager") {
              collected += ev.c.replace(opts.pager!, "");
              this.shell.write(opts.pagerKey ?? " ");
              continue;
            }
            collected += ev.c;
            const q = ev.c.slice(ev.c.lastIndexOf("\n") + 1).trim();
            if (ev.a.once && used.has(ev.a)) {
              throw Object.assign(new TransportError(`${this.device} asked again: ${q}`), {
                repeatedQuestion: q,
              });
            }
            used.add(ev.a);
            questions.push(q);
            this.shell.write(ev.a.answer + SHELL_NEWLINE);
          }
        },
      );
      const lines = collected.split("\n");
      lines.pop(); // the prompt line
      const first = lines.findIndex((l) => l.trim() !== "");
      if (first >= 0 && !opts.secret && command && lines[first].trimEnd().endsWith(command)) {
        lines.splice(0, first + 1);
      } else if (first >= 0 && opts.secret) lines.splice(0, first + 1);
      while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
      const output = lines.join("\n");
      this.#recorder?.record({
        kind: "ssh",
        device: this.device,
        command: opts.secret ? "***" : command,
        secret: opts.secret,
        output,
        prompt: end.last,
        ms: Date.now() - t0,
      });
      return { command, output, ended: end.last, matched: end.i, questions };
    } catch (e) {
      this.#recorder?.record({
        kind: "ssh",
        device: this.device,
        command: opts.secret ? "***" : command,
        secret: opts.secret,
        output: collected,
        error: e instanceof Error ? e.message : String(e),
        ms: Date.now() - t0,
      });
      if (e instanceof TimeoutError) this.shell.close(); // unknown state: never reuse
      throw e;
    }
  }

  /** Runs `fn` holding this shell's lock (a multi-command dialogue such as a jump). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#exclusive(fn);
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(() => {
      if (this.shell.closed) {
        throw new TransportError(`Shell to ${this.device} is closed`, {
          hint: "Open a new session",
        });
      }
      return fn();
    });
    this.#lock = run.catch(() => {});
    return run;
  }
}
