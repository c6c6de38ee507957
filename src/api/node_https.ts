/**
 * HTTPS through `node:https` with `TCP_NODELAY`, bridging to a fetch handler (the Hono app).
 *
 * Why not `Deno.serve({ cert, key })`: measured on Deno 2.9.6 (loopback, curl and Deno fetch
 * alike, HTTP/1.1 and h2), every response on a reused TLS connection took ≈ 44 ms, because the
 * accepted TLS socket keeps Nagle's algorithm on: the response leaves in two segments and the
 * second waits for the client's delayed ACK (40 ms on Linux). `Deno.serve` has no option to set
 * `TCP_NODELAY` on TLS sockets and `Deno.TlsConn` has no `setNoDelay`. `node:https` with
 * `noDelay: true` answers the same request in ≈ 0.5 ms. Plain HTTP through `Deno.serve` is
 * not affected (no extra TLS records).
 *
 * The bridge streams bodies both ways (server-sent events flush per event) and aborts the
 * request signal when the client goes away.
 *
 * @example
 * const s = await serveNodeHttps({ hostname: "127.0.0.1", port: 0, cert, key }, app.fetch);
 * await s.close();
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

/** A fetch-style handler with the client address. */
export type FetchHandler = (
  req: Request,
  env: { remoteAddr: { hostname: string } },
) => Response | Promise<Response>;

/** A running bridge server. */
export interface NodeHttpsServer {
  hostname: string;
  port: number;
  /** Stop accepting; resolves when every connection has ended. */
  close(): Promise<void>;
  /** Resolves when the server has closed. */
  finished: Promise<void>;
}

async function bridge(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const ac = new AbortController();
  res.on("close", () => ac.abort());
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const request = new Request(`https://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>) : undefined,
    signal: ac.signal,
    // @ts-ignore: `duplex` is required by fetch for streamed request bodies
    duplex: "half",
  });
  let response: Response;
  try {
    response = await handler(request, { remoteAddr: { hostname: req.socket.remoteAddress ?? "" } });
  } catch {
    response = new Response("internal error", { status: 500 });
  }
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((v, k) => {
    if (k !== "set-cookie") out[k] = v;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) out["set-cookie"] = cookies;
  res.writeHead(response.status, out);
  if (!response.body || method === "HEAD") {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((r) => res.once("drain", () => r()));
      }
    }
  } catch {
    // Client gone or stream failed: end what we have.
  } finally {
    reader.releaseLock();
    res.end();
  }
}

/** Start the HTTPS bridge. */
export function serveNodeHttps(
  opts: { hostname: string; port: number; cert: string; key: string },
  handler: FetchHandler,
): Promise<NodeHttpsServer> {
  const server: Server = createServer(
    // `noDelay` is honoured by Deno's node:net server (sets TCP_NODELAY on accepted sockets).
    { cert: opts.cert, key: opts.key, noDelay: true, minVersion: "TLSv1.2" } as never,
    (req, res) => void bridge(handler, req, res),
  );
  server.keepAliveTimeout = 65_000;
  const sockets = new Set<import("node:net").Socket>();
  server.on("secureConnection", (s) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  let resolveFinished: () => void;
  const finished = new Promise<void>((r) => (resolveFinished = r));
  server.on("close", () => resolveFinished());
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.hostname, () => {
      const a = server.address() as { address: string; port: number };
      resolve({
        hostname: a.address,
        port: a.port,
        finished,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            // Idle keep-alive connections would hold close() open.
            server.closeIdleConnections?.();
            for (const s of sockets) {
              if (!s.destroyed) s.end();
            }
          }),
      });
    });
  });
}
