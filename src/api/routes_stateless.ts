/**
 * Stateless computing (compute profiles, MAC and UUID pools, slot assignments) through the SDK's
 * stateless module. Read-only here: changes go through plans (`vessel_compute_profile`,
 * `vessel_mac_pool`, `vessel_uuid_pool`, `vessel_blade.compute_profile`) so that they are
 * planned, shown with their disruption, and applied inside the envelope.
 */
import { z } from "@hono/zod-openapi";
import {
  MacPoolSchema,
  NodeSchema,
  ProfileSchema,
  stateless,
  UuidPoolSchema,
} from "../chassis/stateless.ts";
import { NotFoundError } from "../errors.ts";
import { type ApiApp, type ApiDeps, secured } from "./context.ts";
import { problemContent } from "./problem.ts";
import { CACHE_HEADERS, cached } from "./routes_chassis.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

// SDK schemas predate the zod-openapi extension: name them with `.meta({ id })`.
const Profile = ProfileSchema.meta({ id: "ComputeProfile" });
const MacPool = MacPoolSchema.meta({ id: "MacPool" });
const UuidPool = UuidPoolSchema.meta({ id: "UuidPool" });
const Node = NodeSchema.meta({ id: "NodeAssignment" });

const RefreshQuery = z.object({
  refresh: z.enum(["true", "false"]).optional().openapi({
    param: { name: "refresh", in: "query" },
    description: "true: read the device now instead of the cache",
  }),
});

const NameParam = z.object({
  name: z.string().min(1).max(64).openapi({
    param: { name: "name", in: "path" },
    description: "Profile name",
  }),
});

const READ_PROBLEMS = {
  304: { description: "Not modified (If-None-Match matched)" },
  501: problemContent("The chassis has no HMM (or no stateless computing)"),
  502: problemContent("The HMM could not be read"),
} as const;

/** Register stateless computing routes. */
export function statelessRoutes(app: ApiApp, deps: ApiDeps): void {
  const st = () => stateless(deps.chassis);
  const refresh = (q: { refresh?: string }) => q.refresh === "true";

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/profiles",
      tags: ["stateless"],
      summary: "Compute profiles (boot mode and order, MAC/UUID source, NICs, VLANs)",
      request: { query: RefreshQuery },
      responses: {
        200: { ...json(z.array(Profile), "Profiles"), headers: CACHE_HEADERS },
        ...READ_PROBLEMS,
      },
    }),
    async (c) =>
      cached(
        c,
        await deps.cache.get("hmm/profiles", () => st().profiles(), refresh(c.req.valid("query"))),
      ),
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/profiles/{name}",
      tags: ["stateless"],
      summary: "One compute profile",
      request: { params: NameParam },
      responses: {
        200: json(Profile, "The profile"),
        404: problemContent("No such profile"),
        501: READ_PROBLEMS[501],
        502: READ_PROBLEMS[502],
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const p = (await st().profiles()).find((x) => x.name === name);
      if (!p) {
        throw new NotFoundError(`Compute profile ${name} does not exist`, {
          hint: "List profiles with GET /api/v1/profiles",
        });
      }
      return c.json(p, 200);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/pools/mac",
      tags: ["stateless"],
      summary: "The MAC address pool",
      request: { query: RefreshQuery },
      responses: {
        200: { ...json(MacPool, "MAC pool"), headers: CACHE_HEADERS },
        ...READ_PROBLEMS,
      },
    }),
    async (c) =>
      cached(
        c,
        await deps.cache.get("hmm/pools/mac", () => st().macPool(), refresh(c.req.valid("query"))),
      ),
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/pools/uuid",
      tags: ["stateless"],
      summary: "The UUID pool",
      request: { query: RefreshQuery },
      responses: {
        200: { ...json(UuidPool, "UUID pool"), headers: CACHE_HEADERS },
        ...READ_PROBLEMS,
      },
    }),
    async (c) =>
      cached(
        c,
        await deps.cache.get(
          "hmm/pools/uuid",
          () => st().uuidPool(),
          refresh(c.req.valid("query")),
        ),
      ),
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/profiles-assignments",
      tags: ["stateless"],
      summary: "Which profile is assigned to which slot",
      request: { query: RefreshQuery },
      responses: {
        200: { ...json(z.array(Node), "Assignments"), headers: CACHE_HEADERS },
        ...READ_PROBLEMS,
      },
    }),
    async (c) =>
      cached(
        c,
        await deps.cache.get(
          "hmm/profiles/nodes",
          () => st().nodes(),
          refresh(c.req.valid("query")),
        ),
      ),
  );
}
