/**
 * The simulator's admin HTTP API, bound to loopback:
 *
 * - `GET /admin/endpoints` the endpoints document
 * - `GET /admin/faults`, `PUT /admin/faults` (one fault or a list; answers the stored faults),
 *   `DELETE /admin/faults[?id=&device=&iface=&name=]`, `DELETE /admin/faults/:id`
 * - `GET /admin/state` (persisted namespaces, switches summary),
 *   `GET /admin/state/switches/:name` (running/saved text, VLANs, commits, trial, reachability),
 *   `POST /admin/state/switches/:name/revert` (saved config becomes running),
 *   `POST /admin/state/switches/:name/rollback` `{ "commitId": "1000000001" }`,
 *   `POST /admin/state/switches/:name/abort-trial`, `GET /admin/state/<namespace>` (raw document)
 * - `POST /admin/reset` wipe all state (faults, switch configs, module state)
 * - replay mode (`vessel sim --replay DIR`): `GET /admin/replay` (files, devices, counters),
 *   `GET /admin/replay/misses` (requests without a recorded answer), `DELETE /admin/replay/misses`
 *
 * @module
 */
import { Hono } from "hono";
import type { EndpointsDocument, FaultInput, FaultRegistry } from "./context.ts";
import type { SwitchDevice } from "./vrp/device.ts";
import type { Persistence } from "./state.ts";
import type { ReplayMiss, ReplayStats } from "./replay/mod.ts";

/** What the admin API needs. */
export interface AdminDeps {
  endpoints(): EndpointsDocument;
  faults: FaultRegistry;
  devices: Map<string, SwitchDevice>;
  persistence: Persistence;
  reset(): Promise<void>;
  /** Replay mode: misses and counters. */
  replay?: { misses(): ReplayMiss[]; stats(): ReplayStats; clearMisses(): void };
}

function switchSummary(d: SwitchDevice) {
  return {
    name: d.name,
    mode: d.mode,
    reachable: d.mgmtUp(),
    vlans: d.vlans(),
    trial: d.trial ?? null,
    commits: d.commits.map((c) => ({ id: c.id, label: c.label, user: c.user, time: c.time })),
    running: d.runningText(),
    saved: d.savedText() ?? null,
  };
}

/** Build the admin Hono app. */
export function adminApp(deps: AdminDeps): Hono {
  const app = new Hono();
  const bad = (message: string, status: 400 | 404 = 400) =>
    new Response(JSON.stringify({ error: message }), {
      status,
      headers: { "content-type": "application/json" },
    });
  app.get("/admin/endpoints", (c) => c.json(deps.endpoints()));
  app.get("/admin/faults", (c) => c.json(deps.faults.list()));
  app.put("/admin/faults", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return bad("Body must be JSON: a fault object or a list of them");
    }
    const list = (Array.isArray(body) ? body : [body]) as FaultInput[];
    const created = [];
    try {
      for (const f of list) created.push(deps.faults.set(f));
    } catch (e) {
      return bad((e as Error).message);
    }
    return c.json(created);
  });
  app.delete(
    "/admin/faults/:id",
    (c) => c.json({ removed: deps.faults.clear({ id: c.req.param("id") }) }),
  );
  app.delete("/admin/faults", (c) => {
    const q = c.req.query();
    const filter = {
      id: q.id,
      device: q.device,
      iface: q.iface as FaultInput["iface"],
      name: q.name,
    };
    const any = Object.values(filter).some((v) => v !== undefined);
    return c.json({ removed: deps.faults.clear(any ? filter : undefined) });
  });
  app.get("/admin/state", (c) =>
    c.json({
      namespaces: deps.persistence.namespaces(),
      switches: Object.fromEntries(
        [...deps.devices.values()].map((d) => [d.name, { mode: d.mode, reachable: d.mgmtUp() }]),
      ),
    }));
  const dev = (name: string) => deps.devices.get(name.toLowerCase());
  app.get("/admin/state/switches/:name", (c) => {
    const d = dev(c.req.param("name"));
    return d ? c.json(switchSummary(d)) : bad(`No switch ${c.req.param("name")}`, 404);
  });
  app.post("/admin/state/switches/:name/revert", (c) => {
    const d = dev(c.req.param("name"));
    if (!d) return bad(`No switch ${c.req.param("name")}`, 404);
    d.revertToSaved();
    return c.json(switchSummary(d));
  });
  app.post("/admin/state/switches/:name/abort-trial", (c) => {
    const d = dev(c.req.param("name"));
    if (!d) return bad(`No switch ${c.req.param("name")}`, 404);
    return c.json({ aborted: d.abortTrial("admin") });
  });
  app.post("/admin/state/switches/:name/rollback", async (c) => {
    const d = dev(c.req.param("name"));
    if (!d) return bad(`No switch ${c.req.param("name")}`, 404);
    const body = await c.req.json().catch(() => ({})) as { commitId?: string };
    if (!body.commitId) return bad(`Body must be {"commitId": "<id>"}`);
    try {
      d.rollbackTo(String(body.commitId), "admin");
    } catch (e) {
      return bad((e as Error).message);
    }
    return c.json(switchSummary(d));
  });
  app.get("/admin/state/*", (c) => {
    const ns = c.req.path.slice("/admin/state/".length);
    let doc: unknown;
    try {
      doc = deps.persistence.read(ns);
    } catch (e) {
      return bad((e as Error).message);
    }
    return doc === undefined ? bad(`No state document ${ns}`, 404) : c.json(doc);
  });
  app.post("/admin/reset", async (c) => {
    await deps.reset();
    return c.json({ reset: true });
  });
  const noReplay = () =>
    bad("The simulator is not replaying a recording; start it with vessel sim --replay DIR", 404);
  app.get("/admin/replay", (c) => deps.replay ? c.json(deps.replay.stats()) : noReplay());
  app.get("/admin/replay/misses", (c) => deps.replay ? c.json(deps.replay.misses()) : noReplay());
  app.delete("/admin/replay/misses", (c) => {
    if (!deps.replay) return noReplay();
    const removed = deps.replay.misses().length;
    deps.replay.clearMisses();
    return c.json({ removed });
  });
  app.notFound((c) => c.json({ error: `No admin route ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
