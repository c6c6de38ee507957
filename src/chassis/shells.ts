/**
 * Interactive shells the SDK drives: the HMM restricted shell (`smmget`, `smmset`, `cmdext`,
 * `swiconfexport`, its own `ssh`) and the iBMC shell (`ipmcget`/`ipmcset`), reached directly or
 * through the HMM's own `ssh` command (the HMM refuses TCP forwarding:
 * ../shared/docs/hardware/redfish.md §2.2, hmm-cli.md §6).
 *
 * Prompt-driven, never time-driven: the HMM prompt is learned at login (pressing Enter until the
 * same last line repeats; the real prompt was never recorded upstream); the iBMC prompt is
 * `root@BMC:/#` on iMana 6.05, matched as `user@host:path#`. `[Y/N]` questions are answered only
 * when the caller says so. Every command has a deadline; a timed-out shell is closed (its state is
 * unknown) and never reused.
 *
 * Kept in the SDK until the drivers' `hmmcli`/`ibmccli` land; the dialogue rules are the same.
 */
import type { Client } from "ssh2";
import { AuthError, DeviceError, TimeoutError, TransportError } from "../errors.ts";
import { type CallOptions, withDeadline } from "../drivers/deadline.ts";
import type { Recorder } from "../drivers/record/recorder.ts";
import { type HostKeyVerifier, openShell, sshConnect } from "../drivers/ssh/connect.ts";
import { cleanTerminal, ShellStream } from "../drivers/ssh/shell.ts";
import { parseSshUrl } from "./endpoints.ts";

/** `Do you want to continue?[Y/N]:` and similar. */
export const YES_NO = /\[Y\/N\]\s*:?\s*$/i;
/** The password question of the HMM's `ssh` and of `cmdext -l`. */
export const PASSWORD_PROMPT = /password\s*:\s*$/i;
/** The iBMC shell prompt (`root@BMC:/#`). */
export const IBMC_PROMPT = /^[\w.-]+@[\w.-]+:[^\s]*[#$]\s*$/;

/** Result of one shell command. */
export interface ShellResult {
  command: string;
  /** Output without the echoed command and the final prompt. */
  output: string;
  /** Questions answered while it ran. */
  questions: string[];
}

/** Options of {@link PromptedShell.exec}. */
export interface ShellExecOptions extends CallOptions {
  /** Answer to a `[Y/N]` question; without one the question is answered `N` and fails the call. */
  confirm?: "Y" | "N";
  /** The line is a secret (a password): never recorded. */
  secret?: boolean;
  /** Also stop when the last line matches (a jump's password prompt, a new prompt). */
  until?: RegExp;
}

/** A shell with a known prompt pattern. */
export class PromptedShell {
  readonly device: string;
  readonly stream: ShellStream;
  prompt: RegExp;
  #recorder?: Recorder;
  #timeoutMs: number;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    stream: ShellStream,
    opts: { device: string; prompt: RegExp; recorder?: Recorder; timeoutMs?: number },
  ) {
    this.stream = stream;
    this.device = opts.device;
    this.prompt = opts.prompt;
    this.#recorder = opts.recorder;
    this.#timeoutMs = opts.timeoutMs ?? 30000;
  }

  /** True until closed or broken. */
  get usable(): boolean {
    return !this.stream.closed;
  }

  /**
   * Sends one line and waits for the prompt (or `until`).
   *
   * @throws {DeviceError} an unexpected `[Y/N]` question (answered N)
   * @throws {TimeoutError} no prompt before the deadline (the shell is closed)
   * @throws {TransportError} the connection closed
   */
  exec(command: string, opts: ShellExecOptions = {}): Promise<ShellResult & { ended: string }> {
    const run = this.#lock.then(() => this.#exec(command, opts));
    this.#lock = run.catch(() => {});
    return run;
  }

  async #exec(
    command: string,
    opts: ShellExecOptions,
  ): Promise<ShellResult & { ended: string }> {
    if (/[\r\n]/.test(command)) {
      throw new TransportError(`Refusing to send a line break to ${this.device}`);
    }
    const t0 = Date.now();
    const questions: string[] = [];
    let collected = "";
    let unexpected: string | undefined;
    try {
      const ended = await withDeadline(
        `${opts.secret ? "(secret)" : `"${command}"`} on ${this.device}`,
        { signal: opts.signal, timeoutMs: opts.timeoutMs ?? this.#timeoutMs },
        async (signal) => {
          this.stream.consume();
          this.stream.write(command + "\n");
          while (true) {
            const ev = await this.stream.waitFor((buf) => {
              const c = cleanTerminal(buf);
              const nl = c.lastIndexOf("\n");
              const last = c.slice(nl + 1).trim();
              if (nl >= 0 || collected) {
                if (last && this.prompt.test(last)) return { kind: "end" as const, c, last };
              }
              if (opts.until?.test(c)) return { kind: "end" as const, c, last };
              if (YES_NO.test(c)) return { kind: "question" as const, c, last };
              return undefined;
            }, signal);
            this.stream.consume();
            collected += ev.c;
            if (ev.kind === "end") return ev.last;
            questions.push(ev.last);
            if (opts.confirm) this.stream.write(opts.confirm + "\n");
            else {
              unexpected ??= ev.last;
              this.stream.write("N\n");
            }
          }
        },
      );
      const lines = collected.split("\n");
      lines.pop();
      const first = lines.findIndex((l) => l.trim() !== "");
      if (first >= 0 && (opts.secret || lines[first].trimEnd().endsWith(command))) {
        lines.splice(0, first + 1);
      }
      while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
      const output = lines.join("\n");
      this.#recorder?.record({
        kind: "ssh",
        device: this.device,
        command: opts.secret ? "***" : command,
        ...(opts.secret ? { secret: true } : {}),
        output,
        prompt: ended,
        ms: Date.now() - t0,
      });
      if (unexpected) {
        throw new DeviceError(`${this.device} asked "${unexpected}" for "${command}"`, {
          device: this.device,
          messageId: unexpected,
          hint: "The question was answered N; nothing was changed",
        });
      }
      return { command, output, questions, ended };
    } catch (e) {
      if (!(e instanceof DeviceError)) {
        this.#recorder?.record({
          kind: "ssh",
          device: this.device,
          command: opts.secret ? "***" : command,
          output: collected,
          error: e instanceof Error ? e.message : String(e),
          ms: Date.now() - t0,
        });
      }
      if (e instanceof TimeoutError || e instanceof TransportError) this.stream.close();
      throw e;
    }
  }

  /** Closes the stream. */
  close(): void {
    this.stream.close();
  }
}

