/**
 * TLS material of the simulated chassis: one simulator CA and one leaf certificate per
 * device (HMM, each iBMC), each with SAN `127.0.0.1` and `localhost`, so that clients can
 * pin the CA instead of disabling verification.
 *
 * The X.509 DER is written by hand (a few dozen lines of ASN.1) instead of pulling an
 * ASN.1 library: keys are EC P-256 from `node:crypto`, signatures ECDSA-SHA256. Generating
 * the CA plus 16 leaves takes a few milliseconds. With a state directory the material is
 * persisted under `<dir>/tls/` and reused on the next start, so pinned CAs survive restarts.
 *
 * @example
 * const tls = await loadSimTls({ dir: "/tmp/state", devices: ["hmm", "ibmc1"] });
 * Deno.serve({ port: 0, hostname: "127.0.0.1", cert: tls.leaf("hmm").cert, key: tls.leaf("hmm").key }, app.fetch);
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from "node:crypto";

/** A PEM certificate with its PEM (PKCS#8) private key. */
export interface CertPair {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

/** TLS material for the whole simulator. */
export interface SimTls {
  /** PEM of the simulator CA: the one certificate clients should trust. */
  ca: string;
  /** Leaf certificate and key for a device name (created on demand if missing). */
  leaf(device: string): CertPair;
  /**
   * Write the CA and every leaf made so far to the state dir again (after a simulator reset
   * wiped the folder: `vessel sim reset` keeps the certificates clients have pinned).
   */
  save(): void;
}

/** Options of {@link loadSimTls}. */
export interface LoadSimTlsOptions {
  /** State directory; material lives in `<dir>/tls/`. Absent: in memory only. */
  dir?: string;
  /** Device names to prepare leaves for up front (e.g. `hmm`, `ibmc1`). */
  devices?: string[];
}

// ---------------------------------------------------------------- DER encoding

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, body: Uint8Array | number[]): Uint8Array {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const len = derLength(b.length);
  const out = new Uint8Array(1 + len.length + b.length);
  out[0] = tag;
  out.set(len, 1);
  out.set(b, 1 + len.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

const seq = (...parts: Uint8Array[]) => tlv(0x30, concat(parts));
const set = (...parts: Uint8Array[]) => tlv(0x31, concat(parts));
const octets = (b: Uint8Array) => tlv(0x04, b);
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
const bool = (v: boolean) => tlv(0x01, [v ? 0xff : 0x00]);

function oid(dotted: string): Uint8Array {
  const parts = dotted.split(".").map(Number);
  const out: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = Math.floor(p / 128);
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...chunk);
  }
  return tlv(0x06, out);
}

function positiveInteger(bytes: Uint8Array): Uint8Array {
  const b = Uint8Array.from(bytes);
  b[0] &= 0x7f;
  if (b[0] === 0) b[0] = 1;
  return tlv(0x02, b);
}

function bitString(b: Uint8Array | number[], unused = 0): Uint8Array {
  return tlv(0x03, [unused, ...(b instanceof Uint8Array ? Array.from(b) : b)]);
}

function time(d: Date): Uint8Array {
  const pad = (n: number) => String(n).padStart(2, "0");
  const tail = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}` +
    `${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  if (y < 2050) return tlv(0x17, new TextEncoder().encode(`${pad(y % 100)}${tail}`));
  return tlv(0x18, new TextEncoder().encode(`${y}${tail}`));
}

function name(cn: string): Uint8Array {
  return seq(
    set(seq(oid("2.5.4.10"), utf8("Vessel simulator"))),
    set(seq(oid("2.5.4.3"), utf8(cn))),
  );
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: "spki", format: "der" }) as Uint8Array);
}

/** SHA-1 of the subjectPublicKey bits (RFC 5280 method 1), for SKI/AKI. */
function keyId(spki: Uint8Array): Uint8Array {
  // An EC P-256 SPKI ends with the 65-byte uncompressed point.
  const point = spki.subarray(spki.length - 65);
  return new Uint8Array(createHash("sha1").update(point).digest());
}

