/**
 * The endpoints document: the one contract between a chassis (simulated or real) and the SDK
 * (docs/architecture.md, "How a chassis is addressed"). Plain JSON, validated here with zod.
 *
 * `resolveChassis()` turns a `--chassis` value into this document:
 * - `endpoints:/path/file.json` (or `endpoints:relative.json`): a saved `vessel sim --json` line
 * - `https://hmm-host[:port]`: a real HMM; the rest is derived from the E9000 internal fabric
 *   plan (../shared/docs/hardware/redfish.md §2.1): switch `swiN` management at
 *   `172.31.1.(160+N)`, blade iBMC `N` at `172.31.1.(128+N)`, both reached through the HMM's
 *   own `ssh` command (`via: "hmm"`) because the HMM refuses TCP forwarding.
 * `sim://` is resolved by the CLI (it starts a simulator), not here.
 */
import { z } from "zod";
import { ConfigError, UsageError } from "../errors.ts";

/** The switch module slots of an E9000. */
export const SWITCH_NAMES = ["swi1", "swi2", "swi3", "swi4"] as const;
/** A switch module slot name. */
export type SwitchName = typeof SWITCH_NAMES[number];

/** Number of blade slots of an E9000. */
export const BLADE_SLOTS = 16;

const httpUrl = z.string().regex(/^https?:\/\/[^\s/]+/, "must be an http(s):// URL");
const sshUrl = z.string().regex(/^ssh:\/\/[^\s/]+/, "must be an ssh://host:port URL");

/** How a device is reached: directly, or through the HMM shell's `ssh` command. */
export const ViaSchema = z.enum(["direct", "hmm"]).describe(
  "direct: connect to the address; hmm: run the HMM shell's ssh command to it (no TCP forwarding on the HMM)",
);

/** One switch module. */
export const SwitchEndpointSchema = z.object({
  ssh: sshUrl.describe("VRP CLI, e.g. ssh://127.0.0.1:41050"),
  via: ViaSchema.optional(),
}).passthrough();

/** One blade iBMC. */
export const IbmcEndpointSchema = z.object({
  // The simulator writes "" for a blade whose iBMC has no Redfish (iMana 6.05 may lack it).
  redfish: z.preprocess((v) => (v === "" ? undefined : v), httpUrl.optional())
    .describe("iBMC Redfish base, …/redfish/v1; absent = no Redfish, use the iBMC shell"),
  ssh: sshUrl.optional().describe("iBMC CLI"),
  via: ViaSchema.optional(),
}).passthrough();

/** The endpoints document. */
export const EndpointsSchema = z.object({
  kind: z.enum(["vessel-sim-endpoints", "vessel-endpoints"]),
  version: z.literal(1),
  chassis: z.object({
    model: z.string().optional(),
    serial: z.string().optional(),
  }).passthrough().optional(),
  hmm: z.object({
    web: httpUrl.describe("HMM web UI / dispatchers base URL"),
    redfish: httpUrl.optional().describe("HMM Redfish base, …/redfish/v1"),
    ssh: sshUrl.optional().describe("HMM restricted shell"),
  }).passthrough().optional().describe("absent when a simulator runs switches only"),
  ibmc: z.record(z.string().regex(/^\d+$/), IbmcEndpointSchema).default({}),
  switches: z.record(z.string().regex(/^swi[1-4]$/), SwitchEndpointSchema).default({}),
  admin: httpUrl.optional().describe("simulator admin API (faults, state)"),
  credentials: z.object({ username: z.string(), password: z.string() }).optional(),
  tls: z.object({ ca: z.string().optional() }).passthrough().optional(),
}).passthrough();

/** The endpoints document (validated). */
export type Endpoints = z.infer<typeof EndpointsSchema>;