/** Options of {@link openHmmShell} and {@link openIbmcShellDirect}. */
export interface ShellLogin extends CallOptions {
  device: string;
  url: string;
  username: string;
  password: string;
  verifyHostKey?: HostKeyVerifier;
  recorder?: Recorder;
}

/** An SSH connection with its prompted shell. */
export interface OpenShell {
  shell: PromptedShell;
  client: Client;
  close(): Promise<void>;
}

async function connectShell(o: ShellLogin): Promise<{ client: Client; stream: ShellStream }> {
  const { host, port } = parseSshUrl(o.url);
  const client = await sshConnect({
    device: o.device,
    host,
    port,
    username: o.username,
    password: o.password,
    verifyHostKey: o.verifyHostKey,
    signal: o.signal,
    timeoutMs: Math.min(o.timeoutMs ?? 15000, 15000),
  });
  try {
    const chan = await openShell(client, o.device);
    o.recorder?.record({
      kind: "event",
      device: o.device,
      event: "connect",
      detail: { host, port },
    });
    return { client, stream: new ShellStream(chan, o.device) };
  } catch (e) {
    client.end();
    throw e;
  }
}

/**
 * Waits for the first prompt of a shell whose prompt is not known: presses Enter until the same
 * last line appears twice.
 */
export async function learnPrompt(stream: ShellStream, o: CallOptions): Promise<string> {
  return await withDeadline(`prompt of ${stream.device}`, {
    signal: o.signal,
    timeoutMs: Math.min(o.timeoutMs ?? 15000, 15000),
  }, async (signal) => {
    stream.write("\n");
    const last = await stream.waitFor((buf) => {
      const lines = cleanTerminal(buf).split("\n");
      const l = lines[lines.length - 1].trim();
      if (!l) return undefined;
      return lines.slice(0, -1).some((x) => x.trim() === l) ? l : undefined;
    }, signal);
    stream.consume();
    return last;
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Opens the HMM restricted shell and learns its prompt.
 *
 * @throws {AuthError} / {TransportError} / {TimeoutError}
 */
export async function openHmmShell(o: ShellLogin): Promise<OpenShell> {
  const { client, stream } = await connectShell(o);
  try {
    const p = await learnPrompt(stream, o);
    const shell = new PromptedShell(stream, {
      device: o.device,
      prompt: new RegExp(`^${escapeRe(p)}$`),
      recorder: o.recorder,
      timeoutMs: o.timeoutMs,
    });
    return {
      shell,
      client,
      close: () => {
        try {
          stream.write("exit\n");
        } catch { /* closed */ }
        stream.close();
        client.end();
        return Promise.resolve();
      },
    };
  } catch (e) {
    client.end();
    throw e;
  }
}

/**
 * Opens an iBMC shell over a direct SSH connection.
 */
export async function openIbmcShellDirect(o: ShellLogin): Promise<OpenShell> {
  const { client, stream } = await connectShell(o);
  try {
    await withDeadline(`prompt of ${o.device}`, {
      signal: o.signal,
      timeoutMs: Math.min(o.timeoutMs ?? 15000, 15000),
    }, (signal) =>
      stream.waitFor((buf) => {
        const c = cleanTerminal(buf);
        const last = c.slice(c.lastIndexOf("\n") + 1).trim();
        return IBMC_PROMPT.test(last) ? last : undefined;
      }, signal));
    stream.consume();
    const shell = new PromptedShell(stream, {
      device: o.device,
      prompt: IBMC_PROMPT,
      recorder: o.recorder,
      timeoutMs: o.timeoutMs,
    });
    return {
      shell,
      client,
      close: () => {
        try {
          stream.write("exit\n");
        } catch { /* closed */ }
        stream.close();
        client.end();
        return Promise.resolve();
      },
    };
  } catch (e) {
    client.end();
    throw e;
  }
}

/**
 * Jumps from an open HMM shell to an iBMC with the HMM's own `ssh <ip> NoStricHostKeyChecking`
 * (the option word is misspelled on the device and must be typed that way), answers the
 * password, and returns a shell whose prompt is the iBMC's. `exit` returns to the HMM.
 *
 * @throws {AuthError} the iBMC asked for the password again (refused; not retried)
 * @throws {DeviceError} the HMM could not reach the address
 */
export async function jumpToIbmc(
  hmm: PromptedShell,
  target: { device: string; ip: string; password: string },
  o: CallOptions,
): Promise<PromptedShell> {
  const hmmPrompt = hmm.prompt;
  const r = await hmm.exec(`ssh ${target.ip} NoStricHostKeyChecking`, {
    ...o,
    until: PASSWORD_PROMPT,
  });
  if (!PASSWORD_PROMPT.test(r.ended) && !/password/i.test(r.output + r.ended)) {
    throw new DeviceError(
      `The HMM could not open ssh to ${target.device} (${target.ip}): ${
        r.output.trim().split("\n").pop() ?? "no output"
      }`,
      { device: "hmm", messageId: r.output.trim().slice(0, 200) },
    );
  }
  // After the password: either the iBMC prompt, or the password question again (refused).
  hmm.prompt = IBMC_PROMPT;
  try {
    const after = await hmm.exec(target.password, { ...o, secret: true, until: PASSWORD_PROMPT });
    if (!IBMC_PROMPT.test(after.ended)) {
      throw new AuthError(
        `${target.device} (${target.ip}) refused the password given through the HMM`,
        {
          hint: "Check the iBMC credentials; Vessel does not retry to avoid a lockout",
        },
      );
    }
  } catch (e) {
    hmm.prompt = hmmPrompt;
    throw e;
  }
  return hmm;
}
