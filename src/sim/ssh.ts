/**
 * The SSH server helper every simulated device uses (`ctx.ssh.createSshServer`): an ssh2 server
 * with an ed25519 host key generated once per device and persisted, `setNoDelay(true)` on each
 * accepted socket, password and keyboard-interactive auth against the simulator credentials,
 * shell/exec/pty handling, optional read-only SFTP, faults (latency, error rate, timeouts,
 * session expiry, disconnect in the middle of a command) and management-plane reachability
 * (black hole: TCP accepted, the SSH handshake never completes; existing sessions stop
 * delivering output until the path is back).
 *
 * @module
 */
import ssh2 from "ssh2";
import { createHash } from "node:crypto";
import net from "node:net";
import { Buffer } from "node:buffer";
import type {
  Credentials,
  FaultRegistry,
  MgmtPlane,
  PersistStore,
  SftpProvider,
  ShellIO,
  SshServerHandle,
  SshServerOptions,
} from "./context.ts";

const { Server, utils } = ssh2;

/** What the helper needs from the simulator. */
export interface SshDeps {
  host: string;
  credentials: Credentials;
  faults: FaultRegistry;
  mgmt: MgmtPlane;
  persist<T>(namespace: string): PersistStore<T>;
  log(line: string): void;
}

interface HostKey {
  private: string;
  public: string;
}

/** Load or create the persisted ed25519 host key of a device. */
export function hostKeyFor(deps: Pick<SshDeps, "persist">, device: string): HostKey {
  const store = deps.persist<HostKey>(`hostkeys/${device}`);
  let key = store.load();
  if (!key?.private || !validKeyPair(key)) {
    key = generateHostKey();
    store.save(key);
  }
  return key;
}

/**
 * A fresh ed25519 host key that ssh2 can parse. Under Deno, about 1 key in 250 from
 * `utils.generateKeyPairSync("ed25519")` comes out malformed (a public key starting with a zero
 * byte is written 31 bytes long, `AAAAH...`), and the server then fails at start with
 * "Malformed OpenSSH public key": generate again until both halves parse.
 */
export function generateHostKey(): HostKey {
  for (let i = 0; i < 20; i++) {
    const k = utils.generateKeyPairSync("ed25519");
    const key = { private: k.private, public: k.public };
    if (validKeyPair(key)) return key;
  }
  throw new Error("Could not generate a valid ed25519 host key");
}

function validKeyPair(key: HostKey): boolean {
  return !(utils.parseKey(key.public) instanceof Error) &&
    !(utils.parseKey(key.private) instanceof Error);
}

/** OpenSSH-style SHA256 fingerprint of a public key in OpenSSH format. */
export function fingerprintOf(publicKey: string): string {
  const parsed = utils.parseKey(publicKey);
  if (parsed instanceof Error) throw parsed;
  const k = Array.isArray(parsed) ? parsed[0] : parsed;
  const digest = createHash("sha256").update(k.getPublicSSH()).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = createHash("sha256").update(a).digest();
  const y = createHash("sha256").update(b).digest();
  return x.equals(y) && a.length === b.length;
}

