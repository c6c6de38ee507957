/**
 * TLS material of `vessel serve`: a given certificate and key, or a generated pair — a small
 * private CA plus a server certificate for `localhost`, `127.0.0.1`, `::1` and any extra names
 * (clients pin the CA; rustls-based clients such as Deno's fetch refuse a self-signed
 * end-entity certificate as its own trust anchor, so the generated chain has two links).
 *
 * The X.509 DER is written by hand (EC P-256 keys from `node:crypto`, ECDSA-SHA256): a few
 * dozen lines instead of an ASN.1 dependency. With a directory the material is kept in
 * `<dir>/api-ca.pem`, `api-cert.pem`, `api-key.pem` (keys mode 0600) and reused while it
 * covers the requested names.
 *
 * @example
 * const tls = loadOrCreateServerTls({ dir: ".vessel/tls" });
 * Deno.serve({ cert: tls.cert, key: tls.key, hostname: "127.0.0.1", port: 8443 }, handler);
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  X509Certificate,
} from "node:crypto";
import { ConfigError } from "../errors.ts";

/** Server TLS material (PEM). */
export interface ServerTls {
  /** Server certificate chain (leaf first). */
  cert: string;
  /** PKCS#8 private key of the leaf. */
  key: string;
  /** The CA clients should trust (generated material only). */
  ca?: string;
  /** SHA-256 fingerprint of the leaf certificate (hex, colon-separated). */
  fingerprint: string;
  /** Where the material came from. */
  source: "given" | "generated" | "reused";
}

// ---------------------------------------------------------------- minimal DER

function len(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n >>= 8;
  }
  return [0x80 | out.length, ...out];
}

function tlv(tag: number, ...parts: (Uint8Array | number[])[]): Uint8Array {
  const body = parts.flatMap((p) => Array.from(p));
  return Uint8Array.from([tag, ...len(body.length), ...body]);
}

const seq = (...p: Uint8Array[]) => tlv(0x30, ...p);
const set = (...p: Uint8Array[]) => tlv(0x31, ...p);
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));

function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) {
      chunk.unshift((v & 0x7f) | 0x80);
    }
    out.push(...chunk);
  }
  return tlv(0x06, out);
}

function utcTime(d: Date): Uint8Array {
  const p = (n: number) => String(n).padStart(2, "0");
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, new TextEncoder().encode(s));
}

function dn(cn: string): Uint8Array {
  return seq(set(seq(oid("2.5.4.10"), utf8("Vessel"))), set(seq(oid("2.5.4.3"), utf8(cn))));
}

function ext(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? seq(oid(id), tlv(0x01, [0xff]), tlv(0x04, value))
    : seq(oid(id), tlv(0x04, value));
}

function ipBytes(ip: string): number[] | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return ip.split(".").map(Number);
  if (ip === "::1") return [...new Array(15).fill(0), 1];
  return undefined;
}

function spki(k: KeyObject): Uint8Array {
  return new Uint8Array(k.export({ type: "spki", format: "der" }) as Uint8Array);
}

function keyId(k: KeyObject): Uint8Array {
  const der = spki(k);
  return new Uint8Array(createHash("sha1").update(der.subarray(der.length - 65)).digest());
}

const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

function certificate(o: {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signer: KeyObject;
  signerPublic: KeyObject;
  ca: boolean;
  names: string[];
  days: number;
}): string {
  const now = Date.now();
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const exts = [
    ext("2.5.29.19", true, o.ca ? seq(tlv(0x01, [0xff])) : seq()),
    ext("2.5.29.15", true, o.ca ? tlv(0x03, [1, 0x06]) : tlv(0x03, [7, 0x80])),
    ext("2.5.29.14", false, tlv(0x04, keyId(o.publicKey))),
    ext("2.5.29.35", false, seq(tlv(0x80, keyId(o.signerPublic)))),
  ];
  if (!o.ca) {
    exts.push(ext("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))));
    const sans = o.names.map((n) => {
      const ip = ipBytes(n);
      return ip ? tlv(0x87, ip) : tlv(0x82, new TextEncoder().encode(n));
    });
    exts.push(ext("2.5.29.17", false, seq(...sans)));
  }
  const tbs = seq(
    tlv(0xa0, tlv(0x02, [2])),
    tlv(0x02, serial),
    ECDSA_SHA256,
    dn(o.issuer),
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + o.days * 86400_000))),
    dn(o.subject),
    spki(o.publicKey),
    tlv(0xa3, seq(...exts)),
  );
  const sig = new Uint8Array(sign("sha256", tbs, o.signer));
  const der = seq(tbs, ECDSA_SHA256, tlv(0x03, [0], sig));
  const b64 = btoa(String.fromCharCode(...der)).match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** The default names of a generated server certificate. */
