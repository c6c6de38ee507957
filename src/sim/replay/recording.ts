/**
 * Reading recordings (`vessel --record DIR`) for the simulator's replay mode. The format is plain
 * data documented in `docs/recordings.md`; the simulator parses it with its own code (the wall:
 * `src/sim` never imports `src/drivers`).
 *
 * @module
 */

/** An `http` line: one request and its response. */
export interface HttpLine {
  kind: "http";
  seq: number;
  device: string;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body?: string };
  error?: string;
  /** File and line the entry came from (messages). */
  source: string;
}

/** An `ssh` line: one command typed into a shell and its output up to the next prompt. */
export interface SshLine {
  kind: "ssh";
  seq: number;
  device: string;
  command: string;
  output: string;
  prompt?: string;
  secret?: boolean;
  error?: string;
  source: string;
}

/** A parsed recording: every `http` and `ssh` line of every file, in file then line order. */
export interface Recording {
  /** The files read, in order. */
  files: string[];
  http: HttpLine[];
  ssh: SshLine[];
  /** Devices named by any line (`hmm`, `ibmc3`, `swi2`), sorted. */
  devices: string[];
}

/** A recording file or folder that cannot be replayed; names the file, line and field. */
export class RecordingError extends Error {
  override name = "RecordingError";
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function headersOf(v: unknown, where: string, field: string): Record<string, string> {
  if (v === undefined) return {};
  if (!isObj(v)) throw new RecordingError(`${where}: ${field} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string") {
      throw new RecordingError(`${where}: ${field}.${k} must be a string`);
    }
    out[k] = x;
  }
  return out;
}

/**
 * Parse the text of one recording file (JSON lines, format version 1).
 *
 * @throws {RecordingError} naming the file, line and field of the first invalid line
 */
export function parseRecording(text: string, file: string): { http: HttpLine[]; ssh: SshLine[] } {
  const http: HttpLine[] = [];
  const ssh: SshLine[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    if (!raw.trim()) continue;
    const where = `Recording ${file} line ${i + 1}`;
    let j: unknown;
    try {
      j = JSON.parse(raw);
    } catch (e) {
      throw new RecordingError(`${where} is not JSON: ${(e as Error).message}`);
    }
    if (!isObj(j)) throw new RecordingError(`${where}: expected a JSON object`);
    if (j.v !== 1) {
      throw new RecordingError(
        `${where}: v must be 1 (the format version this simulator reads), got ${
          JSON.stringify(j.v)
        }`,
      );
    }
    if (typeof j.device !== "string" || !j.device) {
      throw new RecordingError(`${where}: device must be a non-empty string`);
    }
    const seq = typeof j.seq === "number" ? j.seq : i + 1;
    const device = j.device.toLowerCase();
    const source = `${file}:${i + 1}`;
    if (j.kind === "http") {
      const req = j.request;
      if (!isObj(req)) throw new RecordingError(`${where}: request must be an object`);
      if (typeof req.method !== "string") {
        throw new RecordingError(`${where}: request.method must be a string`);
      }
      if (typeof req.url !== "string") {
        throw new RecordingError(`${where}: request.url must be a string`);
      }
      if (req.body !== undefined && typeof req.body !== "string") {
        throw new RecordingError(`${where}: request.body must be a string`);
      }
      let response: HttpLine["response"];
      if (j.response !== undefined) {
        const res = j.response;
        if (!isObj(res)) throw new RecordingError(`${where}: response must be an object`);
        if (typeof res.status !== "number" || !Number.isInteger(res.status)) {
          throw new RecordingError(`${where}: response.status must be an integer`);
        }
        if (res.body !== undefined && typeof res.body !== "string") {
          throw new RecordingError(`${where}: response.body must be a string`);
        }
        response = {
          status: res.status,
          headers: headersOf(res.headers, where, "response.headers"),
          ...(res.body !== undefined ? { body: res.body as string } : {}),
        };
      }
      http.push({
        kind: "http",
        seq,
        device,
        request: {
          method: req.method.toUpperCase(),
          url: req.url,
          headers: headersOf(req.headers, where, "request.headers"),
          ...(req.body !== undefined ? { body: req.body as string } : {}),
        },
        ...(response ? { response } : {}),
        ...(typeof j.error === "string" ? { error: j.error } : {}),
        source,
      });
    } else if (j.kind === "ssh") {
      if (typeof j.command !== "string") {
        throw new RecordingError(`${where}: command must be a string`);
      }
      if (typeof j.output !== "string") {
        throw new RecordingError(`${where}: output must be a string`);
      }
      if (j.prompt !== undefined && typeof j.prompt !== "string") {
        throw new RecordingError(`${where}: prompt must be a string`);
      }
      ssh.push({
        kind: "ssh",
        seq,
        device,
        command: j.command,
        output: j.output,
        ...(typeof j.prompt === "string" ? { prompt: j.prompt } : {}),
        ...(j.secret === true ? { secret: true } : {}),
        ...(typeof j.error === "string" ? { error: j.error } : {}),
        source,
      });
    } else if (j.kind !== "event") {
      throw new RecordingError(
        `${where}: kind must be http, ssh or event, got ${JSON.stringify(j.kind)}`,
      );
    }
  }
  return { http, ssh };
}

/**
 * Load a recording: a `.jsonl` file, or a folder whose `*.jsonl` files are read in name order
 * (the recorder names files `vessel-<UTC timestamp>-<pid>.jsonl`, so name order is time order).
 *
 * @throws {RecordingError} missing path, a folder without recordings, or an invalid line
 */
export async function loadRecording(path: string): Promise<Recording> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
  } catch (e) {
    throw new RecordingError(
      `Replay recording ${path} cannot be read: ${(e as Error).message}. ` +
        `Pass the folder given to --record (or one of its .jsonl files)`,
    );
  }
  const files: string[] = [];
  if (stat.isDirectory) {
    for await (const e of Deno.readDir(path)) {
      if (e.isFile && e.name.endsWith(".jsonl")) {
        files.push(`${path.replace(/\/+$/, "")}/${e.name}`);
      }
    }
    files.sort();
    if (!files.length) {
      throw new RecordingError(
        `Replay folder ${path} holds no .jsonl recording; record one with vessel --record ${path} …`,
      );
    }
  } else files.push(path);
  const http: HttpLine[] = [];
  const ssh: SshLine[] = [];
  for (const f of files) {
    const r = parseRecording(await Deno.readTextFile(f), f);
    http.push(...r.http);
    ssh.push(...r.ssh);
  }
  const devices = [...new Set([...http, ...ssh].map((l) => l.device))]
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return { files, http, ssh, devices };
}
