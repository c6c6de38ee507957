/**
 * Read-only views of the chassis through the SDK: inventory, capabilities, alarms and event
 * logs, firmware versions and the upgrade pre-flight. Every answer is the SDK's own zod model;
 * device reads are cached briefly (same cache as VLANs, `?refresh=true` to bypass).
 */
import { z } from "@hono/zod-openapi";
import { AlarmPageSchema, alarms, EventPageSchema } from "../chassis/alarms.ts";
import { capabilities, CapabilityReportSchema } from "../chassis/capabilities.ts";
import { inventory, InventorySchema } from "../chassis/inventory.ts";
import { FirmwareSchema, PreflightSchema, upgrade } from "../chassis/upgrade.ts";
import { type ApiApp, type ApiDeps, secured } from "./context.ts";
import { problemContent } from "./problem.ts";
import { CACHE_HEADERS, cached } from "./routes_chassis.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

// SDK schemas predate the zod-openapi extension: name them with `.meta({ id })`.
const Inventory = InventorySchema.meta({ id: "Inventory" });
const CapabilityReport = CapabilityReportSchema.meta({ id: "CapabilityReport" });
const AlarmPage = AlarmPageSchema.meta({ id: "AlarmPage" });
const EventPage = EventPageSchema.meta({ id: "EventPage" });
const Firmware = FirmwareSchema.meta({ id: "Firmware" });
const Preflight = PreflightSchema.meta({ id: "UpgradePreflight" });

const RefreshQuery = z.object({
  refresh: z.enum(["true", "false"]).optional().openapi({
    param: { name: "refresh", in: "query" },
    description: "true: read the device now instead of the cache",
  }),
});

const PageQuery = RefreshQuery.extend({
  page: z.string().regex(/^[1-9]\d{0,5}$/).optional().openapi({
    param: { name: "page", in: "query" },
    description: "1-based page (default 1)",
  }),
  perpage: z.string().regex(/^[1-9]\d{0,2}$/).optional().openapi({
    param: { name: "perpage", in: "query" },
    description: "Entries per page, 1-500 (default 50)",
  }),
});

const ComponentParam = z.object({
  component: z.string().regex(
    /^(smm|othersmm|[Ss]lot([1-9]|1[0-6])|[Ss]wi[1-4])$/,
    "must be smm, othersmm, Slot1-Slot16 or Swi1-Swi4",
  ).openapi({
    param: { name: "component", in: "path" },
    description: "smm, othersmm, Slot1-Slot16 or Swi1-Swi4",
  }),
});

const READ_PROBLEMS = {
  304: { description: "Not modified (If-None-Match matched)" },
  501: problemContent("The chassis offers no interface for this (e.g. no HMM)"),
  502: problemContent("The chassis could not be read"),
} as const;

/** Register inventory, capability, alarm and firmware routes. */
export function inventoryRoutes(app: ApiApp, deps: ApiDeps): void {
  const ch = deps.chassis;
  const refresh = (q: { refresh?: string }) => q.refresh === "true";

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/inventory",
      tags: ["chassis"],
      summary: "Chassis inventory: identity, management and switch modules, fans, power, versions",
      request: { query: RefreshQuery },
      responses: {
        200: { ...json(Inventory, "Inventory"), headers: CACHE_HEADERS },
        ...READ_PROBLEMS,
      },
    }),
    async (c) =>
      cached(
        c,
        await deps.cache.get("hmm/inventory", () =>
          inventory(ch).read(), refresh(c.req.valid("query"))),
      ),
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/capabilities",
      tags: ["chassis"],
      summary: "What each interface of the chassis offers (Redfish versions, session caps, shells)",
      request: { query: RefreshQuery },
      responses: {
        200: { ...json(CapabilityReport, "Capability report"), headers: CACHE_HEADERS },
        ...READ_PROBLEMS,
      },
    }),
    async (c) =>
      cached(
        c,
        await deps.cache.get("hmm/capabilities", () =>
          capabilities(ch).probe(), refresh(c.req.valid("query"))),
      ),
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/alarms",
      tags: ["alarms"],
      summary: "Active alarms of the chassis (paged as the HMM pages them)",
      request: { query: PageQuery },
      responses: {
        200: { ...json(AlarmPage, "A page of alarms"), headers: CACHE_HEADERS },
        ...READ_PROBLEMS,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = Number(q.page ?? 1);
      const perpage = Number(q.perpage ?? 50);
      return cached(
        c,
        await deps.cache.get(
          `hmm/alarms/${page}/${perpage}`,
          () => alarms(ch).active({ page, perpage }),
          refresh(q),
        ),
      );
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/alarms/summary",
      tags: ["alarms"],
      summary: "Alarm counters (critical, major, minor, active)",
      request: { query: RefreshQuery },
      responses: {
        200: {
          ...json(
            z.object({
              sum: z.number().int(),
              critical: z.number().int(),
              major: z.number().int(),
              minor: z.number().int(),
              active: z.number().int(),
            }).openapi("AlarmSummary"),
            "Counters",
          ),
          headers: CACHE_HEADERS,
        },
        ...READ_PROBLEMS,
      },
    }),
    async (c) =>
      cached(
        c,
        await deps.cache.get("hmm/alarms/summary", () =>
          alarms(ch).summary(), refresh(c.req.valid("query"))),
      ),
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/events/{component}",
      tags: ["alarms"],
      summary: "Event log (SEL) of one component, newest first",
      request: { params: ComponentParam, query: PageQuery },
      responses: {
        200: { ...json(EventPage, "A page of events"), headers: CACHE_HEADERS },
        404: problemContent("Unknown component"),
        ...READ_PROBLEMS,
      },
    }),
    async (c) => {
      const { component } = c.req.valid("param");
      const q = c.req.valid("query");
      const page = Number(q.page ?? 1);
      const perpage = Number(q.perpage ?? 50);
      return cached(
        c,
        await deps.cache.get(
          `hmm/events/${component}/${page}/${perpage}`,
          () => alarms(ch).events(component, { page, perpage }),
          refresh(q),
        ),
      );
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/firmware",
      tags: ["firmware"],
      summary: "Firmware inventory: versions of every management module, blade and switch",
      request: { query: RefreshQuery },
      responses: {
        200: { ...json(z.array(Firmware), "Per component"), headers: CACHE_HEADERS },
        ...READ_PROBLEMS,
      },
    }),
    async (c) =>
      cached(
        c,
        await deps.cache.get("hmm/firmware", () =>
          upgrade(ch).inventory(), refresh(c.req.valid("query"))),
      ),
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/firmware/preflight",
      tags: ["firmware"],
      summary: "Whether an upgrade could start now (no upgrade running, both modules ready)",
      responses: {
        200: json(Preflight, "Pre-flight result (never cached)"),
        501: problemContent("The chassis has no HMM"),
        502: problemContent("The HMM could not be read"),
      },
    }),
    async (c) => c.json(await upgrade(ch).preflight(), 200),
  );
}
