/**
 * The `hmm` and `ibmc:bladeN` scopes: a full Redfish dump of the HMM and of each blade's iBMC,
 * through the SDK's device hub (`hubOf(chassis).redfish(target, "GET", path)`).
 *
 * Files:
 * - `hmm/redfish.json`: every HMM Redfish resource reached from `/redfish/v1`, keyed by
 *   `@odata.id`, keys sorted;
 * - `hmm/accounts.json`: the `AccountService/Accounts` members (user names, roles, enabled;
 *   passwords are never readable and would be redacted anyway);
 * - `ibmc/bladeN.json`: the same walk on blade N's iBMC.
 *
 * The walk follows every `@odata.id` under `/redfish/v1`, skipping schema and message registries,
 * sessions, tasks and log entries (large, volatile, not configuration). Capture only: restoring
 * HMM and iBMC settings needs the SDK's typed writes (PATCH with ETags) and is not built yet, so
 * a change touching these scopes can be backed up but its rollback reports `rollback-failed`.
 *
 * `hmm/smmget.txt` (HMM CLI data items) needs the HMM shell in the SDK and is not captured yet.
 *
 * @module
 */
import type { ScopeCapture, ScopeCollector, ScopeEnv, ScopeId } from "../scope.ts";
import { scopeName } from "../scope.ts";
import { diffJson } from "../snapshot/diff.ts";
import { redactValue } from "../../util/redact.ts";
import { SafetyError } from "../../errors.ts";

/** Paths not followed by the walk (not configuration, or huge). */
export const REDFISH_SKIP: readonly RegExp[] = [
  /^\/redfish\/v1\/JsonSchemas(\/|$)/,
  /^\/redfish\/v1\/Registries(\/|$)/,
  /^\/redfish\/v1\/SessionService\/Sessions(\/|$)/,
  /^\/redfish\/v1\/TaskService\/Tasks(\/|$)/,
  /\/LogServices\/[^/]+\/Entries(\/|$)/,
  /\/\$metadata$/,
  /^\/redfish\/v1\/odata$/,
];

/** Most resources one walk reads (a guard against link loops and giant trees). */
export const REDFISH_MAX_RESOURCES = 3000;

/** One GET: returns the JSON body, or throws. */
export type RedfishGet = (path: string) => Promise<unknown>;

/** Result of {@link walkRedfish}. */
export interface RedfishDump {
  resources: Record<string, unknown>;
  errors: Record<string, string>;
  truncated: boolean;
}

function links(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) v.forEach((x) => links(x, out));
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === "@odata.id" && typeof x === "string") out.add(x.split("#")[0].replace(/\/+$/, ""));
      else links(x, out);
    }
  }
}

/**
 * Walk a Redfish service from `/redfish/v1`, `parallel` requests at a time.
 * Failed GETs are recorded in `errors` (status and message), never thrown, except for the root.
 */
