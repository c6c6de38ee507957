/**
 * Snapshots: list, show, take (job), verify, preview a restore, and restore (job, typed
 * confirmation). The same operations as `vessel snapshot` and `vessel restore`.
 */
import { z } from "@hono/zod-openapi";
import { NotFoundError, ValidationError } from "../errors.ts";
import { envelopeContext } from "../ops/envelope.ts";
import { chassisScopes, type EndpointsLike, registerBuiltinScopes } from "../ops/mod.ts";
import { applyRestore, planRestore } from "../ops/restore.ts";
import {
  captureLive,
  createSnapshot,
  diffSnapshots,
  selectSnapshotScopes,
} from "../ops/snapshot/use_cases.ts";
import { loadSnapshot, verifySnapshot } from "../ops/snapshot/snapshot.ts";
import { SnapshotCatalog } from "../store/snapshots.ts";
import { acceptJob } from "./change.ts";
import { type ApiApp, type ApiDeps, secured } from "./context.ts";
import { problemContent } from "./problem.ts";
import { IdParam, JobAcceptedSchema, LimitQuery, SnapshotSchema } from "./schemas.ts";

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const ScopesField = z.array(z.string().max(40)).max(40).optional().describe(
  "Scopes or groups: all, hmm, switches, ibmc, swi2, blade3, switch:swi2 (default all)",
);

const SnapshotCreateSchema = z.object({
  scopes: ScopesField,
  reason: z.string().max(200).optional().describe("Why it was taken (kept in the manifest)"),
}).openapi("SnapshotCreateRequest");

const RestorePreviewRequestSchema = z.object({ scopes: ScopesField }).openapi(
  "RestorePreviewRequest",
);

const RestoreRequestSchema = z.object({
  scopes: ScopesField,
  confirm: z.string().describe("Typed confirmation: the snapshot id again"),
}).openapi("RestoreRequest");

const RestorePreviewSchema = z.object({
  snapshotId: z.string(),
  chassisSerial: z.string().nullable(),
  scopes: z.array(z.object({
    scope: z.string(),
    restorable: z.boolean(),
    reason: z.string().optional(),
    diff: z.array(z.string()).describe("Live → snapshot differences; empty when equal"),
  })),
}).openapi("RestorePreview");

const DiffParams = IdParam.extend({
  other: z.string().min(1).max(100).openapi({
    param: { name: "other", in: "path" },
    description: "Another snapshot id, or `live` for the chassis now",
  }),
});

const ScopesQuery = z.string().max(400).optional().openapi({
  param: { name: "scopes", in: "query" },
  description: "Comma-separated scopes or groups (default: every scope in either side)",
});

const SnapshotDiffSchema = z.object({
  a: z.string(),
  b: z.string(),
  scopes: z.record(z.string(), z.array(z.string())).describe("Difference lines per scope"),
}).openapi("SnapshotDiff");

const VerifySchema = z.object({
  ok: z.boolean(),
}).passthrough().openapi("SnapshotVerify");

