/**
 * The REST API of `vessel serve` as one Hono app (OpenAPI 3.1 from the zod routes).
 *
 * Every route under `/api/v1` needs authentication except `GET /api/v1/health` and
 * `POST /api/v1/auth/login`: a bearer API token, or the session cookie set by login (whose
 * writes must carry the session's CSRF token in `X-CSRF-Token`). Each route requires a role
 * (viewer < operator < admin), documented as `x-vessel-role`. Errors are RFC 9457 problem
 * details. `/api/openapi.json` and `/api/docs` (the spec rendered as HTML, no external assets)
 * describe the API and hold no chassis data, so they are served without authentication.
 *
 * @example
 * const api = createApi({ store, chassis, workspace: "sim://" });
 * const res = await api.app.request("/api/v1/health");
 * await api.close();
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { getCookie } from "hono/cookie";
import { bodyLimit } from "hono/body-limit";
import { timingSafeEqual } from "node:crypto";
import type { Store } from "../store/db.ts";
import { AuditLog } from "../store/audit.ts";
import { StateStore } from "../store/state.ts";
import type { Chassis } from "../chassis/chassis.ts";
import type { HealthCheck } from "../ops/envelope.ts";
import type { ScopeRegistry } from "../ops/scope.ts";
import type { WatchdogConfig } from "../ops/net/watchdog.ts";
import { chassisEnvelope, type EndpointsLike } from "../ops/mod.ts";
import { redactError } from "../util/redact.ts";
import { VERSION } from "../version.ts";
import { type AuthOptions, AuthService } from "./auth.ts";
import { ReadCache } from "./cache.ts";
import { type ApiApp, type ApiDeps, type ApiEnv, CSRF_HEADER, SESSION_COOKIE } from "./context.ts";
import { renderDocsPage } from "./docs_page.ts";
import { JobManager } from "./jobs.ts";
import { PlanStore } from "./plans.ts";
import {
  ApiError,
  problemFor,
  problemResponse,
  sendProblem,
  validationProblem,
} from "./problem.ts";
import { chassisRoutes } from "./routes_chassis.ts";
import { jobRoutes } from "./routes_jobs.ts";
import { bladeRoutes } from "./routes_blades.ts";
import { inventoryRoutes } from "./routes_inventory.ts";
import { netRoutes } from "./routes_net.ts";
import { snapshotRoutes } from "./routes_snapshots.ts";
import { statelessRoutes } from "./routes_stateless.ts";
import { systemRoutes } from "./routes_system.ts";

/** Options of {@link createApi}. */
export interface CreateApiOptions {
  store: Store;
  /** Store of users, tokens and sessions (default `store`). */
  authStore?: Store;
  /** The open SDK handle. */
  chassis: Chassis;
  /** State workspace key (the `--chassis` value, e.g. `sim://` or `https://hmm`). */
  workspace: string;
  /** Snapshot root of the change envelope (default `$VESSEL_SNAPSHOTS_DIR` or `snapshots`). */
  snapshotsDir?: string;
  /** Scope collectors (default: the process-wide registry, built-in collectors added). */
  scopes?: ScopeRegistry;
  /** Health checks run after every change. */
  healthChecks?: HealthCheck[];
  auth?: AuthOptions;
  /** Watchdog settings of switch changes. */
  watchdog?: Partial<WatchdogConfig>;
  /** Read cache lifetime in ms (default 5000). */
  cacheTtlMs?: number;
  /** Mark cookies Secure (set when serving TLS). */
  secureCookies?: boolean;
  /** Server log (already redacted lines). */
  log?: (line: string) => void;
}

/** A built API. */
export interface Api {
  app: ApiApp;
  deps: ApiDeps;
  /** The OpenAPI 3.1 document. */
  document(): Record<string, unknown>;
  /** Wait for running jobs. Does not close the store or the chassis (the caller owns them). */
  close(): Promise<void>;
}

/** Paths that answer without authentication (method + path). */
export const PUBLIC_ROUTES = ["GET /api/v1/health", "POST /api/v1/auth/login"];

