/**
 * VRP CLI driver: one interactive SSH shell to a Huawei switch (CX310 module), prompt-driven.
 *
 * - waits for patterns, never for a time: the next prompt, a `[Y/N]` question, or the pager
 * - pager off at login with `screen-length 0 temporary`; `---- More ----` is still handled
 *   (space sent, erase sequence stripped) for builds without that command
 * - `Error:` lines and the `^` marker become {@link VrpCommandError}; `Info:`/`Warning:` lines
 *   are returned separately
 * - immediate (VRP5 `[name]`) vs two-stage (VRP8 `[~name]`/`[*name]`) is detected from the prompt
 *   after `system-view`; in two-stage mode {@link VrpSession.configure} commits and checks it
 * - one command at a time per session (a mutex); every call has a deadline
 *
 * The same class runs over a direct SSH connection ({@link VrpSession.connect}) or over a shell
 * stream reached through the HMM's own `ssh` command ({@link VrpSession.overShell}).
 *
 * Provenance of the manners: no CLI transcript of a real CX310 exists (upstream never opened one,
 * ../shared/docs/hardware/vrp-cx310.md). Prompts, `screen-length 0 temporary`, the pager and its
 * erase sequence, `Error:` + `^`, `Info:`/`Warning:`, `[Y/N]` and the VRP8 two-stage prompts
 * follow Huawei's VRP5/VRP8 CLI conventions and the real `display` samples in
 * testdata/vrp_driver (ntc-templates); each is exercised against an in-test fake
 * (testing/fake_vrp.ts) and the independent simulator. Replace this note with a transcript and
 * firmware version once a capture exists (`--record`).
 */
import type { Client } from "ssh2";
import { z } from "zod";
import { TimeoutError, TransportError } from "../../errors.ts";
import { type CallOptions, withDeadline } from "../deadline.ts";
import type { Recorder } from "../record/recorder.ts";
import { type HostKeyVerifier, openShell, sshConnect } from "../ssh/connect.ts";
import { cleanTerminal, ShellStream } from "../ssh/shell.ts";
import { VrpCommandError, VrpCommitError } from "./errors.ts";
import {
  CARET_LINE,
  COMMIT_FAILURE,
  CONFIRM_PROMPT,
  ERROR_LINE,
  INFO_LINE,
  MORE_PROMPT,
  parsePrompt,
  VRP_NEWLINE,
  type VrpPrompt,
  WARNING_LINE,
} from "./prompts.ts";

/** Commit behaviour of the switch. */
export type VrpMode = "immediate" | "two-stage";

/** The typed result of one command. */
export const VrpCommandResultSchema = z.object({
  command: z.string().describe("The command line sent"),
  output: z.string().describe("Output between the echoed command and the next prompt"),
  prompt: z.string().describe("The prompt that ended the output, e.g. [~swi2]"),
  view: z.enum(["user", "system"]).describe("View after the command"),
  pending: z.boolean().describe("Two-stage mode: uncommitted changes exist ([*name] prompt)"),
  info: z.array(z.string()).describe("Info: lines"),
  warnings: z.array(z.string()).describe("Warning: lines"),
  errors: z.array(z.string()).describe("Error: lines (empty unless allowError)"),
  questions: z.array(z.string()).describe("[Y/N] questions answered while running"),
  pages: z.number().int().describe("---- More ---- pages turned (0 with paging off)"),
});
/** The typed result of one command. */
export type VrpCommandResult = z.infer<typeof VrpCommandResultSchema>;

/** Options of one command. */
export interface VrpExecOptions extends CallOptions {
  /** Answer to a `[Y/N]` question. Without it a question is answered `N` and reported as an error. */
  confirm?: "Y" | "N";
  /** Return `Error:` output in `errors` instead of throwing. */
  allowError?: boolean;
}

/** Options shared by both ways of opening a session. */
export interface VrpSessionOptions {
  /** Device id for messages and recordings, e.g. `swi2`. */
  device: string;
  /** Default deadline per command; default 30000 ms. */
  commandTimeoutMs?: number;
  /** Login deadline (banner to first prompt); default 15000 ms. */
  loginTimeoutMs?: number;
  recorder?: Recorder;
  signal?: AbortSignal;
  /**
   * Send `screen-length 0 temporary` at login (default true). False keeps the device's pager on
   * (tests of the `---- More ----` handling).
   */
  disablePaging?: boolean;
  /** Called at the end of `close()` (e.g. to return from a jump and close the jump host). */
  onClose?: () => Promise<void>;
}

