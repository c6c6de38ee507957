/**
 * Snapshots on disk: `snapshots/<YYYYMMDDTHHMMSSZ>/` holding one set of files per scope
 * (`hmm/redfish.json`, `hmm/smmget.txt`, `hmm/accounts.json`, `switches/swi<N>.cfg`,
 * `ibmc/blade<N>.json`) and `manifest.yaml` (what, by whom, when, tool version, chassis serial,
 * SHA-256 and size of every file). The directory name is the snapshot id; a second snapshot in
 * the same second gets `-2`, `-3`, ...
 *
 * Written into `.tmp-<id>-<random>/` and renamed when complete, manifest last: an interrupted
 * snapshot never appears complete (hidden temporary directories are never listed or restored).
 * Every file is redacted before it is written (secrets become `***`); files are mode 0600.
 *
 * @example
 * const snap = await takeSnapshot(settings, ["switch:swi2"], { chassis });
 * const report = await verifySnapshot(settings.root, snap.id);
 *
 * @module
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { join, resolve } from "node:path";
import denoJson from "../../../deno.json" with { type: "json" };
import { sha256Hex } from "../../store/canonical.ts";
import type { CatalogEntry, SnapshotCatalog } from "../../store/snapshots.ts";
import { defaultRedactor, redactError, type Redactor, scrubError } from "../../util/redact.ts";
import { NotFoundError, SafetyError } from "../../errors.ts";
import {
  defaultScopes,
  type ScopeCapture,
  type ScopeEnv,
  type ScopeId,
  type ScopeRegistry,
} from "../scope.ts";

/** Version of Vessel written into manifests. */
export const TOOL_VERSION: string = (denoJson as { version?: string }).version ?? "0.0.0";

/** Default snapshot root (relative to the working directory), overridable by `VESSEL_SNAPSHOTS_DIR`. */
export const DEFAULT_SNAPSHOTS_DIR = "snapshots";

/** Manifest file name. */
export const MANIFEST = "manifest.yaml";

/** One file in a manifest. */
export interface ManifestFile {
  path: string;
  scope: ScopeId;
  sha256: string;
  bytes: number;
}

/** `manifest.yaml` (also the JSON shape of `vessel snapshot show --output json`). */
export interface Manifest {
  kind: "vessel-snapshot";
  version: 1;
  id: string;
  complete: true;
  created_at: string;
  created_by: string;
  tool: { name: "vessel"; version: string };
  chassis: { model?: string | null; serial: string | null };
  reason?: string | null;
  scopes: ScopeId[];
  redaction: string;
  files: ManifestFile[];
  /** Per-scope facts from the collectors (sources, counts). */
  meta?: Record<string, unknown>;
  /** Scopes asked for but not captured (no collector in this version). */
  skipped?: ScopeId[];
}

/** Where and for whom snapshots are written. */
export interface SnapshotSettings {
  /** Snapshot root directory. */
  root: string;
  /** Chassis identity written to the manifest; restore refuses another serial. */
  chassis: { model?: string | null; serial: string | null };
  /** Who takes it (default `user@host`). */
  actor?: string;
  /** Catalog to record the snapshot in (recommended). */
  catalog?: SnapshotCatalog;
  redactor?: Redactor;
  now?: () => Date;
  registry?: ScopeRegistry;
}

/** A written snapshot. */
export interface SnapshotRef {
  id: string;
  dir: string;
  manifest: Manifest;
}

/** UTC stamp `YYYYMMDDTHHMMSSZ`. */
export function snapshotStamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
}

/** The snapshot root from `$VESSEL_SNAPSHOTS_DIR` or {@link DEFAULT_SNAPSHOTS_DIR}. */
export function snapshotsRootFromEnv(): string {
  try {
    return Deno.env.get("VESSEL_SNAPSHOTS_DIR") || DEFAULT_SNAPSHOTS_DIR;
  } catch {
    return DEFAULT_SNAPSHOTS_DIR;
  }
}

/**
 * Capture every scope with its registered collector.
 *
 * @throws {SafetyError} when a scope has no collector or its capture fails (no backup, no change)
 */
