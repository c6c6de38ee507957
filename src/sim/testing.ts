/**
 * Test helpers for the simulator's own tests: a minimal interactive ssh2 client that waits for
 * patterns (never for time).
 *
 * @module
 */
import ssh2 from "ssh2";
import net from "node:net";

/** An interactive shell session for tests. */
export interface TestShell {
  /** Everything received so far. */
  readonly output: string;
  /** Send raw text. */
  send(text: string): void;
  /** Wait until the output after `from` (default: the last mark) matches; returns that text. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Send a command line (`\r`) and wait for the next prompt; returns the text in between. */
  cmd(line: string, prompt?: RegExp): Promise<string>;
  /** Mark the current end of output (waitFor looks after the mark). */
  mark(): void;
  close(): Promise<void>;
  /** Resolves when the connection closes. */
  readonly closed: Promise<void>;
}

/** The VRP prompt at the end of output. */
export const PROMPT_RE = /(<[^<>\r\n]+>|\[[~*]?[^\[\]\r\n]+\])$/;

/** Parse `ssh://host:port`. */
export function parseSshUrl(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

/** Open an interactive shell (with a pty) on `ssh://host:port`. */
export function openShell(
  url: string,
  username: string,
  password: string,
  opts: { pty?: boolean; readyTimeoutMs?: number } = {},
): Promise<TestShell> {
  const { host, port } = parseSshUrl(url);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let out = "";
    let mark = 0;
    const waiters = new Set<() => void>();
    let closedResolve!: () => void;
    const closed = new Promise<void>((r) => closedResolve = r);
    let isClosed = false;
    client.on("close", () => {
      isClosed = true;
      closedResolve();
      for (const w of [...waiters]) w();
    });
    client.on("error", (e) => {
      if (!isClosed) reject(e);
    });
    client.on("ready", () => {
      const onStream = (err: Error | undefined, stream: ssh2.ClientChannel) => {
        if (err) return reject(err);
        stream.on("data", (d: Uint8Array) => {
          out += new TextDecoder().decode(d);
          for (const w of [...waiters]) w();
        });
        stream.stderr.on("data", () => {});
        // Like OpenSSH: the connection ends when the shell channel closes.
        stream.on("close", () => client.end());
        const shell: TestShell = {
          get output() {
            return out;
          },
          closed,
          send: (t) => stream.write(t),
          mark: () => mark = out.length,
          waitFor(pattern, timeoutMs = 5000) {
            return new Promise((res, rej) => {
              const check = () => {
                const seg = out.slice(mark);
                if (pattern.test(seg)) {
                  waiters.delete(check);
                  clearTimeout(t);
                  mark = out.length;
                  res(seg);
                  return true;
                }
                if (isClosed) {
                  waiters.delete(check);
                  clearTimeout(t);
                  rej(
                    new Error(`Connection closed before ${pattern}; got: ${JSON.stringify(seg)}`),
                  );
                  return true;
                }
                return false;
              };
              const t = setTimeout(() => {
                waiters.delete(check);
                rej(
                  new Error(
                    `Timed out waiting for ${pattern}; got: ${JSON.stringify(out.slice(mark))}`,
                  ),
                );
              }, timeoutMs);
              if (!check()) waiters.add(check);
            });
          },
          async cmd(line, prompt = PROMPT_RE) {
            shell.mark();
            stream.write(line + "\r");
            const seg = await shell.waitFor(new RegExp(`\\r\\n[^\\r\\n]*${prompt.source}`));
            return seg;
          },
          close() {
            client.end();
            return closed;
          },
        };
        resolve(shell);
      };
      if (opts.pty === false) client.shell(false, onStream);
      else client.shell({ term: "vt100", cols: 200, rows: 24 }, onStream);
    });
    const sock = net.connect(port, host, () => {
      sock.setNoDelay(true);
    });
    sock.on("error", (e) => reject(e));
    client.connect({
      sock,
      username,
      password,
      readyTimeout: opts.readyTimeoutMs ?? 5000,
      hostVerifier: () => true,
    });
  });
}

/** Run one exec request; resolves with stdout. */
export function execOnce(
  url: string,
  username: string,
  password: string,
  command: string,
): Promise<string> {
  const { host, port } = parseSshUrl(url);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let out = "";
    let ready = false;
    // A connection dropped after login (a fault) ends the output; before login it is an error.
    client.on("error", (e) => ready ? resolve(out) : reject(e));
    client.on("ready", () => {
      ready = true;
      client.exec(command, (err, stream) => {
        if (err) return reject(err);
        stream.on("data", (d: Uint8Array) => out += new TextDecoder().decode(d));
        stream.stderr.on("data", () => {});
        stream.on("close", () => {
          client.end();
        });
      });
    });
    client.on("close", () => resolve(out));
    // Nagle off, as in openShell: without it each round trip waits for a delayed ACK (~200 ms).
    const sock = net.connect(port, host, () => sock.setNoDelay(true));
    sock.on("error", (e) => reject(e));
    client.connect({ sock, username, password, hostVerifier: () => true });
  });
}