/** Register the snapshot routes. */
export function snapshotRoutes(app: ApiApp, deps: ApiDeps): void {
  const catalog = new SnapshotCatalog(deps.store);
  const root = () => envelopeContext(deps.envelope).snapshotsDir;
  const entry = (id: string) => {
    const e = catalog.get(id);
    if (!e) {
      throw new NotFoundError(`Snapshot ${id} does not exist`, {
        hint: "List snapshots with GET /api/v1/snapshots",
      });
    }
    return e;
  };

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/snapshots",
      tags: ["snapshots"],
      summary: "Catalogued snapshots, newest first",
      request: { query: LimitQuery },
      responses: { 200: json(z.array(SnapshotSchema), "Snapshots") },
    }),
    (c) => {
      const limit = c.req.valid("query").limit ?? 100;
      return c.json(catalog.list().slice(0, limit).map(({ path: _p, ...rest }) => rest), 200);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/snapshots/{id}",
      tags: ["snapshots"],
      summary: "One snapshot: scopes, files and their SHA-256",
      request: { params: IdParam },
      responses: { 200: json(SnapshotSchema, "The snapshot"), 404: problemContent("Unknown") },
    }),
    (c) => {
      const { path: _p, ...rest } = entry(c.req.valid("param").id);
      return c.json(rest, 200);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/snapshots/{id}/verify",
      tags: ["snapshots"],
      summary: "Check a snapshot's files and manifest against their hashes",
      request: { params: IdParam },
      responses: {
        200: json(VerifySchema, "Verification report (ok false names what is wrong)"),
        404: problemContent("Unknown snapshot"),
      },
    }),
    async (c) => {
      const e = entry(c.req.valid("param").id);
      const report = await verifySnapshot(root(), e.path, catalog);
      return c.json(report as unknown as z.infer<typeof VerifySchema>, 200);
    },
  );

  app.openapi(
    secured("viewer", {
      method: "get",
      path: "/api/v1/snapshots/{id}/diff/{other}",
      tags: ["snapshots"],
      summary: "Differences from snapshot {id} to {other} (another snapshot, or `live`)",
      description: "Like `vessel snapshot diff A B`: per scope, lines such as `+ vlan 44`; " +
        "volatile content ignored; `live` captures the chassis now (reads only).",
      request: { params: DiffParams, query: z.object({ scopes: ScopesQuery }) },
      responses: {
        200: json(SnapshotDiffSchema, "Differences per scope (empty lists: equal)"),
        404: problemContent("Unknown snapshot"),
        409: problemContent("A snapshot does not verify"),
      },
    }),
    async (c) => {
      const { id, other } = c.req.valid("param");
      const registry = registerBuiltinScopes(deps.envelope.registry);
      const want = c.req.valid("query").scopes;
      const out = await diffSnapshots(id, other, {
        registry,
        scopes: want ? want.split(",") : undefined,
        load: async (ref) => {
          entry(ref);
          return (await loadSnapshot(root(), ref, catalog)).captures;
        },
        live: () =>
          captureLive(
            registry,
            deps.envelope.env,
            chassisScopes(deps.chassis.endpoints as EndpointsLike),
          ),
      });
      return c.json({ a: id, b: other, scopes: out }, 200);
    },
  );

  app.openapi(
    secured("operator", {
      method: "post",
      path: "/api/v1/snapshots",
      tags: ["snapshots"],
      summary: "Take a snapshot (job)",
      request: {
        body: { content: { "application/json": { schema: SnapshotCreateSchema } }, required: true },
      },
      responses: {
        202: json(JobAcceptedSchema, "Accepted; the job result names the snapshot"),
        400: problemContent("Unknown scope"),
        501: problemContent("No collector for any requested scope"),
      },
    }),
    (c) => {
      const body = c.req.valid("json");
      const registry = registerBuiltinScopes(deps.envelope.registry);
      const { take, skipped } = selectSnapshotScopes(
        registry,
        chassisScopes(deps.chassis.endpoints as EndpointsLike),
        body.scopes ?? [],
      );
      const actor = c.get("principal").actor;
      const { body: out } = acceptJob(c, deps, {
        kind: "snapshot.create",
        target: "chassis",
        parameters: { scopes: take, reason: body.reason ?? null },
        scopes: take,
      }, async (progress) => {
        progress(`capturing ${take.join(", ")}`);
        const { ref } = await createSnapshot(take, {
          registry,
          env: deps.envelope.env,
          settings: {
            root: root(),
            chassis: deps.envelope.chassis ?? { serial: null },
            actor,
            catalog,
          },
          skipped,
          reason: body.reason,
          audit: deps.audit,
          target: { kind: "chassis", id: deps.envelope.chassis?.serial ?? deps.workspace },
        });
        return { id: ref.id, scopes: take, skipped, files: ref.manifest.files.length };
      });
      return c.json(out, 202);
    },
  );

  app.openapi(
    secured("operator", {
      method: "post",
      path: "/api/v1/snapshots/{id}/restore-preview",
      tags: ["snapshots"],
      summary: "What restoring the snapshot would change (reads the chassis, changes nothing)",
      request: {
        params: IdParam,
        body: {
          content: { "application/json": { schema: RestorePreviewRequestSchema } },
          required: true,
        },
      },
      responses: {
        200: json(RestorePreviewSchema, "Per-scope differences live → snapshot"),
        404: problemContent("Unknown snapshot"),
        409: problemContent("Snapshot does not verify or is from another chassis"),
      },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      entry(id);
      const plan = await planRestore(
        { ...deps.envelope, registry: registerBuiltinScopes(deps.envelope.registry) },
        id,
        { scopes: c.req.valid("json").scopes },
      );
      return c.json({
        snapshotId: plan.snapshotId,
        chassisSerial: plan.chassisSerial,
        scopes: plan.scopes,
      }, 200);
    },
  );

  app.openapi(
    secured("operator", {
      method: "post",
      path: "/api/v1/snapshots/{id}/restore",
      tags: ["snapshots"],
      summary: "Restore a snapshot (job; each scope inside the change envelope)",
      description:
        "Needs `confirm` equal to the snapshot id. Refused when the snapshot does not verify, " +
        "belongs to another chassis, or a differing scope cannot be restored.",
      request: {
        params: IdParam,
        body: { content: { "application/json": { schema: RestoreRequestSchema } }, required: true },
      },
      responses: {
        202: json(JobAcceptedSchema, "Accepted; follow the job at Location"),
        404: problemContent("Unknown snapshot"),
        422: problemContent("confirm does not match the snapshot id"),
      },
    }),
    (c) => {
      const id = c.req.valid("param").id;
      const body = c.req.valid("json");
      const e = entry(id);
      if (body.confirm !== id) {
        throw new ValidationError(`confirm must repeat the snapshot id ${id}`, {
          field: "body.confirm",
          hint: "Restoring replaces live configuration: type the snapshot id to confirm",
        });
      }
      const actor = c.get("principal").actor;
      const { body: out } = acceptJob(c, deps, {
        kind: "snapshot.restore",
        target: "chassis",
        parameters: { snapshot_id: id, scopes: body.scopes ?? ["all"] },
        scopes: e.scopes,
      }, async (progress, envelope) => {
        const ctx = { ...envelope, registry: registerBuiltinScopes(envelope.registry) };
        const plan = await planRestore(ctx, id, { scopes: body.scopes });
        progress(
          `restoring ${
            plan.scopes.filter((s) => s.diff.length).map((s) => s.scope).join(", ") ||
            "nothing (live equals the snapshot)"
          }`,
        );
        const results = await applyRestore(ctx, plan, { actor });
        return { snapshot_id: id, results };
      });
      return c.json(out, 202);
    },
  );
}
