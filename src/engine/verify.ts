/**
 * The per-step read-back of an apply ("accepted" is not "applied"): after a step ran, read the
 * resource again and check it matches what the plan wanted. Shared by `vessel apply|destroy`
 * (src/cmd/destroy_run.ts) and `POST /api/v1/plans/{id}/apply` (src/api/routes_jobs.ts), which
 * pass it to the change envelope as the step's `verify`.
 *
 * @example
 * const ev = await verifyStep(plan, "vessel_vlan.prod", { chassis, registry }); // { verified: true }
 *
 * @module
 */
import { DeviceError, NotFoundError } from "../errors.ts";
import { diff, type Plan, type PlanStep } from "./plan.ts";
import type { Registry } from "./registry.ts";

/** What {@link verifyStep} needs. */
export interface VerifyStepOptions {
  // deno-lint-ignore no-explicit-any
  chassis: any;
  registry: Registry;
  signal?: AbortSignal;
}

/**
 * Reads the step's resource back: a delete must leave it gone (a released resource is not
 * expected gone), anything else must match the planned attributes.
 *
 * @throws {NotFoundError} the address is not a step of the plan
 * @throws {DeviceError} still present after delete, or attributes differ (names them)
 */
export async function verifyStep(
  plan: Plan,
  address: string,
  opts: VerifyStepOptions,
): Promise<{ verified: true } | { gone: true } | { released: true }> {
  const step = plan.steps.find((x) => x.address === address) as PlanStep | undefined;
  if (!step) {
    throw new NotFoundError(`${address} is not a step of this plan`, {
      hint: "Verify only the steps of the plan being applied",
    });
  }
  const def = opts.registry.get(step.type);
  if (step.action === "delete" && def.releaseOnDelete) return { released: true };
  const live = await def.read({ chassis: opts.chassis, signal: opts.signal }, step.id);
  if (step.action === "delete") {
    if (live) throw new DeviceError(`${step.address} is still present after delete`);
    return { gone: true };
  }
  const left = live ? diff(def, step.after!, live) : [{ attribute: "(all)" }];
  if (left.length > 0) {
    throw new DeviceError(
      `${step.address} does not match after apply: ${
        left.map((x) => x.attribute).join(", ")
      } differ`,
    );
  }
  return { verified: true };
}
