/**
 * Switch ports and LAGs (Eth-Trunks): the same operations as `vessel net port set` and
 * `vessel net lag list|create|delete`, each write a job under the switch watchdog inside the
 * change envelope.
 */
import { z } from "@hono/zod-openapi";
import { SWITCH_NAMES } from "../chassis/endpoints.ts";
import { PortSchema, switchPorts } from "../chassis/switch_ports.ts";
import { checkPortSpec, lagCreate, lagDelete, lagList, portSet } from "../ops/net/port.ts";
import { lagId, portName } from "../ops/net/cli_text.ts";
import { acceptJob, netContext } from "./change.ts";
import { CACHE_HEADERS, cached } from "./routes_chassis.ts";
import { type ApiApp, type ApiDeps, secured } from "./context.ts";
import { problemContent } from "./problem.ts";
import { JobAcceptedSchema } from "./schemas.ts";
import { ValidationError } from "../errors.ts";

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
const LagParams = SwitchParam.extend({
  // A string: a coerced number would accept null (Number(null) is 0) and the spec would call
  // the path parameter optional.
  lag_id: z.string().regex(/^(0|[1-9]\d{0,2})$/, "must be an Eth-Trunk number").openapi({
    param: { name: "lag_id", in: "path" },
    description: "Eth-Trunk number",
  }),
});

const PortSetSchema = z.strictObject({
  port: z.string().min(1).max(40).describe("Interface as the switch names it, e.g. 10GE2/17/1"),
  mode: z.enum(["access", "trunk", "hybrid"]).describe("Link type"),
  pvid: z.number().int().min(1).max(4094).optional().describe(
    "access: default VLAN; trunk/hybrid: PVID",
  ),
  allow: z.array(z.number().int().min(1).max(4094)).max(4094).optional().describe(
    "trunk: allowed VLANs (replaces the list); hybrid: tagged VLANs",
  ),
  description: z.string().max(242).optional().describe("Interface description"),
}).openapi("PortSetRequest");

// SDK schemas predate the zod-openapi extension: name them with `.meta({ id })`.
const Port = PortSchema.meta({ id: "Port" });

const LagSchema = z.object({
  switch: z.string(),
  id: z.number().int(),
  lacp: z.boolean().describe("true: mode lacp-static; false: manual load balance"),
  members: z.array(z.string()),
  description: z.string().optional(),
}).openapi("Lag");

const LagCreateSchema = z.strictObject({
  id: z.number().int().min(0).max(511).describe("Eth-Trunk number"),
  members: z.array(z.string().min(1).max(40)).min(1).max(32).describe("Member interfaces"),
  lacp: z.boolean().optional().describe("mode lacp-static (default false)"),
  description: z.string().max(242).optional(),
}).openapi("LagCreateRequest");

/** Turn the ops layer's field names into the API's (`body.<field>`). */
function asBodyField<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ValidationError) {
      throw new ValidationError(e.message, { field: `body.${e.field ?? ""}`, hint: e.hint });
    }
    throw e;
  }
}