/** Options of {@link VrpSession.connect}. */
export interface VrpConnectOptions extends VrpSessionOptions {
  host: string;
  port?: number;
  username: string;
  password: string;
  verifyHostKey?: HostKeyVerifier;
}

/** A configuration command, optionally with the answer to a `[Y/N]` question it may ask. */
export type VrpConfigCommand = string | { command: string; confirm?: "Y" | "N" };

/** Options of {@link VrpSession.configure}. */
export interface VrpConfigureOptions extends CallOptions {
  /**
   * Two-stage mode: end with `commit trial <seconds>` instead of `commit`; the switch reverts by
   * itself unless {@link VrpSession.confirmTrial} (or any plain `commit`) follows in time.
   * Ignored in immediate mode (there is no trial: `result.trial` stays undefined).
   */
  trial?: {
    seconds: number;
    /**
     * The build has no `commit trial` (it answers "Unrecognized command"; the candidate is still
     * pending): `"commit"` commits plainly, `"discard"` (default) discards the candidate and
     * throws {@link VrpCommitError} with `details.trialUnsupported`. Called before deciding, so a
     * caller can prepare (e.g. open a second session) while nothing is committed yet.
     */
    onUnsupported?: (error: string) => Promise<"commit" | "discard"> | "commit" | "discard";
  };
}

/** Result of {@link VrpSession.configure}. */
export interface VrpConfigureResult {
  mode: VrpMode;
  results: VrpCommandResult[];
  /** Output of `commit` (or `commit trial`) in two-stage mode. */
  commit?: VrpCommandResult;
  /** Two-stage with `trial`: armed (`seconds`), or the build has none (`unsupported`). */
  trial?: { seconds: number; armedAt: number } | { unsupported: true; error: string };
}

/** VRP's answers to a command it does not know (the build has no `commit trial`). */
export const TRIAL_UNSUPPORTED =
  /unrecognized command|incomplete command|wrong parameter|not support/i;

/** Questions VRP asks at login that must be declined (password change). */
const LOGIN_QUESTION = /(?:change (?:it )?now|modify the password)[^\n]*\[Y\/N\][ \t]*:?[ \t]*$/i;
/** `save` may ask for a file name with a default in brackets: accept the default. */
const FILENAME_PROMPT = /\[[^\]\n]*\.(?:cfg|zip|dat)\][ \t]*:?[ \t]*$/i;

/**
 * One VRP CLI session.
 *
 * @example
 * const s = await VrpSession.connect({ device: "swi2", host: "127.0.0.1", port, username, password });
 * const r = await s.exec("display vlan");
 * await s.configure(["vlan 10", "description prod", "quit"]);
 * await s.close();
 */
export class VrpSession {
  readonly device: string;
  #shell: ShellStream;
  #client?: Client;
  #recorder?: Recorder;
  #commandTimeoutMs: number;
  #sysname = "";
  #prompt?: VrpPrompt;
  #mode?: VrpMode;
  #pagingOff = false;
  #lock: Promise<unknown> = Promise.resolve();
  #broken?: Error;
  #ownsStream = true;
  #onClose?: () => Promise<void>;

  private constructor(shell: ShellStream, opts: VrpSessionOptions, client?: Client) {
    this.#shell = shell;
    this.#client = client;
    this.device = opts.device;
    this.#recorder = opts.recorder;
    this.#commandTimeoutMs = opts.commandTimeoutMs ?? 30000;
    this.#onClose = opts.onClose;
  }

