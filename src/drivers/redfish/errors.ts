/** Typed errors of the Redfish driver. */
import { DeviceError, type VesselErrorOptions } from "../../errors.ts";

/** One entry of `@Message.ExtendedInfo` (or of a task's `Messages`). */
export interface RedfishMessage {
  MessageId?: string;
  Message?: string;
  MessageArgs?: unknown[];
  Severity?: string;
  Resolution?: string;
  RelatedProperties?: string[];
}

/**
 * A Redfish service answered with an error status. `messageId` is the most specific MessageId
 * (the first extended-info entry, else `error.code`); `extendedInfo` has every entry.
 */
export class RedfishError extends DeviceError {
  override readonly code: string = "device";
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly extendedInfo: RedfishMessage[];
  readonly body?: string;
  /** From a Retry-After header (429/503). */
  readonly retryAfterMs?: number;
  constructor(
    message: string,
    options: VesselErrorOptions & {
      device?: string;
      messageId?: string;
      status: number;
      method: string;
      url: string;
      extendedInfo?: RedfishMessage[];
      body?: string;
      retryAfterMs?: number;
    },
  ) {
    super(message, options);
    this.status = options.status;
    this.method = options.method;
    this.url = options.url;
    this.extendedInfo = options.extendedInfo ?? [];
    this.body = options.body;
    this.retryAfterMs = options.retryAfterMs;
  }
  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      method: this.method,
      url: this.url,
      extendedInfo: this.extendedInfo,
    };
  }
}

/** Parses a Redfish error body into MessageId, message and extended info. */
export function parseRedfishErrorBody(body: string): {
  code?: string;
  message?: string;
  messageId?: string;
  extendedInfo: RedfishMessage[];
} {
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    return { extendedInfo: [] };
  }
  const err = (j as { error?: Record<string, unknown> })?.error;
  const top = err ?? (j as Record<string, unknown>);
  const raw = top?.["@Message.ExtendedInfo"];
  const extendedInfo = (Array.isArray(raw) ? raw : raw ? [raw] : []) as RedfishMessage[];
  const code = typeof top?.code === "string" ? top.code : undefined;
  const message = typeof top?.message === "string" ? top.message : undefined;
  const specific = extendedInfo.find((m) => m?.MessageId && !/\.Success$/.test(m.MessageId));
  return {
    code,
    message: specific?.Message ?? message,
    messageId: specific?.MessageId ?? code ??
      (typeof top?.MessageId === "string" ? top.MessageId : undefined),
    extendedInfo,
  };
}