/** Register port and LAG routes. */
export function netRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/switches/{switch}/ports",
      tags: ["switches"],
      summary: "Ports of a switch module: link type, PVID, VLANs, state, LAG (cached read)",
      request: {
        params: SwitchParam,
        query: z.object({
          refresh: z.enum(["true", "false"]).optional().openapi({
            param: { name: "refresh", in: "query" },
            description: "true: read the device now instead of the cache",
          }),
        }),
      },
      responses: {
        200: { ...json(z.array(Port), "Ports, as the switch lists them"), headers: CACHE_HEADERS },
        304: { description: "Not modified (If-None-Match matched)" },
        404: problemContent("Switch not present"),
        502: problemContent("The switch could not be read"),
      },
    }),
    async (c) => {
      const { switch: name } = c.req.valid("param");
      deps.chassis.switch(name);
      return cached(
        c,
        await deps.cache.get(
          `switch:${name}/ports`,
          () => switchPorts(deps.chassis, name).ports(),
          c.req.valid("query").refresh === "true",
        ),
      );
    },
  );

  app.openapi(
    secured("operator", {
      method: "post",
      path: "/api/v1/switches/{switch}/ports",
      tags: ["switches"],
      summary: "Set a port's link type, PVID, VLAN list and description (job, idempotent)",
      description: "The same use case as `vessel net port set`; the port is named in the body " +
        "because interface names contain slashes.",
      request: {
        params: SwitchParam,
        body: { content: { "application/json": { schema: PortSetSchema } }, required: true },
      },
      responses: {
        202: json(JobAcceptedSchema, "Accepted; follow the job at Location"),
        404: problemContent("Switch not present"),
        422: problemContent("A field breaks a VRP rule (the problem names it)"),
      },
    }),
    (c) => {
      const { switch: name } = c.req.valid("param");
      const spec = asBodyField(() => checkPortSpec(c.req.valid("json")));
      deps.chassis.switch(name);
      const actor = c.get("principal").actor;
      const { body } = acceptJob(c, deps, {
        kind: "port.set",
        target: `switch:${name}`,
        parameters: { ...spec },
        scopes: [`switch:${name}`],
      }, (progress, envelope) => portSet(netContext(deps, envelope, progress, actor), name, spec));
      return c.json(body, 202);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/switches/{switch}/lags",
      tags: ["switches"],
      summary: "LAGs (Eth-Trunks) of a switch module and their members (cached read)",
      request: { params: SwitchParam },
      responses: {
        200: { ...json(z.array(LagSchema), "LAGs, by id"), headers: CACHE_HEADERS },
        304: { description: "Not modified (If-None-Match matched)" },
        404: problemContent("Switch not present"),
        502: problemContent("The switch could not be read"),
      },
    }),
    async (c) => {
      const { switch: name } = c.req.valid("param");
      const e = await deps.cache.get(`switch:${name}/lags`, () => lagList(deps.chassis, name));
      return cached(c, e);
    },
  );

  app.openapi(
    secured("operator", {
      method: "post",
      path: "/api/v1/switches/{switch}/lags",
      tags: ["switches"],
      summary: "Create a LAG or bring its members and mode to the request (job, idempotent)",
      request: {
        params: SwitchParam,
        body: { content: { "application/json": { schema: LagCreateSchema } }, required: true },
      },
      responses: {
        202: json(JobAcceptedSchema, "Accepted; follow the job at Location"),
        404: problemContent("Switch not present"),
        422: problemContent("A field breaks a VRP rule (the problem names it)"),
      },
    }),
    (c) => {
      const { switch: name } = c.req.valid("param");
      const b = c.req.valid("json");
      asBodyField(() => {
        lagId(b.id, "id");
        b.members.forEach((m) => portName(m, "members"));
      });
      deps.chassis.switch(name);
      const actor = c.get("principal").actor;
      const { body } = acceptJob(c, deps, {
        kind: "lag.create",
        target: `switch:${name}`,
        parameters: { ...b },
        scopes: [`switch:${name}`],
      }, (progress, envelope) => lagCreate(netContext(deps, envelope, progress, actor), name, b));
      return c.json(body, 202);
    },
  );

  app.openapi(
    secured("operator", {
      method: "delete",
      path: "/api/v1/switches/{switch}/lags/{lag_id}",
      tags: ["switches"],
      summary: "Delete a LAG; its members leave first (job; `already absent` is not an error)",
      request: { params: LagParams },
      responses: {
        202: json(JobAcceptedSchema, "Accepted; follow the job at Location"),
        404: problemContent("Switch not present"),
      },
    }),
    (c) => {
      const { switch: name } = c.req.valid("param");
      const lag_id = asBodyField(() => lagId(Number(c.req.valid("param").lag_id), "id"));
      deps.chassis.switch(name);
      const actor = c.get("principal").actor;
      const { body } = acceptJob(
        c,
        deps,
        {
          kind: "lag.delete",
          target: `switch:${name}`,
          parameters: { id: lag_id },
          scopes: [`switch:${name}`],
        },
        (progress, envelope) =>
          lagDelete(netContext(deps, envelope, progress, actor), name, { id: lag_id }),
      );
      return c.json(body, 202);
    },
  );
}
