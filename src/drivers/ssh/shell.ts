// deno-lint-ignore-file no-control-regex -- terminal control characters are the subject here
/**
 * An interactive byte stream (an SSH shell channel, or a jump through another device's shell)
 * with a text buffer and pattern waits. Drivers never sleep for output: they wait until the
 * buffer matches a pattern (a prompt, a `[Y/N]` question, a pager marker) or the deadline fires.
 */
import { TransportError } from "../../errors.ts";
import { abortReason } from "../deadline.ts";

/** The minimal stream an interactive shell needs; ssh2's `ClientChannel` satisfies it. */
export interface ShellChannel {
  write(data: string | Uint8Array): unknown;
  on(event: "data", fn: (chunk: Uint8Array | string) => void): unknown;
  on(event: "close", fn: () => void): unknown;
  removeListener(event: string, fn: (...args: never[]) => void): unknown;
  end(): unknown;
  /** Standard error of an SSH channel (interleaved into the buffer). */
  stderr?: { on(event: "data", fn: (chunk: Uint8Array | string) => void): unknown };
}

/**
 * Removes terminal control noise: the VRP pager's erase sequence (`ESC[nD` + spaces + `ESC[nD`),
 * the space + cursor-left quirk, other CSI sequences, backspace overstrikes, `\r +\r` line
 * erasure, and normalises line ends to `\n`.
 */
export function cleanTerminal(s: string): string {
  let t = s
    .replace(/\x1b\[\d*D *\x1b\[\d*D/g, "")
    .replace(/ +\x1b\[\d*D/g, "")
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")
    .replace(/\x1b[()][A-Z0-9]/g, "")
    .replace(/\r +\r(?!\n)/g, "");
  while (/[^\n\x08]\x08/.test(t)) t = t.replace(/[^\n\x08]\x08/g, "");
  return t.replace(/\x08/g, "").replace(/\r+\n/g, "\n").replace(/\r/g, "");
}

/**
 * Buffered reader/writer over a {@link ShellChannel}.
 *
 * @example
 * const sh = new ShellStream(channel, "swi2");
 * sh.write("display vlan\n");
 * const m = await sh.waitFor((buf) => buf.match(/<swi2>$/) ?? undefined, signal);
 */
export class ShellStream {
  readonly device: string;
  #chan: ShellChannel;
  #buf = "";
  #closed = false;
  #waiters = new Set<() => void>();
  #dec = new TextDecoder("utf-8", { fatal: false });

  constructor(channel: ShellChannel, device: string) {
    this.#chan = channel;
    this.device = device;
    const onData = (c: Uint8Array | string) => {
      this.#buf += typeof c === "string" ? c : this.#dec.decode(c, { stream: true });
      this.#wake();
    };
    channel.on("data", onData);
    channel.stderr?.on("data", onData);
    channel.on("close", () => {
      this.#closed = true;
      this.#wake();
    });
  }

  /** True once the underlying channel closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Raw text received and not yet consumed. */
  get buffer(): string {
    return this.#buf;
  }

  /** Drops the first `n` characters of the buffer (all when omitted); returns them. */
  consume(n = this.#buf.length): string {
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  /** Sends text as is. */
  write(text: string): void {
    if (this.#closed) throw new TransportError(`Shell to ${this.device} is closed`);
    this.#chan.write(text);
  }

  /**
   * Waits until `match(buffer)` returns a value other than `undefined`.
   *
   * @throws {TransportError} the channel closed first
   * @throws the signal's reason (e.g. {@link TimeoutError}) when it aborts first
   */
  waitFor<T>(match: (buffer: string) => T | undefined, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        let v: T | undefined;
        try {
          v = match(this.#buf);
        } catch (e) {
          done();
          return reject(e);
        }
        if (v !== undefined) {
          done();
          return resolve(v);
        }
        if (this.#closed) {
          done();
          const tail = cleanTerminal(this.#buf).trim().split("\n").slice(-3).join(" | ");
          return reject(
            new TransportError(
              `Connection to ${this.device} closed while waiting for output${
                tail ? ` (last output: ${tail.slice(0, 200)})` : ""
              }`,
            ),
          );
        }
      };
      const onAbort = () => {
        done();
        reject(abortReason(signal, `waiting for ${this.device}`));
      };
      const done = () => {
        this.#waiters.delete(check);
        signal.removeEventListener("abort", onAbort);
      };
      if (signal.aborted) return reject(abortReason(signal, `waiting for ${this.device}`));
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(check);
      check();
    });
  }

  /** Ends the channel. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#chan.end();
    } catch { /* already gone */ }
    this.#wake();
  }

  #wake() {
    for (const w of [...this.#waiters]) w();
  }
}