export async function captureScopes(
  scopes: ScopeId[],
  env: ScopeEnv,
  registry: ScopeRegistry = defaultScopes,
  options: { parallel?: number } = {},
): Promise<ScopeCapture[]> {
  const list = [...new Set(scopes)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const collectors = list.map((scope) => {
    const c = registry.resolve(scope);
    if (!c) {
      throw new SafetyError(`No snapshot collector for scope ${scope}: cannot back it up`, {
        hint: `Collectors exist for ${registry.patterns().join(", ") || "no scope yet"}`,
      });
    }
    return c;
  });
  // Scopes are different devices: capture several at once (the SDK caps sessions per device).
  const out: ScopeCapture[] = new Array(list.length);
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < list.length && failed === undefined) {
      const i = next++;
      const scope = list[i];
      try {
        const cap = await collectors[i].capture(scope, env);
        out[i] = { ...cap, scope };
      } catch (e) {
        failed ??= new SafetyError(
          `Cannot capture scope ${scope} for a snapshot: ${redactError(e)}`,
          {
            cause: scrubError(e),
            hint: "Fix access to that device first; nothing was changed",
          },
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallel ?? 6, list.length) }, worker));
  if (failed !== undefined) throw failed;
  return out;
}

/** SHA-256 of every file of `capture`, after redaction (what the snapshot stores). */
export function captureHashes(
  capture: ScopeCapture,
  redactor: Redactor = defaultRedactor,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [p, text] of Object.entries(capture.files)) out[p] = sha256Hex(redactor.text(text));
  return out;
}

function checkRelPath(p: string): void {
  if (
    !p || p.startsWith("/") || p.split("/").some((s) => s === ".." || s === "" || s === ".") ||
    p === MANIFEST
  ) {
    throw new SafetyError(`Invalid snapshot file path "${p}" from a collector`);
  }
}

/**
 * Write `captures` as a new snapshot (atomically) and record it in the catalog.
 *
 * @throws {SafetyError} when it cannot be written completely
 */
export async function writeSnapshot(
  settings: SnapshotSettings,
  captures: ScopeCapture[],
  options: { reason?: string; skipped?: ScopeId[] } = {},
): Promise<SnapshotRef> {
  const redactor = settings.redactor ?? defaultRedactor;
  const now = (settings.now ?? (() => new Date()))();
  const root = resolve(settings.root);
  const stamp = snapshotStamp(now);
  try {
    await Deno.mkdir(root, { recursive: true, mode: 0o700 });
    const tmp = join(root, `.tmp-${stamp}-${crypto.randomUUID().slice(0, 8)}`);
    await Deno.mkdir(tmp, { mode: 0o700 });
    try {
      const files: ManifestFile[] = [];
      const meta: Record<string, unknown> = {};
      for (const cap of captures) {
        if (cap.meta) meta[cap.scope] = redactor.value(cap.meta);
        for (
          const [rel, text] of Object.entries(cap.files).sort(([a], [b]) => a.localeCompare(b))
        ) {
          checkRelPath(rel);
          const data = new TextEncoder().encode(redactor.text(text));
          const full = join(tmp, rel);
          await Deno.mkdir(join(full, ".."), { recursive: true, mode: 0o700 });
          await Deno.writeFile(full, data, { mode: 0o600 });
          files.push({ path: rel, scope: cap.scope, sha256: sha256Hex(data), bytes: data.length });
        }
      }
      let id = stamp;
      for (let n = 2;; n++) {
        const manifest: Manifest = {
          kind: "vessel-snapshot",
          version: 1,
          id,
          complete: true,
          created_at: now.toISOString(),
          created_by: redactor.text(settings.actor ?? defaultCreator()),
          tool: { name: "vessel", version: TOOL_VERSION },
          chassis: {
            model: settings.chassis.model ?? null,
            serial: settings.chassis.serial ?? null,
          },
          reason: options.reason === undefined ? null : redactor.text(options.reason),
          scopes: captures.map((c) => c.scope).sort(),
          redaction: `secrets replaced by ${"***"} before writing; restore never writes them back`,
          files: files.sort((a, b) => a.path.localeCompare(b.path)),
          ...(Object.keys(meta).length ? { meta } : {}),
          ...(options.skipped?.length ? { skipped: options.skipped } : {}),
        };
        const text = stringifyYaml(manifest, { lineWidth: 0 });
        await Deno.writeTextFile(join(tmp, MANIFEST), text, { mode: 0o600 });
        const dir = join(root, id);
        try {
          await Deno.rename(tmp, dir);
        } catch (e) {
          if (n < 100 && (await exists(dir))) {
            id = `${stamp}-${n}`;
            continue;
          }
          throw e;
        }
        settings.catalog?.put(catalogEntry(dir, manifest, sha256Hex(text)));
        return { id, dir, manifest };
      }
    } catch (e) {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
      throw e;
    }
  } catch (e) {
    if (e instanceof SafetyError) throw e;
    throw new SafetyError(`Cannot write snapshot under ${root}: ${redactError(e)}`, {
      cause: scrubError(e, redactor),
      hint: "Check free space and permissions of the snapshots directory",
    });
  }
}

