/**
 * A minimal line terminal over a {@link ShellIO} for the HMM and iBMC restricted shells: echo
 * when the client has a pty, backspace, CR/LF/CRLF line ends, hidden input for passwords,
 * single-key reads (pagers), and a pause switch so another device's CLI (the switch jump) can
 * own the channel for a while.
 *
 * @module
 */
import type { ShellIO } from "../context.ts";

type Waiter = { kind: "line" | "key"; echo: boolean; resolve: (v: string | null) => void };

/** A line terminal. */
export class Terminal {
  readonly io: ShellIO;
  #buf = "";
  #lines: string[] = [];
  #keys: string[] = [];
  #waiter: Waiter | undefined;
  #skipLf = false;
  #paused = false;
  #closed = false;

  constructor(io: ShellIO) {
    this.io = io;
    io.onData((chunk) => this.#input(chunk));
    io.onClose(() => {
      this.#closed = true;
      const w = this.#waiter;
      this.#waiter = undefined;
      w?.resolve(null);
    });
  }

  /** True when the channel is closed. */
  get closed(): boolean {
    return this.#closed || this.io.closed;
  }

  /** Stop reading input (another CLI owns the channel) or resume. */
  set paused(v: boolean) {
    this.flush();
    this.#paused = v;
    if (!v) {
      this.#buf = "";
      this.#skipLf = false;
    }
  }

  #out = "";
  #flushQueued = false;
  #holding = false;

  /**
   * Write text; `\n` becomes `\r\n`. A command's output leaves in one piece when the shell next
   * reads input (as from a real device's buffered stdout).
   */
  write(text: string): void {
    this.#raw(text.replace(/\r?\n/g, "\r\n"));
  }

  /** Send buffered output now. */
  flush(): void {
    const out = this.#out;
    this.#out = "";
    if (out) this.io.write(out);
  }

  /** Flush and close the channel with an exit status. */
  end(code = 0): void {
    this.flush();
    this.io.end(code);
  }

  #raw(text: string): void {
    this.#out += text;
    // While the shell works on a command, its output (echo included) is held and leaves in one
    // piece when the shell next waits for input; while it waits, echo goes out at once.
    if (!this.#waiter || this.#flushQueued || this.#holding) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.flush();
    });
  }

  /** Write a line. */
  line(text = ""): void {
    this.write(text + "\n");
  }

  #input(chunk: string): void {
    if (this.#paused || this.#closed) return;
    // Echo of a completed line leaves together with the command's output.
    const linesBefore = this.#emitted;
    this.#holding = true;
    try {
      this.#consume(chunk);
    } finally {
      this.#holding = false;
    }
    if (this.#emitted === linesBefore && this.#out) this.flush();
  }

  #emitted = 0;

  #consume(chunk: string): void {
    for (const ch of chunk) {
      const w = this.#waiter;
      if (w?.kind === "key") {
        this.#waiter = undefined;
        w.resolve(ch);
        continue;
      }
      if (this.#skipLf && ch === "\n") {
        this.#skipLf = false;
        continue;
      }
      this.#skipLf = false;
      if (ch === "\r" || ch === "\n") {
        if (ch === "\r") this.#skipLf = true;
        const echo = this.#waiter ? this.#waiter.echo : true;
        if (this.io.pty && echo) this.#raw("\r\n");
        else if (this.io.pty) this.#raw("\r\n");
        this.#emitLine(this.#buf);
        this.#buf = "";
      } else if (ch === "\x7f" || ch === "\b") {
        if (this.#buf.length) {
          this.#buf = this.#buf.slice(0, -1);
          if (this.io.pty && (this.#waiter?.echo ?? true)) this.#raw("\b \b");
        }
      } else if (ch === "\x03") {
        this.#buf = "";
        // With echo off (a password prompt) the tty does not echo `^C`; the reader
        // (readpassphrase) still ends the line.
        if (this.io.pty) this.#raw((this.#waiter?.echo ?? true) ? "^C\r\n" : "\r\n");
        this.#emitLine("\x03");
      } else if (ch === "\x04") {
        if (!this.#buf) this.#emitLine("\x04");
      } else if (ch >= " " || ch === "\t") {
        this.#buf += ch;
        if (this.io.pty && (this.#waiter?.echo ?? true)) this.#raw(ch);
      }
    }
  }

  #emitLine(line: string): void {
    this.#emitted++;
    const w = this.#waiter;
    if (w?.kind === "line") {
      this.#waiter = undefined;
      w.resolve(line);
    } else this.#lines.push(line);
  }

  /** Read one line (null when the channel closed). `echo: false` hides input (passwords). */
  readLine(opts: { echo?: boolean } = {}): Promise<string | null> {
    this.flush();
    if (this.#lines.length) return Promise.resolve(this.#lines.shift()!);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiter = { kind: "line", echo: opts.echo ?? true, resolve };
    });
  }

  /** Read one key press (null when closed). Buffered full lines count as their first key. */
  readKey(): Promise<string | null> {
    this.flush();
    if (this.#lines.length) return Promise.resolve(this.#lines.shift()!.slice(0, 1) || "\r");
    if (this.#keys.length) return Promise.resolve(this.#keys.shift()!);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiter = { kind: "key", echo: false, resolve };
    });
  }
}

/** Split a command line into words (double quotes group words). */
export function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2]);
  return out;
}

/** Parse `-x value` options; returns the map and the positional words, or undefined on a dangling flag. */
export function flags(
  args: string[],
): { opts: Record<string, string>; rest: string[] } | undefined {
  const opts: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (/^-[A-Za-z]$/.test(a)) {
      if (i + 1 >= args.length) return undefined;
      opts[a.slice(1)] = args[++i];
    } else rest.push(a);
  }
  return { opts, rest };
}