/** Host and port of an `ssh://host:port` URL (port 22 when missing). */
export function parseSshUrl(url: string): { host: string; port: number } {
  const m = /^ssh:\/\/(?:[^@/]+@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (!m) throw new UsageError(`Invalid SSH address ${url}`, { hint: "Use ssh://host:port" });
  return { host: m[1].replace(/^\[|\]$/g, ""), port: m[2] ? Number(m[2]) : 22 };
}

/**
 * Validates an endpoints document.
 *
 * @throws {ConfigError} naming the field path and the rule
 */
export function parseEndpoints(doc: unknown, source = "endpoints document"): Endpoints {
  const r = EndpointsSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0];
    const path = i.path.join(".");
    throw new ConfigError(`Invalid ${source}: ${path || "(root)"} ${i.message}`, {
      path,
      position: { file: source },
      hint: "Save the JSON line printed by `vessel sim --json` unchanged",
    });
  }
  return r.data;
}

/**
 * Derives the endpoints of a real E9000 from its HMM address (data only: nothing is contacted).
 *
 * @example
 * deriveEndpoints("https://192.168.1.30").switches.swi2.ssh // "ssh://172.31.1.162:22"
 */
export function deriveEndpoints(hmmUrl: string): Endpoints {
  let u: URL;
  try {
    u = new URL(hmmUrl);
  } catch {
    throw new UsageError(`Invalid chassis address ${hmmUrl}`, {
      hint: "Use https://<hmm-host>, endpoints:/path/file.json or sim://",
    });
  }
  if (u.protocol !== "https:") {
    throw new UsageError(`Invalid chassis address ${hmmUrl}: the HMM is reached over https`, {
      hint: "Use https://<hmm-host>",
    });
  }
  const origin = `https://${u.host}`;
  const ibmc: Endpoints["ibmc"] = {};
  for (let n = 1; n <= BLADE_SLOTS; n++) {
    const ip = `172.31.1.${128 + n}`;
    ibmc[String(n)] = { redfish: `https://${ip}/redfish/v1`, ssh: `ssh://${ip}:22`, via: "hmm" };
  }
  const switches: Endpoints["switches"] = {};
  SWITCH_NAMES.forEach((name, i) => {
    switches[name] = { ssh: `ssh://172.31.1.${161 + i}:22`, via: "hmm" };
  });
  return {
    kind: "vessel-endpoints",
    version: 1,
    chassis: { model: "E9000" },
    hmm: { web: origin, redfish: `${origin}/redfish/v1`, ssh: `ssh://${u.hostname}:22` },
    ibmc,
    switches,
  };
}

/**
 * Resolves a `--chassis` value (other than `sim://…`) to an endpoints document.
 *
 * @throws {UsageError} unknown form, or `sim://` (the CLI starts simulators)
 * @throws {ConfigError} unreadable or invalid endpoints file
 */
export async function resolveChassis(url: string): Promise<Endpoints> {
  if (url.startsWith("endpoints:")) {
    const path = url.slice("endpoints:".length).replace(/^\/\/(?=\/)/, "");
    if (!path) {
      throw new UsageError("Missing file in endpoints: address", {
        hint: "Use endpoints:/path/file.json",
      });
    }
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      throw new ConfigError(`Cannot read endpoints file ${path}: ${(e as Error).message}`, {
        position: { file: path },
        hint: "Save the line printed by `vessel sim --json` to this file",
      });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text.trim().split("\n").filter((l) => l.trim()).pop() ?? "");
    } catch {
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new ConfigError(`Endpoints file ${path} is not JSON: ${(e as Error).message}`, {
          position: { file: path },
        });
      }
    }
    return parseEndpoints(doc, path);
  }
  if (url.startsWith("https://")) return deriveEndpoints(url);
  if (url.startsWith("sim:")) {
    throw new UsageError(`${url} is started by the CLI, not resolved by the SDK`, {
      hint: "Call startSimulator() and pass its endpoints to openChassis()",
    });
  }
  throw new UsageError(`Unknown chassis address ${url}`, {
    hint: "Use sim://, sim:///dir, endpoints:/path/file.json or https://<hmm-host>",
  });
}
