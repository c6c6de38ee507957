/**
 * RFC 9457 problem details for every error the REST API returns (`application/problem+json`).
 *
 * Vessel errors keep their stable `code` (src/errors.ts) as the problem `code` and in the `type`
 * URI; validation problems name the field (`field`, plus `errors[]` with one entry per issue).
 * Anything that is not a {@link VesselError} becomes a 500 whose detail never carries internal
 * text (it is logged, redacted, by the server instead).
 *
 * @example
 * return problemResponse(c, new NotFoundError("VLAN 10 does not exist on swi2"));
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError, DeviceError, ValidationError, VesselError } from "../errors.ts";
import { redactText } from "../util/redact.ts";

/** Media type of problem details. */
export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/** Base of the `type` URIs; `<base><code>` is documented in docs/api.md. */
export const PROBLEM_TYPE_BASE = "https://vessel.invalid/problems/";

/** One field-level issue of a validation problem. */
export const FieldIssueSchema = z.object({
  field: z.string().describe("Dotted path of the offending field, e.g. `body.vlan_id`"),
  message: z.string().describe("What is wrong with it"),
}).openapi("FieldIssue");

/** RFC 9457 problem details as Vessel emits them. */
export const ProblemSchema = z.object({
  type: z.string().describe("URI naming the problem type: " + PROBLEM_TYPE_BASE + "<code>"),
  title: z.string().describe("Short, stable summary of the problem type"),
  status: z.number().int().describe("HTTP status code"),
  detail: z.string().optional().describe("What happened in this occurrence"),
  instance: z.string().optional().describe("Request path of this occurrence"),
  code: z.string().describe("Stable Vessel error code (src/errors.ts), e.g. `validation`"),
  hint: z.string().optional().describe("What the caller can do about it"),
  field: z.string().optional().describe("The first offending field of a validation problem"),
  errors: z.array(FieldIssueSchema).optional().describe("Every field-level issue"),
  device: z.string().optional().describe("Device that reported the error, e.g. `swi2`"),
  device_message: z.string().optional().describe("The device's own message id or text"),
  retry_after: z.number().optional().describe("Seconds until a retry may succeed"),
}).openapi("Problem");

/** A problem document. */
export type Problem = z.infer<typeof ProblemSchema>;

/** HTTP status for each Vessel error code. */
export const STATUS_BY_CODE: Record<string, number> = {
  usage: 400,
  config: 422,
  validation: 422,
  auth: 502,
  not_found: 404,
  conflict: 409,
  unsupported: 501,
  timeout: 504,
  transport: 502,
  device: 502,
  safety: 409,
  cancelled: 409,
  // API-level codes (not from src/errors.ts).
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf: 403,
  unsupported_media_type: 415,
  locked_out: 423,
  rate_limited: 429,
  internal: 500,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: "bad_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  413: "bad_request",
  415: "unsupported_media_type",
};

const TITLES: Record<string, string> = {
  usage: "Bad request",
  bad_request: "Bad request",
  config: "Invalid configuration",
  validation: "Validation failed",
  auth: "Device refused the credentials",
  not_found: "Not found",
  conflict: "Conflict",
  unsupported: "Not supported by the device",
  timeout: "Device deadline passed",
  transport: "Device unreachable",
  device: "Device error",
  safety: "Stopped by a safety rule",
  cancelled: "Cancelled",
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  csrf: "CSRF token missing or wrong",
  unsupported_media_type: "Unsupported media type",
  locked_out: "Account locked",
  rate_limited: "Too many requests",
  internal: "Internal server error",
};

/** An error raised by the API layer itself (authentication, roles, CSRF, rate limits). */
export class ApiError extends VesselError {
  override readonly code: string;
  readonly status: number;
  readonly retryAfter?: number;
  /**
   * @example
   * throw new ApiError("forbidden", "Role viewer cannot call POST /api/v1/plans");
   */
  constructor(
    code: string,
    message: string,
    options: { hint?: string; retryAfter?: number; status?: number } = {},
  ) {
    super(message, { hint: options.hint });
    this.code = code;
    this.status = options.status ?? STATUS_BY_CODE[code] ?? 500;
    this.retryAfter = options.retryAfter;
  }
}

