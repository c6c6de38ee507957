/**
 * `vessel serve`: the REST API (OpenAPI 3.1 at /api/openapi.json, docs at /api/docs), plus
 * `vessel serve token …` and `vessel serve user …` to manage who may call it.
 *
 * Examples:
 *   vessel serve token create --name ci --role operator      # prints the token once
 *   vessel serve --chassis sim://                           # https://127.0.0.1:8443
 *   VESSEL_API_ADMIN_PASSWORD=… vessel serve --chassis endpoints:/tmp/sim.json --port 9443
 *   vessel serve --chassis sim:// --no-tls --port 8080     # loopback only
 *
 * Light at import time: the server, the SDK and the store load inside the actions.
 */
import { Command, Option } from "@commander-js/extra-typings";
import { type Globals, resolveGlobals } from "./global.ts";

const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));
const err = (s: string) => Deno.stderr.writeSync(new TextEncoder().encode(s));

/** Options of the server action. */
export interface ServeRunOptions {
  listen: string;
  port: number;
  tls: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsDir?: string;
  cacheTtl: number;
  /** `node` (default, TCP_NODELAY) or `deno` (Deno.serve cert/key). */
  tlsEngine?: "node" | "deno";
}

async function authStore(g: Globals) {
  const { openStore } = await import("../store/db.ts");
  const { AuthService } = await import("../api/auth.ts");
  const store = openStore(g.statePath);
  return { store, auth: new AuthService(store) };
}

/** Run `fn` with the API's users and tokens (in the `--state` store), closing the store after. */
async function withAuth<T>(
  g: Globals,
  fn: (auth: Awaited<ReturnType<typeof authStore>>["auth"]) => Promise<T> | T,
): Promise<T> {
  const { store, auth } = await authStore(g);
  try {
    return await fn(auth);
  } finally {
    store.close();
  }
}

/** Run the server until Ctrl-C (or `signal`). */
export async function runServe(
  g: Globals,
  o: ServeRunOptions,
  signal?: AbortSignal,
): Promise<void> {
  const { UsageError } = await import("../errors.ts");
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together", {
      hint: "Pass both, or neither to use a generated certificate",
    });
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
    throw new UsageError(`Invalid --port ${o.port}`, { hint: "Use 0-65535 (0 = any free port)" });
  }
  const { withChassis, commandAbort } = await import("./connect.ts");
  const { openStore } = await import("../store/db.ts");
  const { createApi } = await import("../api/app.ts");
  const { startApiServer, isLoopback } = await import("../api/server.ts");
  const tlsMod = await import("../api/tls.ts");
  const { dirname } = await import("node:path");
  const stop = signal ?? commandAbort.signal;

  // Users, tokens and sessions always live in the --state store (also for sim://, whose
  // chassis state is thrown away), so tokens made with `vessel serve token create` work.
  const { store: authDb } = await authStore(g);
  try {
    const adminPassword = Deno.env.get("VESSEL_API_ADMIN_PASSWORD");
    if (adminPassword) {
      const { AuthService } = await import("../api/auth.ts");
      const user = Deno.env.get("VESSEL_API_ADMIN_USER") ?? "admin";
      await new AuthService(authDb).setUser(user, adminPassword, "admin");
      err(`vessel serve: bootstrap admin user ${user} set from VESSEL_API_ADMIN_PASSWORD\n`);
    }
    let tls = null;
    if (o.tls) {
      tls = o.tlsCert ? tlsMod.readServerTls(o.tlsCert, o.tlsKey!) : tlsMod.loadOrCreateServerTls({
        dir: o.tlsDir ?? `${g.statePath === ":memory:" ? ".vessel" : dirname(g.statePath)}/tls`,
        names: isLoopback(o.listen) ? [] : [o.listen],
      });
    }
    await withChassis(g, async (s) => {
      const { registerSecret } = await import("../util/redact.ts");
      s.secrets.forEach(registerSecret);
      const store = s.statePath === g.statePath ? authDb : openStore(s.statePath);
      const api = createApi({
        store,
        authStore: authDb,
        chassis: s.chassis,
        workspace: s.workspace,
        snapshotsDir: s.snapshotsDir,
        cacheTtlMs: o.cacheTtl * 1000,
        secureCookies: tls !== null,
        log: (line) => err(`vessel serve: ${line}\n`),
      });
      const server = await startApiServer(api, {
        hostname: o.listen,
        port: o.port,
        tls,
        tlsEngine: o.tlsEngine,
      });
      const caFile = tls?.source !== "given" && tls
        ? `${
          o.tlsDir ?? `${g.statePath === ":memory:" ? ".vessel" : dirname(g.statePath)}/tls`
        }/api-ca.pem`
        : undefined;
      if (g.output === "json") {
        out(
          JSON.stringify({
            url: server.url,
            docs: `${server.url}/api/docs`,
            openapi: `${server.url}/api/openapi.json`,
            tls: tls ? { fingerprint: tls.fingerprint, ca_file: caFile ?? null } : null,
          }) + "\n",
        );
      } else {
        out(`Vessel API listening on ${server.url} (docs: ${server.url}/api/docs)\n`);
        if (tls) {
          out(`TLS certificate SHA-256 ${tls.fingerprint}\n`);
          if (caFile) out(`Trust the generated CA: ${caFile}\n`);
        }
        if (!adminPassword && authDbEmpty(authDb)) {
          out(
            "No users or tokens yet: create one with `vessel serve token create --name NAME --role admin`\n",
          );
        }
      }
      try {
        await new Promise<void>((resolve) => {
          if (stop.aborted) return resolve();
          stop.addEventListener("abort", () => resolve(), { once: true });
          server.finished.then(() => resolve());
        });
      } finally {
        await server.close();
        if (store !== authDb) store.close();
      }
    });
  } finally {
    authDb.close();
  }
}

