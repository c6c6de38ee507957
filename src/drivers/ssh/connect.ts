/**
 * SSH transport shared by the VRP, HMM-shell and iBMC-shell drivers: one ssh2 client, Nagle off,
 * host key checked through a caller hook, password or keyboard-interactive login, a deadline on
 * the whole handshake, typed errors.
 *
 * Why `setNoDelay(true)`: measured on these machines, an ssh2 round trip costs ~88 ms with Nagle
 * and delayed ACK interacting; with TCP_NODELAY connect-to-prompt is ~25 ms
 * (docs: ../shared/docs/platform-notes.md).
 */
import { Socket } from "node:net";
import { createHash } from "node:crypto";
import type { Duplex } from "node:stream";
import ssh2 from "ssh2";
import type { Client, ClientChannel, ConnectConfig, PseudoTtyOptions } from "ssh2";
import { AuthError, TransportError, VesselError } from "../../errors.ts";
import { abortReason, type CallOptions, withDeadline } from "../deadline.ts";

/** What a host key verifier is told about the key the server presented. */
export interface HostKeyInfo {
  /** Device id, e.g. `swi2`, `hmm`. */
  device: string;
  host: string;
  port: number;
  /** Key type from the blob, e.g. `ssh-ed25519`. */
  algorithm: string;
  /** OpenSSH-style fingerprint: `SHA256:` + unpadded base64 of the SHA-256 of the key blob. */
  fingerprint: string;
  /** The raw public key blob (wire format). */
  key: Uint8Array;
}

/** Decides whether to trust a host key: return normally to accept, throw to refuse. */
export type HostKeyVerifier = (info: HostKeyInfo) => void | Promise<void>;

/** Options of {@link sshConnect}. */
export interface SshConnectOptions extends CallOptions {
  /** Device id used in messages, e.g. `swi2`. */
  device: string;
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  password: string;
  /** Host key check; without one every key is accepted (only for tests and explicit insecure). */
  verifyHostKey?: HostKeyVerifier;
  /** Connect over this stream instead of opening a TCP socket. */
  sock?: Duplex;
  /** Handshake timeout; default 15000 ms (the value upstream used). */
  timeoutMs?: number;
}

/** Legacy algorithms old BMCs and VRP builds still need; appended after ssh2's safe defaults. */
const LEGACY_ALGORITHMS = {
  kex: { append: ["diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1"] },
  cipher: { append: ["aes128-cbc", "aes256-cbc", "3des-cbc"] },
  serverHostKey: { append: ["ssh-rsa"] },
  hmac: { append: ["hmac-sha1"] },
} as unknown as ConnectConfig["algorithms"];

/** OpenSSH-style SHA256 fingerprint of a public key blob. */
export function sshFingerprint(key: Uint8Array): string {
  const b64 = createHash("sha256").update(key).digest("base64").replace(/=+$/, "");
  return `SHA256:${b64}`;
}

/** The key type name at the start of an SSH public key blob. */
export function keyAlgorithm(key: Uint8Array): string {
  if (key.length < 4) return "unknown";
  const len = (key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3];
  if (len <= 0 || len > 64 || key.length < 4 + len) return "unknown";
  return new TextDecoder().decode(key.subarray(4, 4 + len));
}

/**
 * Opens an authenticated SSH connection.
 *
 * @example
 * const client = await sshConnect({ device: "swi2", host: "127.0.0.1", port: 2222, username: "admin", password });
 * @throws {AuthError} the device refused the credentials (never retried)
 * @throws {TransportError} refused, reset, handshake failure
 * @throws {TimeoutError} the handshake did not finish in time
 * @throws whatever `verifyHostKey` throws (a changed host key)
 */
export function sshConnect(opts: SshConnectOptions): Promise<Client> {
  const port = opts.port ?? 22;
  const where = `${opts.device} (${opts.host}:${port})`;
  return withDeadline(
    `SSH login to ${where}`,
    { signal: opts.signal, timeoutMs: opts.timeoutMs ?? 15000 },
    (signal) =>
      new Promise<Client>((resolve, reject) => {
        const client: Client = new ssh2.Client();
        let verifyError: unknown;
        let settled = false;
        let sock: Duplex | Socket;
        const finish = (err?: unknown) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener("abort", onAbort);
          if (err) {
            client.removeAllListeners("ready");
            client.on("error", () => {});
            client.end();
            (sock as Socket).destroy?.();
            reject(err);
          } else resolve(client);
        };
        const onAbort = () => finish(abortReason(signal, `SSH login to ${where}`));
        signal.addEventListener("abort", onAbort, { once: true });

        if (opts.sock) sock = opts.sock;
        else {
          const s = new Socket();
          s.setNoDelay(true);
          s.connect(port, opts.host, () => s.setNoDelay(true));
          sock = s;
        }

        client.on("ready", () => finish());
        client.on("error", (err: Error & { level?: string }) => {
          if (verifyError) return finish(verifyError);
          if (err.level === "client-authentication") {
            return finish(
              new AuthError(`SSH login to ${where} refused for user ${opts.username}`, {
                hint: "Check the username and password; Vessel does not retry to avoid a lockout",
              }),
            );
          }
          finish(
            new TransportError(`SSH connection to ${where} failed: ${err.message}`, {
              cause: err,
              hint: "Check that the device is reachable and its SSH service is enabled",
            }),
          );
        });
        client.on("close", () =>
          finish(new TransportError(`SSH connection to ${where} closed during login`)));
        client.on("keyboard-interactive", (_n, _i, _l, prompts, answer) => {
          answer(prompts.map(() =>
            opts.password
          ));
        });
        client.connect({
          sock: sock as Duplex,
          username: opts.username,
          password: opts.password,
          tryKeyboard: true,
          readyTimeout: 2 ** 31 - 1, // our own deadline governs
          keepaliveInterval: 0,
          algorithms: LEGACY_ALGORITHMS,
          hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
            const blob = new Uint8Array(key);
            const info: HostKeyInfo = {
              device: opts.device,
              host: opts.host,
              port,
              algorithm: keyAlgorithm(blob),
              fingerprint: sshFingerprint(blob),
              key: blob,
            };
            Promise.resolve()
              .then(() => opts.verifyHostKey?.(info))
              .then(() => verify(true), (e) => {
                verifyError = e instanceof VesselError ? e : new TransportError(
                  `Host key of ${where} refused: ${e instanceof Error ? e.message : String(e)}`,
                  { cause: e },
                );
                verify(false);
              });
          },
        } as ConnectConfig);
      }),
  );
}

/** Window size for interactive shells: wide so VRP does not wrap table rows. */
export const SHELL_PTY: PseudoTtyOptions = { term: "vt100", cols: 512, rows: 200 };

/**
 * Opens an interactive shell channel on a connected client.
 *
 * @throws {TransportError} the server refused the shell
 */
export function openShell(client: Client, device: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.shell(SHELL_PTY, (err, channel) => {
      if (err) {
        reject(
          new TransportError(`Cannot open a shell on ${device}: ${err.message}`, { cause: err }),
        );
      } else resolve(channel);
    });
  });
}
