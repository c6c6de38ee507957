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
 * sessions, tasks and log entries (large, volatile, not configuration).
 *
 * Restore ({@link restoreRedfish}) is generic: per stored resource, GET with ETag, PATCH the
 * differing properties with `If-Match`, drop what the service refuses as not writable. It never
 * writes identity, state, power, one-shot boot overrides, passwords or redacted values, and does
 * not recreate deleted collection members (accounts: no password in the snapshot).
 *
 * - `hmm/smmget.txt`: the HMM shell `smmget` probes ({@link smmgetTranscript}); read-only here.
 *
 * @module
 */
import type { ScopeCapture, ScopeCollector, ScopeEnv, ScopeId } from "../scope.ts";
import { scopeName } from "../scope.ts";
import { diffJson, diffText, VOLATILE_JSON_KEYS } from "../snapshot/diff.ts";
import { REDACTED, redactError, redactValue } from "../../util/redact.ts";
import type { Evidence } from "../scope.ts";
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
    method: "GET" | "PATCH",
    path: string,
    body?: unknown,
    options?: { etag?: string },
  ): Promise<{ data?: unknown; body?: unknown; etag?: string }>;
}

async function hub(env: ScopeEnv, scope: ScopeId): Promise<HubLike> {
  if (!env.chassis) {
    throw new SafetyError(`Scope ${scope} needs an open chassis`, {
      hint: "Pass { chassis } as the envelope's env",
    });
  }
  // The hub is the SDK's device access layer. A literal specifier, so bundles include it.
  const mod = await import("../../chassis/hub.ts") as unknown as {
    hubOf?: (c: unknown) => HubLike;
  };
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
    const lines = p.endsWith(".json") ? diffJson(JSON.parse(a), JSON.parse(b)) : diffText(a, b);
    out.push(...lines.map((l) => `${p}: ${l}`));
  }
  return out;
}

/**
 * Keys never written back by a Redfish restore: identity, structure, state, actions, volatile
 * values, and one-shot settings (a boot override would make the next boot PXE; power is never
 * restored).
 */
export const REDFISH_NOT_RESTORED: readonly string[] = [
  "Id",
  "Members",
  "Members@odata.count",
  "Links",
  "Actions",
  "Status",
  "PowerState",
  "BootSourceOverrideEnabled",
  "BootSourceOverrideTarget",
  "BootSourceOverrideMode",
  "Password",
  ...VOLATILE_JSON_KEYS,
];

function skipKey(k: string): boolean {
  return k.startsWith("@") || k.includes("@odata.") || k.endsWith("@Redfish.AllowableValues") ||
    REDFISH_NOT_RESTORED.includes(k);
}

function containsRedacted(v: unknown): boolean {
  if (v === REDACTED) return true;
  if (typeof v === "string") return v.includes(REDACTED);
  if (Array.isArray(v)) return v.some(containsRedacted);
  if (v && typeof v === "object") return Object.values(v).some(containsRedacted);
  return false;
}

/**
 * The properties of `want` that differ from `have`, as a PATCH body: nested objects recurse (only
 * the differing members are sent), arrays and scalars are sent whole; skipped keys and values
 * that were redacted in the snapshot are never sent.
 */
export function redfishPatch(want: unknown, have: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!want || typeof want !== "object" || Array.isArray(want)) return out;
  const h = (have && typeof have === "object" ? have : {}) as Record<string, unknown>;
  for (const [k, w] of Object.entries(want as Record<string, unknown>)) {
    if (skipKey(k) || containsRedacted(w)) continue;
    const x = h[k];
    if (w && typeof w === "object" && !Array.isArray(w)) {
      const sub = redfishPatch(w, x);
      if (Object.keys(sub).length) out[k] = sub;
    } else if (JSON.stringify(w) !== JSON.stringify(x)) out[k] = w;
  }
  return out;
}

function notWritable(e: unknown): string | undefined {
  const info = (e as {
    extendedInfo?: {
      MessageId?: string;
      MessageArgs?: unknown[];
      RelatedProperties?: string[];
    }[];
  })
    .extendedInfo ?? [];
  for (const m of info) {
    if (!/PropertyNotWritable|PropertyUnknown|ActionNotSupported/.test(m.MessageId ?? "")) continue;
    const rel = m.RelatedProperties?.[0]?.replace(/^#\//, "");
    return rel ?? String(m.MessageArgs?.[0] ?? "");
  }
  return undefined;
}

function dropPath(body: Record<string, unknown>, path: string): void {
  const parts = path.split("/").filter(Boolean);
  let cur: Record<string, unknown> = body;
  const stack: [Record<string, unknown>, string][] = [];
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (!next || typeof next !== "object") return;
    stack.push([cur, parts[i]]);
    cur = next as Record<string, unknown>;
  }
  delete cur[parts[parts.length - 1]];
  for (const [parent, key] of stack.reverse()) {
    if (Object.keys(parent[key] as object).length === 0) delete parent[key];
  }
}

/**
 * Write a stored Redfish dump back: for every stored resource, GET it (with its ETag), PATCH the
 * differing writable properties with `If-Match`; properties the service refuses as not writable
 * or unknown are dropped and retried without; resources that no longer exist are reported
 * (collection members such as accounts are not recreated: their passwords are not in the snapshot).
 */
