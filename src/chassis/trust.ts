/**
 * Trust for every device connection: SSH host keys and TLS certificates.
 *
 * Modes, in order of precedence:
 * 1. `insecure: true` (explicit `--insecure`): accept any certificate and host key.
 * 2. a CA (`caPem` or `caFile`; the simulator's endpoints carry `tls.ca`): HTTPS verified against
 *    it; SSH host keys still pinned.
 * 3. trust on first use (default): the first key/certificate seen for `host:port` is pinned in a
 *    known-hosts style file; later a different one is a {@link HostKeyChangedError} naming the
 *    device and both fingerprints. `trustOnFirstUse: false` refuses unknown devices instead.
 *
 * Known-hosts file (default `~/.config/vessel/known_hosts`, mode 0600), one pin per line,
 * `#` comments:
 *
 * ```
 * ssh 172.31.1.162:22 SHA256:7mJ0…Q swi2
 * tls 192.168.1.30:443 SHA256:q9Xk…w hmm MIIBkTCCATeg…   (DER base64 of the pinned leaf)
 * ```
 *
 * Fingerprints are `SHA256:` + unpadded base64, like `ssh-keygen -l` / OpenSSH.
 */
import { dirname } from "node:path";
import { TransportError, UsageError } from "../errors.ts";
import type { HostKeyInfo, HostKeyVerifier } from "../drivers/ssh/connect.ts";
import { certFingerprint, derToPem, fetchPeerCertificate, type TlsTrust } from "../drivers/tls.ts";

/** Trust settings of a chassis connection. */
export interface TrustOptions {
  /** Known-hosts file; default `~/.config/vessel/known_hosts`. `null`: keep pins in memory only. */
  knownHostsFile?: string | null;
  /** PEM of CA certificate(s) for HTTPS. */
  caPem?: string;
  /** File holding `caPem`. */
  caFile?: string;
  /** Accept any certificate and host key. */
  insecure?: boolean;
  /** Pin unknown keys on first use (default true). */
  trustOnFirstUse?: boolean;
}

/** A pinned key or certificate changed: possible interception, or the device was replaced. */
export class HostKeyChangedError extends TransportError {
  readonly device: string;
  readonly expected: string;
  readonly actual: string;
  constructor(
    kind: "SSH host key" | "TLS certificate",
    device: string,
    address: string,
    expected: string,
    actual: string,
    file: string,
  ) {
    super(
      `The ${kind} of ${device} (${address}) changed: pinned ${expected}, presented ${actual}`,
      {
        hint:
          `If the device was legitimately replaced or re-keyed, remove the line for ${address} from ${file} and connect again`,
        details: { device, address, expected, actual, file },
      },
    );
    this.device = device;
    this.expected = expected;
    this.actual = actual;
  }
}

/** One line of the known-hosts file. */
export interface Pin {
  kind: "ssh" | "tls";
  address: string;
  fingerprint: string;
  device?: string;
  /** TLS only: DER base64 of the pinned leaf. */
  der?: string;
}

/** Default known-hosts path. */
export function defaultKnownHostsFile(): string {
  const home = Deno.env.get("HOME") ?? ".";
  const base = Deno.env.get("XDG_CONFIG_HOME") ?? `${home}/.config`;
  return `${base}/vessel/known_hosts`;
}

/**
 * Pins and checks device identities.
 *
 * @example
 * const trust = await TrustStore.open({ knownHostsFile: "/tmp/kh" });
 * await VrpSession.connect({ ..., verifyHostKey: trust.sshVerifier() });
 * const tlsTrust = await trust.tlsFor("hmm", "https://192.168.1.30");
 */
export class TrustStore {
  readonly file: string | null;
  readonly insecure: boolean;
  readonly caPem?: string;
  readonly tofu: boolean;
  #pins = new Map<string, Pin>();
  #writes: Promise<void> = Promise.resolve();

  private constructor(file: string | null, opts: TrustOptions, caPem?: string) {
    this.file = file;
    this.insecure = !!opts.insecure;
    this.caPem = caPem;
    this.tofu = opts.trustOnFirstUse ?? true;
  }

