/**
 * HMM restricted shell driver (`/smm/smmcli` on SMM v7.63; ../shared/docs/hardware/hmm-cli.md).
 *
 * - `smmget`/`smmset` with validated arguments; the documented error strings become typed errors
 * - extended mode (`cmdext -l` + password … `cmdext -u` + password)
 * - `swiconfexport swi<N>` (extended mode) and the SFTP fetch of the archive
 * - the jump: the HMM refuses TCP forwarding, so blades and switches are reached by typing the
 *   HMM's own `ssh <ip> NoStricHostKeyChecking` (sic) and the password; the same interactive
 *   stream then carries the iBMC shell or the VRP CLI ({@link HmmShell.jumpToSwitch} hands the
 *   VRP driver the stream instead of a socket)
 */
import type { Client } from "ssh2";
import {
  AuthError,
  DeviceError,
  NotFoundError,
  TransportError,
  UnsupportedError,
  ValidationError,
} from "../../errors.ts";
import { type CallOptions, withDeadline } from "../deadline.ts";
import type { Recorder } from "../record/recorder.ts";
import { type HostKeyVerifier, openShell, sshConnect } from "../ssh/connect.ts";
import { PromptShell, SHELL_NEWLINE } from "../ssh/prompt_shell.ts";
import { cleanTerminal, ShellStream } from "../ssh/shell.ts";
import { VrpSession } from "../vrp/session.ts";
import { IBMC_PROMPT, IbmcShell } from "../ibmccli/shell.ts";

/** The HMM's error strings (exact text) and what they mean. */
export const HMM_ERRORS: readonly {
  text: RegExp;
  kind: "unsupported" | "validation" | "not_found";
  field?: string;
  meaning: string;
}[] = [
  {
    text: /The data item does not exist\./,
    kind: "unsupported",
    meaning: "unknown data item (-d)",
  },
  {
    text: /Target is null,\s*please input target\./,
    kind: "validation",
    field: "target",
    meaning: "the item needs -t",
  },
  {
    text: /The target does not exist, or the target does not support the dataitem\./,
    kind: "not_found",
    field: "target",
    meaning: "bad -t",
  },
  {
    text: /smm(?:get|set):cli invalid data item or location error/,
    kind: "not_found",
    field: "location",
    meaning: "bad -l",
  },
  {
    text: /Please Operate: blade1 ~ blade32 swi1 ~ swi4/,
    kind: "validation",
    field: "location",
    meaning: "the item needs -l",
  },
  {
    text: /unknown command\s*:\s*(\S+)/,
    kind: "unsupported",
    meaning: "not in the dispatcher vocabulary",
  },
  { text: /^\s*Invalid parameter\s*$/m, kind: "validation", meaning: "bad or missing arguments" },
];

/** Fabric address of a blade iBMC (slot 1–32): `172.31.1.(128+slot)`. */
export function ibmcFabricAddress(slot: number): string {
  if (!Number.isInteger(slot) || slot < 1 || slot > 32) {
    throw new ValidationError(`Invalid blade slot ${slot}`, {
      field: "slot",
      details: { rule: "1-32" },
    });
  }
  return `172.31.1.${128 + slot}`;
}

/** Fabric address of switch module N (1–4): `172.31.1.(160+N)`. */
export function switchFabricAddress(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 4) {
    throw new ValidationError(`Invalid switch module ${n}`, {
      field: "switch",
      details: { rule: "1-4" },
    });
  }
  return `172.31.1.${160 + n}`;
}

/** A `smmget`/`smmset` address. */
export interface SmmItem {
  /** `blade1`…`blade32`, `swi1`…`swi4`; omit for the SMM itself. */
  location?: string;
  /** Sensor-like target, e.g. `BaseboardTemp`. */
  target?: string;
  /** Data item, e.g. `presence`, `health`, `version`. */
  item: string;
}

