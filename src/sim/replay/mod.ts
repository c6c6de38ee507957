/**
 * Replay mode of the simulator (`vessel sim --replay DIR`, `startSimulator({ replay: DIR })`):
 * serves a recording made with `vessel --record DIR …` instead of the simulated devices, so a
 * capture from a real chassis becomes a test. Format and matching: `docs/recordings.md`
 * ("Replay").
 *
 * Every device of the recording gets its listeners on loopback: `hmm` an HTTPS server (web API
 * and Redfish) and an SSH server, each `ibmc<N>` an HTTPS and an SSH server, each `swi<N>` an SSH
 * server. Requests without a recorded answer get HTTP 501 with a Redfish-style error body, or a
 * VRP-style `Error:` line on SSH, and are listed by {@link ReplayServices.misses}
 * (`GET /admin/replay/misses`). Any password is accepted (secrets were redacted at record time).
 *
 * @module
 */
import type { FaultRegistry, ShellIO, SimContext } from "../context.ts";
import { loadSimTls } from "../tls.ts";
import {
  HttpMatcher,
  isReadCommand,
  normaliseBody,
  normalisePath,
  replaySteps,
  SshMatcher,
} from "./match.ts";
import { loadRecording, type Recording, type SshLine } from "./recording.ts";

export { RecordingError } from "./recording.ts";

/** A request the recording had no answer for. */
export type ReplayMiss =
  | {
    kind: "http";
    device: string;
    method: string;
    /** Path and query, secrets as `***`. */
    path: string;
    /** Normalised body (secrets `***`), when there was one. */
    body?: string;
    time: string;
  }
  | { kind: "ssh"; device: string; command: string; time: string };

/** Counters of a replay. */
export interface ReplayStats {
  /** The recording files, in the order read. */
  files: string[];
  /** Devices the recording names. */
  devices: string[];
  /** Recorded answers available (HTTP responses, SSH lines). */
  recorded: { http: number; ssh: number };
  /** Answers served so far. */
  served: { http: number; ssh: number };
  /** Misses so far. */
  misses: number;
}

/** What {@link startReplay} returns. */
export interface ReplayServices {
  /** Endpoints of the replayed devices (the endpoints document's hmm, ibmc and switches). */
  endpoints: {
    hmm: { web: string; redfish: string; ssh: string };
    ibmc: Record<string, { redfish: string; ssh: string }>;
    switches: Record<string, { ssh: string }>;
  };
  /** PEM of the CA that signed the HTTPS certificates. */
  tls: { ca: string };
  /** Requests without a recorded answer, oldest first. */
  misses(): ReplayMiss[];
  /** Forget the misses. */
  clearMisses(): void;
  /** Forget the misses and counters and serve every recorded sequence from its start again. */
  restart(): void;
  stats(): ReplayStats;
  close(): Promise<void>;
}

/** What the replay needs from the simulator. */
export type ReplayDeps = Pick<SimContext, "host" | "log" | "ssh"> & { faults: FaultRegistry };

const HOP_HEADERS = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "content-encoding",
  "date",
]);

/** Load the recording at `path` and serve it. */
export async function startReplay(path: string, deps: ReplayDeps): Promise<ReplayServices> {
  const recording = await loadRecording(path);
  return await serveRecording(recording, deps);
}