  /**
   * Connects over SSH, opens a shell, waits for the user-view prompt and turns paging off.
   *
   * @throws {AuthError} bad credentials
   * @throws {TransportError} unreachable, or closed before a prompt
   * @throws {TimeoutError} no prompt before the login deadline
   */
  static async connect(opts: VrpConnectOptions): Promise<VrpSession> {
    const client = await sshConnect({
      device: opts.device,
      host: opts.host,
      port: opts.port,
      username: opts.username,
      password: opts.password,
      verifyHostKey: opts.verifyHostKey,
      signal: opts.signal,
      timeoutMs: opts.loginTimeoutMs,
    });
    try {
      const channel = await openShell(client, opts.device);
      const s = new VrpSession(new ShellStream(channel, opts.device), opts, client);
      s.#recorder?.record({
        kind: "event",
        device: opts.device,
        event: "connect",
        detail: { host: opts.host, port: opts.port ?? 22 },
      });
      await s.#login(opts);
      return s;
    } catch (e) {
      client.end();
      throw e;
    }
  }

  /**
   * Runs VRP over an already open interactive stream (e.g. the HMM shell after
   * `ssh 172.31.1.162 NoStricHostKeyChecking` and the password): waits for the user-view prompt.
   * `close()` then types `quit` (back to the jump host) and leaves the stream open.
   */
  static async overShell(shell: ShellStream, opts: VrpSessionOptions): Promise<VrpSession> {
    const s = new VrpSession(shell, opts);
    s.#ownsStream = false;
    await s.#login(opts);
    return s;
  }

  /** The switch's sysname, from its prompt. */
  get sysname(): string {
    return this.#sysname;
  }

  /** The last prompt seen. */
  get prompt(): VrpPrompt | undefined {
    return this.#prompt;
  }

  /** True when `screen-length 0 temporary` was accepted at login. */
  get pagingDisabled(): boolean {
    return this.#pagingOff;
  }

  /** True until the session is closed or broken (a timeout leaves the CLI in an unknown state). */
  get usable(): boolean {
    return !this.#broken && !this.#shell.closed;
  }

  /**
   * Runs one command and waits for the next prompt.
   *
   * @throws {VrpCommandError} the switch printed `Error:` (unless `allowError`)
   * @throws {TimeoutError} no prompt before the deadline (the session is closed: state unknown)
   */
  exec(command: string, opts: VrpExecOptions = {}): Promise<VrpCommandResult> {
    return this.#exclusive(() => this.#exec(command, opts));
  }

  /**
   * Detects immediate vs two-stage commit (cached): enters system view, reads the prompt, returns.
   */
  mode(opts: CallOptions = {}): Promise<VrpMode> {
    if (this.#mode) return Promise.resolve(this.#mode);
    return this.#exclusive(async () => {
      if (this.#mode) return this.#mode;
      await this.#toUserView(opts);
      await this.#exec("system-view", opts);
      await this.#exec("return", { ...opts, confirm: "N" });
      return this.#mode!;
    });
  }

  /**
   * Runs configuration commands as one unit: `system-view`, the commands, `commit` in two-stage
   * mode (output checked), `return`. On any error the candidate configuration is discarded
   * (two-stage) and the session returns to user view; in immediate mode commands before the
   * failing one stay applied (listed in the error's `details.applied`).
   *
   * @throws {VrpCommandError} a command was rejected
   * @throws {VrpCommitError} the commit failed
   */
  configure(
    commands: VrpConfigCommand[],
    opts: VrpConfigureOptions = {},
  ): Promise<VrpConfigureResult> {
    return this.#exclusive(async () => {
      await this.#toUserView(opts);
      await this.#exec("system-view", opts);
      const mode = this.#mode!;
      const results: VrpCommandResult[] = [];
      const applied: string[] = [];
      try {
        for (const c of commands) {
          const cmd = typeof c === "string" ? c : c.command;
          const confirm = typeof c === "string" ? undefined : c.confirm;
          results.push(await this.#exec(cmd, { ...opts, confirm }));
          applied.push(cmd);
        }
      } catch (e) {
        await this.#abandon(opts);
        if (e instanceof VrpCommandError && mode === "immediate") {
          throw new VrpCommandError(e.message, {
            device: this.device,
            messageId: e.messageId,
            command: e.command,
            output: e.output,
            details: { applied, mode },
            hint: applied.length
              ? `The switch applies commands immediately: ${applied.length} command(s) before the failing one are in effect`
              : undefined,
          });
        }
        throw e;
      }
      let commit: VrpCommandResult | undefined;
      let trial: VrpConfigureResult["trial"];
      if (mode === "two-stage") {
        const cmd = opts.trial ? `commit trial ${opts.trial.seconds}` : "commit";
        const armedAt = performance.now();
        commit = await this.#exec(cmd, { ...opts, allowError: true, confirm: "Y" });
        if (
          opts.trial && commit.errors.length && this.#prompt?.marker === "*" &&
          TRIAL_UNSUPPORTED.test(commit.errors.join(" "))
        ) {
          const error = commit.errors[0];
          const choice = (await opts.trial.onUnsupported?.(error)) ?? "discard";
          if (choice === "discard") {
            await this.#abandon(opts);
            throw new VrpCommitError(`Switch ${this.device} has no commit trial: ${error}`, {
              device: this.device,
              messageId: error,
              command: cmd,
              output: commit.output,
              hint: "The uncommitted changes were discarded",
              details: { commands, trialUnsupported: true },
            });
          }
          trial = { unsupported: true, error };
          commit = await this.#exec("commit", { ...opts, allowError: true, confirm: "Y" });
        } else if (opts.trial) trial = { seconds: opts.trial.seconds, armedAt };
        const failed = commit.errors.length > 0 || COMMIT_FAILURE.test(commit.output) ||
          this.#prompt?.marker === "*";
        if (failed) {
          await this.#abandon(opts);
          throw new VrpCommitError(
            `Commit failed on ${this.device}: ${
              commit.errors[0] ?? firstLine(commit.output) ?? "changes still pending"
            }`,
            {
              device: this.device,
              messageId: commit.errors[0],
              command: "commit",
              output: commit.output,
              hint: "The uncommitted changes were discarded; fix the cause and apply again",
              details: { commands },
            },
          );
        }
      }
      await this.#exec("return", { ...opts, confirm: "N" });
      return { mode, results, commit, ...(trial ? { trial } : {}) };
    });
  }

  /**
   * Two-stage: confirms a pending `commit trial` (a plain `commit` in system view; VRP8
   * confirms the trial with it). Works from any session of the switch.
   *
   * @throws {VrpCommitError} the switch refused the confirmation
   */
  confirmTrial(opts: CallOptions = {}): Promise<VrpCommandResult> {
    return this.#exclusive(async () => {
      if (this.#prompt?.view !== "system") await this.#exec("system-view", opts);
      const c = await this.#exec("commit", { ...opts, allowError: true, confirm: "Y" });
      await this.#exec("return", { ...opts, allowError: true, confirm: "N" });
      if (c.errors.length) {
        throw new VrpCommitError(`Confirming the trial on ${this.device} failed: ${c.errors[0]}`, {
          device: this.device,
          command: "commit",
          output: c.output,
          messageId: c.errors[0],
        });
      }
      return c;
    });
  }

  /**
   * Two-stage: `abort trial` (the switch reverts the trial now). Never throws for a device
   * answer: `errors` holds it (e.g. "No trial configuration is running" after it expired).
   *
   * @throws {TimeoutError} / {TransportError} the session is gone
   */
  abortTrial(opts: CallOptions = {}): Promise<VrpCommandResult> {
    return this.#exclusive(async () => {
      if (this.#prompt?.view !== "system") await this.#exec("system-view", opts);
      const a = await this.#exec("abort trial", { ...opts, allowError: true, confirm: "Y" });
      await this.#exec("return", { ...opts, allowError: true, confirm: "N" });
      return a;
    });
  }

  /**
   * Saves the running configuration (`save`, confirming the `[Y/N]` question).
   *
   * @throws {VrpCommandError} the switch reported an error
   */
  save(opts: CallOptions = {}): Promise<VrpCommandResult> {
    return this.#exclusive(async () => {
      await this.#toUserView(opts);
      return await this.#exec("save", { timeoutMs: 120000, ...opts, confirm: "Y" });
    });
  }

  /** Logs out (`quit` from user view, best effort) and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if ((this.#shell.closed || (!this.#ownsStream && this.#broken)) && !this.#client) return;
    try {
      await Promise.race([this.#lock, new Promise((r) => setTimeout(r, 0))]);
    } catch { /* a failed command does not block closing */ }
    if (!this.#shell.closed && !this.#broken) {
      try {
        this.#shell.write("quit" + VRP_NEWLINE);
      } catch { /* closed meanwhile */ }
    }
    if (this.#ownsStream) this.#shell.close();
    else this.#broken ??= new TransportError(`Session to ${this.device} was closed`);
    this.#client?.end();
    this.#client = undefined;
    this.#recorder?.record({ kind: "event", device: this.device, event: "close" });
    const hook = this.#onClose;
    this.#onClose = undefined;
    await hook?.();
  }

  // ---------------------------------------------------------------------------------------

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(() => {
      if (this.#broken) {
        throw new TransportError(
          `Session to ${this.device} is no longer usable: ${this.#broken.message}`,
          {
            hint: "Open a new session",
          },
        );
      }
      return fn();
    });
    this.#lock = run.catch(() => {});
    return run;
  }

  async #login(opts: VrpSessionOptions): Promise<void> {
    const t0 = Date.now();
    const what = `login prompt from ${this.device}`;
    const raw = await withDeadline(
      what,
      { signal: opts.signal, timeoutMs: opts.loginTimeoutMs ?? 15000 },
      async (signal) => {
        let seen = "";
        while (true) {
          const ev = await this.#shell.waitFor((buf) => {
            const c = cleanTerminal(buf);
            const last = c.slice(c.lastIndexOf("\n") + 1);
            const p = parsePrompt(last);
            if (p?.view === "user") return { kind: "prompt" as const, c, p };
            if (LOGIN_QUESTION.test(c)) return { kind: "question" as const, c };
            return undefined;
          }, signal);
          seen += ev.c;
          this.#shell.consume();
          if (ev.kind === "question") {
            this.#shell.write("N" + VRP_NEWLINE);
            continue;
          }
          this.#prompt = ev.p;
          this.#sysname = ev.p.name;
          return seen;
        }
      },
    );
    this.#recorder?.record({
      kind: "ssh",
      device: this.device,
      command: "",
      output: raw,
      prompt: this.#prompt?.text,
      ms: Date.now() - t0,
    });
    if (opts.disablePaging === false) return;
    const r = await this.#exec("screen-length 0 temporary", {
      allowError: true,
      signal: opts.signal,
    });
    this.#pagingOff = r.errors.length === 0;
  }

  #isOwnPrompt(p: VrpPrompt): boolean {
    if (!this.#sysname) return true;
    if (p.view === "user") return p.name === this.#sysname;
    return p.name === this.#sysname || p.name.startsWith(this.#sysname + "-");
  }

  async #toUserView(opts: CallOptions): Promise<void> {
    if (this.#prompt?.view === "system") {
      await this.#abandon(opts);
    }
  }

  /** Best effort: discard the candidate (two-stage) and go back to user view. */
  async #abandon(opts: CallOptions): Promise<void> {
    try {
      if (this.#mode === "two-stage" && this.#prompt?.marker === "*") {
        await this.#exec("clear configuration candidate", {
          ...opts,
          allowError: true,
          confirm: "Y",
        });
      }
      if (this.#prompt?.view === "system") {
        await this.#exec("return", { ...opts, allowError: true, confirm: "N" });
      }
    } catch (e) {
      if (e instanceof TimeoutError || e instanceof TransportError) throw e;
    }
  }

  async #exec(command: string, opts: VrpExecOptions): Promise<VrpCommandResult> {
    if (/[\r\n]/.test(command)) {
      throw new TransportError(`Refusing to send a command with a line break to ${this.device}`);
    }
    const t0 = Date.now();
    const questions: string[] = [];
    let pages = 0;
    let unexpectedQuestion: string | undefined;
    let collected = "";
    try {
      const prompt = await withDeadline(
        `"${command}" on ${this.device}`,
        { signal: opts.signal, timeoutMs: opts.timeoutMs ?? this.#commandTimeoutMs },
        async (signal) => {
          this.#shell.consume();
          this.#shell.write(command + VRP_NEWLINE);
          while (true) {
            const ev = await this.#shell.waitFor((buf) => {
              const c = cleanTerminal(buf);
              const nl = c.lastIndexOf("\n");
              if (nl >= 0 || collected) {
                const p = parsePrompt(c.slice(nl + 1));
                if (p && this.#isOwnPrompt(p)) return { kind: "prompt" as const, c, p };
              }
              if (MORE_PROMPT.test(c)) return { kind: "more" as const, c };
              if (CONFIRM_PROMPT.test(c)) return { kind: "confirm" as const, c };
              if (command === "save" && FILENAME_PROMPT.test(c)) {
                return { kind: "filename" as const, c };
              }
              return undefined;
            }, signal);
            this.#shell.consume();
            if (ev.kind === "prompt") {
              collected += ev.c;
              return ev.p;
            }
            if (ev.kind === "more") {
              collected += ev.c.replace(MORE_PROMPT, "\n");
              pages++;
              this.#shell.write(" ");
              continue;
            }
            collected += ev.c;
            const q = ev.c.slice(ev.c.lastIndexOf("\n") + 1).trim();
            questions.push(q);
            if (ev.kind === "filename") {
              this.#shell.write(VRP_NEWLINE);
            } else if (opts.confirm) {
              this.#shell.write(opts.confirm + VRP_NEWLINE);
            } else {
              unexpectedQuestion ??= q;
              this.#shell.write("N" + VRP_NEWLINE);
            }
          }
        },
      );
      this.#prompt = prompt;
      if (command === "system-view" && prompt.view === "system") {
        this.#mode = prompt.marker === "" ? "immediate" : "two-stage";
      }
    } catch (e) {
      this.#recorder?.record({
        kind: "ssh",
        device: this.device,
        command,
        output: collected + cleanTerminal(this.#shell.buffer),
        error: e instanceof Error ? e.message : String(e),
        ms: Date.now() - t0,
      });
      if (e instanceof TimeoutError || e instanceof TransportError) {
        // The CLI is in an unknown state (half-typed command, pager, question): never reuse it.
        this.#broken = e;
        this.#shell.close();
        this.#client?.end();
      }
      throw e;
    }
    this.#recorder?.record({
      kind: "ssh",
      device: this.device,
      command,
      output: collected,
      prompt: this.#prompt?.text,
      ms: Date.now() - t0,
    });
    const result = analyse(command, collected, this.#prompt!, questions, pages);
    if (unexpectedQuestion) {
      result.errors.unshift(`Unexpected question answered N: ${unexpectedQuestion}`);
    }
    if (result.errors.length && !opts.allowError) {
      throw new VrpCommandError(
        `Switch ${this.device} rejected "${command}": ${result.errors[0]}`,
        {
          device: this.device,
          messageId: result.errors[0],
          command,
          output: result.output,
          hint: "Check the command and value against what this switch supports",
        },
      );
    }
    return result;
  }
}