/** Options of {@link HmmShell.connect}. */
export interface HmmShellOptions extends CallOptions {
  device?: string;
  host: string;
  port?: number;
  username: string;
  password: string;
  verifyHostKey?: HostKeyVerifier;
  recorder?: Recorder;
  commandTimeoutMs?: number;
}

const PASSWORD_PROMPT = /(?:password|passwd)[^\n:]*:\s*$/i;
const CONNECT_QUESTION = /\(yes\/no(?:\/\[fingerprint\])?\)\?\s*$/i;
const JUMP_FAILURE =
  /(Permission denied|Connection refused|No route to host|Connection timed out|Host is unreachable|Could not resolve|Connection closed)/i;

/**
 * One HMM shell session.
 *
 * @example
 * const hmm = await HmmShell.connect({ host, port, username: "root", password });
 * console.log(await hmm.smmget({ location: "swi2", item: "presence" }));
 * await hmm.close();
 */
export class HmmShell {
  readonly device: string;
  #ps: PromptShell;
  #client: Client;
  #opts: HmmShellOptions;
  #jumped = false;

  private constructor(ps: PromptShell, client: Client, opts: HmmShellOptions) {
    this.#ps = ps;
    this.#client = client;
    this.#opts = opts;
    this.device = opts.device ?? "hmm";
  }

  /**
   * Connects, opens the shell and learns its prompt.
   *
   * @throws {AuthError} / {TransportError} / {TimeoutError}
   */
  static async connect(opts: HmmShellOptions): Promise<HmmShell> {
    const device = opts.device ?? "hmm";
    const client = await sshConnect({
      device,
      host: opts.host,
      port: opts.port,
      username: opts.username,
      password: opts.password,
      verifyHostKey: opts.verifyHostKey,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
    });
    try {
      const ch = await openShell(client, device);
      const ps = new PromptShell(new ShellStream(ch, device), {
        device,
        recorder: opts.recorder,
        commandTimeoutMs: opts.commandTimeoutMs,
      });
      await ps.learnPrompt({ signal: opts.signal, timeoutMs: opts.timeoutMs ?? 15000 });
      return new HmmShell(ps, client, opts);
    } catch (e) {
      client.end();
      throw e;
    }
  }

  /** The learned prompt. */
  get prompt(): string {
    return this.#ps.prompt;
  }

  /** False while a jump holds the stream, or after close. */
  get usable(): boolean {
    return !this.#jumped && !this.#ps.shell.closed;
  }

  /**
   * Runs one command; output checked against the documented error strings.
   *
   * @throws {UnsupportedError} unknown command or data item
   * @throws {ValidationError} the HMM said the arguments are wrong
   * @throws {NotFoundError} bad location or target
   */
  async exec(command: string, opts: CallOptions = {}): Promise<string> {
    this.#usable();
    const r = await this.#ps.exec(command, opts);
    checkHmmOutput(command, r.output);
    return r.output;
  }

  /** `smmget [-l location] [-t target] -d item`. */
  smmget(item: SmmItem, opts: CallOptions = {}): Promise<string> {
    return this.exec(`smmget${smmArgs(item)}`, opts);
  }

  /** `smmset [-l location] [-t target] -d item -v value`. */
  smmset(item: SmmItem & { value: string }, opts: CallOptions = {}): Promise<string> {
    if (!/^[\w.:\/+,-]+$/.test(item.value)) {
      throw new ValidationError(`Invalid smmset value ${JSON.stringify(item.value)}`, {
        field: "value",
        details: { rule: "letters, digits and . : / + , - _ only" },
      });
    }
    return this.exec(`smmset${smmArgs(item)} -v ${item.value}`, opts);
  }

  /**
   * Runs `fn` in extended mode: `cmdext -l` + password before, `cmdext -u` + password after
   * (also when `fn` fails).
   *
   * @throws {AuthError} the password was refused
   */
  async withExtended<T>(fn: () => Promise<T>, opts: CallOptions = {}): Promise<T> {
    this.#usable();
    await this.#cmdext("-l", opts);
    try {
      return await fn();
    } finally {
      await this.#cmdext("-u", opts).catch(() => {});
    }
  }