/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Build the API app. */
export function createApi(opts: CreateApiOptions): Api {
  const log = opts.log ?? (() => {});
  const audit = new AuditLog(opts.store);
  const cache = new ReadCache({ ttlMs: opts.cacheTtlMs });
  const ep = opts.chassis.endpoints;
  const deps: ApiDeps = {
    store: opts.store,
    chassis: opts.chassis,
    workspace: opts.workspace,
    state: new StateStore(opts.store, opts.workspace),
    auth: new AuthService(opts.authStore ?? opts.store, opts.auth),
    jobs: new JobManager(opts.store, {
      onFinish: (_job, spec) => spec.scopes.forEach((s) => cache.invalidate(s)),
    }),
    audit,
    cache,
    plans: new PlanStore(opts.store, opts.workspace),
    envelope: {
      ...chassisEnvelope({
        store: opts.store,
        chassis: opts.chassis,
        endpoints: ep as EndpointsLike,
        snapshotsDir: opts.snapshotsDir,
        healthChecks: opts.healthChecks,
        registry: opts.scopes,
      }),
      audit,
    },
    watchdog: opts.watchdog,
    secureCookies: opts.secureCookies ?? false,
  };

  const app: ApiApp = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return sendProblem(
          c,
          validationProblem(result.error.issues, result.target, new URL(c.req.url).pathname),
        );
      }
    },
  });

  app.onError((err, c) => {
    const p = problemFor(err, new URL(c.req.url).pathname);
    if (p.status >= 500) {
      log(`error ${c.req.method} ${new URL(c.req.url).pathname}: ${redactError(err)}`);
    }
    return problemResponse(c, err);
  });
  app.notFound((c) =>
    problemResponse(
      c,
      new ApiError("not_found", `No route ${c.req.method} ${new URL(c.req.url).pathname}`, {
        status: 404,
        hint: "The routes are listed at /api/docs and /api/openapi.json",
      }),
    )
  );

  app.use("*", async (c, next) => {
    await next();
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    c.header("x-frame-options", "DENY");
    if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
    if (deps.secureCookies) c.header("strict-transport-security", "max-age=31536000");
  });

  // Bodies are small JSON documents (a plan text is at most 1 MB): refuse more before reading it.
  app.use(
    "/api/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        problemResponse(
          c,
          new ApiError("bad_request", `Request body larger than ${MAX_BODY_BYTES} bytes`, {
            status: 413,
          }),
        ),
    }),
  );

  // Authentication (and CSRF for cookie sessions) on everything under /api/v1 but the public.
  app.use("/api/v1/*", async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (PUBLIC_ROUTES.includes(`${c.req.method} ${path}`)) return await next();
    const authz = c.req.header("authorization");
    if (authz !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(authz);
      const p = m ? deps.auth.authenticateToken(m[1]) : undefined;
      if (!p) {
        throw new ApiError("unauthenticated", "The bearer token is unknown, revoked or expired", {
          hint: "Create a token with `vessel serve token create --name NAME --role viewer`",
        });
      }
      c.set("principal", p);
      return await next();
    }
    const sid = getCookie(c, SESSION_COOKIE);
    const p = sid ? deps.auth.authenticateSession(sid) : undefined;
    if (!p) {
      throw new ApiError("unauthenticated", `Authentication required for ${c.req.method} ${path}`, {
        hint:
          "Send an API token in the Authorization header (Bearer scheme), or log in with POST /api/v1/auth/login",
      });
    }
    if (UNSAFE.has(c.req.method)) {
      const sent = c.req.header(CSRF_HEADER) ?? "";
      if (!p.csrf || !sameSecret(sent, p.csrf)) {
        throw new ApiError(
          "csrf",
          `Missing or wrong ${CSRF_HEADER} header on ${c.req.method} ${path}`,
          {
            hint: "Send the csrf_token from login (or GET /api/v1/auth/whoami) in X-CSRF-Token",
          },
        );
      }
    }
    c.set("principal", p);
    await next();
  });

  systemRoutes(app, deps);
  chassisRoutes(app, deps);
  netRoutes(app, deps);
  bladeRoutes(app, deps);
  inventoryRoutes(app, deps);
  statelessRoutes(app, deps);
  jobRoutes(app, deps);
  snapshotRoutes(app, deps);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerToken", {
    type: "http",
    scheme: "bearer",
    description: "API token (`vsl_…`), from `vessel serve token create` or POST /api/v1/tokens",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: SESSION_COOKIE,
    description: "Browser session from POST /api/v1/auth/login; writes need X-CSRF-Token",
  });

  let doc: Record<string, unknown> | undefined;
  const document = () =>
    doc ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Vessel REST API",
        version: VERSION,
        description: "Huawei E9000 chassis as code: the REST face of the Vessel SDK. " +
          "Mutations return a job (202 + Location) that runs through the change envelope " +
          "(lock, snapshot, audit, apply, verify, rollback on failure).",
        license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
      },
      servers: [{ url: "/" }],
      tags: [
        { name: "system" },
        { name: "auth" },
        { name: "chassis" },
        { name: "switches" },
        { name: "blades" },
        { name: "alarms" },
        { name: "firmware" },
        { name: "stateless" },
        { name: "jobs" },
        { name: "plans" },
        { name: "audit" },
        { name: "snapshots" },
      ],
    }) as unknown as Record<string, unknown>;

  app.get("/api/openapi.json", (c) => c.json(document()));
  let html: string | undefined;
  app.get("/api/docs", (c) => {
    html ??= renderDocsPage(document());
    c.header(
      "content-security-policy",
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
    );
    return c.html(html);
  });
  app.get("/", (c) => c.redirect("/api/docs"));

  return {
    app,
    deps,
    document,
    close: () => deps.jobs.drain(),
  };
}