/** Serve an already loaded recording. */
export async function serveRecording(
  recording: Recording,
  deps: ReplayDeps,
): Promise<ReplayServices> {
  let http = new HttpMatcher(recording.http);
  let ssh = new SshMatcher(recording.ssh);
  const misses: ReplayMiss[] = [];
  const served = { http: 0, ssh: 0 };
  const now = () => new Date().toISOString();
  const tls = loadSimTls();

  const httpDevices = new Set(["hmm"]);
  const sshDevices = new Set(["hmm"]);
  const ibmcs = new Set<string>();
  const withHttp = new Set(recording.http.map((l) => l.device));
  for (const d of recording.devices) {
    if (/^ibmc\d+$/.test(d)) {
      // An iBMC the recording never reached over HTTP offers no Redfish (as the simulator
      // describes an iBMC without Redfish: `redfish: ""`), so clients take the recorded path.
      ibmcs.add(d);
      if (withHttp.has(d)) httpDevices.add(d);
      sshDevices.add(d);
    } else if (d === "hmm") continue;
    else if (/^swi\d+$/.test(d)) sshDevices.add(d);
    else deps.log(`replay: device ${d} is neither hmm, ibmc<N> nor swi<N>; its lines are ignored`);
  }

  const handler = (device: string) => async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const body = req.body ? await req.text() : "";
    const ct = req.headers.get("content-type") ?? "";
    const iface = url.pathname.startsWith("/redfish") ? "redfish" : "web";
    const eff = deps.faults.effective(device, iface);
    if (eff.latencyMs > 0) await new Promise((r) => setTimeout(r, eff.latencyMs));
    const line = http.match(device, req.method, url.pathname + url.search, body, ct);
    if (!line?.response) {
      const miss: ReplayMiss = {
        kind: "http",
        device,
        method: req.method,
        path: normalisePath(url.pathname + url.search),
        ...(body ? { body: normaliseBody(body, ct) } : {}),
        time: now(),
      };
      misses.push(miss);
      deps.log(`replay: miss on ${device}: ${miss.method} ${miss.path}`);
      const message = `The recording has no answer for ${miss.method} ${miss.path}` +
        `${miss.body ? ` with body ${miss.body}` : ""} on ${device}`;
      return Response.json({
        error: {
          code: "Base.1.0.GeneralError",
          message,
          "@Message.ExtendedInfo": [{
            "@odata.type": "#Message.v1_0_0.Message",
            MessageId: "Base.1.0.ActionNotSupported",
            Message: message,
            Severity: "Critical",
            Resolution:
              "Record this request against the device (vessel --record DIR …) or change the test to send only recorded requests; GET /admin/replay/misses lists every miss.",
          }],
        },
      }, { status: 501 });
    }
    served.http++;
    const r = line.response;
    const headers = new Headers();
    for (const [k, v] of Object.entries(r.headers)) {
      const lk = k.toLowerCase();
      if (HOP_HEADERS.has(lk)) continue;
      // Cookie attributes were redacted with the value: give the path back.
      const value = lk === "set-cookie" ? v.replace(/\bpath=\*\*\*/gi, "path=/") : v;
      try {
        headers.append(k, value);
      } catch { /* a header Deno refuses: drop it */ }
    }
    const noBody = r.status === 204 || r.status === 304 || req.method === "HEAD" ||
      r.status < 200;
    return new Response(noBody ? null : r.body ?? "", {
      status: r.status < 200 ? 200 : r.status,
      headers,
    });
  };

  const ac = new AbortController();
  const servers: Deno.HttpServer<Deno.NetAddr>[] = [];
  const origins = new Map<string, string>();
  for (const device of httpDevices) {
    const cert = tls.leaf(device);
    const s = Deno.serve({
      hostname: deps.host,
      port: 0,
      cert: cert.cert,
      key: cert.key,
      signal: ac.signal,
      onListen: () => {},
      onError: () => new Response("Internal Server Error", { status: 500 }),
    }, handler(device));
    servers.push(s);
    origins.set(device, `https://${deps.host}:${s.addr.port}`);
  }

  const sshHandles = new Map<string, { url: string; close(): Promise<void> }>();
  try {
    for (const device of sshDevices) {
      const h = await deps.ssh.createSshServer({
        device,
        ident: /^swi/.test(device) ? "HUAWEI-1.5" : undefined,
        // Secrets were redacted at record time: any login is accepted.
        authenticate: () => true,
        onShell: (io) => replayShell(io, device),
        onExec: (command, io) => replayExec(command, io, device),
        reachable: () => true,
      });
      sshHandles.set(device, h);
    }
  } catch (e) {
    ac.abort();
    await Promise.allSettled([
      ...servers.map((s) => s.finished),
      ...[...sshHandles.values()].map((h) => h.close()),
    ]);
    throw e;
  }

  function sshMiss(device: string, command: string): string {
    misses.push({ kind: "ssh", device, command, time: now() });
    deps.log(`replay: miss on ${device}: ${JSON.stringify(command)}`);
    return `Error: The recording has no answer for "${command}" on ${device} (replay mode).`;
  }

  function replayExec(command: string, io: ShellIO, device: string): void {
    const line = ssh.take(device, command);
    if (!line) {
      io.write(sshMiss(device, command) + "\r\n");
      io.end(1);
      return;
    }
    served.ssh++;
    io.write(line.output.replace(/\r?\n/g, "\r\n") + (line.output ? "\r\n" : ""));
    io.end(0);
  }

  function replayShell(io: ShellIO, base: string): void {
    let device = base;
    /** Devices left by a jump, with the prompt to show on return. */
    const stack: { device: string; prompt: string; last?: SshLine }[] = [];
    let last: SshLine | undefined;
    let prompt = "";
    /** The last prompt of the device itself (not a password question): shown after a jump. */
    let home = "";
    let pendingBanner = false;
    let buffer = "";
    let busy = false;
    const inbox: string[] = [];
    let answerWaiter: ((line: string) => void) | undefined;

    /** The second prompt of a login recorded by prompt learning: the answer to the first Enter. */
    let heldPrompt: string | undefined;
    const banner = (d: string) => {
      const b = ssh.banner(d);
      if (!b) return;
      served.ssh++;
      last = b;
      prompt = b.prompt ?? prompt;
      home = prompt;
      const steps = replaySteps(b, "");
      const text = steps[0].text;
      const lines = text.split("\r\n").filter((l) => l.trim() !== "");
      const p = b.prompt?.trim();
      if (
        steps.length === 1 && p && lines.length >= 2 && lines.at(-1)!.trim() === p &&
        lines.at(-2)!.trim() === p
      ) {
        // The recorded login shows the prompt twice: the client pressed Enter to learn it. Send
        // the second one when that Enter comes, as the device did (never both ahead of it).
        const cut = text.lastIndexOf("\r\n");
        io.write(text.slice(0, cut));
        heldPrompt = text.slice(cut);
        return;
      }
      for (const s of steps) io.write(s.text);
    };
    banner(device);

    const serve = async (line: SshLine, command: string) => {
      served.ssh++;
      // A read keeps the session in its view: answer with the session's prompt.
      const read = isReadCommand(command) && prompt !== "" && line.prompt !== undefined &&
        ssh.ownPrompts(device).size > 0 && !ssh.jumpTarget(line);
      for (const step of replaySteps(line, command, read ? prompt : undefined)) {
        io.write(step.text);
        if (step.answer) {
          const answer = await new Promise<string>((resolve) => answerWaiter = resolve);
          io.write(answer + "\r\n");
        }
      }
      last = line;
      if (line.prompt && !read) {
        const target = ssh.jumpTarget(line);
        if (target) {
          stack.push({ device, prompt: home, last });
          device = target;
          last = undefined;
          pendingBanner = true;
        }
        prompt = line.prompt;
        if (ssh.ownPrompts(device).has(prompt)) home = prompt;
      }
    };

    const handle = async (command: string) => {
      if (command.trim() === "") {
        if (heldPrompt !== undefined) {
          io.write(heldPrompt);
          heldPrompt = undefined;
          return;
        }
        // A jump asks for a fresh prompt of its target: its recorded login answers.
        if (pendingBanner) {
          pendingBanner = false;
          banner(device);
        }
        return;
      }
      pendingBanner = false;
      heldPrompt = undefined;
      const line = ssh.take(device, command, prompt) ?? ssh.takeSecretAfter(last, device);
      if (line) return await serve(line, command);
      if (/^\s*(quit|exit|logout)\s*$/i.test(command)) {
        const back = stack.pop();
        if (back) {
          io.write(`${command}\r\n\r\n${back.prompt}`);
          device = back.device;
          prompt = back.prompt;
          home = back.prompt;
          last = back.last;
          return;
        }
        io.write(`${command}\r\n`);
        io.end(0);
        return;
      }
      io.write(`${command}\r\n${sshMiss(device, command)}\r\n${prompt}`);
    };

    const pump = async () => {
      if (busy) return;
      busy = true;
      try {
        while (inbox.length && !io.closed) await handle(inbox.shift()!);
      } finally {
        busy = false;
      }
    };

    let skipLf = false;
    io.onData((chunk) => {
      for (const ch of chunk) {
        if (skipLf && ch === "\n") {
          skipLf = false;
          continue;
        }
        skipLf = false;
        if (ch !== "\r" && ch !== "\n") {
          buffer += ch;
          continue;
        }
        // `\r\n` (possibly split over two chunks) ends one line.
        skipLf = ch === "\r";
        const text = buffer;
        buffer = "";
        if (answerWaiter) {
          const w = answerWaiter;
          answerWaiter = undefined;
          w(text);
        } else inbox.push(text);
      }
      pump();
    });
  }

  const hmmOrigin = origins.get("hmm")!;
  const ibmc: Record<string, { redfish: string; ssh: string }> = {};
  for (const d of ibmcs) {
    const origin = origins.get(d);
    ibmc[d.slice(4)] = {
      redfish: origin ? `${origin}/redfish/v1` : "",
      ssh: sshHandles.get(d)!.url,
    };
  }
  const switches: Record<string, { ssh: string }> = {};
  for (const d of [...sshDevices].filter((d) => d.startsWith("swi")).sort()) {
    switches[d] = { ssh: sshHandles.get(d)!.url };
  }
  deps.log(
    `replay: ${recording.files.length} file(s), ${http.size} HTTP answers, ` +
      `${recording.ssh.length} SSH lines; devices ${recording.devices.join(", ") || "(none)"}`,
  );
  let closed = false;
  return {
    endpoints: {
      hmm: { web: hmmOrigin, redfish: `${hmmOrigin}/redfish/v1`, ssh: sshHandles.get("hmm")!.url },
      ibmc,
      switches,
    },
    tls: { ca: tls.ca },
    misses: () => [...misses],
    clearMisses() {
      misses.length = 0;
    },
    restart() {
      misses.length = 0;
      http = new HttpMatcher(recording.http);
      ssh = new SshMatcher(recording.ssh);
      served.http = 0;
      served.ssh = 0;
    },
    stats: () => ({
      files: recording.files,
      devices: recording.devices,
      recorded: { http: http.size, ssh: recording.ssh.length },
      served: { ...served },
      misses: misses.length,
    }),
    async close() {
      if (closed) return;
      closed = true;
      ac.abort();
      await Promise.allSettled([
        ...servers.map((s) => s.finished),
        ...[...sshHandles.values()].map((h) => h.close()),
      ]);
    },
  };
}