  /**
   * Exports a switch configuration (`swiconfexport swi<N>`, run inside extended mode) and returns
   * the archive's path on the HMM, e.g. `/tmp/exchange/swi2/swi2.tar.gz`.
   *
   * @throws {DeviceError} no `Successed` marker in the output
   */
  async swiconfexport(n: number, opts: CallOptions = {}): Promise<string> {
    switchFabricAddress(n);
    const out = await this.withExtended(
      () => this.exec(`swiconfexport swi${n}`, { timeoutMs: 120000, ...opts }),
      opts,
    );
    if (!/Successed|Succeeded|Success/i.test(out)) {
      throw new DeviceError(
        `swiconfexport swi${n} on ${this.device} did not succeed: ${out.trim().slice(0, 200)}`,
        {
          device: this.device,
          messageId: out.trim().split("\n")[0],
        },
      );
    }
    const m = /"([^"]+\.tar\.gz)"/.exec(out) ?? /(\/\S+\.tar\.gz)/.exec(out);
    return m?.[1] ?? `/tmp/exchange/swi${n}/swi${n}.tar.gz`;
  }

  /**
   * Fetches a file from the HMM over SFTP (a second SSH connection, same credentials).
   *
   * @throws {NotFoundError} no such file
   */
  async sftpGet(path: string, opts: CallOptions = {}): Promise<Uint8Array> {
    const o = this.#opts;
    const client = await sshConnect({
      device: this.device,
      host: o.host,
      port: o.port,
      username: o.username,
      password: o.password,
      verifyHostKey: o.verifyHostKey,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
    });
    try {
      return await withDeadline(`SFTP ${path} from ${this.device}`, {
        signal: opts.signal,
        timeoutMs: opts.timeoutMs ?? 120000,
      }, () =>
        new Promise<Uint8Array>((resolve, reject) => {
          client.sftp((err, sftp) => {
            if (err) {
              return reject(
                new UnsupportedError(`SFTP is not available on ${this.device}: ${err.message}`, {
                  cause: err,
                }),
              );
            }
            sftp.readFile(path, (err2: Error | null | undefined, data: Uint8Array) => {
              sftp.end();
              if (err2) {
                const nf = /no such file|not found/i.test(err2.message) ||
                  (err2 as { code?: number }).code === 2;
                return reject(
                  nf
                    ? new NotFoundError(`${path} does not exist on ${this.device}`)
                    : new TransportError(
                      `SFTP read of ${path} on ${this.device} failed: ${err2.message}`,
                      { cause: err2 },
                    ),
                );
              }
              resolve(new Uint8Array(data));
            });
          });
        }));
    } finally {
      client.end();
    }
  }

  /**
   * Jumps to a blade iBMC with the HMM's `ssh <ip> NoStricHostKeyChecking` and returns its shell.
   * While the iBMC shell is open this HMM shell is busy; `IbmcShell.close()` types `exit` and
   * hands the HMM prompt back.
   *
   * @throws {AuthError} the iBMC refused the password (not retried)
   * @throws {TransportError} unreachable
   */
  async jumpToIbmc(
    slot: number,
    password: string,
    opts: CallOptions & { address?: string } = {},
  ): Promise<IbmcShell> {
    const address = opts.address ?? ibmcFabricAddress(slot);
    const device = `ibmc${slot}`;
    const prompt = await this.#jump(address, password, device, [IBMC_PROMPT], opts);
    return IbmcShell.overJump(this.#ps.shell, {
      device,
      prompt,
      recorder: this.#opts.recorder,
      commandTimeoutMs: this.#opts.commandTimeoutMs,
      onClose: () => this.#returnFromJump(opts),
    });
  }

  /**
   * Jumps to switch module N and runs the VRP driver over the jumped stream. Closing the returned
   * session types `quit` and waits for the HMM prompt (or runs `opts.onClose`).
   */
  async jumpToSwitch(
    n: number,
    password: string,
    opts: CallOptions & { address?: string; onClose?: () => Promise<void> } = {},
  ): Promise<VrpSession> {
    const address = opts.address ?? switchFabricAddress(n);
    const device = `swi${n}`;
    await this.#jump(address, password, device, [/^<[^<>\s][^<>]*>$/], opts);
    // The user-view prompt was consumed by the jump: ask for a fresh one for the VRP login.
    this.#ps.shell.write(SHELL_NEWLINE);
    try {
      return await VrpSession.overShell(this.#ps.shell, {
        device,
        recorder: this.#opts.recorder,
        commandTimeoutMs: this.#opts.commandTimeoutMs,
        signal: opts.signal,
        onClose: opts.onClose ?? (() => this.#returnFromJump({})),
      });
    } catch (e) {
      this.#ps.shell.close();
      throw e;
    }
  }

  /** After a jumped session ended: waits for the HMM prompt again (sends `quit`/`exit` if needed). */
  returnFromJump(opts: CallOptions = {}): Promise<void> {
    return this.#returnFromJump(opts);
  }

  /** Leaves the shell (`exit`) and closes the connection. Idempotent. */
  close(): Promise<void> {
    if (!this.#ps.shell.closed && !this.#jumped) {
      try {
        this.#ps.shell.write("exit" + SHELL_NEWLINE);
      } catch { /* closed */ }
    }
    this.#ps.shell.close();
    this.#client.end();
    return Promise.resolve();
  }

  // ---------------------------------------------------------------------------------------

  #usable() {
    if (this.#jumped) {
      throw new TransportError(`HMM shell of ${this.device} is busy with a jumped session`, {
        hint: "Close the iBMC or switch session first",
      });
    }
  }

  async #cmdext(flag: "-l" | "-u", opts: CallOptions): Promise<void> {
    let r;
    try {
      r = await this.#ps.exec(`cmdext ${flag}`, {
        ...opts,
        answers: [{
          pattern: PASSWORD_PROMPT,
          answer: this.#opts.password,
          secret: true,
          once: true,
        }],
      });
    } catch (e) {
      if ((e as { repeatedQuestion?: string }).repeatedQuestion) {
        await this.#abortQuestion(opts);
        throw new AuthError(
          `HMM ${this.device} refused the password for extended mode (cmdext ${flag})`,
          {
            hint: "Vessel does not retry to avoid a lockout",
          },
        );
      }
      throw e;
    }
    if (/denied|incorrect|fail|error/i.test(r.output) && !/success/i.test(r.output)) {
      throw new AuthError(
        `HMM ${this.device} refused extended mode (cmdext ${flag}): ${
          r.output.trim().slice(0, 120)
        }`,
      );
    }
    checkHmmOutput(`cmdext ${flag}`, r.output);
  }

  async #jump(
    address: string,
    password: string,
    device: string,
    targets: RegExp[],
    opts: CallOptions,
  ): Promise<string> {
    this.#usable();
    if (!/^[\d.]+$/.test(address) && !/^[\w.-]+$/.test(address)) {
      throw new ValidationError(`Invalid jump address ${address}`, { field: "address" });
    }
    let r;
    try {
      r = await this.#ps.exec(`ssh ${address} NoStricHostKeyChecking`, {
        timeoutMs: 60000,
        ...opts,
        until: targets,
        answers: [
          { pattern: CONNECT_QUESTION, answer: "yes", once: true },
          { pattern: PASSWORD_PROMPT, answer: password, secret: true, once: true },
        ],
      });
    } catch (e) {
      if ((e as { repeatedQuestion?: string }).repeatedQuestion) {
        // Refused password: abort the HMM's ssh client, never try again (lockout).
        await this.#abortQuestion(opts);
        throw new AuthError(
          `${device} (${address}) refused the password in the jump from ${this.device}`,
          {
            hint:
              "The iBMCs and switches may use other credentials than the HMM; Vessel does not retry",
          },
        );
      }
      throw e;
    }
    if (r.matched < 0) {
      const why = JUMP_FAILURE.exec(r.output)?.[1];
      throw new TransportError(
        `Cannot reach ${device} (${address}) from ${this.device}${why ? `: ${why}` : ""}`,
        {
          details: { output: r.output.slice(0, 300) },
          hint: "Check that the module is present and its management address is up",
        },
      );
    }
    this.#jumped = true;
    return r.ended;
  }

  /**
   * Leaves a password prompt that refused our password: Ctrl-C, then wait for the HMM prompt.
   * OpenSSH exits on the first Ctrl-C; a client that re-asks instead gets at most two more
   * (its own retry limit), never a password.
   */
  async #abortQuestion(opts: CallOptions): Promise<void> {
    const prompt = this.#ps.prompt;
    await withDeadline(
      `leaving a password prompt on ${this.device}`,
      { signal: opts.signal, timeoutMs: 15000 },
      async (signal) => {
        for (let i = 0; i < 3; i++) {
          this.#ps.shell.consume();
          this.#ps.shell.write("\x03");
          const r = await this.#ps.shell.waitFor((buf) => {
            const c = cleanTerminal(buf);
            const last = c.slice(c.lastIndexOf("\n") + 1).trim();
            if (last === prompt) return "hmm";
            if (PASSWORD_PROMPT.test(c)) return "again";
            return undefined;
          }, signal);
          if (r === "hmm") return;
        }
      },
    ).catch((e) => {
      this.#ps.shell.close();
      throw e;
    });
    this.#ps.shell.consume();
  }

  async #returnFromJump(opts: CallOptions): Promise<void> {
    if (!this.#jumped) return;
    try {
      // The target shell was left with exit/quit by its driver; the HMM prompt follows.
      await withDeadline(`return to ${this.device}`, {
        signal: opts.signal,
        timeoutMs: opts.timeoutMs ?? 15000,
      }, (signal) =>
        this.#ps.shell.waitFor((buf) => {
          const lines = buf.replace(/\r/g, "").split("\n");
          return lines[lines.length - 1].trim() === this.#ps.prompt ? true : undefined;
        }, signal));
      this.#ps.shell.consume();
      this.#jumped = false;
    } catch (e) {
      this.#ps.shell.close();
      throw e;
    }
  }
}