function catalogEntry(dir: string, m: Manifest, manifestSha: string): CatalogEntry {
  return {
    id: m.id,
    path: dir,
    created_at: m.created_at,
    created_by: m.created_by,
    chassis_serial: m.chassis.serial,
    scopes: m.scopes,
    reason: m.reason ?? null,
    manifest_sha256: manifestSha,
    files: m.files.map((f) => ({ path: f.path, scope: f.scope, sha256: f.sha256, bytes: f.bytes })),
  };
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.lstat(p);
    return true;
  } catch {
    return false;
  }
}

function defaultCreator(): string {
  try {
    const env = Deno.env.get("VESSEL_AUDIT_ACTOR");
    if (env) return env;
  } catch { /* no env permission */ }
  return `${Deno.env.get("USER") ?? "unknown"}@${Deno.hostname()}`;
}

/** Capture `scopes` and write them as a snapshot. @throws {SafetyError} */
export async function takeSnapshot(
  settings: SnapshotSettings,
  scopes: ScopeId[],
  env: ScopeEnv,
  options: { reason?: string } = {},
): Promise<SnapshotRef> {
  const caps = await captureScopes(scopes, env, settings.registry ?? defaultScopes);
  return await writeSnapshot(settings, caps, options);
}

/**
 * Resolve a snapshot reference: an id under `root` (or a unique prefix of one), a directory
 * path, or `latest`.
 *
 * @throws {NotFoundError}
 */
export async function resolveSnapshotDir(root: string, ref: string): Promise<string> {
  if (ref === "latest") {
    const all = await listSnapshotDirs(root);
    if (!all.length) {
      throw new NotFoundError(`No snapshots under ${resolve(root)}`, {
        hint: "Run vessel snapshot first",
      });
    }
    return join(resolve(root), all[all.length - 1]);
  }
  if (/^[0-9]{8}T[0-9]{6}Z(-\d+)?$/.test(ref)) {
    const dir = join(resolve(root), ref);
    if (await exists(dir)) return dir;
  } else if (await exists(join(ref, MANIFEST)) || await exists(ref)) {
    return resolve(ref);
  }
  // A unique prefix of an id (`20261125T2000`) is enough.
  if (/^[0-9]{4,}/.test(ref) && !ref.includes("/")) {
    const hits = (await listSnapshotDirs(root)).filter((id) => id.startsWith(ref));
    if (hits.length === 1) return join(resolve(root), hits[0]);
    if (hits.length > 1) {
      throw new NotFoundError(`Snapshot ${ref} is ambiguous under ${resolve(root)}`, {
        hint: `It matches ${hits.slice(0, 5).join(", ")}${hits.length > 5 ? ", ..." : ""}`,
      });
    }
  }
  throw new NotFoundError(`Snapshot ${ref} not found under ${resolve(root)}`, {
    hint: "List them with vessel snapshot list",
  });
}

/** Complete snapshot directory names under `root`, oldest first (hidden temp dirs excluded). */
export async function listSnapshotDirs(root: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(root)) {
      if (
        e.isDirectory && !e.name.startsWith(".") && (await exists(join(root, e.name, MANIFEST)))
      ) {
        out.push(e.name);
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}

/**
 * Read and parse a snapshot's manifest.
 *
 * @throws {SafetyError} when the manifest is missing, unparsable or not marked complete
 */
export async function readManifest(dir: string): Promise<{ manifest: Manifest; text: string }> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, MANIFEST));
  } catch {
    throw new SafetyError(`Snapshot ${dir} has no ${MANIFEST}: it is incomplete`, {
      hint: "Take a new snapshot; an interrupted one is never usable",
    });
  }
  let m: Manifest;
  try {
    m = parseYaml(text) as Manifest;
  } catch (e) {
    throw new SafetyError(
      `Snapshot manifest ${join(dir, MANIFEST)} is not valid YAML: ${redactError(e)}`,
    );
  }
  if (!m || m.kind !== "vessel-snapshot" || m.complete !== true || !Array.isArray(m.files)) {
    throw new SafetyError(
      `Snapshot manifest ${join(dir, MANIFEST)} is not a complete Vessel snapshot manifest`,
    );
  }
  return { manifest: m, text };
}