function pem(label: string, der: Uint8Array): string {
  const b64 = btoa(String.fromCharCode(...der));
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

interface Issuer {
  name: Uint8Array;
  key: KeyObject;
  keyId: Uint8Array;
}

function buildCert(opts: {
  subject: string;
  spki: Uint8Array;
  issuer: Issuer | null;
  signingKey: KeyObject;
  ca: boolean;
}): Uint8Array {
  const now = Date.now();
  const notBefore = new Date(now - 24 * 3600_000);
  const notAfter = new Date(now + 10 * 365 * 24 * 3600_000);
  const subjectName = name(opts.subject);
  const ski = keyId(opts.spki);
  const aki = opts.issuer ? opts.issuer.keyId : ski;
  const exts: Uint8Array[] = [
    extension("2.5.29.19", true, opts.ca ? seq(bool(true)) : seq()),
    // CA: keyCertSign + cRLSign; leaf: digitalSignature.
    extension("2.5.29.15", true, opts.ca ? bitString([0x06], 1) : bitString([0x80], 7)),
    extension("2.5.29.14", false, octets(ski)),
    extension("2.5.29.35", false, seq(tlv(0x80, aki))),
  ];
  if (!opts.ca) {
    exts.push(
      extension(
        "2.5.29.37",
        false,
        seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2")),
      ),
      extension(
        "2.5.29.17",
        false,
        seq(tlv(0x82, new TextEncoder().encode("localhost")), tlv(0x87, [127, 0, 0, 1])),
      ),
    );
  }
  const tbs = seq(
    tlv(0xa0, tlv(0x02, [2])),
    positiveInteger(crypto.getRandomValues(new Uint8Array(16))),
    ECDSA_SHA256,
    opts.issuer ? opts.issuer.name : subjectName,
    seq(time(notBefore), time(notAfter)),
    subjectName,
    opts.spki,
    tlv(0xa3, seq(...exts)),
  );
  const sig = new Uint8Array(sign("sha256", tbs, opts.signingKey));
  return seq(tbs, ECDSA_SHA256, bitString(sig));
}

function newKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync("ec", { namedCurve: "prime256v1" });
}

function keyPem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }) as string;
}

/** Create a fresh simulator CA (certificate + key, PEM). */
export function createCa(commonName = "Vessel simulator CA"): CertPair {
  const { privateKey, publicKey } = newKey();
  const der = buildCert({
    subject: commonName,
    spki: spkiOf(publicKey),
    issuer: null,
    signingKey: privateKey,
    ca: true,
  });
  return { cert: pem("CERTIFICATE", der), key: keyPem(privateKey) };
}

/**
 * Issue a leaf certificate for `device` signed by `ca`, SAN `localhost` and `127.0.0.1`,
 * extended key usages serverAuth and clientAuth.
 */
export function issueLeaf(ca: CertPair, device: string, caName = "Vessel simulator CA"): CertPair {
  const caKey = createPrivateKey(ca.key);
  const caPub = spkiOf(createPublicKey(caKey));
  const { privateKey, publicKey } = newKey();
  const der = buildCert({
    subject: `${device}.vessel-sim.localhost`,
    spki: spkiOf(publicKey),
    issuer: { name: name(caName), key: caKey, keyId: keyId(caPub) },
    signingKey: caKey,
    ca: false,
  });
  return { cert: pem("CERTIFICATE", der), key: keyPem(privateKey) };
}

function readIfExists(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

function safeName(device: string): string {
  return device.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/**
 * Load the simulator's TLS material from `<dir>/tls/` or create it (and save it there).
 * Without `dir` everything lives in memory. Leaves are made on demand by `leaf(name)`.
 */
export function loadSimTls(options: LoadSimTlsOptions = {}): SimTls {
  const dir = options.dir ? `${options.dir}/tls` : undefined;
  if (dir) Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let ca: CertPair | undefined;
  if (dir) {
    const cert = readIfExists(`${dir}/ca.pem`);
    const key = readIfExists(`${dir}/ca.key`);
    if (cert && key) ca = { cert, key };
  }
  if (!ca) {
    ca = createCa();
    if (dir) {
      Deno.writeTextFileSync(`${dir}/ca.key`, ca.key, { mode: 0o600 });
      Deno.writeTextFileSync(`${dir}/ca.pem`, ca.cert);
    }
  }
  const theCa = ca;
  const leaves = new Map<string, CertPair>();
  const leaf = (device: string): CertPair => {
    const known = leaves.get(device);
    if (known) return known;
    let pair: CertPair | undefined;
    const base = dir ? `${dir}/${safeName(device)}` : undefined;
    if (base) {
      const cert = readIfExists(`${base}.pem`);
      const key = readIfExists(`${base}.key`);
      if (cert && key) pair = { cert, key };
    }
    if (!pair) {
      pair = issueLeaf(theCa, device);
      if (base) {
        Deno.writeTextFileSync(`${base}.key`, pair.key, { mode: 0o600 });
        Deno.writeTextFileSync(`${base}.pem`, pair.cert);
      }
    }
    leaves.set(device, pair);
    return pair;
  };
  const save = () => {
    if (!dir) return;
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    Deno.writeTextFileSync(`${dir}/ca.key`, theCa.key, { mode: 0o600 });
    Deno.writeTextFileSync(`${dir}/ca.pem`, theCa.cert);
    for (const [device, pair] of leaves) {
      Deno.writeTextFileSync(`${dir}/${safeName(device)}.key`, pair.key, { mode: 0o600 });
      Deno.writeTextFileSync(`${dir}/${safeName(device)}.pem`, pair.cert);
    }
  };
  for (const d of options.devices ?? []) leaf(d);
  return { ca: theCa.cert, leaf, save };
}
