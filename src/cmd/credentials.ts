/**
 * Credentials for a chassis: never from argv. Order: `VESSEL_USERNAME` / `VESSEL_PASSWORD`,
 * then the config file (`VESSEL_CONFIG`, default `~/.config/vessel/config.yaml`) which must be
 * readable only by its owner, then a fallback (the simulator's own credentials).
 *
 * @example config.yaml (chmod 600)
 * username: root
 * password: "..."
 */
import { AuthError, ConfigError } from "../errors.ts";

/** A user name and password. */
export interface Credentials {
  username: string;
  password: string;
}

/** Path of the config file. */
export function configPath(): string {
  const explicit = Deno.env.get("VESSEL_CONFIG");
  if (explicit) return explicit;
  const home = Deno.env.get("HOME") ?? ".";
  const base = Deno.env.get("XDG_CONFIG_HOME") ?? `${home}/.config`;
  return `${base}/vessel/config.yaml`;
}

/**
 * Resolve credentials.
 * @throws {ConfigError} the config file is readable by group or others, or malformed
 * @throws {AuthError} no credentials anywhere
 */
export async function loadCredentials(fallback?: Credentials): Promise<Credentials> {
  const u = Deno.env.get("VESSEL_USERNAME");
  const p = Deno.env.get("VESSEL_PASSWORD");
  if (u && p) return { username: u, password: p };
  const path = configPath();
  let info: Deno.FileInfo | undefined;
  try {
    info = await Deno.stat(path);
  } catch {
    info = undefined;
  }
  if (info) {
    if (info.mode !== null && (info.mode & 0o077) !== 0) {
      throw new ConfigError(
        `Config file ${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)})`,
        { position: { file: path }, hint: `Run: chmod 600 ${path}` },
      );
    }
    const YAML = await import("yaml");
    let doc: Record<string, unknown>;
    try {
      doc = (YAML.parse(await Deno.readTextFile(path)) ?? {}) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(
        `Config file ${path} is not valid YAML: ${(e as Error).message.split("\n")[0]}`,
        {
          position: { file: path },
        },
      );
    }
    if (typeof doc.username === "string" && typeof doc.password === "string") {
      return { username: doc.username, password: doc.password };
    }
  }
  if (fallback) return fallback;
  throw new AuthError("No credentials for the chassis", {
    hint:
      `Set VESSEL_USERNAME and VESSEL_PASSWORD, or write username/password to ${path} (chmod 600)`,
  });
}
