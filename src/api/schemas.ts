/**
 * Zod models of the REST API that are not SDK or resource models (those are imported from
 * src/chassis and src/resources so that the API, the CLI and the engine agree on one shape).
 */
import { z } from "@hono/zod-openapi";
import { ROLES } from "./auth.ts";
import { PLAN_FORMATS } from "./plans.ts";
import { ProblemSchema } from "./problem.ts";

/** A role. */
export const RoleSchema = z.enum(ROLES).describe(
  "viewer: read; operator: read and change the chassis; admin: also manage tokens and users",
).openapi("Role");

/** A job. */
export const JobSchema = z.object({
  id: z.string().describe("Job id (UUID)"),
  kind: z.string().describe("What the job does, e.g. `vlan.create`, `plan.apply`"),
  status: z.enum(["queued", "running", "succeeded", "failed", "interrupted"]).describe(
    "queued → running → succeeded | failed; interrupted when the server stopped while it ran",
  ),
  actor: z.string().describe("Authenticated user that submitted it (also the audit actor)"),
  target: z.string().describe("What it changes, e.g. `switch:swi2`"),
  parameters: z.record(z.string(), z.unknown()).describe("What was asked for"),
  created_at: z.string().describe("UTC ISO time"),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  message: z.string().nullable().describe("Last progress message"),
  result: z.unknown().describe("Result when succeeded (kept)"),
  error: ProblemSchema.nullable().describe("Problem details when failed"),
}).openapi("Job");

/** A job event. */
export const JobEventSchema = z.object({
  seq: z.number().int().describe("1-based sequence number (also the SSE `id`)"),
  time: z.string(),
  type: z.enum(["status", "progress", "result"]).describe(
    "status: state change; progress: a step of the change envelope; result: the final event",
  ),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
}).openapi("JobEvent");

/** 202 body of every mutation. */
export const JobAcceptedSchema = z.object({
  job: JobSchema,
  links: z.object({
    self: z.string().describe("GET the job"),
    events: z.string().describe("GET its progress as server-sent events"),
  }),
}).openapi("JobAccepted");

/** Path parameter `id` (UUID). */
export const IdParam = z.object({
  id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" } }),
});

/** `?limit=`. */
export const LimitQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional().openapi({
    param: { name: "limit", in: "query" },
    description: "At most this many items (default 100)",
  }),
});

/** Who is calling. */
export const WhoAmISchema = z.object({
  name: z.string().describe("User name or token name"),
  kind: z.enum(["token", "session"]),
  role: RoleSchema,
  actor: z.string().describe("Name written to the audit log"),
  csrf_token: z.string().optional().describe(
    "Cookie sessions only: send it back in the X-CSRF-Token header of every write",
  ),
}).openapi("WhoAmI");

/** A token as listed. */
export const TokenInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: RoleSchema,
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  expires_at: z.string().nullable(),
}).openapi("TokenInfo");

/** A user as listed. */
export const UserInfoSchema = z.object({
  username: z.string(),
  role: RoleSchema,
  created_at: z.string(),
}).openapi("UserInfo");

/** A configuration submitted for planning. */
export const PlanRequestSchema = z.object({
  text: z.string().min(1).max(1_000_000).describe(
    "The configuration: HCL, YAML or JSON text as `vessel plan -f` reads it",
  ),
  format: z.enum(PLAN_FORMATS).optional().describe(
    "Format of `text` (default from `filename`, else hcl)",
  ),
  filename: z.string().optional().describe(
    "Name used in error positions, e.g. main.hcl (default main.<format>)",
  ),
  variables: z.record(z.string(), z.string()).optional().describe(
    "Input variables, as `-var name=value` (values as typed); the server's environment is not read",
  ),
  targets: z.array(z.string().max(200)).max(100).optional().describe(
    "Only these resource addresses (and what they depend on), as `-target`",
  ),
  refresh_only: z.boolean().optional().describe("Report drift only, plan no changes"),
  destroy: z.boolean().optional().describe("Plan the destruction of everything in state"),
}).openapi("PlanRequest");

const AttributeChangeSchema = z.object({
  attribute: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  forcesReplacement: z.boolean(),
});

const PlanStepSchema = z.object({
  address: z.string().describe("Resource address, e.g. vessel_vlan.prod"),
  type: z.string(),
  name: z.string(),
  action: z.enum(["create", "update", "replace", "delete", "noop"]),
  id: z.string(),
  priorId: z.string().optional(),
  before: z.record(z.string(), z.unknown()).optional(),
  after: z.record(z.string(), z.unknown()).optional(),
  changes: z.array(AttributeChangeSchema),
  disruption: z.string().optional(),
  scopes: z.array(z.string()),
  notes: z.array(z.string()),
}).openapi("PlanStep");

/** A stored plan. */
export const PlanRecordSchema = z.object({
  id: z.string(),
  status: z.enum(["planned", "applying", "applied", "failed", "expired"]),
  created_at: z.string(),
  actor: z.string(),
  format: z.enum(PLAN_FORMATS),
  filename: z.string(),
  summary: z.object({ add: z.number(), change: z.number(), destroy: z.number() }),
  changes: z.number().int().describe("Steps other than no-op"),
  rendered: z.string().describe("The plan as `vessel plan` prints it"),
  plan: z.object({
    formatVersion: z.literal(1),
    workspace: z.string(),
    createdAt: z.string(),
    steps: z.array(PlanStepSchema),
    summary: z.object({ add: z.number(), change: z.number(), destroy: z.number() }),
  }),
  apply_job: z.string().nullable(),
}).openapi("PlanRecord");

/** An audit record. */
export const AuditRecordSchema = z.object({
  seq: z.number().int(),
  time: z.string(),
  actor: z.string(),
  target: z.object({ kind: z.string(), id: z.string() }),
  operation: z.string(),
  parameters: z.record(z.string(), z.unknown()),
  snapshot_id: z.string().nullable(),
  evidence: z.record(z.string(), z.unknown()),
  result: z.string(),
  duration_ms: z.number().nullable(),
  phase: z.enum(["intent", "outcome", "rollback", "event"]),
  change_id: z.string().nullable(),
  prev_hash: z.string(),
  hash: z.string(),
}).openapi("AuditRecord");

/** A catalogued snapshot. */
export const SnapshotSchema = z.object({
  id: z.string(),
  created_at: z.string(),
  created_by: z.string(),
  chassis_serial: z.string().nullable(),
  scopes: z.array(z.string()),
  reason: z.string().nullable(),
  manifest_sha256: z.string(),
  files: z.array(z.object({
    path: z.string(),
    scope: z.string(),
    sha256: z.string(),
    bytes: z.number(),
  })),
}).openapi("Snapshot");