export async function restoreRedfish(
  h: HubLike,
  target: "hmm" | number,
  stored: Record<string, unknown>,
): Promise<Evidence> {
  const patched: { path: string; properties: string[] }[] = [];
  const refused: string[] = [];
  const missing: string[] = [];
  const errors: { path: string; error: string }[] = [];
  for (const [path, want] of Object.entries(stored)) {
    let live: { data?: unknown; etag?: string };
    try {
      live = await h.redfish(target, "GET", path);
    } catch (e) {
      if ((e as { status?: number }).status === 404) missing.push(path);
      else errors.push({ path, error: redactError(e) });
      continue;
    }
    const body = redfishPatch(want, live.data);
    for (let attempt = 0; attempt < 20 && Object.keys(body).length; attempt++) {
      try {
        await h.redfish(target, "PATCH", path, body, { etag: live.etag });
        patched.push({ path, properties: Object.keys(body) });
        break;
      } catch (e) {
        const prop = notWritable(e);
        if (prop) {
          refused.push(`${path}#/${prop}`);
          dropPath(body, prop);
          continue;
        }
        errors.push({ path, error: redactError(e) });
        break;
      }
    }
  }
  if (errors.length) {
    throw new SafetyError(
      `Redfish restore of ${
        target === "hmm" ? "the HMM" : `the iBMC of slot ${target}`
      } failed for ${errors.length} resource(s): ${
        errors.map((e) => `${e.path}: ${e.error}`).slice(0, 3).join("; ")
      }`,
      { details: { patched, refused, missing, errors } },
    );
  }
  return { patched, refused, missing };
}

/**
 * The `smmget` probes of a snapshot (upstream's list, hmm-cli.md §7, without the `health` status
 * items): SMM `version`, `gateway`, `timezone`, `presence`; per blade `presence`, `biosbootmode`,
 * `macaddress`; per switch `presence`, `version`. Transcript lines: `$ <command>`, the output
 * (trailing whitespace trimmed), a blank line; a refused probe is recorded as `! <error>`.
 */
export async function smmgetTranscript(env: ScopeEnv): Promise<{ text?: string; reason?: string }> {
  const ctx = env.chassis?.context as {
    hmmShell?: () => Promise<{ smmget(i: { location?: string; item: string }): Promise<string> }>;
    endpoints?: { ibmc?: Record<string, unknown>; switches?: Record<string, unknown> };
  } | undefined;
  if (typeof ctx?.hmmShell !== "function") return { reason: "the SDK offers no HMM shell" };
  let sh;
  try {
    sh = await ctx.hmmShell();
  } catch (e) {
    return { reason: `HMM shell unavailable: ${redactError(e)}` };
  }
  const probes: { location?: string; item: string }[] = [
    ...["version", "gateway", "timezone", "presence"].map((item) => ({ item })),
  ];
  const slots = Object.keys(ctx.endpoints?.ibmc ?? {}).map(Number).sort((a, b) => a - b);
  for (const n of slots) {
    for (const item of ["presence", "biosbootmode", "macaddress"]) {
      probes.push({ location: `blade${n}`, item });
    }
  }
  const switches = Object.keys(ctx.endpoints?.switches ?? {}).sort();
  for (const sw of switches) {
    for (const item of ["presence", "version"]) probes.push({ location: sw, item });
  }
  const out: string[] = [];
  for (const p of probes) {
    const cmd = `smmget${p.location ? ` -l ${p.location}` : ""} -d ${p.item}`;
    out.push(`$ ${cmd}`);
    try {
      out.push((await sh.smmget(p)).replace(/\s+$/, ""));
    } catch (e) {
      out.push(`! ${redactError(e)}`);
    }
    out.push("");
  }
  return { text: out.join("\n") + "\n" };
}

/** The collector for `hmm` (Redfish backup; restore PATCHes writable properties). */
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
      const smm = await smmgetTranscript(env);
      return {
        scope,
        files: {
          "hmm/redfish.json": json(dump.resources),
          "hmm/accounts.json": json(accounts),
          ...(smm.text !== undefined ? { "hmm/smmget.txt": smm.text } : {}),
        },
        meta: {
          source: "HMM Redfish walk from /redfish/v1; HMM shell smmget probes",
          resources: Object.keys(dump.resources).length,
          errors: dump.errors,
          truncated: dump.truncated,
          ...(smm.text === undefined ? { not_captured: [`hmm/smmget.txt (${smm.reason})`] } : {}),
        },
      };
    },
    async restore(scope, capture, env) {
      const file = capture.files["hmm/redfish.json"];
      if (file === undefined) throw new SafetyError(`Snapshot of ${scope} lacks hmm/redfish.json`);
      return await restoreRedfish(await hub(env, scope), "hmm", JSON.parse(file));
    },
    diff: jsonDiff,
  };
}

/** The collector for `ibmc:bladeN` (Redfish backup; restore PATCHes writable properties). */
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
    async restore(scope, capture, env) {
      const name = scopeName(scope);
      const file = capture.files[`ibmc/${name}.json`];
      if (file === undefined) throw new SafetyError(`Snapshot of ${scope} lacks ibmc/${name}.json`);
      return await restoreRedfish(await hub(env, scope), Number(name.slice(5)), JSON.parse(file));
    },
    diff: jsonDiff,
  };
}
