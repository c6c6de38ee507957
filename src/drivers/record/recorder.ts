/**
 * Record every device exchange to JSON lines (`--record DIR`). Format: docs/recordings.md.
 *
 * One file per recorder, `DIR/vessel-<UTC timestamp>-<pid>.jsonl`, one JSON object per line, in
 * the order the exchanges completed. Secrets are redacted before anything touches the disk.
 */
import { redactBody, redactHeaders, redactText } from "./redact.ts";

/** Format version written in every line (`v`). */
export const RECORDING_VERSION = 1;

/** An HTTP request/response pair (Redfish, HMM web API). */
export interface HttpExchange {
  kind: "http";
  /** Device id: `hmm`, `ibmc3`, … */
  device: string;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body?: string };
  /** Transport failure instead of a response (connection reset, TLS, timeout). */
  error?: string;
  ms: number;
}

/** One command sent to an interactive shell (VRP, HMM shell, iBMC shell) and its raw output. */
export interface SshExchange {
  kind: "ssh";
  device: string;
  /** The line sent (passwords are never recorded; see `secret`). */
  command: string;
  /** Raw output between the command and the next prompt, escapes kept. */
  output: string;
  /** The prompt that ended the output. */
  prompt?: string;
  /** True when the line sent was a secret (password answer); `command` is then `***`. */
  secret?: boolean;
  error?: string;
  ms: number;
}

/** A session event: connect, login, logout, close. */
export interface EventExchange {
  kind: "event";
  device: string;
  event: string;
  detail?: Record<string, unknown>;
}

/** Anything a recorder stores. */
export type Exchange = HttpExchange | SshExchange | EventExchange;

/** Where drivers report exchanges. A driver given no recorder records nothing. */
export interface Recorder {
  record(exchange: Exchange): void;
  close(): Promise<void>;
}

/**
 * Recorder writing redacted JSON lines to a folder (created if missing).
 *
 * @example
 * const rec = await FileRecorder.open("./capture");
 * rec.record({ kind: "event", device: "swi2", event: "connect" });
 * await rec.close();
 */
export class FileRecorder implements Recorder {
  readonly path: string;
  #file: Deno.FsFile;
  #seq = 0;
  #enc = new TextEncoder();

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /** Opens a new recording file in `dir`. */
  static async open(dir: string): Promise<FileRecorder> {
    await Deno.mkdir(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const path = `${dir.replace(/\/+$/, "")}/vessel-${stamp}-${Deno.pid}.jsonl`;
    const file = await Deno.open(path, { create: true, append: true, mode: 0o600 });
    return new FileRecorder(path, file);
  }

  record(exchange: Exchange): void {
    const line = JSON.stringify({
      v: RECORDING_VERSION,
      seq: ++this.#seq,
      ts: new Date().toISOString(),
      ...redactExchange(exchange),
    }) + "\n";
    this.#file.writeSync(this.#enc.encode(line));
  }

  close(): Promise<void> {
    try {
      this.#file.close();
    } catch { /* already closed */ }
    return Promise.resolve();
  }
}

/** Recorder keeping redacted exchanges in memory (tests, `vessel diag`). */
export class MemoryRecorder implements Recorder {
  readonly exchanges: Exchange[] = [];
  record(exchange: Exchange): void {
    this.exchanges.push(redactExchange(exchange));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Returns a copy of `x` with every secret replaced by `***`. */
export function redactExchange(x: Exchange): Exchange {
  switch (x.kind) {
    case "http": {
      const reqCt = headerValue(x.request.headers, "content-type");
      const resCt = x.response ? headerValue(x.response.headers, "content-type") : "";
      return {
        ...x,
        request: {
          ...x.request,
          url: redactText(x.request.url),
          headers: redactHeaders(x.request.headers),
          ...(x.request.body !== undefined ? { body: redactBody(x.request.body, reqCt) } : {}),
        },
        ...(x.response
          ? {
            response: {
              ...x.response,
              headers: redactHeaders(x.response.headers),
              ...(x.response.body !== undefined
                ? { body: redactBody(x.response.body, resCt) }
                : {}),
            },
          }
          : {}),
        ...(x.error !== undefined ? { error: redactText(x.error) } : {}),
      };
    }
    case "ssh":
      return {
        ...x,
        command: x.secret ? "***" : redactText(x.command),
        output: redactText(x.output),
        ...(x.error !== undefined ? { error: redactText(x.error) } : {}),
      };
    case "event":
      return x;
  }
}

function headerValue(h: Record<string, string>, name: string): string {
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === name) return v;
  return "";
}
