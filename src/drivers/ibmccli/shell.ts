/**
 * iBMC shell driver (iMana 6.05 restricted shell, prompt `root@BMC:/#`;
 * ../shared/docs/hardware/hmm-cli.md §6): `ipmcget`/`ipmcset`, the `[Y/N]` confirmation of
 * power and reset commands, SEL paging. Reached directly over SSH, or through the HMM jump
 * (`HmmShell.jumpToIbmc`), in which case `close()` types `exit` and returns to the HMM.
 */
import type { Client } from "ssh2";
import { DeviceError, ValidationError } from "../../errors.ts";
import type { CallOptions } from "../deadline.ts";
import type { Recorder } from "../record/recorder.ts";
import { type HostKeyVerifier, openShell, sshConnect } from "../ssh/connect.ts";
import { PromptShell, SHELL_NEWLINE } from "../ssh/prompt_shell.ts";
import { ShellStream } from "../ssh/shell.ts";

/** The iBMC prompt: `root@BMC:/#` (user, host, path, `#` or `$`). */
export const IBMC_PROMPT = /^[\w.-]+@[\w.-]+:[^\s]*[#$]$/;

/** `Do you want to continue?[Y/N]:` */
export const IBMC_CONFIRM = /\[Y\/N\]\s*:?\s*$/i;

/** Pager markers seen in long listings (SEL). */
export const IBMC_PAGER =
  /(?:--\s*More\s*--|Press\s+\S+\s+to\s+continue[^\n]*|Input\s+'?q'?\s+to\s+quit[^\n]*)\s*$/i;

/** Lines that mean the iBMC refused a command. */
const IBMC_ERROR =
  /^\s*(?:Error\b.*|.*\bfailed\b.*|Input parameter.*error.*|Invalid.*|.*not supported.*|Usage:.*|.*does not exist.*)$/im;

/** Options of {@link IbmcShell.connect}. */
export interface IbmcShellOptions extends CallOptions {
  device: string;
  host: string;
  port?: number;
  username: string;
  password: string;
  verifyHostKey?: HostKeyVerifier;
  recorder?: Recorder;
  commandTimeoutMs?: number;
}

/** Options of {@link IbmcShell.ipmcset}. */
export interface IpmcSetOptions extends CallOptions {
  /** Answer `Y` to `Do you want to continue?[Y/N]` (power, reset). Without it the answer is N. */
  confirm?: boolean;
}

/**
 * One iBMC shell session.
 *
 * @example
 * const b = await IbmcShell.connect({ device: "ibmc3", host, port, username, password });
 * await b.ipmcset({ item: "powerstate", value: "1" }, { confirm: true });
 * await b.close();
 */
export class IbmcShell {
  readonly device: string;
  #ps: PromptShell;
  #client?: Client;
  #onClose?: () => Promise<void>;
  #closed = false;

  private constructor(
    ps: PromptShell,
    device: string,
    client?: Client,
    onClose?: () => Promise<void>,
  ) {
    this.#ps = ps;
    this.device = device;
    this.#client = client;
    this.#onClose = onClose;
  }

  /** Connects directly over SSH. */
  static async connect(opts: IbmcShellOptions): Promise<IbmcShell> {
    const client = await sshConnect({ ...opts, timeoutMs: opts.timeoutMs });
    try {
      const ps = new PromptShell(
        new ShellStream(await openShell(client, opts.device), opts.device),
        opts,
      );
      const s = new IbmcShell(ps, opts.device, client);
      await s.ready(opts);
      return s;
    } catch (e) {
      client.end();
      throw e;
    }
  }

  /** Wraps a stream that just reached the iBMC prompt through a jump. */
  static overJump(
    shell: ShellStream,
    opts: {
      device: string;
      /** The prompt the jump ended on. */
      prompt: string;
      recorder?: Recorder;
      commandTimeoutMs?: number;
      onClose?: () => Promise<void>;
    },
  ): IbmcShell {
    const ps = new PromptShell(shell, opts);
    ps.prompt = opts.prompt;
    return new IbmcShell(ps, opts.device, undefined, opts.onClose);
  }

  /** Learns the prompt (accepting only iBMC-shaped prompts). */
  async ready(opts: CallOptions = {}): Promise<void> {
    await this.#ps.learnPrompt({ ...opts, accept: (l) => IBMC_PROMPT.test(l) });
  }

  /** The learned prompt. */
  get prompt(): string {
    return this.#ps.prompt;
  }

  /**
   * Runs a command; a `[Y/N]` question is answered Y only with `confirm`.
   *
   * @throws {DeviceError} the iBMC printed an error line (messageId = that line)
   */
  async exec(command: string, opts: IpmcSetOptions & { pagerKey?: string } = {}): Promise<string> {
    const r = await this.#ps.exec(command, {
      ...opts,
      answers: [{ pattern: IBMC_CONFIRM, answer: opts.confirm ? "Y" : "N" }],
      pager: IBMC_PAGER,
      pagerKey: opts.pagerKey,
    });
    const err = IBMC_ERROR.exec(r.output);
    if (err || (r.questions.length && !opts.confirm)) {
      const line = err?.[0].trim() ?? `Declined: ${r.questions[0]}`;
      throw new DeviceError(`${this.device} rejected "${command}": ${line}`, {
        device: this.device,
        messageId: line,
        details: { command, output: r.output.slice(0, 500) },
      });
    }
    return r.output;
  }

  /** `ipmcget [-t target] -d item [-v value]`. */
  ipmcget(
    q: { item: string; target?: string; value?: string },
    opts: CallOptions & { pagerKey?: string } = {},
  ): Promise<string> {
    return this.exec(`ipmcget${args(q)}`, opts);
  }

  /** `ipmcset [-t target] -d item -v value` (power/reset need `confirm`). */
  ipmcset(
    q: { item: string; target?: string; value: string },
    opts: IpmcSetOptions = {},
  ): Promise<string> {
    return this.exec(`ipmcset${args(q)}`, opts);
  }

  /** Leaves the shell (`exit`); in a jump, waits for the HMM prompt. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#ps.shell.closed) {
      try {
        this.#ps.shell.consume();
        this.#ps.shell.write("exit" + SHELL_NEWLINE);
      } catch { /* closed */ }
    }
    if (this.#onClose) {
      await this.#onClose();
    } else {
      this.#ps.shell.close();
      this.#client?.end();
    }
  }
}

function args(q: { item: string; target?: string; value?: string }): string {
  if (!/^[A-Za-z0-9_]+$/.test(q.item)) {
    throw new ValidationError(`Invalid iBMC data item ${JSON.stringify(q.item)}`, {
      field: "item",
      details: { rule: "letters, digits, _" },
    });
  }
  if (q.target !== undefined && !/^[A-Za-z0-9_.-]+$/.test(q.target)) {
    throw new ValidationError(`Invalid iBMC target ${JSON.stringify(q.target)}`, {
      field: "target",
      details: { rule: "letters, digits, _ . -" },
    });
  }
  if (q.value !== undefined && !/^[\w.:\/+,?-]+$/.test(q.value)) {
    throw new ValidationError(`Invalid iBMC value ${JSON.stringify(q.value)}`, {
      field: "value",
      details: { rule: "letters, digits and . : / + , - _ ?" },
    });
  }
  return `${q.target ? ` -t ${q.target}` : ""} -d ${q.item}${
    q.value !== undefined ? ` -v ${q.value}` : ""
  }`;
}