export const DEFAULT_TLS_NAMES = ["localhost", "127.0.0.1", "::1"];

/** Generate a CA and a server certificate for `names` (valid 2 years). */
export function generateServerTls(names: string[] = DEFAULT_TLS_NAMES): ServerTls {
  const ca = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const leaf = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const caPem = certificate({
    subject: "Vessel API CA",
    issuer: "Vessel API CA",
    publicKey: ca.publicKey,
    signer: ca.privateKey,
    signerPublic: ca.publicKey,
    ca: true,
    names: [],
    days: 730,
  });
  const cert = certificate({
    subject: names[0] ?? "localhost",
    issuer: "Vessel API CA",
    publicKey: leaf.publicKey,
    signer: ca.privateKey,
    signerPublic: ca.publicKey,
    ca: false,
    names,
    days: 730,
  });
  return {
    cert: cert + caPem,
    key: leaf.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    ca: caPem,
    fingerprint: new X509Certificate(cert).fingerprint256,
    source: "generated",
  };
}

/**
 * Read a given certificate (chain) and key.
 *
 * @throws {ConfigError} unreadable files, or a key that does not match the certificate
 */
export function readServerTls(certFile: string, keyFile: string): ServerTls {
  let cert: string, key: string;
  try {
    cert = Deno.readTextFileSync(certFile);
    key = Deno.readTextFileSync(keyFile);
  } catch (e) {
    throw new ConfigError(`Cannot read TLS certificate or key: ${(e as Error).message}`, {
      position: { file: certFile },
      hint: "Pass --tls-cert and --tls-key as PEM files, or leave both out to generate a pair",
    });
  }
  let x: X509Certificate;
  try {
    x = new X509Certificate(cert);
    if (!x.checkPrivateKey(createPrivateKey(key))) throw new Error("key does not match");
  } catch (e) {
    throw new ConfigError(
      `TLS certificate ${certFile} and key ${keyFile} do not form a pair: ${(e as Error).message}`,
      { position: { file: certFile }, hint: "Pass the key that belongs to the certificate" },
    );
  }
  return { cert, key, fingerprint: x.fingerprint256, source: "given" };
}

/** Generated material in `dir`, reused while valid for `names`, else generated and saved. */
export function loadOrCreateServerTls(
  opts: { dir?: string; names?: string[] } = {},
): ServerTls {
  const names = [...new Set([...DEFAULT_TLS_NAMES, ...(opts.names ?? [])])];
  const dir = opts.dir;
  if (dir) {
    try {
      const cert = Deno.readTextFileSync(`${dir}/api-cert.pem`);
      const key = Deno.readTextFileSync(`${dir}/api-key.pem`);
      const ca = Deno.readTextFileSync(`${dir}/api-ca.pem`);
      const x = new X509Certificate(cert);
      const fresh = Date.parse(x.validTo) > Date.now() + 7 * 86400_000;
      const san = x.subjectAltName ?? "";
      const covers = names.every((n) =>
        san.includes(`DNS:${n}`) || san.includes(`IP Address:${n}`) ||
        (n === "::1" && san.includes("IP Address:0:0:0:0:0:0:0:1"))
      );
      if (fresh && covers && x.checkPrivateKey(createPrivateKey(key))) {
        return { cert, key, ca, fingerprint: x.fingerprint256, source: "reused" };
      }
    } catch { /* missing or unusable: generate */ }
  }
  const t = generateServerTls(names);
  if (dir) {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    Deno.writeTextFileSync(`${dir}/api-key.pem`, t.key, { mode: 0o600 });
    Deno.writeTextFileSync(`${dir}/api-cert.pem`, t.cert);
    Deno.writeTextFileSync(`${dir}/api-ca.pem`, t.ca!);
  }
  return t;
}

/** Public key of a PEM certificate (for tests). */
export function publicKeyOf(certPem: string): KeyObject {
  return createPublicKey(new X509Certificate(certPem).publicKey);
}
