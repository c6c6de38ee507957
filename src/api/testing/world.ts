/**
 * Test fixture of the REST API: a simulator (switches only, fast), an open chassis, an in-memory
 * store, the API app, and one token per role. Tests only; never imported by src/api itself.
 *
 * @example
 * const w = await startWorld();
 * const res = await w.request("GET", "/api/v1/switches", { token: w.tokens.viewer });
 * await w.close();
 */
import { type SimOptions, type Simulator, startSimulator } from "../../sim/mod.ts";
import { type Chassis, openChassis } from "../../chassis/chassis.ts";
import { openStore, type Store } from "../../store/db.ts";
import { type Api, createApi, type CreateApiOptions } from "../app.ts";
import type { Role } from "../auth.ts";

/** Everything a test needs. */
export interface World {
  sim: Simulator;
  chassis: Chassis;
  store: Store;
  api: Api;
  snapshotsDir: string;
  tokens: Record<Role, string>;
  /** In-process request with an optional bearer token, cookie, CSRF header and JSON body. */
  request(
    method: string,
    path: string,
    opts?: {
      token?: string;
      cookie?: string;
      csrf?: string;
      body?: unknown;
      headers?: Record<string, string>;
    },
  ): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Start the fixture. The simulator runs switches only unless `sim.hmm` is true (HMM, iBMC
 * Redfish and shells: blade, inventory, alarm and firmware routes need them).
 */
export async function startWorld(
  over: Partial<CreateApiOptions> = {},
  sim_: SimOptions = { hmm: false },
): Promise<World> {
  const sim = await startSimulator(sim_);
  const creds = (sim.endpoints as { credentials: { username: string; password: string } })
    .credentials;
  const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
  const store = openStore(":memory:");
  const snapshotsDir = await Deno.makeTempDir({ prefix: "vessel-api-test-" });
  const api = createApi({
    store,
    chassis,
    workspace: "sim://",
    snapshotsDir,
    auth: { scryptN: 1024 },
    ...over,
  });
  const tokens = {} as Record<Role, string>;
  for (const role of ["viewer", "operator", "admin"] as const) {
    tokens[role] = api.deps.auth.createToken({ name: `t-${role}`, role }).token;
  }
  return {
    sim,
    chassis,
    store,
    api,
    snapshotsDir,
    tokens,
    request(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      if (o.cookie) headers.cookie = o.cookie;
      if (o.csrf) headers["x-csrf-token"] = o.csrf;
      let body: string | undefined;
      if (o.body !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(o.body);
      }
      return Promise.resolve(api.app.request(path, { method, headers, body }));
    },
    async close() {
      await api.close();
      await chassis.close();
      store.close();
      await sim.close();
      await Deno.remove(snapshotsDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Read a server-sent-event stream to its end; returns the parsed events. */
export async function readSse(
  res: Response,
): Promise<{ id?: string; event?: string; data: unknown }[]> {
  const text = await res.text();
  const out: { id?: string; event?: string; data: unknown }[] = [];
  for (const block of text.split("\n\n")) {
    if (!block.trim()) continue;
    const ev: { id?: string; event?: string; data: unknown } = { data: undefined };
    const data: string[] = [];
    for (const line of block.split("\n")) {
      const i = line.indexOf(":");
      const k = line.slice(0, i);
      const v = line.slice(i + 1).replace(/^ /, "");
      if (k === "id") ev.id = v;
      else if (k === "event") ev.event = v;
      else if (k === "data") data.push(v);
    }
    ev.data = JSON.parse(data.join("\n"));
    out.push(ev);
  }
  return out;
}
