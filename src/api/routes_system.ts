/**
 * Health, login/logout, the caller's identity, and token and user management.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { VERSION } from "../version.ts";
import {
  type ApiApp,
  type ApiDeps,
  JSON_BODY_PROBLEM,
  secured,
  SESSION_COOKIE,
} from "./context.ts";
import { problemContent } from "./problem.ts";
import { IdParam, RoleSchema, TokenInfoSchema, UserInfoSchema, WhoAmISchema } from "./schemas.ts";

const HealthSchema = z.object({
  status: z.literal("ok"),
  version: z.string().describe("Vessel version"),
  time: z.string(),
}).openapi("Health");

const LoginSchema = z.object({
  username: z.string().min(1).max(64).describe("User name"),
  password: z.string().min(1).max(1024).describe("Password"),
}).openapi("LoginRequest");

const TokenCreateSchema = z.object({
  name: z.string().min(1).max(64).describe("What the token is for, e.g. ci or ansible"),
  role: RoleSchema,
  expires_in_days: z.number().int().min(1).max(3650).optional().describe(
    "Lifetime in days (default: no expiry)",
  ),
}).openapi("TokenCreateRequest");

const TokenCreatedSchema = z.object({
  token: z.string().describe(
    "The secret token, shown only now: send it as `Authorization: Bearer <token>`",
  ),
  info: TokenInfoSchema,
}).openapi("TokenCreated");

const UserCreateSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(8).max(1024).describe("At least 8 characters"),
  role: RoleSchema,
}).openapi("UserCreateRequest");

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const UsernameParam = z.object({
  username: z.string().min(1).max(64).openapi({ param: { name: "username", in: "path" } }),
});

/** Register the system routes. */
export function systemRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/health",
      tags: ["system"],
      summary: "Liveness of the API server (no authentication)",
      "x-vessel-role": "public",
      responses: { 200: json(HealthSchema, "The server is up") },
    }),
    (c) => c.json({ status: "ok" as const, version: VERSION, time: new Date().toISOString() }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/auth/login",
      tags: ["auth"],
      summary: "Log in with user name and password; sets the session cookie",
      description:
        "Opens a browser session: an HttpOnly, SameSite=Strict cookie plus a CSRF token that " +
        "every write must carry in the X-CSRF-Token header. Failed logins count per user name " +
        "(lockout after 5 within 15 minutes) and attempts are limited per client address.",
      "x-vessel-role": "public",
      request: {
        body: { content: { "application/json": { schema: LoginSchema } }, required: true },
      },
      responses: {
        ...JSON_BODY_PROBLEM,
        200: json(WhoAmISchema, "Logged in; the cookie is set"),
        400: problemContent("Malformed request"),
        401: problemContent("Wrong user name or password"),
        423: problemContent("User locked after repeated failures"),
        429: problemContent("Too many attempts from this address"),
      },
    }),
    async (c) => {
      const { username, password } = c.req.valid("json");
      const client = c.env?.remoteAddr?.hostname ?? "local";
      const s = await deps.auth.login(username, password, client);
      setCookie(c, SESSION_COOKIE, s.sessionId, {
        httpOnly: true,
        sameSite: "Strict",
        secure: deps.secureCookies,
        path: "/api",
        expires: new Date(s.expiresAt),
      });
      const p = s.principal;
      return c.json(
        { name: p.name, kind: p.kind, role: p.role, actor: p.actor, csrf_token: s.csrf },
        200,
      );
    },
  );

  app.openapi(
    secured("viewer", {
      method: "post",
      path: "/api/v1/auth/logout",
      tags: ["auth"],
      summary: "End the cookie session",
      responses: { 204: { description: "Logged out; the cookie is cleared" } },
    }),
    (c) => {
      const sid = getCookie(c, SESSION_COOKIE);
      if (sid) deps.auth.logout(sid);
      deleteCookie(c, SESSION_COOKIE, { path: "/api" });
      return c.body(null, 204);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/auth/whoami",
      tags: ["auth"],
      summary: "Who the caller is, its role, and (cookie sessions) the CSRF token",
      responses: { 200: json(WhoAmISchema, "The caller") },
    }),
    (c) => {
      const p = c.get("principal");
      return c.json({
        name: p.name,
        kind: p.kind,
        role: p.role,
        actor: p.actor,
        ...(p.csrf ? { csrf_token: p.csrf } : {}),
      }, 200);
    },
  );

  // ------------------------------------------------------------------ tokens

  app.openapi(
    secured("admin", {
      method: "get",
      path: "/api/v1/tokens",
      tags: ["auth"],
      summary: "List API tokens (never their secrets)",
      responses: { 200: json(z.array(TokenInfoSchema), "Tokens, newest first") },
    }),
    (c) => c.json(deps.auth.listTokens(), 200),
  );

  app.openapi(
    secured("admin", {
      method: "post",
      path: "/api/v1/tokens",
      tags: ["auth"],
      summary: "Create an API token; the secret is in this response only",
      request: {
        body: { content: { "application/json": { schema: TokenCreateSchema } }, required: true },
      },
      responses: {
        201: json(TokenCreatedSchema, "Created"),
        400: problemContent("Malformed request"),
        422: problemContent("Invalid name"),
      },
    }),
    (c) => {
      const b = c.req.valid("json");
      const out = deps.auth.createToken({
        name: b.name,
        role: b.role,
        expiresInDays: b.expires_in_days,
      });
      c.header("cache-control", "no-store");
      return c.json(out, 201);
    },
  );

  app.openapi(
    secured("admin", {
      method: "delete",
      path: "/api/v1/tokens/{id}",
      tags: ["auth"],
      summary: "Revoke an API token",
      request: { params: IdParam },
      responses: { 204: { description: "Revoked" }, 404: problemContent("No such token") },
    }),
    (c) => {
      deps.auth.revokeToken(c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  // ------------------------------------------------------------------ users

  app.openapi(
    secured("admin", {
      method: "get",
      path: "/api/v1/users",
      tags: ["auth"],
      summary: "List users that can log in",
      responses: { 200: json(z.array(UserInfoSchema), "Users") },
    }),
    (c) => c.json(deps.auth.listUsers(), 200),
  );

  app.openapi(
    secured("admin", {
      method: "post",
      path: "/api/v1/users",
      tags: ["auth"],
      summary: "Create a user, or replace its password and role",
      request: {
        body: { content: { "application/json": { schema: UserCreateSchema } }, required: true },
      },
      responses: {
        201: json(UserInfoSchema, "Created or replaced"),
        400: problemContent("Malformed request"),
        422: problemContent("Invalid user name"),
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      return c.json(await deps.auth.setUser(b.username, b.password, b.role), 201);
    },
  );

  app.openapi(
    secured("admin", {
      method: "delete",
      path: "/api/v1/users/{username}",
      tags: ["auth"],
      summary: "Remove a user and end its sessions",
      request: { params: UsernameParam },
      responses: { 204: { description: "Removed" }, 404: problemContent("No such user") },
    }),
    (c) => {
      deps.auth.removeUser(c.req.valid("param").username);
      return c.body(null, 204);
    },
  );
}
