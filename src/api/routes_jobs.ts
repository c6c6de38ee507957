/**
 * Jobs (the result of every mutation), followed by polling or as server-sent events; plans of
 * submitted configurations and their apply; the audit log and the snapshot catalog.
 */
import { z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { NotFoundError, UsageError } from "../errors.ts";
import { redactValue } from "../util/redact.ts";
import { applyPlanned, verifyStep } from "../engine/mod.ts";
import { engineApplyWrap } from "../ops/net/engine_wrap.ts";
import { acceptJob } from "./change.ts";
import { type ApiApp, type ApiDeps, secured } from "./context.ts";
import { problemContent } from "./problem.ts";
import {
  AuditRecordSchema,
  IdParam,
  JobAcceptedSchema,
  JobEventSchema,
  JobSchema,
  LimitQuery,
  PlanRecordSchema,
  PlanRequestSchema,
} from "./schemas.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const JobsQuery = LimitQuery.extend({
  status: z.enum(["queued", "running", "succeeded", "failed", "interrupted"]).optional().openapi({
    param: { name: "status", in: "query" },
  }),
});

const AuditQuery = LimitQuery.extend({
  target: z.string().max(100).optional().openapi({
    param: { name: "target", in: "query" },
    description: "`switch:swi2`, `swi2` or `switch:*`",
  }),
  op: z.string().max(100).optional().openapi({
    param: { name: "op", in: "query" },
    description: "Operation, or a prefix ending in `*` (`vlan.*`)",
  }),
  since: z.string().max(40).optional().openapi({
    param: { name: "since", in: "query" },
    description: "ISO time or a duration back from now (30m, 12h, 7d)",
  }),
  change_id: z.string().max(100).optional().openapi({
    param: { name: "change_id", in: "query" },
  }),
});

const StateEntrySchema = z.object({
  address: z.string().describe("Resource address, e.g. vessel_vlan.prod"),
  type: z.string(),
  name: z.string(),
  id: z.string().describe("Device identity, e.g. swi2/100"),
  attributes: z.record(z.string(), z.unknown()),
  updatedAt: z.string().optional(),
}).openapi("StateEntry");

const AuditVerifySchema = z.object({
  ok: z.boolean(),
  count: z.number().int(),
  head: z.string(),
  firstBadSeq: z.number().int().optional(),
  reason: z.string().optional(),
}).openapi("AuditVerify");

