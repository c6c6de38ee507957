/**
 * The one error hierarchy of Vessel. Every layer throws a subclass of {@link VesselError};
 * each layer adds what it knows (device message id, file:line, resource address) and
 * `src/cmd/main.ts` renders it and picks the exit code from {@link exitCodeFor}.
 *
 * Messages: sentence case, no trailing period, name the thing and the value.
 * Hints go in `hint`, never in the message. Secrets never appear in any field.
 *
 * @example
 * throw new UsageError("Unknown switch swi9", { hint: "Use one of swi1, swi2, swi3, swi4" });
 */

/** Options every Vessel error accepts. */
export interface VesselErrorOptions {
  /** What the user can do about it (one sentence). */
  hint?: string;
  /** The underlying error. */
  cause?: unknown;
  /** Extra structured data for `--output json` (never secrets). */
  details?: Record<string, unknown>;
}

/** Base class of every error Vessel raises on purpose. */
export class VesselError extends Error {
  /** Stable machine-readable category, also used for exit codes and REST problem types. */
  readonly code: string = "vessel_error";
  readonly hint?: string;
  readonly details?: Record<string, unknown>;
  constructor(message: string, options: VesselErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.details = options.details;
  }
  /** Plain JSON form for `--output json`, audit and REST problem details. */
  toJSON(): Record<string, unknown> {
    return {
      error: this.name,
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** Bad command line usage (unknown flag, missing argument). */
export class UsageError extends VesselError {
  override readonly code = "usage";
}

/** Where in a configuration file something is. Lines and columns are 1-based. */
export interface SourcePosition {
  file: string;
  line?: number;
  column?: number;
}

/** Invalid desired-state configuration; carries `file:line:col` and the field path. */
export class ConfigError extends VesselError {
  override readonly code = "config";
  readonly position?: SourcePosition;
  readonly path?: string;
  constructor(
    message: string,
    options: VesselErrorOptions & { position?: SourcePosition; path?: string } = {},
  ) {
    super(message, options);
    this.position = options.position;
    this.path = options.path;
  }
  /** `file:line:col` or just `file`. */
  where(): string {
    const p = this.position;
    if (!p) return "";
    return [p.file, p.line, p.column].filter((x) => x !== undefined).join(":");
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), position: this.position, path: this.path };
  }
}

/** A value that breaks a rule (VLAN id out of range, injection attempt); nothing was sent. */
export class ValidationError extends VesselError {
  override readonly code = "validation";
  /** Field path, e.g. `vessel_vlan.prod.name` or `vlan_id`. */
  readonly field?: string;
  constructor(message: string, options: VesselErrorOptions & { field?: string } = {}) {
    super(message, options);
    this.field = options.field;
  }
}

/** Credentials refused by a device. Never retried (no lockout spiral). */
export class AuthError extends VesselError {
  override readonly code = "auth";
}

/** The named thing does not exist (slot, switch, VLAN, snapshot). */
export class NotFoundError extends VesselError {
  override readonly code = "not_found";
}

/** State conflict: ETag mismatch, lock held by someone else, stale plan. */
export class ConflictError extends VesselError {
  override readonly code = "conflict";
}

/** The device cannot do this; `capability` names what is missing. */
export class UnsupportedError extends VesselError {
  override readonly code = "unsupported";
}

/** A deadline passed. */
export class TimeoutError extends VesselError {
  override readonly code = "timeout";
}

/** Could not reach or keep talking to a device (refused, reset, TLS failure). */
export class TransportError extends VesselError {
  override readonly code = "transport";
}

/** A device answered with an error of its own; carries its message id and text. */
export class DeviceError extends VesselError {
  override readonly code: string = "device";
  /** Device identifier, e.g. `swi2`, `hmm`, `blade3`. */
  readonly device?: string;
  /** The device's own message id (Redfish MessageId, HMM retcode, VRP error text). */
  readonly messageId?: string;
  constructor(
    message: string,
    options: VesselErrorOptions & { device?: string; messageId?: string } = {},
  ) {
    super(message, options);
    this.device = options.device;
    this.messageId = options.messageId;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), device: this.device, messageId: this.messageId };
  }
}

/** A safety rule stopped the change (no verified snapshot, audit not writable, prevent_destroy). */
export class SafetyError extends VesselError {
  override readonly code = "safety";
}

/** The user declined a confirmation prompt. */
export class CancelledError extends VesselError {
  override readonly code = "cancelled";
}

/**
 * The exit-code table, the only one. Documented in README.md ("Exit codes").
 * 0 ok · 1 unexpected internal error · 2 changes pending (only with --detailed-exitcode)
 * 3 usage · 4 configuration · 5 validation · 6 authentication · 7 not found · 8 conflict/lock
 * 9 unsupported · 10 timeout · 11 transport · 12 device error · 13 safety stop · 130 cancelled
 */
export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  changes: 2,
  usage: 3,
  config: 4,
  validation: 5,
  auth: 6,
  not_found: 7,
  conflict: 8,
  unsupported: 9,
  timeout: 10,
  transport: 11,
  device: 12,
  safety: 13,
  cancelled: 130,
} as const;

/** Exit code for any thrown value. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof VesselError) {
    const code = (EXIT_CODES as Record<string, number>)[err.code];
    if (code !== undefined) return code;
    if (err instanceof DeviceError) return EXIT_CODES.device;
  }
  return EXIT_CODES.internal;
}
