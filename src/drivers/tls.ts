/**
 * TLS trust for the HTTPS drivers (Redfish, HMM web API), on undici 8.
 *
 * Three ways to trust a device certificate:
 * - `ca`: PEM of a CA (the simulator's `tls.ca`, a corporate CA file) or of a pinned
 *   self-signed leaf (trust on first use). With `pinned: true` the host name is not checked:
 *   the exact certificate is the identity, and HMMs present self-signed certificates whose
 *   names rarely match the address used.
 * - `insecure`: accept anything (explicit `--insecure` only).
 * - neither: the system roots, host name checked.
 */
import tls from "node:tls";
import { createHash, X509Certificate } from "node:crypto";
import { Agent } from "undici";
import { TransportError } from "../errors.ts";
import { abortReason, withDeadline } from "./deadline.ts";

/** TLS trust settings handed to an HTTPS driver. */
export interface TlsTrust {
  /** PEM: a CA bundle, or the pinned leaf certificate itself. */
  ca?: string;
  /** The `ca` is a pinned leaf: skip the host-name check. */
  pinned?: boolean;
  /** Accept any certificate. */
  insecure?: boolean;
}

/** Agent options besides trust. */
export interface AgentOptions {
  /** Open connections per origin (caps concurrent requests); default 8. */
  connections?: number;
  connectTimeoutMs?: number;
}

/**
 * Builds an undici Agent for the given trust.
 *
 * @example
 * const agent = makeAgent({ ca: endpoints.tls.ca });
 */
export function makeAgent(trust: TlsTrust, opts: AgentOptions = {}): Agent {
  const connect: Record<string, unknown> = {
    timeout: opts.connectTimeoutMs ?? 15000,
  };
  if (trust.insecure) connect.rejectUnauthorized = false;
  else if (trust.ca) {
    connect.ca = trust.ca;
    if (trust.pinned) connect.checkServerIdentity = () => undefined;
  }
  return new Agent({
    connect,
    // HTTP/1.1 only. undici 8 negotiates HTTP/2 by ALPN when the server offers it (Deno.serve
    // does; real HMMs and iBMCs speak HTTP/1.1) and runs it on node:http2, whose nghttp2 in
    // Deno 2.9.6 aborts the whole process (`find_stream_on_goaway_func` assertion) when the
    // server sends GOAWAY while streams are open, e.g. when an HTTPS listener restarts.
    allowH2: false,
    connections: opts.connections ?? 8,
    keepAliveTimeout: 4000,
    keepAliveMaxTimeout: 10000,
  });
}

/** A certificate as seen on the wire. */
export interface PeerCertificate {
  /** `SHA256:` + unpadded base64 of the SHA-256 of the DER (same style as SSH fingerprints). */
  fingerprint: string;
  /** PEM of the leaf. */
  pem: string;
  subject: string;
  validTo: string;
}

/** Fingerprint of a DER certificate, `SHA256:base64`. */
export function certFingerprint(der: Uint8Array): string {
  return "SHA256:" + createHash("sha256").update(der).digest("base64").replace(/=+$/, "");
}

/** PEM from DER. */
export function derToPem(der: Uint8Array): string {
  const b64 = btoa(String.fromCharCode(...der));
  return `-----BEGIN CERTIFICATE-----\n${
    b64.match(/.{1,64}/g)!.join("\n")
  }\n-----END CERTIFICATE-----\n`;
}

/** Fingerprint of the first certificate in a PEM. */
export function pemFingerprint(pem: string): string {
  return certFingerprint(new Uint8Array(new X509Certificate(pem).raw));
}

/**
 * Connects once without verification and returns the server's leaf certificate (to pin it on
 * first use, or to name the new fingerprint when a pin no longer matches).
 *
 * @throws {TransportError} unreachable or no TLS
 */
export function fetchPeerCertificate(
  host: string,
  port: number,
  signal?: AbortSignal,
  timeoutMs = 10000,
): Promise<PeerCertificate> {
  return withDeadline(
    `TLS handshake with ${host}:${port}`,
    { signal, timeoutMs },
    (sig) => fetchPeer(host, port, sig),
  );
}

function fetchPeer(host: string, port: number, signal: AbortSignal): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host, port, rejectUnauthorized: false });
    const onAbort = () => {
      s.destroy();
      reject(abortReason(signal, `TLS handshake with ${host}:${port}`));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const end = () => signal.removeEventListener("abort", onAbort);
    s.once("secureConnect", () => {
      const c = s.getPeerCertificate(true);
      s.destroy();
      end();
      if (!c?.raw) {
        return reject(new TransportError(`No certificate from ${host}:${port}`));
      }
      const der = new Uint8Array(c.raw);
      resolve({
        fingerprint: certFingerprint(der),
        pem: derToPem(der),
        subject: typeof c.subject === "object"
          ? Object.entries(c.subject).map(([k, v]) => `${k}=${v}`).join(",")
          : "",
        validTo: c.valid_to,
      });
    });
    s.once("error", (e) => {
      end();
      reject(
        new TransportError(`TLS connection to ${host}:${port} failed: ${e.message}`, { cause: e }),
      );
    });
  });
}

/** True when an error (or its cause chain) is a certificate verification failure. */
export function isCertificateError(e: unknown): boolean {
  for (let x: unknown = e, i = 0; x && i < 6; x = (x as { cause?: unknown }).cause, i++) {
    const code = (x as { code?: string }).code ?? "";
    if (
      /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT|HOSTNAME|ALTNAME/.test(code) ||
      /certificate|self[- ]signed|UnknownIssuer|InvalidCertificate/i.test(
        (x as Error).message ?? "",
      )
    ) return true;
  }
  return false;
}
