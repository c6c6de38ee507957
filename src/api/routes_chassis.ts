/**
 * The chassis, its switch modules and their VLANs. Reads are cached briefly (see
 * {@link ReadCache}); every write is a job that runs through the change envelope and the
 * `vessel_vlan` resource, exactly like `vessel apply` would.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { SWITCH_NAMES } from "../chassis/endpoints.ts";
import { validateVlanSpec, VlanSchema, type VlanSpec } from "../chassis/switch.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { vlanAdd, vlanRemove } from "../ops/net/vlan.ts";
import type { EnvelopeContext } from "../ops/envelope.ts";
import type { ProgressFn } from "./jobs.ts";
import { VlanModel } from "../resources/vlan/mod.ts";
import { acceptJob, netContext } from "./change.ts";
import type { ApiApp, ApiDeps, ApiEnv } from "./context.ts";
import { secured } from "./context.ts";
import type { CacheEntry } from "./cache.ts";
import { problemContent } from "./problem.ts";
import { JobAcceptedSchema } from "./schemas.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const SwitchParam = z.object({
  switch: z.enum(SWITCH_NAMES).openapi({
    param: { name: "switch", in: "path" },
    description: "Switch module slot",
  }),
});
const VlanParams = SwitchParam.extend({
  vlan_id: z.coerce.number().int().min(1).max(4094).openapi({
    param: { name: "vlan_id", in: "path" },
    description: "VLAN id, 1-4094",
  }),
});
const RefreshQuery = z.object({
  refresh: z.enum(["true", "false"]).optional().openapi({
    param: { name: "refresh", in: "query" },
    description: "true: read the device now instead of the cache",
  }),
});

const ChassisSchema = z.object({
  model: z.string().nullable().describe("Chassis model, e.g. E9000"),
  serial: z.string().nullable().describe("Chassis serial number"),
  kind: z.string().describe("vessel-sim-endpoints (simulator) or vessel-endpoints (real chassis)"),
  switches: z.array(z.string()).describe("Switch module slots present"),
  blades: z.array(z.number().int()).describe("Blade slots with an iBMC endpoint"),
  workspace: z.string().describe("State workspace key of this chassis"),
}).openapi("Chassis");

const SwitchSchema = z.object({
  name: z.enum(SWITCH_NAMES),
  via: z.enum(["direct", "hmm"]).describe("How the switch CLI is reached"),
}).openapi("Switch");

// SDK schemas may predate the zod-openapi extension: name them with `.meta({ id })`.
const VlanOut = VlanSchema.meta({ id: "Vlan" });

const VlanCreateSchema = VlanModel.omit({ switch: true }).meta({ id: "VlanCreateRequest" });
const VlanUpdateSchema = z.strictObject({
  name: z.string().nullable().optional().describe("New name; null or empty clears it"),
  description: z.string().nullable().optional().describe(
    "New description; null or empty clears it",
  ),
}).openapi("VlanUpdateRequest");

/** Headers of cached reads, for the spec. */
export const CACHE_HEADERS = {
  ETag: {
    description: "Entity tag of the body; send it in If-None-Match",
    schema: { type: "string" },
  },
  "X-Cache": {
    description: "hit: served from the read cache; miss: read from the device",
    schema: { type: "string" },
  },
  Age: { description: "Seconds since the device was read", schema: { type: "integer" } },
} as const;

/** Answer from a cache entry, honouring If-None-Match. */
export function cached(c: Context<ApiEnv>, e: CacheEntry): Response {
  const headers = {
    etag: e.etag,
    "x-cache": e.status,
    age: String(Math.max(0, Math.floor((Date.now() - e.readAt) / 1000))),
    "cache-control": "private, no-cache",
  };
  const inm = c.req.header("if-none-match");
  if (inm && inm.split(/\s*,\s*/).includes(e.etag)) return c.body(null, 304, headers);
  return c.body(e.body, 200, { ...headers, "content-type": "application/json" });
}

/** Check a VLAN request with the SDK's rules and report the API field name. */
function validateSpec(spec: VlanSpec, operation: "create" | "update" | "delete"): void {
  try {
    validateVlanSpec(spec, { operation });
  } catch (e) {
    if (e instanceof ValidationError) {
      const f = e.field === "id" ? "vlan_id" : e.field;
      throw new ValidationError(e.message, {
        field: operation === "delete" ? `path.${f}` : `body.${f}`,
        hint: e.hint,
      });
    }
    throw e;
  }
}

