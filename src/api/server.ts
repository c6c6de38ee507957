/**
 * Serve an {@link Api} with `Deno.serve`: 127.0.0.1 by default, TLS unless explicitly turned off,
 * and plain HTTP only on a loopback address (tokens and cookies never cross a network in clear).
 *
 * @example
 * const server = await startApiServer(api, { port: 0, tls: generateServerTls() });
 * console.log(server.url); // https://127.0.0.1:41234
 * await server.close();
 */
import { UsageError } from "../errors.ts";
import type { Api } from "./app.ts";
import type { ServerTls } from "./tls.ts";
import { serveNodeHttps } from "./node_https.ts";

/** Options of {@link startApiServer}. */
export interface ServeOptions {
  /** Listen address (default 127.0.0.1). */
  hostname?: string;
  /** Port (default 8443; 0 = any free port). */
  port?: number;
  /** TLS material; `null` serves plain HTTP (loopback only). */
  tls: ServerTls | null;
  /**
   * TLS implementation: `node` (default; `node:https` with TCP_NODELAY, see node_https.ts) or
   * `deno` (`Deno.serve` with cert/key; ≈ 40 ms per response on reused connections).
   */
  tlsEngine?: "node" | "deno";
  /** Called once listening. */
  onListen?: (url: string) => void;
}

/** A running server. */
export interface RunningServer {
  url: string;
  hostname: string;
  port: number;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
  /** Stop accepting, wait for running jobs, close connections. */
  close(): Promise<void>;
}

/** A listen failure as a usage error that names the address. */
function listenError(e: unknown, host: string, port: number): unknown {
  const m = String((e as Error)?.message ?? e);
  const code = (e as { code?: string })?.code;
  if (e instanceof Deno.errors.AddrInUse || code === "EADDRINUSE" || /in use/i.test(m)) {
    return new UsageError(`Cannot listen on ${host}:${port}: the port is in use`, {
      hint: "Pick another --port (0 = any free port) or stop the other server",
      cause: e,
    });
  }
  if (e instanceof Deno.errors.AddrNotAvailable || code === "EADDRNOTAVAIL") {
    return new UsageError(`Cannot listen on ${host}:${port}: no such local address`, {
      hint: "Use an address of this machine with --listen (default 127.0.0.1)",
      cause: e,
    });
  }
  return e;
}

/** `true` for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1" || host === "localhost";
}

/**
 * Start serving.
 *
 * @throws {UsageError} plain HTTP requested on a non-loopback address
 */
export async function startApiServer(api: Api, opts: ServeOptions): Promise<RunningServer> {
  const hostname = opts.hostname ?? "127.0.0.1";
  if (!opts.tls && !isLoopback(hostname)) {
    throw new UsageError(
      `Refusing plain HTTP on ${hostname}: tokens and cookies would travel in clear`,
      {
        hint: "Drop --no-tls (a certificate is generated), or bind 127.0.0.1",
      },
    );
  }
  const scheme = opts.tls ? "https" : "http";
  const urlOf = (h: string, port: number) =>
    `${scheme}://${h.includes(":") ? `[${h}]` : h}:${port}`;
  if (opts.tls && (opts.tlsEngine ?? "node") === "node") {
    const s = await serveNodeHttps(
      { hostname, port: opts.port ?? 8443, cert: opts.tls.cert, key: opts.tls.key },
      (req, env) => api.app.fetch(req, env),
    ).catch((e) => {
      throw listenError(e, hostname, opts.port ?? 8443);
    });
    const url = urlOf(s.hostname, s.port);
    opts.onListen?.(url);
    let stopping: Promise<void> | undefined;
    return {
      url,
      hostname: s.hostname,
      port: s.port,
      finished: s.finished,
      close() {
        stopping ??= (async () => {
          await s.close();
          await api.close();
        })();
        return stopping;
      },
    };
  }
  const ac = new AbortController();
  const handler = (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
    api.app.fetch(req, { remoteAddr: { hostname: info.remoteAddr.hostname } });
  const base = {
    hostname,
    port: opts.port ?? 8443,
    signal: ac.signal,
    onListen: () => {},
  };
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = opts.tls
      ? Deno.serve({ ...base, cert: opts.tls.cert, key: opts.tls.key }, handler)
      : Deno.serve(base, handler);
  } catch (e) {
    throw listenError(e, hostname, base.port);
  }
  const addr = server.addr as Deno.NetAddr;
  const url = urlOf(addr.hostname, addr.port);
  opts.onListen?.(url);
  let closing: Promise<void> | undefined;
  return {
    url,
    hostname: addr.hostname,
    port: addr.port,
    finished: server.finished,
    close() {
      closing ??= (async () => {
        await server.shutdown();
        await api.close();
      })();
      return closing;
    },
  };
}