/** Register job, plan and audit routes. */
export function jobRoutes(app: ApiApp, deps: ApiDeps): void {
  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/jobs",
      tags: ["jobs"],
      summary: "Jobs, newest first",
      request: { query: JobsQuery },
      responses: { 200: json(z.array(JobSchema), "Jobs") },
    }),
    (c) => {
      const q = c.req.valid("query");
      return c.json(deps.jobs.list({ limit: q.limit, status: q.status }) as never, 200);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/jobs/{id}",
      tags: ["jobs"],
      summary: "One job with its result or error (kept after it finished)",
      request: { params: IdParam },
      responses: { 200: json(JobSchema, "The job"), 404: problemContent("No such job") },
    }),
    (c) => {
      const id = c.req.valid("param").id;
      const job = deps.jobs.get(id);
      if (!job) throw new NotFoundError(`Job ${id} does not exist`);
      return c.json(job as never, 200);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/jobs/{id}/events",
      tags: ["jobs"],
      summary: "A job's progress as server-sent events",
      description: "Each event has `id` = its sequence number and `event` = its type " +
        "(status, progress, result); `data` is a JobEvent. Past events are replayed first " +
        "(after `Last-Event-ID` when given); the stream ends after the `result` event.",
      request: { params: IdParam },
      responses: {
        200: {
          description: "text/event-stream of JobEvent",
          content: { "text/event-stream": { schema: JobEventSchema } },
        },
        404: problemContent("No such job"),
      },
    }),
    (c) => {
      const id = c.req.valid("param").id;
      if (!deps.jobs.get(id)) throw new NotFoundError(`Job ${id} does not exist`);
      const after = Number(c.req.header("last-event-id") ?? 0) || 0;
      return streamSSE(c, async (stream) => {
        const ac = new AbortController();
        stream.onAbort(() => ac.abort());
        // A comment line every 15 s keeps proxies from closing a quiet stream (long jobs).
        const ping = setInterval(() => void stream.write(": ping\n\n").catch(() => {}), 15_000);
        try {
          for await (const e of deps.jobs.follow(id, after, ac.signal)) {
            await stream.writeSSE({ id: String(e.seq), event: e.type, data: JSON.stringify(e) });
          }
        } finally {
          clearInterval(ping);
        }
      });
    },
  );

  // ------------------------------------------------------------------ plans

  app.openapi(
    secured("operator", {
      method: "post",
      path: "/api/v1/plans",
      tags: ["plans"],
      summary: "Plan a configuration (HCL, YAML or JSON text) against the live chassis",
      description: "Reads the chassis, changes nothing. The plan is kept " +
        "(POST /api/v1/plans/{id}/apply applies exactly it) for one hour or until a restart.",
      request: {
        body: { content: { "application/json": { schema: PlanRequestSchema } }, required: true },
      },
      responses: {
        201: json(PlanRecordSchema, "The plan"),
        400: problemContent("Malformed request"),
        422: problemContent("The configuration is invalid (the problem names file:line:col)"),
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const rec = await deps.plans.create(b, {
        chassis: deps.chassis,
        state: deps.state,
        actor: c.get("principal").actor,
      });
      c.header("location", `/api/v1/plans/${rec.id}`);
      return c.json(rec as never, 201);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/plans",
      tags: ["plans"],
      summary: "Plans, newest first",
      request: { query: LimitQuery },
      responses: { 200: json(z.array(PlanRecordSchema), "Plans") },
    }),
    (c) => c.json(deps.plans.list(c.req.valid("query").limit ?? 50) as never, 200),
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/plans/{id}",
      tags: ["plans"],
      summary: "One plan",
      request: { params: IdParam },
      responses: { 200: json(PlanRecordSchema, "The plan"), 404: problemContent("No such plan") },
    }),
    (c) => {
      const id = c.req.valid("param").id;
      const rec = deps.plans.get(id);
      if (!rec) throw new NotFoundError(`Plan ${id} does not exist`);
      return c.json(rec as never, 200);
    },
  );

  app.openapi(
    secured("operator", {
      method: "post",
      path: "/api/v1/plans/{id}/apply",
      tags: ["plans"],
      summary: "Apply a plan (job; every step goes through the change envelope)",
      request: { params: IdParam },
      responses: {
        202: json(JobAcceptedSchema, "Accepted; follow the job at Location"),
        404: problemContent("No such plan"),
        409: problemContent("Plan already applied, applying or expired"),
      },
    }),
    (c) => {
      const id = c.req.valid("param").id;
      const plan = deps.plans.take(id);
      const scopes = [...new Set(plan.steps.flatMap((s) => s.scopes))];
      const actor = c.get("principal").actor;
      const { body, id: jobId } = acceptJob(c, deps, {
        kind: "plan.apply",
        target: scopes.join(",") || "chassis",
        parameters: { plan_id: id, summary: plan.summary },
        scopes: scopes.length ? scopes : ["chassis"],
      }, async (progress, envelope) => {
        let ok = false;
        try {
          const result = await applyPlanned(plan, {
            chassis: deps.chassis,
            state: deps.state,
            registry: deps.plans.registry,
            // Same read-back as `vessel apply`: "accepted" is not "applied".
            // Same read-back and switch watchdog as `vessel apply`: "accepted" is not "applied".
            wrap: engineApplyWrap(envelope, {
              chassis: deps.chassis,
              actor,
              verify: (st) =>
                verifyStep(plan, st.address, {
                  chassis: deps.chassis,
                  registry: deps.plans.registry,
                }),
            }),
            onStep(step, phase, e) {
              progress(
                `${step.address}: ${phase}${
                  phase === "failed" ? `: ${(e as Error)?.message ?? e}` : ""
                }`,
                { address: step.address, action: step.action, phase },
              );
            },
          });
          const applied = result.results.map((r) => ({
            address: r.address,
            action: r.action,
            ok: r.ok,
            duration_ms: Math.round(r.durationMs),
          }));
          if (!result.ok) throw result.results.find((r) => !r.ok)!.error;
          ok = true;
          return { plan_id: id, applied };
        } finally {
          deps.plans.finish(id, ok);
          for (const s of scopes) deps.cache.invalidate(s);
        }
      });
      deps.plans.attachJob(id, jobId);
      return c.json(body as never, 202);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/state",
      tags: ["plans"],
      summary: "Resources Vessel manages on this chassis (engine state, secrets hashed)",
      responses: { 200: json(z.array(StateEntrySchema), "State entries, by address") },
    }),
    (c) => c.json(redactValue(deps.state.list()), 200),
  );

  // ------------------------------------------------------------------ audit

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/audit",
      tags: ["audit"],
      summary: "Audit records, oldest first (secrets redacted)",
      request: { query: AuditQuery },
      responses: {
        200: json(z.array(AuditRecordSchema), "Records"),
        400: problemContent("Bad filter"),
      },
    }),
    (c) => {
      const q = c.req.valid("query");
      try {
        return c.json(
          deps.audit.list({
            target: q.target,
            op: q.op,
            since: q.since,
            changeId: q.change_id,
            limit: q.limit ?? 100,
          }) as never,
          200,
        );
      } catch (e) {
        if (e instanceof UsageError) throw new UsageError(e.message, { hint: e.hint });
        throw e;
      }
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/audit/verify",
      tags: ["audit"],
      summary: "Verify the audit hash chain",
      responses: {
        200: json(AuditVerifySchema, "Verification result (ok false names the record)"),
      },
    }),
    (c) => c.json(deps.audit.verify(), 200),
  );
}