/** Splits raw output into the typed result: echo and prompt removed, markers classified. */
export function analyse(
  command: string,
  raw: string,
  prompt: VrpPrompt,
  questions: string[] = [],
  pages = 0,
): VrpCommandResult {
  const lines = raw.split("\n");
  // Drop the trailing prompt line.
  if (lines.length && parsePrompt(lines[lines.length - 1])) lines.pop();
  // Drop the echoed command (first non-empty line ending with the command text).
  const firstIdx = lines.findIndex((l) => l.trim() !== "");
  if (firstIdx >= 0 && command && lines[firstIdx].trimEnd().endsWith(command.trim())) {
    lines.splice(0, firstIdx + 1);
  }
  const info: string[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  let caret = false;
  for (const l of lines) {
    let m: RegExpExecArray | null;
    if ((m = ERROR_LINE.exec(l))) errors.push(m[1]);
    else if ((m = INFO_LINE.exec(l))) info.push(m[1]);
    else if ((m = WARNING_LINE.exec(l))) warnings.push(m[1]);
    else if (CARET_LINE.test(l)) caret = true;
  }
  if (caret && errors.length === 0) errors.push("Command rejected at '^' position");
  while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
  return {
    command,
    output: lines.join("\n"),
    prompt: prompt.text,
    view: prompt.view,
    pending: prompt.marker === "*",
    info,
    warnings,
    errors,
    questions,
    pages,
  };
}

function firstLine(s: string): string | undefined {
  return s.split("\n").map((l) => l.trim()).find((l) => l !== "");
}
