/**
 * Blades: the slots of the chassis and, per blade, what the switch modules see of its ports
 * (link, MACs, ARP, LLDP, ping) — the same diagnostics as `vessel net diag <blade>`. Blade
 * management through the iBMC SDK is added here as the SDK grows.
 */
import { z } from "@hono/zod-openapi";
import { BLADE_SLOTS } from "../chassis/endpoints.ts";
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

const BladeSchema = z.object({
  slot: z.number().int(),
  ibmc: z.boolean().describe("An iBMC endpoint is known for this slot"),
}).openapi("Blade");

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

/** Register blade routes. */
export function bladeRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/blades",
      tags: ["blades"],
      summary: "Blade slots of the chassis",
      responses: { 200: json(z.array(BladeSchema), "Slots 1-16") },
    }),
    (c) => {
      const ibmc = deps.chassis.endpoints.ibmc ?? {};
      return c.json(
        Array.from(
          { length: BLADE_SLOTS },
          (_, i) => ({ slot: i + 1, ibmc: String(i + 1) in ibmc }),
        ),
        200,
      );
    },
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