// deno-lint-ignore no-explicit-any
function authDbEmpty(store: any): boolean {
  const n = (t: string) =>
    Number((store.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n);
  return n("api_users") === 0 && n("api_tokens") === 0;
}

function tokenCommand() {
  const token = new Command("token").description("manage API tokens (stored hashed)");
  token.command("create")
    .description("create a token and print it (the only time it is shown)")
    .requiredOption("--name <name>", "what the token is for, e.g. ci")
    .addOption(
      new Option("--role <role>", "viewer, operator or admin").choices([
        "viewer",
        "operator",
        "admin",
      ])
        .default("viewer"),
    )
    .option("--expires-days <n>", "lifetime in days (default: none)")
    .action(async (opts, cmd) => {
      const g = resolveGlobals(cmd.optsWithGlobals());
      await withAuth(g, (auth) => {
        const r = auth.createToken({
          name: opts.name,
          role: opts.role,
          expiresInDays: opts.expiresDays ? Number(opts.expiresDays) : undefined,
        });
        if (g.output === "json") out(JSON.stringify(r) + "\n");
        else {
          out(`${r.token}\n`);
          err(
            `Token ${r.info.id} (${r.info.name}, ${r.info.role}) created; it is not shown again. Use it as: Authorization: Bearer <token>\n`,
          );
        }
      });
    });
  token.command("list")
    .description("list tokens (never their secrets)")
    .action(async (_opts, cmd) => {
      const g = resolveGlobals(cmd.optsWithGlobals());
      await withAuth(g, (auth) => {
        const list = auth.listTokens();
        if (g.output === "json") out(JSON.stringify(list) + "\n");
        else {
          for (const t of list) {
            out(
              `${t.id}  ${t.name.padEnd(20)} ${
                t.role.padEnd(8)
              } created ${t.created_at}  last used ${t.last_used_at ?? "never"}${
                t.expires_at ? `  expires ${t.expires_at}` : ""
              }\n`,
            );
          }
          if (!list.length) out("No tokens\n");
        }
      });
    });
  token.command("revoke")
    .description("revoke a token by id")
    .argument("<id>", "token id from `vessel serve token list`")
    .action(async (id, _opts, cmd) => {
      const g = resolveGlobals(cmd.optsWithGlobals());
      await withAuth(g, (auth) => {
        auth.revokeToken(id);
        err(`Token ${id} revoked\n`);
      });
    });
  return token;
}

function userCommand() {
  const user = new Command("user").description("manage users that log in with a password");
  user.command("add")
    .description(
      "create a user or replace its password and role (password from VESSEL_API_PASSWORD or stdin)",
    )
    .argument("<name>", "user name")
    .addOption(
      new Option("--role <role>", "viewer, operator or admin").choices([
        "viewer",
        "operator",
        "admin",
      ])
        .default("viewer"),
    )
    .action(async (name, opts, cmd) => {
      const g = resolveGlobals(cmd.optsWithGlobals());
      let password = Deno.env.get("VESSEL_API_PASSWORD");
      if (!password) {
        const { UsageError } = await import("../errors.ts");
        if (Deno.stdin.isTerminal()) {
          password = prompt(`Password for ${name}:`) ?? "";
        } else {
          password = (await new Response(Deno.stdin.readable).text()).split("\n")[0];
        }
        if (!password) {
          throw new UsageError(`No password given for user ${name}`, {
            hint: "Set VESSEL_API_PASSWORD or pipe the password on stdin",
          });
        }
      }
      await withAuth(g, async (auth) => {
        const u = await auth.setUser(name, password, opts.role);
        err(`User ${u.username} (${u.role}) saved\n`);
      });
    });
  user.command("list")
    .description("list users")
    .action(async (_opts, cmd) => {
      const g = resolveGlobals(cmd.optsWithGlobals());
      await withAuth(g, (auth) => {
        const list = auth.listUsers();
        if (g.output === "json") out(JSON.stringify(list) + "\n");
        else for (const u of list) out(`${u.username.padEnd(20)} ${u.role}\n`);
      });
    });
  user.command("remove")
    .description("remove a user and end its sessions")
    .argument("<name>", "user name")
    .action(async (name, _opts, cmd) => {
      const g = resolveGlobals(cmd.optsWithGlobals());
      await withAuth(g, (auth) => {
        auth.removeUser(name);
        err(`User ${name} removed\n`);
      });
    });
  return user;
}

/** `vessel serve`. */
export function serveCommand() {
  const cmd = new Command("serve")
    .description("serve the REST API (OpenAPI 3.1, tokens, sessions, jobs with progress events)")
    .option("--listen <address>", "address to bind (plain HTTP only on loopback)", "127.0.0.1")
    .option("--port <n>", "port (0 = any free port)", "8443")
    .option("--no-tls", "serve plain HTTP (loopback addresses only)")
    .option("--tls-cert <file>", "PEM certificate (chain) to serve; default: a generated one")
    .option("--tls-key <file>", "PEM private key of --tls-cert")
    .option("--tls-dir <dir>", "where the generated certificate is kept (default: beside --state)")
    .addOption(
      new Option("--tls-engine <engine>", "TLS server: node (TCP_NODELAY) or deno (Deno.serve)")
        .choices(["node", "deno"] as const).default("node" as const),
    )
    .option("--cache-ttl <seconds>", "how long device reads are cached", "5")
    .addHelpText(
      "after",
      `
Examples:
  vessel serve token create --name ci --role operator
  vessel serve --chassis sim://
  curl --cacert .vessel/tls/api-ca.pem -H "Authorization: Bearer $TOKEN" https://127.0.0.1:8443/api/v1/switches/swi2/vlans

Environment:
  VESSEL_API_ADMIN_PASSWORD  create/replace the admin user (VESSEL_API_ADMIN_USER, default admin) at start
`,
    )
    .action(async (opts, c) => {
      const g = resolveGlobals(c.optsWithGlobals());
      await runServe(g, {
        listen: opts.listen,
        port: Number(opts.port),
        tls: opts.tls !== false,
        tlsCert: opts.tlsCert,
        tlsKey: opts.tlsKey,
        tlsDir: opts.tlsDir,
        cacheTtl: Number(opts.cacheTtl),
        tlsEngine: opts.tlsEngine,
      });
    });
  cmd.addCommand(tokenCommand());
  cmd.addCommand(userCommand());
  return cmd;
}