export async function walkRedfish(
  get: RedfishGet,
  options: { parallel?: number; max?: number; skip?: readonly RegExp[] } = {},
): Promise<RedfishDump> {
  const skip = options.skip ?? REDFISH_SKIP;
  const max = options.max ?? REDFISH_MAX_RESOURCES;
  const resources: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const seen = new Set<string>(["/redfish/v1"]);
  let queue = ["/redfish/v1"];
  let truncated = false;
  resources["/redfish/v1"] = await get("/redfish/v1");
  const more = (body: unknown) => {
    const found = new Set<string>();
    links(body, found);
    for (const l of [...found].sort()) {
      if (!l.startsWith("/redfish/v1") || seen.has(l) || skip.some((re) => re.test(l))) continue;
      if (seen.size >= max) {
        truncated = true;
        break;
      }
      seen.add(l);
      queue.push(l);
    }
  };
  queue = [];
  more(resources["/redfish/v1"]);
  const parallel = Math.max(1, options.parallel ?? 6);
  while (queue.length) {
    const batch = queue.splice(0, parallel);
    const bodies = await Promise.all(batch.map(async (p) => {
      try {
        return { p, body: await get(p) };
      } catch (e) {
        const status = (e as { status?: number }).status;
        errors[p] = `${status ?? ""} ${(e as Error).message ?? e}`.trim();
        return { p, body: undefined };
      }
    }));
    for (const { p, body } of bodies) {
      if (body === undefined) continue;
      resources[p] = body;
      more(body);
    }
  }
  return { resources: sortKeys(resources) as Record<string, unknown>, errors, truncated };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v as Record<string, unknown>).sort().map((
        k,
      ) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

interface HubLike {
  redfish(
    target: "hmm" | number,
    method: "GET",
    path: string,
  ): Promise<{ data?: unknown; body?: unknown }>;
}

async function hub(env: ScopeEnv, scope: ScopeId): Promise<HubLike> {
  if (!env.chassis) {
    throw new SafetyError(`Scope ${scope} needs an open chassis`, {
      hint: "Pass { chassis } as the envelope's env",
    });
  }
  // Resolved at run time: the hub is the SDK's device access layer.
  const spec = "../../chassis/hub.ts";
  const mod = await import(spec) as { hubOf?: (c: unknown) => HubLike };
  if (typeof mod.hubOf !== "function") {
    throw new SafetyError(`The SDK offers no device hub: cannot capture ${scope}`);
  }
  return mod.hubOf(env.chassis);
}

function getter(h: HubLike, target: "hmm" | number): RedfishGet {
  return async (path) => {
    const r = await h.redfish(target, "GET", path);
    return r.data ?? r.body;
  };
}

function json(v: unknown): string {
  return JSON.stringify(redactValue(v), null, 2) + "\n";
}

function jsonDiff(before: ScopeCapture, after: ScopeCapture): string[] {
  const out: string[] = [];
  for (
    const p of [...new Set([...Object.keys(before.files), ...Object.keys(after.files)])].sort()
  ) {
    const a = before.files[p], b = after.files[p];
    if (a === undefined || b === undefined) {
      out.push(
        `${a === undefined ? "+" : "-"} ${p}: file ${a === undefined ? "added" : "removed"}`,
      );
      continue;
    }
    out.push(...diffJson(JSON.parse(a), JSON.parse(b)).map((l) => `${p}: ${l}`));
  }
  return out;
}

/** The collector for `hmm` (capture only). */
export function hmmScope(): ScopeCollector {
  return {
    volatile: [
      "Redfish volatile keys (see VOLATILE_JSON_KEYS)",
      "sessions, tasks, log entries (not walked)",
    ],
    async capture(scope, env) {
      const h = await hub(env, scope);
      const dump = await walkRedfish(getter(h, "hmm"));
      const accounts = Object.entries(dump.resources)
        .filter(([p]) => /^\/redfish\/v1\/AccountService\/Accounts\/[^/]+$/.test(p))
        .map(([, v]) => v);
      return {
        scope,
        files: {
          "hmm/redfish.json": json(dump.resources),
          "hmm/accounts.json": json(accounts),
        },
        meta: {
          source: "HMM Redfish walk from /redfish/v1",
          resources: Object.keys(dump.resources).length,
          errors: dump.errors,
          truncated: dump.truncated,
          not_captured: ["hmm/smmget.txt (needs the HMM shell in the SDK)"],
        },
      };
    },
    diff: jsonDiff,
  };
}

/** The collector for `ibmc:bladeN` (capture only). */
export function ibmcScope(): ScopeCollector {
  return {
    volatile: ["Redfish volatile keys (see VOLATILE_JSON_KEYS)"],
    async capture(scope, env) {
      const name = scopeName(scope);
      const slot = Number(/^blade(\d+)$/.exec(name)?.[1]);
      if (!slot) throw new SafetyError(`Invalid iBMC scope ${scope}: expected ibmc:blade<N>`);
      const h = await hub(env, scope);
      const dump = await walkRedfish(getter(h, slot));
      return {
        scope,
        files: { [`ibmc/${name}.json`]: json(dump.resources) },
        meta: {
          source: `iBMC Redfish walk of slot ${slot}`,
          resources: Object.keys(dump.resources).length,
          errors: dump.errors,
          truncated: dump.truncated,
        },
      };
    },
    diff: jsonDiff,
  };
}