  /**
   * Loads the known-hosts file (a missing file is empty) and the CA file.
   *
   * @throws {UsageError} unreadable CA file
   */
  static async open(opts: TrustOptions = {}): Promise<TrustStore> {
    let ca = opts.caPem;
    if (!ca && opts.caFile) {
      try {
        ca = await Deno.readTextFile(opts.caFile);
      } catch (e) {
        throw new UsageError(`Cannot read CA file ${opts.caFile}: ${(e as Error).message}`, {
          hint: "Pass a PEM file with the CA certificate(s)",
        });
      }
    }
    const file = opts.knownHostsFile === undefined ? defaultKnownHostsFile() : opts.knownHostsFile;
    const store = new TrustStore(file, opts, ca);
    if (file) {
      let text = "";
      try {
        text = await Deno.readTextFile(file);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      for (const line of text.split("\n")) {
        const t = line.trim();
        if (!t || t.startsWith("#")) continue;
        const [kind, address, fingerprint, device, der] = t.split(/\s+/);
        if ((kind === "ssh" || kind === "tls") && address && fingerprint) {
          store.#pins.set(`${kind} ${address}`, {
            kind,
            address,
            fingerprint,
            device: device && device !== "-" ? device : undefined,
            der,
          });
        }
      }
    }
    return store;
  }

  /** All pins (copy). */
  pins(): Pin[] {
    return [...this.#pins.values()];
  }

  /** A host-key verifier for the SSH drivers. */
  sshVerifier(): HostKeyVerifier {
    return (info: HostKeyInfo) => this.checkSsh(info);
  }

  /**
   * Checks an SSH host key against the pin for `host:port`, pinning it on first use.
   *
   * @throws {HostKeyChangedError} a different key is pinned
   * @throws {TransportError} unknown key and trust-on-first-use is off
   */
  async checkSsh(info: HostKeyInfo): Promise<void> {
    if (this.insecure) return;
    const address = `${info.host}:${info.port}`;
    const pin = this.#pins.get(`ssh ${address}`);
    if (pin) {
      if (pin.fingerprint !== info.fingerprint) {
        throw new HostKeyChangedError(
          "SSH host key",
          info.device,
          address,
          pin.fingerprint,
          info.fingerprint,
          this.file ?? "(memory)",
        );
      }
      return;
    }
    if (!this.tofu) {
      throw new TransportError(
        `Unknown SSH host key of ${info.device} (${address}): ${info.algorithm} ${info.fingerprint}`,
        { hint: "Verify the fingerprint on the device, then connect once with trust on first use" },
      );
    }
    await this.#add({ kind: "ssh", address, fingerprint: info.fingerprint, device: info.device });
  }

  /**
   * TLS trust for an HTTPS endpoint: insecure, the CA, or the pinned leaf (fetched and pinned on
   * first use). Call {@link TrustStore.explainTlsFailure} when a request then fails verification.
   */
  async tlsFor(device: string, url: string, signal?: AbortSignal): Promise<TlsTrust> {
    if (this.insecure) return { insecure: true };
    if (this.caPem) return { ca: this.caPem };
    const { host, port } = hostPort(url);
    const address = `${host}:${port}`;
    const pin = this.#pins.get(`tls ${address}`);
    if (pin?.der) return { ca: derToPem(b64ToBytes(pin.der)), pinned: true };
    const peer = await fetchPeerCertificate(host, port, signal);
    if (pin) {
      // A pin without the certificate (hand-written line): compare fingerprints only.
      if (pin.fingerprint !== peer.fingerprint) {
        throw new HostKeyChangedError(
          "TLS certificate",
          device,
          address,
          pin.fingerprint,
          peer.fingerprint,
          this.file ?? "(memory)",
        );
      }
    } else if (!this.tofu) {
      throw new TransportError(
        `Unknown TLS certificate of ${device} (${address}): ${peer.fingerprint}`,
        {
          hint: "Pass the CA file, or allow trust on first use",
        },
      );
    }
    const der = pemToDer(peer.pem);
    await this.#add({
      kind: "tls",
      address,
      fingerprint: certFingerprint(der),
      device,
      der: bytesToB64(der),
    });
    return { ca: peer.pem, pinned: true };
  }

  /**
   * After a certificate verification failure against a pin: fetches the certificate now
   * presented and returns a {@link HostKeyChangedError} naming both fingerprints (or undefined
   * when nothing is pinned for that address).
   */
  async explainTlsFailure(
    device: string,
    url: string,
    signal?: AbortSignal,
  ): Promise<HostKeyChangedError | undefined> {
    const { host, port } = hostPort(url);
    const address = `${host}:${port}`;
    const pin = this.#pins.get(`tls ${address}`);
    if (!pin) return undefined;
    const peer = await fetchPeerCertificate(host, port, signal);
    if (peer.fingerprint === pin.fingerprint) return undefined;
    return new HostKeyChangedError(
      "TLS certificate",
      device,
      address,
      pin.fingerprint,
      peer.fingerprint,
      this.file ?? "(memory)",
    );
  }

  async #add(pin: Pin): Promise<void> {
    this.#pins.set(`${pin.kind} ${pin.address}`, pin);
    if (!this.file) return;
    const file = this.file;
    const write = this.#writes.then(async () => {
      await Deno.mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const header =
        "# Vessel known hosts: <ssh|tls> <host:port> <SHA256 fingerprint> <device> [<DER base64>]\n";
      const body = [...this.#pins.values()]
        .map((p) =>
          [p.kind, p.address, p.fingerprint, p.device ?? "-", p.der].filter(Boolean).join(" ")
        )
        .join("\n");
      const tmp = `${file}.${Deno.pid}.tmp`;
      await Deno.writeTextFile(tmp, header + body + "\n", { mode: 0o600 });
      await Deno.rename(tmp, file);
    });
    this.#writes = write.catch(() => {});
    await write;
  }
}

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: u.port ? Number(u.port) : 443 };
}

function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return b64ToBytes(b64);
}

function b64ToBytes(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function bytesToB64(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}