/** Problem document for any thrown value. Internal errors keep their text out of the body. */
export function problemFor(err: unknown, instance?: string): Problem {
  if (err instanceof VesselError) {
    const code = err.code;
    const status = err instanceof ApiError
      ? err.status
      : STATUS_BY_CODE[code] ?? (err instanceof DeviceError ? 502 : 500);
    const p: Problem = {
      type: PROBLEM_TYPE_BASE + code,
      title: TITLES[code] ?? (err instanceof DeviceError ? TITLES.device : "Error"),
      status,
      detail: redactText(err.message),
      code,
      ...(instance ? { instance } : {}),
      ...(err.hint ? { hint: redactText(err.hint) } : {}),
    };
    if (err instanceof ValidationError && err.field) {
      p.field = err.field;
      p.errors = [{ field: err.field, message: redactText(err.message) }];
    }
    if (err instanceof ConfigError) {
      if (err.path) p.field = err.path;
      const where = err.where();
      if (where) p.detail = `${p.detail} (at ${where})`;
    }
    if (err instanceof DeviceError) {
      if (err.device) p.device = err.device;
      if (err.messageId) p.device_message = redactText(err.messageId);
    }
    if (err instanceof ApiError && err.retryAfter !== undefined) p.retry_after = err.retryAfter;
    return p;
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own refusals (e.g. 415 from the JSON body validator).
    const code = CODE_BY_STATUS[err.status] ?? "bad_request";
    return {
      type: PROBLEM_TYPE_BASE + code,
      title: TITLES[code] ?? "Bad request",
      status: err.status,
      detail: err.status === 415
        ? "The body must be JSON (Content-Type: application/json)"
        : redactText(err.message || TITLES[code] || "Bad request"),
      code,
      ...(instance ? { instance } : {}),
    };
  }
  return {
    type: PROBLEM_TYPE_BASE + "internal",
    title: TITLES.internal,
    status: 500,
    detail: "The server failed while handling the request; the error is in the server log",
    code: "internal",
    ...(instance ? { instance } : {}),
  };
}

/** A validation problem listing each zod issue with its field path. */
export function validationProblem(
  issues: { path: PropertyKey[]; message: string }[],
  target: string,
  instance?: string,
): Problem {
  // Name the request part as an API user sees it: body, path, query, header, cookie.
  const part = ({ json: "body", form: "body", param: "path" } as Record<string, string>)[target] ??
    target;
  const errors = issues.map((i) => ({
    field: [part, ...i.path.map(String)].join("."),
    message: i.message,
  }));
  const first = errors[0];
  return {
    type: PROBLEM_TYPE_BASE + "validation",
    title: TITLES.validation,
    status: 400,
    detail: first ? `Invalid ${first.field}: ${first.message}` : `Invalid ${target}`,
    code: "validation",
    field: first?.field,
    errors,
    ...(instance ? { instance } : {}),
  };
}

/** Send a problem document. */
export function sendProblem(c: Context, p: Problem): Response {
  const headers: Record<string, string> = { "content-type": PROBLEM_MEDIA_TYPE };
  if (p.retry_after !== undefined) headers["retry-after"] = String(Math.ceil(p.retry_after));
  if (p.status === 401) headers["www-authenticate"] = 'Bearer realm="vessel"';
  return c.body(JSON.stringify(p), p.status as 400, headers);
}

/** Send the problem for a thrown value. */
export function problemResponse(c: Context, err: unknown): Response {
  return sendProblem(c, problemFor(err, new URL(c.req.url).pathname));
}

/** OpenAPI response entry for a problem status. */
export function problemContent(description: string) {
  return { description, content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } } };
}
