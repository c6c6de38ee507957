/**
 * Blades through the SDK's blade module (slot, model, power, health, iBMC, firmware, boot) and,
 * per blade, what the switch modules see of its ports (link, MACs, ARP, LLDP, ping) — the same
 * diagnostics as `vessel net diag <blade>`. Power and boot changes go through the `vessel_blade`
 * resource inside the change envelope.
 */
import { z } from "@hono/zod-openapi";
import { BLADE_SLOTS } from "../chassis/endpoints.ts";
import { blades, BladeSchema, BOOT_DEVICES, BootOverrideSchema } from "../chassis/blade.ts";
import { ValidationError } from "../errors.ts";
import { changeBlade } from "../ops/blade.ts";
import { acceptJob } from "./change.ts";
import { JobAcceptedSchema } from "./schemas.ts";
import { CACHE_HEADERS, cached } from "./routes_chassis.ts";
import { diagnoseBlades } from "../ops/net/diag.ts";
import { redactValue } from "../util/redact.ts";
import { type ApiApp, type ApiDeps, secured } from "./context.ts";
import { problemContent } from "./problem.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const SlotParam = z.object({
  slot: z.string().regex(/^([1-9]|1[0-6])$/, `must be a blade slot 1-${BLADE_SLOTS}`).openapi({
    param: { name: "slot", in: "path" },
    description: `Blade slot, 1-${BLADE_SLOTS}`,
  }),
});

const PingQuery = z.object({
  ping: z.enum(["true", "false"]).optional().openapi({
    param: { name: "ping", in: "query" },
    description: "Ping the addresses learned behind each port (default true)",
  }),
});

// SDK schemas predate the zod-openapi extension: name them with `.meta({ id })`.
const Blade = BladeSchema.meta({ id: "Blade" });
const BootOverride = BootOverrideSchema.meta({ id: "BootOverride" });

const RefreshQuery = z.object({
  refresh: z.enum(["true", "false"]).optional().openapi({
    param: { name: "refresh", in: "query" },
    description: "true: read the device now instead of the cache",
  }),
});

const PortDiagSchema = z.object({
  switch: z.string(),
  port: z.string().describe("Switch port facing the blade, e.g. 10GE2/3/1"),
  link: z.enum(["up", "down", "absent"]),
  macs: z.array(z.object({ mac: z.string(), vlan: z.number() })),
  arp: z.array(z.object({ ip: z.string(), mac: z.string() })),
  lldp: z.array(z.object({ neighborInterface: z.string(), neighborDevice: z.string() })),
  ping: z.array(z.object({ ip: z.string(), sent: z.number(), received: z.number() })),
  reachable: z.boolean().describe("Link up, a MAC learned, every pinged address answered"),
});

const BladeNetworkSchema = z.object({
  blade: z.number().int(),
  ports: z.array(PortDiagSchema),
  reachable: z.boolean().describe("At least one port reachable"),
  errors: z.array(z.object({ switch: z.string(), error: z.string() })).describe(
    "Switches that could not be read",
  ),
}).openapi("BladeNetwork");

const BladePatchSchema = z.strictObject({
  power: z.enum(["on", "off"]).optional().describe(
    "Host power; off is forced (the host stops at once) and needs `confirm`",
  ),
  boot_device: z.enum(BOOT_DEVICES).optional().describe("Boot override device"),
  boot_persistence: z.enum(["once", "continuous"]).optional().describe(
    "Boot override for the next boot only (default) or every boot",
  ),
  confirm: z.string().optional().describe('Typed confirmation for power off: "blade<slot>"'),
}).openapi("BladePatchRequest");

/** Register blade routes. */
export function bladeRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(
    secured("operator", {
      method: "patch",
      path: "/api/v1/blades/{slot}",
      tags: ["blades"],
      summary: "Power a blade on/off or set its boot override (job, through the envelope)",
      description: "Only what differs is sent; nothing differs means no change and no audit. " +
        'Powering off is forced and needs `confirm: "blade<slot>"`.',
      request: {
        params: SlotParam,
        body: { content: { "application/json": { schema: BladePatchSchema } }, required: true },
      },
      responses: {
        202: json(JobAcceptedSchema, "Accepted; follow the job at Location"),
        422: problemContent("Power off without the typed confirmation"),
      },
    }),
    (c) => {
      const slot = Number(c.req.valid("param").slot);
      const { confirm, ...want } = c.req.valid("json");
      if (want.power === "off" && confirm !== `blade${slot}`) {
        throw new ValidationError(`Powering off blade ${slot} needs confirm "blade${slot}"`, {
          field: "body.confirm",
          hint: "Power off is forced: the host stops at once and its console drops",
        });
      }
      const actor = c.get("principal").actor;
      const { body } = acceptJob(c, deps, {
        kind: "blade.update",
        target: `ibmc:blade${slot}`,
        parameters: { slot, ...want },
        scopes: [`ibmc:blade${slot}`],
      }, (_progress, envelope) => changeBlade(envelope, deps.chassis, slot, want, { actor }));
      return c.json(body, 202);
    },
  );

  const refresh = (q: { refresh?: string }) => q.refresh === "true";

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/blades",
      tags: ["blades"],
      summary: "Every blade slot: presence, model, serial, power, health, iBMC, firmware, boot",
      request: { query: RefreshQuery },
      responses: {
        200: { ...json(z.array(Blade), "Slots 1-16"), headers: CACHE_HEADERS },
        304: { description: "Not modified (If-None-Match matched)" },
        501: problemContent("The chassis offers no interface for this (e.g. no HMM)"),
        502: problemContent("The chassis could not be read"),
      },
    }),
    async (c) =>
      cached(
        c,
        await deps.cache.get("blades/list", () =>
          blades(deps.chassis).list(), refresh(c.req.valid("query"))),
      ),
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/blades/{slot}",
      tags: ["blades"],
      summary: "One blade slot",
      request: { params: SlotParam, query: RefreshQuery },
      responses: {
        200: { ...json(Blade, "The slot"), headers: CACHE_HEADERS },
        304: { description: "Not modified (If-None-Match matched)" },
        501: problemContent("The blade's iBMC cannot be reached by any interface"),
        502: problemContent("The blade's iBMC could not be read"),
      },
    }),
    async (c) => {
      const slot = Number(c.req.valid("param").slot);
      return cached(
        c,
        await deps.cache.get(
          `ibmc:blade${slot}/blade`,
          () => blades(deps.chassis).get(slot),
          refresh(c.req.valid("query")),
        ),
      );
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/blades/{slot}/boot",
      tags: ["blades"],
      summary: "Boot override of a blade (next boot device, persistence, mode)",
      request: { params: SlotParam },
      responses: {
        200: json(BootOverride, "Boot override (never cached)"),
        404: problemContent("No blade in the slot"),
        501: problemContent("The blade's iBMC cannot be reached by any interface"),
        502: problemContent("The blade's iBMC could not be read"),
      },
    }),
    async (c) => c.json(await blades(deps.chassis).boot(Number(c.req.valid("param").slot)), 200),
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/blades/{slot}/network",
      tags: ["blades"],
      summary: "What the switch modules see of a blade's ports (vessel net diag)",
      request: { params: SlotParam, query: PingQuery },
      responses: { 200: json(BladeNetworkSchema, "Per-port link, MAC, ARP, LLDP and ping") },
    }),
    async (c) => {
      const slot = Number(c.req.valid("param").slot);
      const [d] = await diagnoseBlades(deps.chassis, [slot], {
        ping: c.req.valid("query").ping !== "false",
      });
      return c.json(redactValue(d), 200);
    },
  );
}
