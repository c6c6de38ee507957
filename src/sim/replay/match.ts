/**
 * Matching live requests against a recording (replay mode, `docs/recordings.md` "Replay").
 *
 * - HTTP: per device, by method + path (with query) + normalised body. Secrets are normalised to
 *   `***` on both sides (the recording was redacted when it was written), so any password or
 *   token matches. Identical requests get the recorded answers in recording order; after the
 *   last one the last answer repeats (polling, retried reads).
 * - SSH: per device, by the exact command text, in recording order (the last answer repeats).
 *
 * Pure code: no servers here (`./mod.ts` serves).
 *
 * @module
 */
import type { HttpLine, SshLine } from "./recording.ts";

/** What replaces every secret (the recorder's literal). */
export const REDACTED = "***";

/** JSON keys and form fields (lower case) whose values are secrets (`docs/recordings.md`). */
const SECRET_KEYS = new Set([
  "password",
  "userpasswd",
  "userpwd",
  "passwd",
  "csrftoken",
  "token",
  "x-auth-token",
  "sessid",
  "secretkey",
  "secretiv",
  "codekey_ext",
  "verifyvalue",
  "mmverifyvalue",
  "verifyvalueext",
]);

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function redactJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(redactJson);
  if (isObj(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = v[k];
      out[k] = SECRET_KEYS.has(k.toLowerCase()) && x !== null && x !== ""
        ? REDACTED
        : redactJson(x);
    }
    return out;
  }
  return v;
}