/**
 * Throws the typed error for a documented HMM error string in `output`.
 */
export function checkHmmOutput(command: string, output: string): void {
  for (const e of HMM_ERRORS) {
    const m = e.text.exec(output);
    if (!m) continue;
    const msg = `HMM rejected "${command}": ${m[0].trim()} (${e.meaning})`;
    const details = { device: "hmm", command, deviceMessage: m[0].trim() };
    if (e.kind === "unsupported") {
      throw new UnsupportedError(msg, {
        details: { ...details, capability: command.split(" ")[0] },
      });
    }
    if (e.kind === "not_found") throw new NotFoundError(msg, { details });
    throw new ValidationError(msg, { field: e.field, details });
  }
}

function smmArgs(i: SmmItem): string {
  if (i.location !== undefined && !/^(blade([1-9]|[12]\d|3[0-2])|swi[1-4])$/.test(i.location)) {
    throw new ValidationError(`Invalid smmget location ${JSON.stringify(i.location)}`, {
      field: "location",
      details: { rule: "blade1-blade32 or swi1-swi4" },
    });
  }
  if (i.target !== undefined && !/^[A-Za-z0-9_.-]+$/.test(i.target)) {
    throw new ValidationError(`Invalid smmget target ${JSON.stringify(i.target)}`, {
      field: "target",
      details: { rule: "letters, digits, _ . -" },
    });
  }
  if (!/^[A-Za-z0-9_]+$/.test(i.item)) {
    throw new ValidationError(`Invalid smmget data item ${JSON.stringify(i.item)}`, {
      field: "item",
      details: { rule: "letters, digits, _" },
    });
  }
  return `${i.location ? ` -l ${i.location}` : ""}${
    i.target ? ` -t ${i.target}` : ""
  } -d ${i.item}`;
}