function missingVlan(name: string, id: number): NotFoundError {
  return new NotFoundError(`VLAN ${id} does not exist on ${name}`, {
    hint: `List VLANs with GET /api/v1/switches/${name}/vlans`,
  });
}

/** Register chassis, switch and VLAN routes. */
export function chassisRoutes(app: ApiApp, deps: ApiDeps): void {
  const net = (envelope: EnvelopeContext, progress: ProgressFn, actor: string) =>
    netContext(deps, envelope, progress, actor);
  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/chassis",
      tags: ["chassis"],
      summary: "The managed chassis: identity and modules present",
      responses: { 200: json(ChassisSchema, "The chassis") },
    }),
    (c) => {
      const ep = deps.chassis.endpoints;
      return c.json({
        model: (ep.chassis?.model as string | undefined) ?? null,
        serial: (ep.chassis?.serial as string | undefined) ?? null,
        kind: ep.kind,
        switches: Object.keys(ep.switches).sort(),
        blades: Object.keys(ep.ibmc).map(Number).sort((a, b) => a - b),
        workspace: deps.workspace,
      }, 200);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/switches",
      tags: ["switches"],
      summary: "Switch modules present in the chassis",
      responses: { 200: json(z.array(SwitchSchema), "Switch modules") },
    }),
    (c) => {
      const sw = deps.chassis.endpoints.switches;
      return c.json(
        Object.keys(sw).sort().map((name) => ({
          name: name as typeof SWITCH_NAMES[number],
          via: (sw[name].via ?? "direct") as "direct" | "hmm",
        })),
        200,
      );
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/switches/{switch}/vlans",
      tags: ["switches"],
      summary: "VLANs of a switch module (cached read)",
      request: { params: SwitchParam, query: RefreshQuery },
      responses: {
        200: { ...json(z.array(VlanOut), "VLANs, by id"), headers: CACHE_HEADERS },
        304: { description: "Not modified (If-None-Match matched)" },
        404: problemContent("Switch not present"),
        502: problemContent("The switch could not be read"),
      },
    }),
    async (c) => {
      const { switch: name } = c.req.valid("param");
      const refresh = c.req.valid("query").refresh === "true";
      const e = await deps.cache.get(
        `switch:${name}/vlans`,
        () => deps.chassis.switch(name).listVlans(),
        refresh,
      );
      return cached(c, e);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/switches/{switch}/vlans/{vlan_id}",
      tags: ["switches"],
      summary: "One VLAN of a switch module (cached read)",
      request: { params: VlanParams, query: RefreshQuery },
      responses: {
        200: { ...json(VlanOut, "The VLAN"), headers: CACHE_HEADERS },
        304: { description: "Not modified (If-None-Match matched)" },
        404: problemContent("No such switch or VLAN"),
        502: problemContent("The switch could not be read"),
      },
    }),
    async (c) => {
      const { switch: name, vlan_id } = c.req.valid("param");
      const refresh = c.req.valid("query").refresh === "true";
      const e = await deps.cache.get(`switch:${name}/vlan/${vlan_id}`, async () => {
        const v = await deps.chassis.switch(name).getVlan(vlan_id);
        if (!v) throw missingVlan(name, vlan_id);
        return v;
      }, refresh);
      return cached(c, e);
    },
  );

  const VlanResultSchema = z.object({
    switch: z.string(),
    id: z.number().int(),
    result: z.enum(["created", "updated", "unchanged", "removed", "already absent"]),
    name: z.string().optional(),
    description: z.string().optional(),
    snapshotId: z.string().optional().describe("Snapshot taken (or reused) before the change"),
    vlan: VlanOut.nullable().optional().describe("The VLAN as read back"),
  }).openapi("VlanOperationResult");
  // The `result` of VLAN jobs (documented as a component; jobs carry it as `result`).
  app.openAPIRegistry.register("VlanOperationResult", VlanResultSchema);

  app.openapi(
    secured("operator", {
      method: "post",
      path: "/api/v1/switches/{switch}/vlans",
      tags: ["switches"],
      summary:
        "Create a VLAN, or set its name/description (job: lock, snapshot, audit, apply, verify)",
      description: "The same use case as `vessel net vlan add`: idempotent; the job result says " +
        "created, updated or unchanged (nothing sent, nothing audited).",
      request: {
        params: SwitchParam,
        body: { content: { "application/json": { schema: VlanCreateSchema } }, required: true },
      },
      responses: {
        202: json(JobAcceptedSchema, "Accepted; follow the job at Location"),
        400: problemContent("Malformed request"),
        404: problemContent("Switch not present"),
        422: problemContent("A field breaks a VRP rule (the problem names it)"),
      },
    }),
    (c) => {
      const { switch: name } = c.req.valid("param");
      const body = c.req.valid("json");
      validateSpec({ id: body.vlan_id, name: body.name, description: body.description }, "create");
      const sw = deps.chassis.switch(name); // unknown or absent switch: 404 now, not in the job
      const actor = c.get("principal").actor;
      const { body: out } = acceptJob(c, deps, {
        kind: "vlan.add",
        target: `switch:${name}`,
        parameters: { ...body },
        scopes: [`switch:${name}`],
      }, async (progress, envelope) => {
        const r = await vlanAdd(net(envelope, progress, actor), name, {
          id: body.vlan_id,
          name: body.name,
          description: body.description,
          actor,
        });
        progress(`VLAN ${body.vlan_id} ${r.result}`);
        return { ...r, vlan: (await sw.getVlan(body.vlan_id)) ?? null };
      });
      return c.json(out, 202);
    },
  );

  app.openapi(
    secured("operator", {
      method: "patch",
      path: "/api/v1/switches/{switch}/vlans/{vlan_id}",
      tags: ["switches"],
      summary: "Change a VLAN's name or description (job; fails with 404 when it does not exist)",
      request: {
        params: VlanParams,
        body: { content: { "application/json": { schema: VlanUpdateSchema } }, required: true },
      },
      responses: {
        202: json(JobAcceptedSchema, "Accepted; follow the job at Location"),
        400: problemContent("Malformed request"),
        404: problemContent("Switch not present"),
        422: problemContent("A field breaks a VRP rule (the problem names it)"),
      },
    }),
    (c) => {
      const { switch: name, vlan_id } = c.req.valid("param");
      const body = c.req.valid("json");
      validateSpec({ id: vlan_id, ...body }, "update");
      const sw = deps.chassis.switch(name);
      const actor = c.get("principal").actor;
      const { body: out } = acceptJob(c, deps, {
        kind: "vlan.update",
        target: `switch:${name}`,
        parameters: { vlan_id, ...body },
        scopes: [`switch:${name}`],
      }, async (progress, envelope) => {
        // Checked before the envelope: a missing VLAN is a 404, not a failed change.
        if (!(await sw.getVlan(vlan_id))) throw missingVlan(name, vlan_id);
        const r = await vlanAdd(net(envelope, progress, actor), name, {
          id: vlan_id,
          ...(body.name !== undefined ? { name: body.name ?? "" } : {}),
          ...(body.description !== undefined ? { description: body.description ?? "" } : {}),
          actor,
        });
        progress(`VLAN ${vlan_id} ${r.result}`);
        return { ...r, vlan: (await sw.getVlan(vlan_id)) ?? null };
      });
      return c.json(out, 202);
    },
  );

  app.openapi(
    secured("operator", {
      method: "delete",
      path: "/api/v1/switches/{switch}/vlans/{vlan_id}",
      tags: ["switches"],
      summary: "Delete a VLAN (job; result `already absent` when there is nothing to delete)",
      request: { params: VlanParams },
      responses: {
        202: json(JobAcceptedSchema, "Accepted; follow the job at Location"),
        404: problemContent("Switch not present"),
        422: problemContent("VLAN 1 cannot be deleted"),
      },
    }),
    (c) => {
      const { switch: name, vlan_id } = c.req.valid("param");
      validateSpec({ id: vlan_id }, "delete");
      deps.chassis.switch(name); // NotFoundError (404) for a switch that is not present
      const actor = c.get("principal").actor;
      const { body: out } = acceptJob(c, deps, {
        kind: "vlan.remove",
        target: `switch:${name}`,
        parameters: { vlan_id },
        scopes: [`switch:${name}`],
      }, async (progress, envelope) => {
        const r = await vlanRemove(net(envelope, progress, actor), name, { id: vlan_id });
        progress(`VLAN ${vlan_id} ${r.result}`);
        return r;
      });
      return c.json(out, 202);
    },
  );
}
