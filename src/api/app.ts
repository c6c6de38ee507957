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
import { getCookie, setCookie } from "hono/cookie";
import type { MiddlewareHandler } from "hono";
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

  // Authentication (and CSRF for cookie sessions) on everything but login and health: the API
  // under /api/v1, and the spec and its documentation page as well.
  const requireAuth: MiddlewareHandler<ApiEnv> = async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (PUBLIC_ROUTES.includes(`${c.req.method} ${path}`)) return await next();
    // A browser without a session asking for the documentation goes to the login form.
    if (
      path === "/api/docs" && c.req.header("authorization") === undefined &&
      !getCookie(c, SESSION_COOKIE) && (c.req.header("accept") ?? "").includes("text/html")
    ) {
      return c.redirect("/api/login", 303);
    }
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
  };
  app.use("/api/v1/*", requireAuth);
  app.use("/api/openapi.json", requireAuth);
  app.use("/api/docs", requireAuth);
  loginPage(app, deps);

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

/**
 * The browser's way in: `GET /api/login` is a plain HTML form (no scripts, works offline) that
 * posts to `POST /api/login`, which opens the same cookie session as `POST /api/v1/auth/login`
 * and goes on to the documentation page. The form post must come from this server's own origin
 * (login CSRF: another site must not log a browser in under the attacker's account).
 */
function loginPage(app: ApiApp, deps: ApiDeps): void {
  const page = (message = "") =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vessel API login</title>
<style>body{font:15px system-ui,sans-serif;max-width:22rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}p.e{color:#b00}</style></head>
<body><h1>Vessel API</h1>${message ? `<p class="e">${message}</p>` : ""}
<form method="post" action="/api/login"><label>User <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button></form></body></html>`;
  const csp = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'";
  app.get("/api/login", (c) => {
    c.header("content-security-policy", csp);
    const failed = new URL(c.req.url).searchParams.has("failed");
    return c.html(page(failed ? "Wrong user name or password, or the account is locked." : ""));
  });
  app.post("/api/login", async (c) => {
    const origin = c.req.header("origin");
    const self = new URL(c.req.url).origin;
    if (origin !== undefined && origin !== "null" && origin !== self) {
      return c.text("Cross-origin login refused", 403);
    }
    const form = await c.req.parseBody();
    const username = String(form.username ?? "");
    const password = String(form.password ?? "");
    const client = (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr
      ?.hostname ?? "local";
    try {
      const s = await deps.auth.login(username, password, client);
      setCookie(c, SESSION_COOKIE, s.sessionId, {
        httpOnly: true,
        sameSite: "Strict",
        secure: deps.secureCookies,
        path: "/api",
        expires: new Date(s.expiresAt),
      });
      return c.redirect("/api/docs", 303);
    } catch {
      // Lockout and rate limits apply as for the JSON login; the page does not say which.
      return c.redirect("/api/login?failed=1", 303);
    }
  });
}
