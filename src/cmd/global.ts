/**
 * Global options shared by every subcommand, and their resolution (env fallbacks, colour).
 * Light module: imported at start-up by every command definition.
 */
import { Option } from "@commander-js/extra-typings";

/** Global options as commander hands them over (`cmd.optsWithGlobals()`). */
export interface GlobalFlags {
  chassis?: string;
  output?: string;
  color?: boolean;
  verbose?: boolean;
  state?: string;
  insecure?: boolean;
  timeout?: string;
  snapshots?: string;
  record?: string;
  knownHosts?: string;
  caFile?: string;
}

/** Resolved global settings. */
export interface Globals {
  chassis?: string;
  output: "text" | "json";
  color: boolean;
  verbose: boolean;
  statePath: string;
  insecure: boolean;
  timeoutMs: number;
  /** Where snapshots are written (`snapshots/<UTC stamp>/`). */
  snapshotsDir: string;
  /** Record every device exchange (secrets redacted) into this folder. */
  recordDir?: string;
  /** Pinned TLS certificates and SSH host keys (default ~/.config/vessel/known_hosts). */
  knownHostsFile?: string;
  /** Trust this CA (PEM file) for the chassis' HTTPS. */
  caFile?: string;
}

/** The global options, added to the root program. */
export function globalOptions(): Option[] {
  return [
    new Option(
      "--chassis <url>",
      "chassis to manage: sim://, sim:///dir, endpoints:/file.json, https://hmm-host",
    )
      .env("VESSEL_CHASSIS"),
    new Option("--output <format>", "output format").choices(["text", "json"]).default("text"),
    new Option("--no-color", "disable colours (also NO_COLOR)"),
    new Option("--verbose", "print progress details to stderr"),
    new Option("--state <path>", "state database (default .vessel/vessel.db)").env("VESSEL_STATE"),
    new Option("--insecure", "accept any TLS certificate (otherwise pinned on first use)"),
    new Option("--timeout <seconds>", "deadline for each device call").default("30"),
    new Option("--snapshots <dir>", "snapshot folder (default snapshots)").env(
      "VESSEL_SNAPSHOTS_DIR",
    ),
    new Option("--record <dir>", "record every device exchange (secrets redacted) into a folder"),
    new Option("--known-hosts <file>", "pinned TLS certificates and SSH host keys")
      .env("VESSEL_KNOWN_HOSTS"),
    new Option("--ca-file <file>", "trust this CA (PEM) for the chassis' HTTPS")
      .env("VESSEL_CA_FILE"),
  ];
}

/** Turn raw flags into settings. */
export function resolveGlobals(raw: object): Globals {
  const flags = raw as GlobalFlags;
  const noColorEnv = Deno.env.get("NO_COLOR") !== undefined && Deno.env.get("NO_COLOR") !== "";
  const tty = Deno.stdout.isTerminal();
  const timeout = Number(flags.timeout ?? 30);
  return {
    chassis: flags.chassis,
    output: flags.output === "json" ? "json" : "text",
    color: flags.color !== false && !noColorEnv && tty,
    verbose: flags.verbose === true,
    statePath: flags.state ?? ".vessel/vessel.db",
    insecure: flags.insecure === true,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : 30_000,
    snapshotsDir: flags.snapshots ?? "snapshots",
    recordDir: flags.record,
    knownHostsFile: flags.knownHosts,
    caFile: flags.caFile,
  };
}