/** Result of {@link verifySnapshot}. */
export interface SnapshotVerifyReport {
  id: string;
  dir: string;
  ok: boolean;
  /** Files checked. */
  files: number;
  /** Every problem found (empty when ok). */
  problems: string[];
  manifest?: Manifest;
}

/**
 * Check a snapshot: manifest present and complete, every listed file present with its SHA-256
 * and size, no unlisted files, and (when `catalog` knows the id) the manifest unchanged since it
 * was written.
 */
export async function verifySnapshot(
  root: string,
  ref: string,
  catalog?: SnapshotCatalog,
): Promise<SnapshotVerifyReport> {
  const dir = await resolveSnapshotDir(root, ref);
  const id = dir.split("/").pop()!;
  const problems: string[] = [];
  let manifest: Manifest | undefined;
  let text = "";
  try {
    ({ manifest, text } = await readManifest(dir));
  } catch (e) {
    return { id, dir, ok: false, files: 0, problems: [redactError(e)] };
  }
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    try {
      checkRelPath(f.path);
      const data = await Deno.readFile(join(dir, f.path));
      if (data.length !== f.bytes) {
        problems.push(`${f.path}: size ${data.length} bytes, manifest says ${f.bytes}`);
      }
      if (sha256Hex(data) !== f.sha256) {
        problems.push(`${f.path}: SHA-256 does not match the manifest (modified)`);
      }
    } catch (e) {
      problems.push(
        e instanceof Deno.errors.NotFound ? `${f.path}: missing` : `${f.path}: ${redactError(e)}`,
      );
    }
  }
  for await (const rel of walkFiles(dir, "")) {
    if (rel !== MANIFEST && !listed.has(rel)) problems.push(`${rel}: not listed in the manifest`);
  }
  const cat = catalog?.get(manifest.id);
  if (cat && cat.manifest_sha256 !== sha256Hex(text)) {
    problems.push(`${MANIFEST}: changed since the snapshot was taken (catalog hash differs)`);
  }
  if (manifest.id !== id) {
    problems.push(`${MANIFEST}: id ${manifest.id} does not match directory ${id}`);
  }
  return { id, dir, ok: problems.length === 0, files: manifest.files.length, problems, manifest };
}

async function* walkFiles(dir: string, prefix: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) yield* walkFiles(dir, rel);
    else yield rel;
  }
}

/** A snapshot loaded for restore or diff. */
export interface LoadedSnapshot {
  id: string;
  dir: string;
  manifest: Manifest;
  /** The captures per scope, rebuilt from the files. */
  captures: Map<ScopeId, ScopeCapture>;
}

/**
 * Load a snapshot after verifying it.
 *
 * @throws {SafetyError} when it does not verify (the reasons are in the message)
 */
export async function loadSnapshot(
  root: string,
  ref: string,
  catalog?: SnapshotCatalog,
): Promise<LoadedSnapshot> {
  const v = await verifySnapshot(root, ref, catalog);
  if (!v.ok || !v.manifest) {
    throw new SafetyError(`Snapshot ${v.id} does not verify: ${v.problems.join("; ")}`, {
      hint: "Use another snapshot; a modified or incomplete snapshot is never restored",
      details: { problems: v.problems },
    });
  }
  const captures = new Map<ScopeId, ScopeCapture>();
  for (const s of v.manifest.scopes) {
    captures.set(s, {
      scope: s,
      files: {},
      meta: (v.manifest.meta?.[s] as Record<string, unknown>) ?? undefined,
    });
  }
  for (const f of v.manifest.files) {
    const cap = captures.get(f.scope) ?? { scope: f.scope, files: {} };
    cap.files[f.path] = await Deno.readTextFile(join(v.dir, f.path));
    captures.set(f.scope, cap);
  }
  return { id: v.id, dir: v.dir, manifest: v.manifest, captures };
}