/** Secrets in free text: XML elements and `key=value` pairs (the recorder's text rules). */
export function redactText(text: string): string {
  return text
    .replace(
      /<(csrftoken|password|userpasswd|token|secretkey|secretiv)>[^<]*<\/\1>/gi,
      (_m, tag) => `<${tag}>${REDACTED}</${tag}>`,
    )
    .replace(/("(?:csrftoken|password|token)"\s*:\s*")[^"]*"/gi, `$1${REDACTED}"`)
    .replace(
      /\b(userpasswd|userpwd|password|SESSID|csrftoken|token)=([^&;\s]*)/gi,
      `$1=${REDACTED}`,
    );
}

/**
 * The path and query of a URL (absolute or not), secrets in the query replaced by `***`.
 *
 * @example
 * normalisePath("https://10.0.0.1/redfish/v1/Systems/1?x=1") // "/redfish/v1/Systems/1?x=1"
 */
export function normalisePath(url: string): string {
  const u = new URL(url, "https://replay.invalid");
  return u.pathname + redactText(u.search);
}

/**
 * A request body in the form both sides are compared in: JSON re-serialised with sorted keys,
 * form fields in order, secrets `***`; multipart uploads (recorded as `<N bytes: name>`) become
 * `<upload>`; an empty body is `""`.
 */
export function normaliseBody(body: string | undefined, contentType = ""): string {
  if (body === undefined || body === "") return "";
  const ct = contentType.toLowerCase();
  if (ct.includes("multipart/") || /^<\d+ bytes(?::[^>]*)?>$/.test(body)) return "<upload>";
  if (ct.includes("json") || /^\s*[{[]/.test(body)) {
    try {
      return JSON.stringify(redactJson(JSON.parse(body)));
    } catch { /* not JSON after all */ }
  }
  if (ct.includes("x-www-form-urlencoded") || /^[\w.%-]+=[^\s]*$/.test(body)) {
    const params = new URLSearchParams(body);
    const out = new URLSearchParams();
    for (const [k, v] of params) out.append(k, SECRET_KEYS.has(k.toLowerCase()) ? REDACTED : v);
    return out.toString();
  }
  return redactText(body);
}

function headerValue(h: Record<string, string>, name: string): string {
  for (const [k, v] of Object.entries(h)) if (k.toLowerCase() === name) return v;
  return "";
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A recorded HTTP answer. */
export type RecordedResponse = NonNullable<HttpLine["response"]>;

/** How a request relates to the device's state (`docs/recordings.md` "Replay"). */
export type ExchangeKind = "read" | "change" | "session";

/**
 * Classify an HTTP request: logins and logouts (`/SessionService/Sessions`, `loginhandler.php`)
 * are `session`; `GET`/`HEAD` and HMM web API dispatches whose `actiontype` reads (`get…`,
 * `list…`, `query…`, `is…`, `check…`, `sel`, `alarm`, `deviceinfo`) are `read`; the rest `change`.
 */
export function httpKind(method: string, path: string, body: string): ExchangeKind {
  const p = path.split("?")[0];
  if (/\/SessionService\/Sessions(\/|$)/i.test(p) || /\/loginhandler\.php$/i.test(p)) {
    return "session";
  }
  const m = method.toUpperCase();
  if (m === "GET" || m === "HEAD") return "read";
  const action = /(?:^|&)actiontype=([^&]*)/i.exec(body)?.[1] ?? "";
  if (/^(?:get|list|query|is|check)|^(?:sel|alarm|deviceinfo)$/i.test(action)) return "read";
  return "change";
}

/**
 * Pick the recorded occurrence that answers (indices into one device's timeline).
 *
 * - `change`: the first unused occurrence after the last change served (`pos`), else the first
 *   unused one, else the last one;
 * - `read`: the first unused occurrence between `pos` and the next recorded change, else the latest
 *   one before that next change (nothing changed since), else the next unused one, else the last;
 * - `session`: the first unused occurrence, else the last one.
 */
function pickOccurrence(
  occ: number[],
  kind: ExchangeKind,
  pos: number,
  nextChange: number,
  used: (i: number) => boolean,
): number {
  const free = (i: number) => !used(i);
  if (kind === "session") return occ.find(free) ?? occ.at(-1)!;
  if (kind === "change") {
    return occ.find((i) => i > pos && free(i)) ?? occ.find(free) ?? occ.at(-1)!;
  }
  return occ.find((i) => i > pos && i < nextChange && free(i)) ??
    occ.filter((i) => i < nextChange).at(-1) ??
    occ.find((i) => i > pos && free(i)) ?? occ.at(-1)!;
}

/**
 * Matches HTTP requests against the `http` lines of a recording, per device, by method, path and
 * normalised body; which of several identical recorded requests answers follows the device's
 * recorded state ({@link httpKind}, the same rules as SSH reads and changes).
 */
export class HttpMatcher {
  #timeline = new Map<string, { line: HttpLine; kind: ExchangeKind }[]>();
  /** device + method + path + body -> indices in the device's timeline. */
  #exact = new Map<string, number[]>();
  /** device + method + path -> patterns of bodies holding `***` (any value matches there). */
  #loose = new Map<string, { re: RegExp; occ: number[] }[]>();
  #used = new Set<HttpLine>();
  #pos = new Map<string, number>();
  #count = 0;

  constructor(lines: HttpLine[]) {
    for (const l of lines) {
      // A transport failure has no answer to give; the next recorded attempt answers.
      if (!l.response) continue;
      this.#count++;
      const path = normalisePath(l.request.url);
      const body = normaliseBody(l.request.body, headerValue(l.request.headers, "content-type"));
      const timeline = this.#timeline.get(l.device) ?? [];
      this.#timeline.set(l.device, timeline);
      const index = timeline.push({ line: l, kind: httpKind(l.request.method, path, body) }) - 1;
      const key = `${l.device} ${l.request.method} ${path}\n${body}`;
      let occ = this.#exact.get(key);
      if (!occ) {
        occ = [];
        this.#exact.set(key, occ);
        if (body.includes(REDACTED)) {
          const lk = `${l.device} ${l.request.method} ${path}`;
          const re = new RegExp(
            "^" + body.split(REDACTED).map(escapeRe).join('[^&"<>,;]*') + "$",
          );
          const list = this.#loose.get(lk) ?? [];
          list.push({ re, occ });
          this.#loose.set(lk, list);
        }
      }
      occ.push(index);
    }
  }

  /** How many recorded answers there are. */
  get size(): number {
    return this.#count;
  }

  /** The recorded line answering this request, or undefined (a miss). */
  match(
    device: string,
    method: string,
    pathAndQuery: string,
    body: string | undefined,
    contentType = "",
  ): HttpLine | undefined {
    const path = normalisePath(pathAndQuery);
    const nb = normaliseBody(body, contentType);
    const m = method.toUpperCase();
    let occ = this.#exact.get(`${device} ${m} ${path}\n${nb}`);
    if (!occ) occ = this.#loose.get(`${device} ${m} ${path}`)?.find((c) => c.re.test(nb))?.occ;
    if (!occ?.length) return undefined;
    const timeline = this.#timeline.get(device)!;
    const kind = timeline[occ[0]].kind;
    const pos = this.#pos.get(device) ?? -1;
    let next = timeline.findIndex((e, i) => i > pos && e.kind === "change");
    if (next < 0) next = timeline.length;
    const i = pickOccurrence(occ, kind, pos, next, (j) => this.#used.has(timeline[j].line));
    if (kind === "change") this.#pos.set(device, i);
    const line = timeline[i].line;
    this.#used.add(line);
    return line;
  }
}

/**
 * Commands that read and change nothing on the device: VRP `display …` (any abbreviation),
 * `screen-length`, `ping`; HMM `smmget`, `health`; iBMC `ipmcget`.
 */
export function isReadCommand(command: string): boolean {
  return /^\s*(?:dis(?:p(?:l(?:a(?:y)?)?)?)?|screen-length|ping|smmget|ipmcget|health)(?:\s|$)/i
    .test(command);
}

/**
 * Matches lines typed into SSH shells against the `ssh` lines of a recording.
 *
 * Commands that change something (`system-view`, `vlan 10`, `commit`, `smmset …`) are served in
 * recording order: the first unused recorded occurrence after the last change served on that
 * device. Reads ({@link isReadCommand}) are aligned to the device's state instead of their own
 * count, because probes and polls repeat them a varying number of times: a read gets the first
 * unused occurrence between the last change served and the next recorded change, else the latest
 * occurrence before that next change (the state has not changed since), else the next one.
 */
export class SshMatcher {
  readonly lines: SshLine[];
  #byDevice = new Map<string, SshLine[]>();
  #used = new Set<SshLine>();
  /** Index (in the device's lines) of the last change served. */
  #pos = new Map<string, number>();
  #banners = new Map<string, Set<string>>();
  #prompts = new Map<string, Set<string>>();

  constructor(lines: SshLine[]) {
    this.lines = lines;
    for (const l of lines) {
      const list = this.#byDevice.get(l.device) ?? [];
      list.push(l);
      this.#byDevice.set(l.device, list);
      if (l.prompt) {
        const all = this.#prompts.get(l.device) ?? new Set();
        all.add(l.prompt);
        this.#prompts.set(l.device, all);
        if (l.command === "" && !l.secret) {
          const b = this.#banners.get(l.device) ?? new Set();
          b.add(l.prompt);
          this.#banners.set(l.device, b);
        }
      }
    }
  }

  static #key(l: SshLine): string {
    return l.secret ? REDACTED : l.command;
  }

  /** The login banner of the next session to `device` (the recorded line with command ""). */
  banner(device: string): SshLine | undefined {
    const list = this.#byDevice.get(device) ?? [];
    const banners = list.filter((l) => l.command === "" && !l.secret);
    const pick = banners.find((l) => !this.#used.has(l)) ?? banners.at(-1);
    if (pick) this.#used.add(pick);
    return pick;
  }

  /**
   * The recorded answer to `command` on `device`, or undefined (a miss). `prompt` is the prompt
   * the command was typed at: a change recorded at another prompt (`quit` in a VLAN view) does
   * not answer it when one recorded at this prompt exists; an unrecorded `quit`/`exit`/`logout`
   * at this prompt is a miss (the caller ends the session).
   */
  take(device: string, command: string, prompt?: string): SshLine | undefined {
    if (command === "") return undefined;
    const list = this.#byDevice.get(device) ?? [];
    let occ: number[] = [];
    for (const [i, l] of list.entries()) if (SshMatcher.#key(l) === command) occ.push(i);
    if (!occ.length) return undefined;
    if (prompt !== undefined && !isReadCommand(command)) {
      const here = occ.filter((i) => this.#promptBefore(list, i) === prompt);
      if (here.length) occ = here;
      else if (/^\s*(?:quit|exit|logout)\s*$/i.test(command)) return undefined;
    }
    const pos = this.#pos.get(device) ?? -1;
    const read = isReadCommand(command);
    let next = list.findIndex((l, i) =>
      i > pos && l.command !== "" && !l.secret && !isReadCommand(l.command)
    );
    if (next < 0) next = list.length;
    const pick = pickOccurrence(
      occ,
      read ? "read" : "change",
      pos,
      next,
      (i) => this.#used.has(list[i]),
    );
    if (!read) this.#pos.set(device, pick);
    const line = list[pick];
    this.#used.add(line);
    return line;
  }

  /** The prompt a line was typed at: the prompt of the device's line before it. */
  #promptBefore(list: SshLine[], i: number): string | undefined {
    for (let j = i - 1; j >= 0; j--) if (list[j].prompt !== undefined) return list[j].prompt;
    return undefined;
  }

  /**
   * When the line recorded after `line` on its device is a secret (a password answer), take it:
   * a typed password never matches by text.
   */
  takeSecretAfter(line: SshLine | undefined, device: string): SshLine | undefined {
    const list = this.#byDevice.get(device) ?? [];
    const i = line ? list.indexOf(line) : -1;
    const next = list[i + 1];
    if (next?.secret) return this.take(device, REDACTED);
    return undefined;
  }

  /** Prompts a device itself shows (its login prompts; all its prompts when it has no login). */
  ownPrompts(device: string): Set<string> {
    return this.#banners.get(device) ?? this.#prompts.get(device) ?? new Set();
  }

  /**
   * The device a line jumped to (the HMM's `ssh <ip>`): its prompt is not one of its device's own
   * prompts but another device's. Undefined when the line stays on its device.
   */
  jumpTarget(line: SshLine): string | undefined {
    const p = line.prompt;
    if (!p || this.ownPrompts(line.device).has(p)) return undefined;
    const candidates = [...this.#prompts.entries()]
      .filter(([d, set]) => d !== line.device && set.has(p))
      .map(([d]) => d);
    if (candidates.length <= 1) return candidates[0];
    // Several devices show that prompt (every iBMC shows `iBMC:/->`): the address the HMM's
    // `ssh <ip>` named, by the internal fabric plan (172.31.1.(128+slot) iBMCs, .(160+N) Swi N).
    const list = this.#byDevice.get(line.device) ?? [];
    const at = list.indexOf(line);
    const jump = list.slice(0, at + 1).reverse().find((l) => /^\s*ssh\s/i.test(l.command));
    const ip = /\b172\.31\.1\.(\d{1,3})\b/.exec(jump?.command ?? "");
    if (ip) {
      const host = Number(ip[1]);
      const named = host > 128 && host <= 144
        ? `ibmc${host - 128}`
        : host > 160 && host <= 164
        ? `swi${host - 160}`
        : undefined;
      if (named && candidates.includes(named)) return named;
    }
    // Else the one whose lines follow in the same file.
    const file = line.source.slice(0, line.source.lastIndexOf(":"));
    const i = this.lines.indexOf(line);
    const after = this.lines.slice(i + 1).filter((l) =>
      l.source.startsWith(file + ":") && candidates.includes(l.device)
    );
    return (after.find((l) => l.command === "") ?? after[0])?.device ?? candidates[0];
  }

  /** Devices with at least one line. */
  devices(): string[] {
    return [...this.#byDevice.keys()];
  }
}

/** A `[Y/N]`-style question, a `save` file-name question, or a password prompt inside output. */
const QUESTION =
  /(?:\[(?:Y\/N|y\/n|Y\(yes\)\/N\(no\)(?:\/C\(cancel\))?)\]|\[[^\]\n]*\.(?:cfg|zip|dat)\])[ \t]*:?[ \t]*/g;

/** One piece of replayed output; `answer` = wait for a typed line after it (a question). */
export interface OutputStep {
  text: string;
  answer: boolean;
}

/**
 * The terminal output that replays a recorded line for a typed `command`: the echo (added when the
 * recording kept none, as the HMM/iBMC shell driver records), the output, and the prompt (added
 * when not part of the output), with `\r\n` line ends; split after every question that was
 * answered in the recording (the recorded answer's echo is dropped: the live answer is echoed).
 * With `prompt`, the output ends with that prompt instead of the recorded one.
 */
export function replaySteps(line: SshLine, command: string, prompt?: string): OutputStep[] {
  let out = line.output;
  let lines = out.split("\n");
  // A read answers in the view the session is in (the recorded one may come from another view).
  if (prompt !== undefined && line.prompt !== undefined && prompt !== line.prompt) {
    if (lines[lines.length - 1]?.trim() === line.prompt.trim()) {
      lines = [...lines.slice(0, -1), prompt];
      out = lines.join("\n");
    }
    line = { ...line, output: out, prompt };
  }
  const first = lines.find((l) => l.trim() !== "");
  const echoed = line.command !== "" && !line.secret && first !== undefined &&
    first.trimEnd().endsWith(line.command);
  const last = lines[lines.length - 1]?.trim();
  const prompted = line.prompt === undefined || last === line.prompt.trim();
  let text = "";
  if (line.command === "") text = out;
  else if (line.secret) text = "\n" + out;
  else text = echoed ? out : `${command}\n${out}`;
  if (!prompted) text += (text.endsWith("\n") || text === "" ? "" : "\n") + line.prompt;
  text = text.replace(/\r?\n/g, "\r\n");
  const steps: OutputStep[] = [];
  let pos = 0;
  for (const m of text.matchAll(QUESTION)) {
    const end = m.index! + m[0].length;
    const nl = text.indexOf("\r\n", end);
    // Only a question answered in the recording (its echo then a line break) waits for input.
    if (nl < 0 || nl - end > 16) continue;
    steps.push({ text: text.slice(pos, end), answer: true });
    pos = nl + 2;
  }
  steps.push({ text: text.slice(pos), answer: false });
  return steps;
}
