/**
 * What every route module shares: the Hono environment, the dependencies of the API, and
 * {@link secured}, which turns a route definition into one that requires a role (the role is
 * enforced by middleware and documented in the spec as `x-vessel-role`).
 */
import { createRoute, type OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Store } from "../store/db.ts";
import type { AuditLog } from "../store/audit.ts";
import type { Chassis } from "../chassis/chassis.ts";
import type { EnvelopeContext } from "../ops/envelope.ts";
import type { StateStore } from "../store/state.ts";
import type { WatchdogConfig } from "../ops/net/watchdog.ts";
import { type AuthService, type Principal, type Role, roleAllows } from "./auth.ts";
import type { JobManager } from "./jobs.ts";
import { ApiError, problemContent } from "./problem.ts";
import type { ReadCache } from "./cache.ts";
import type { PlanStore } from "./plans.ts";

/** Variables set by the API's middleware. */
export type ApiEnv = {
  Variables: { principal: Principal };
  Bindings: { remoteAddr?: { hostname?: string } };
};

/** The app type every route module registers on. */
export type ApiApp = OpenAPIHono<ApiEnv>;

/** Everything the routes need. */
export interface ApiDeps {
  store: Store;
  chassis: Chassis;
  /** State workspace key of this chassis (like the CLI's `--chassis` value). */
  workspace: string;
  state: StateStore;
  auth: AuthService;
  jobs: JobManager;
  audit: AuditLog;
  cache: ReadCache;
  plans: PlanStore;
  /** Envelope context of every change (the `onEvent` hook is set per job). */
  envelope: EnvelopeContext;
  /** Watchdog settings of switch changes (defaults of src/ops/net/watchdog.ts otherwise). */
  watchdog?: Partial<WatchdogConfig>;
  /** Mark the session cookie `Secure` (served over TLS). */
  secureCookies: boolean;
}

/** Name of the session cookie. */
export const SESSION_COOKIE = "vessel_session";
/** Header carrying the CSRF token of a cookie session. */
export const CSRF_HEADER = "x-csrf-token";

/** Middleware: the caller's role must include `role`. */
export function requireRole(role: Role): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const p = c.get("principal");
    if (!p) throw new ApiError("unauthenticated", "Authentication required");
    if (!roleAllows(p.role, role)) {
      throw new ApiError(
        "forbidden",
        `Role ${p.role} of ${p.actor} cannot call ${c.req.method} ${
          new URL(c.req.url).pathname
        }: it needs ${role}`,
        { hint: "Use a token or user with a stronger role" },
      );
    }
    await next();
  };
}

/**
 * Problem response of a route with a JSON body: the body validator refuses any other content
 * type (also an HTML form posted from another site) with 415.
 */
export const JSON_BODY_PROBLEM = {
  415: problemContent("The body is not JSON (Content-Type must be application/json)"),
} as const;

/** Security requirement of authenticated routes (either scheme). */
export const SECURITY = [{ bearerToken: [] }, { sessionCookie: [] }];

/** Problem responses every authenticated route may give. */
export const AUTH_PROBLEMS = {
  401: problemContent("Not authenticated (no, unknown or expired token or session)"),
  403: problemContent("Authenticated, but the role is too weak, or the CSRF token is missing"),
} as const;

/**
 * A route that requires `role`. Adds the role middleware, the security requirement, the
 * `x-vessel-role` extension and the 401/403 problem responses.
 */
export function secured<R extends Omit<RouteConfig, "path"> & { path: string }>(
  role: Role,
  route: R,
): R & { middleware: MiddlewareHandler<ApiEnv>[] } {
  return createRoute(
    {
      ...route,
      middleware: [requireRole(role)],
      security: SECURITY,
      "x-vessel-role": role,
      responses: {
        ...AUTH_PROBLEMS,
        // Request validation (zod) answers 400 naming the field.
        ...(route.request
          ? { 400: problemContent("Malformed request (the problem names the field)") }
          : {}),
        ...route.responses,
      },
    } as R & { middleware: MiddlewareHandler<ApiEnv>[] },
  );
}