/** Start an SSH server for one device. */
export async function createSshServer(
  deps: SshDeps,
  opts: SshServerOptions,
): Promise<SshServerHandle> {
  const device = opts.device;
  const key = hostKeyFor(deps, device);
  const fingerprint = fingerprintOf(key.public);
  const reachable = opts.reachable ?? (() => deps.mgmt.isReachable(device));
  const authenticate = opts.authenticate ??
    ((u: string, p: string) =>
      safeEqual(u, deps.credentials.username) && safeEqual(p, deps.credentials.password));
  const sockets = new Set<net.Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const waiters = new Set<() => void>();
  let closing = false;

  const sleepers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        timers.delete(t);
        sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      timers.add(t);
      sleepers.add(done);
    });
  /** Wake everything waiting for a reachability or fault change (each waiter once). */
  const wake = () => {
    const ws = [...waiters];
    waiters.clear();
    for (const w of ws) w();
  };
  const unsub = deps.mgmt.onChange(wake);
  const faultUnsub = deps.faults.onChange(wake);
  const waitChange = () => new Promise<void>((resolve) => waiters.add(resolve));

  const server = new Server(
    {
      hostKeys: [key.private],
      ident: opts.ident ?? "-",
      ...(opts.banner ? { banner: opts.banner } : {}),
    },
    (client) => {
      // deno-lint-ignore no-explicit-any
      const sock: net.Socket | undefined = (client as any)._sock;
      client.on("error", () => {});
      const ttl = deps.faults.effective(device, "ssh").sessionTtlMs;
      if (ttl) {
        const t = setTimeout(() => {
          timers.delete(t);
          client.end();
          sock?.destroy();
        }, ttl);
        timers.add(t);
        client.on("close", () => {
          clearTimeout(t);
          timers.delete(t);
        });
      }
      let username = "";
      client.on("authentication", (actx) => {
        username = actx.username;
        if (actx.method === "password") {
          if (authenticate(actx.username, actx.password)) actx.accept();
          else actx.reject(["password", "keyboard-interactive"]);
        } else if (actx.method === "keyboard-interactive") {
          actx.prompt([{ prompt: "Password: ", echo: false }], (answers) => {
            if (authenticate(actx.username, answers[0] ?? "")) actx.accept();
            else actx.reject(["password", "keyboard-interactive"]);
          });
        } else {
          actx.reject(["password", "keyboard-interactive"]);
        }
      });
      client.on("ready", () => {
        client.on("session", (acceptSession) => {
          const session = acceptSession();
          let pty: { cols: number; rows: number } | undefined;
          session.on("pty", (accept, _reject, info) => {
            pty = { cols: info.cols || 80, rows: info.rows || 24 };
            accept?.();
          });
          session.on("window-change", (accept, _reject, info) => {
            if (pty) pty = { cols: info.cols || pty.cols, rows: info.rows || pty.rows };
            accept?.();
          });
          session.on("env", (accept) => accept?.());
          session.on("shell", (accept) => {
            const stream = accept();
            const io = makeIO(stream, "shell", undefined);
            try {
              opts.onShell(io);
            } catch (e) {
              deps.log(`${device}: shell handler failed: ${(e as Error).message}`);
              io.end(1);
            }
          });
          session.on("exec", (accept, reject, info) => {
            if (!opts.onExec) {
              const stream = accept();
              stream.stderr.write("exec is not supported on this device\r\n");
              stream.exit(1);
              stream.end();
              return;
            }
            const stream = accept();
            if (!stream) return reject?.();
            const io = makeIO(stream, "exec", info.command);
            try {
              opts.onExec(info.command, io);
            } catch (e) {
              deps.log(`${device}: exec handler failed: ${(e as Error).message}`);
              io.end(1);
            }
          });
          session.on("sftp", (accept, reject) => {
            if (!opts.sftp) return reject?.();
            serveSftp(accept(), opts.sftp);
          });

          function makeIO(
            // deno-lint-ignore no-explicit-any
            stream: any,
            kind: "shell" | "exec",
            command: string | undefined,
          ): ShellIO {
            const queue: string[] = [];
            const inQueue: string[] = [];
            const dataListeners: ((s: string) => void)[] = [];
            const closeListeners: (() => void)[] = [];
            let pumping = false;
            let endCode: number | undefined;
            // An exec request is a command too: the fault cuts its output.
            let cutArmed = kind === "exec" &&
              deps.faults.take(device, "ssh", "disconnectMidCommand");
            let closed = false;
            const finish = () => {
              if (closed) return;
              closed = true;
              for (const l of closeListeners.splice(0)) {
                try {
                  l();
                } catch { /* ignore */ }
              }
            };
            stream.on("close", finish);
            client.on("close", finish);
            stream.on("error", () => {});
            const deliverInput = async () => {
              while (inQueue.length && !closed) {
                if (!reachable()) {
                  await waitChange();
                  if (closing) return;
                  continue;
                }
                const chunk = inQueue.shift()!;
                for (const l of dataListeners) l(chunk);
              }
            };
            let inPumping = false;
            // Type-ahead: a chunk that arrives after the loop emptied the queue but before the
            // flag is cleared (a microtask later) must not be stranded: restart when needed.
            const startInput = () => {
              if (inPumping) return;
              inPumping = true;
              deliverInput().finally(() => {
                inPumping = false;
                if (inQueue.length && !closed) startInput();
              });
            };
            stream.on("data", (buf: Uint8Array) => {
              const text = new TextDecoder().decode(buf);
              if (/[\r\n]/.test(text) && deps.faults.take(device, "ssh", "disconnectMidCommand")) {
                cutArmed = true;
              }
              inQueue.push(text);
              startInput();
            });
            const pump = async () => {
              if (pumping) return;
              pumping = true;
              try {
                while (queue.length && !closed && !closing) {
                  // A black-holed path or a `timeout` fault: nothing reaches the client.
                  if (!reachable() || deps.faults.effective(device, "ssh").timeout) {
                    await waitChange();
                    continue;
                  }
                  const lat = deps.faults.effective(device, "ssh").latencyMs;
                  if (lat > 0) await sleep(lat);
                  if (closed || closing) break;
                  const chunk = queue.shift()!;
                  if (cutArmed && chunk.length > 1) {
                    cutArmed = false;
                    stream.write(chunk.slice(0, Math.ceil(chunk.length / 2)));
                    deps.log(`${device}: fault: disconnect in the middle of a command`);
                    setTimeout(() => sock?.destroy(), 5);
                    queue.length = 0;
                    break;
                  }
                  stream.write(chunk);
                }
              } finally {
                pumping = false;
              }
              if (endCode !== undefined && !queue.length && !closed) {
                try {
                  stream.exit(endCode);
                  stream.end();
                } catch { /* already gone */ }
              }
            };
            return {
              username,
              get pty() {
                return pty !== undefined;
              },
              get cols() {
                return pty?.cols ?? 80;
              },
              get rows() {
                return pty?.rows ?? 24;
              },
              kind,
              command,
              get closed() {
                return closed;
              },
              write(text: string) {
                if (closed || !text) return;
                queue.push(text);
                pump();
              },
              onData(listener) {
                dataListeners.push(listener);
                return () => {
                  const i = dataListeners.indexOf(listener);
                  if (i >= 0) dataListeners.splice(i, 1);
                };
              },
              end(code = 0) {
                if (closed) return;
                endCode = code;
                pump();
              },
              onClose(listener) {
                if (closed) listener();
                else closeListeners.push(listener);
              },
            };
          }
        });
      });
    },
  );

  const tcp = net.createServer((sock) => {
    sock.setNoDelay(true);
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => {});
    if (closing) return sock.destroy();
    const eff = deps.faults.effective(device, "ssh");
    if (!reachable() || eff.timeout) {
      // Black hole: the TCP connection is accepted but the SSH identification never comes.
      sock.on("data", () => {});
      return;
    }
    if (eff.errorRate > 0 && Math.random() < eff.errorRate) {
      sock.destroy();
      return;
    }
    if (eff.latencyMs > 0) {
      sleep(eff.latencyMs).then(() => {
        if (!closing && !sock.destroyed) server.injectSocket(sock);
      });
    } else server.injectSocket(sock);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(0, deps.host, () => resolve());
  });
  const port = (tcp.address() as net.AddressInfo).port;
  return {
    url: `ssh://${deps.host}:${port}`,
    port,
    fingerprint,
    async close() {
      if (closing) return;
      closing = true;
      unsub();
      faultUnsub();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      wake();
      for (const w of [...sleepers]) w();
      const done = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await done;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Read-only SFTP
// ---------------------------------------------------------------------------------------------

// deno-lint-ignore no-explicit-any
function serveSftp(sftp: any, provider: SftpProvider): void {
  const { STATUS_CODE, OPEN_MODE } = utils.sftp;
  // The client's EOF ends the subsystem: close the channel too, or OpenSSH's `sftp` waits
  // for it forever after `bye` (ssh2's server-side SFTP only emits "end" on EOF).
  sftp.on("end", () => sftp.end());
  const handles = new Map<number, { path: string; data?: Uint8Array; dirDone?: boolean }>();
  let next = 1;
  const norm = (p: string) => {
    const parts: string[] = [];
    for (const s of (p.startsWith("/") ? p : "/" + p).split("/")) {
      if (!s || s === ".") continue;
      if (s === "..") parts.pop();
      else parts.push(s);
    }
    return "/" + parts.join("/");
  };
  const isDir = (p: string, files: Record<string, Uint8Array>) =>
    p === "/" || Object.keys(files).some((f) => f.startsWith(p + "/"));
  const attrsFile = (size: number) => ({
    mode: 0o100644,
    uid: 0,
    gid: 0,
    size,
    atime: Math.floor(Date.now() / 1000),
    mtime: Math.floor(Date.now() / 1000),
  });
  const attrsDir = () => ({ ...attrsFile(4096), mode: 0o040755 });
  const handleBuf = (id: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(id, 0);
    return b;
  };
  const handleId = (h: Buffer) => (h.length === 4 ? h.readUInt32BE(0) : -1);
  sftp.on("REALPATH", (reqid: number, path: string) => {
    const p = norm(path || "/");
    sftp.name(reqid, [{ filename: p, longname: p, attrs: attrsDir() }]);
  });
  const stat = (reqid: number, path: string) => {
    const files = provider.files();
    const p = norm(path);
    if (files[p]) return sftp.attrs(reqid, attrsFile(files[p].length));
    if (isDir(p, files)) return sftp.attrs(reqid, attrsDir());
    sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
  };
  sftp.on("STAT", stat);
  sftp.on("LSTAT", stat);
  sftp.on("OPEN", (reqid: number, filename: string, flags: number) => {
    if (flags & (OPEN_MODE.WRITE | OPEN_MODE.CREAT | OPEN_MODE.APPEND | OPEN_MODE.TRUNC)) {
      return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
    }
    const files = provider.files();
    const p = norm(filename);
    if (!files[p]) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
    const id = next++;
    handles.set(id, { path: p, data: files[p] });
    sftp.handle(reqid, handleBuf(id));
  });
  sftp.on("READ", (reqid: number, handle: Buffer, offset: number, length: number) => {
    const h = handles.get(handleId(handle));
    if (!h?.data) return sftp.status(reqid, STATUS_CODE.FAILURE);
    if (offset >= h.data.length) return sftp.status(reqid, STATUS_CODE.EOF);
    sftp.data(reqid, Buffer.from(h.data.subarray(offset, offset + length)));
  });
  sftp.on("FSTAT", (reqid: number, handle: Buffer) => {
    const h = handles.get(handleId(handle));
    if (!h) return sftp.status(reqid, STATUS_CODE.FAILURE);
    sftp.attrs(reqid, h.data ? attrsFile(h.data.length) : attrsDir());
  });
  sftp.on("OPENDIR", (reqid: number, path: string) => {
    const files = provider.files();
    const p = norm(path);
    if (!isDir(p, files)) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
    const id = next++;
    handles.set(id, { path: p });
    sftp.handle(reqid, handleBuf(id));
  });
  sftp.on("READDIR", (reqid: number, handle: Buffer) => {
    const h = handles.get(handleId(handle));
    if (!h || h.data) return sftp.status(reqid, STATUS_CODE.FAILURE);
    if (h.dirDone) return sftp.status(reqid, STATUS_CODE.EOF);
    h.dirDone = true;
    const files = provider.files();
    const prefix = h.path === "/" ? "/" : h.path + "/";
    const names = new Map<string, boolean>();
    for (const f of Object.keys(files)) {
      if (!f.startsWith(prefix)) continue;
      const rest = f.slice(prefix.length);
      const [first, ...more] = rest.split("/");
      names.set(first, more.length > 0 || names.get(first) === true);
    }
    sftp.name(
      reqid,
      [...names].map(([name, dir]) => ({
        filename: name,
        longname: name,
        attrs: dir ? attrsDir() : attrsFile(files[prefix + name]?.length ?? 0),
      })),
    );
  });
  sftp.on("CLOSE", (reqid: number, handle: Buffer) => {
    handles.delete(handleId(handle));
    sftp.status(reqid, STATUS_CODE.OK);
  });
  for (const op of ["WRITE", "REMOVE", "RMDIR", "MKDIR", "RENAME", "SETSTAT", "FSETSTAT"]) {
    sftp.on(op, (reqid: number) => sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED));
  }
}
