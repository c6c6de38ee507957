/**
 * How a REST mutation becomes a job: the handler validates the request, then {@link acceptJob}
 * queues the work and answers `202 Accepted` with the job and its `Location`. Inside the job,
 * {@link envelopeFor} gives the change envelope context whose events are the job's progress, with
 * the authenticated user as the audit actor.
 */
import type { Context } from "hono";
import type { EnvelopeContext, EnvelopeEvent } from "../ops/envelope.ts";
import type { ApiDeps, ApiEnv } from "./context.ts";
import type { NetContext } from "../ops/net/txn.ts";
import type { Job, ProgressFn } from "./jobs.ts";

/** Human text of an envelope event. */
export function describeEvent(e: EnvelopeEvent): string {
  switch (e.phase) {
    case "lock":
      return e.locks.length ? `locked ${e.locks.join(", ")}` : "locks already held";
    case "snapshot":
      return e.reused ? `reusing verified snapshot ${e.id}` : `snapshot ${e.id} written`;
    case "intent":
      return `audit intent record ${e.seq} written`;
    case "apply":
      return "applying";
    case "verify":
      return "verifying (read back)";
    case "health":
      return "running health checks";
    case "rollback":
      return "change failed: restoring from the snapshot";
    case "outcome":
      return `audit outcome record ${e.seq}: ${e.result}`;
    case "rolled-back":
      return `rollback record ${e.seq}: ${e.result}`;
  }
}

/** The envelope context of one job: progress events go to the job. */
export function envelopeFor(deps: ApiDeps, progress: ProgressFn): EnvelopeContext {
  const base = deps.envelope;
  return {
    ...base,
    onEvent: (e) => {
      base.onEvent?.(e);
      progress(describeEvent(e), { ...e });
    },
  };
}

/** The switch-operation context of one job: its envelope, progress lines, the caller. */
export function netContext(
  deps: ApiDeps,
  envelope: EnvelopeContext,
  progress: ProgressFn,
  actor: string,
): NetContext {
  return {
    envelope,
    chassis: deps.chassis,
    watchdog: deps.watchdog,
    actor,
    log: (line) => progress(line.trim()),
  };
}

/** Work of one job; gets the progress function and the job's envelope context. */
export type JobWork<T> = (progress: ProgressFn, envelope: EnvelopeContext) => Promise<T>;

/** Queue `work` as a job and answer 202 with `Location: /api/v1/jobs/<id>`. */
export function acceptJob<T>(
  c: Context<ApiEnv>,
  deps: ApiDeps,
  spec: { kind: string; target: string; parameters?: Record<string, unknown>; scopes: string[] },
  work: JobWork<T>,
): { body: ReturnType<typeof jobLinks>; id: string } {
  const actor = c.get("principal").actor;
  const job = deps.jobs.submit(
    { ...spec, actor },
    (progress) => work(progress, envelopeFor(deps, progress)),
  );
  c.header("location", `/api/v1/jobs/${job.id}`);
  return { body: jobLinks(job), id: job.id };
}

function jobLinks(job: Job): { job: Job; links: { self: string; events: string } } {
  return {
    job,
    links: { self: `/api/v1/jobs/${job.id}`, events: `/api/v1/jobs/${job.id}/events` },
  };
}
