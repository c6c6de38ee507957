/**
 * Serve an {@link Api} with `Deno.serve`: 127.0.0.1 by default, TLS unless explicitly turned off,
 * and plain HTTP only on a loopback address (tokens and cookies never cross a network in clear).
 *
 * @example
 * const server = startApiServer(api, { port: 0, tls: generateServerTls() });
 * console.log(server.url); // https://127.0.0.1:41234
 * await server.close();
 */
import { UsageError } from "../errors.ts";
import type { Api } from "./app.ts";
import type { ServerTls } from "./tls.ts";

/** Options of {@link startApiServer}. */
export interface ServeOptions {
  /** Listen address (default 127.0.0.1). */
  hostname?: string;
  /** Port (default 8443; 0 = any free port). */
  port?: number;
  /** TLS material; `null` serves plain HTTP (loopback only). */
  tls: ServerTls | null;
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

/** `true` for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1" || host === "localhost";
}

/**
 * Start serving.
 *
 * @throws {UsageError} plain HTTP requested on a non-loopback address
 */
export function startApiServer(api: Api, opts: ServeOptions): RunningServer {
  const hostname = opts.hostname ?? "127.0.0.1";
  if (!opts.tls && !isLoopback(hostname)) {
    throw new UsageError(
      `Refusing plain HTTP on ${hostname}: tokens and cookies would travel in clear`,
      {
        hint: "Drop --no-tls (a certificate is generated), or bind 127.0.0.1",
      },
    );
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
  const server = opts.tls
    ? Deno.serve({ ...base, cert: opts.tls.cert, key: opts.tls.key }, handler)
    : Deno.serve(base, handler);
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  const url = `${opts.tls ? "https" : "http"}://${host}:${addr.port}`;
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
