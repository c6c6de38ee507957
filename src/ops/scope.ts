/**
 * Scopes: the unit of backup, lock and restore. A scope id names one device's configuration:
 * `hmm`, `switch:swi2`, `ibmc:blade3`. A {@link ScopeCollector} knows how to capture a scope
 * into snapshot files, how to restore it from them, and how to compare two captures.
 *
 * Collectors are pluggable: `registerScope("switch:*", collector)` serves every switch,
 * `registerScope("switch:swi2", collector)` one switch (exact ids win over `kind:*`).
 * The change envelope, `vessel snapshot` and `vessel restore` all use the same registry.
 *
 * Files a collector returns are relative to the snapshot directory (`switches/swi2.cfg`) and
 * must already be redacted; the snapshot writer redacts once more with the process-wide
 * redactor (defence in depth).
 *
 * @example
 * registerScope("switch:*", switchScope());
 * const c = defaultScopes.resolve("switch:swi2"); // the switch collector
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** `hmm`, `switch:swi2`, `ibmc:blade3`, ... */
export type ScopeId = string;

/** Free-form, JSON-serialisable evidence attached to audit records. */
export type Evidence = Record<string, unknown>;

/** What collectors receive: the open SDK handle (a `Chassis`), and a cancellation signal. */
export interface ScopeEnv {
  // deno-lint-ignore no-explicit-any
  chassis?: any;
  signal?: AbortSignal;
}

/** One scope's configuration as files (redacted text), plus metadata for the manifest. */
export interface ScopeCapture {
  scope: ScopeId;
  /** Path relative to the snapshot root → file content. */
  files: Record<string, string>;
  /** Extra facts for the manifest (sources, command names, counts); never secrets. */
  meta?: Record<string, unknown>;
}

/** Knows how to back up, restore and compare one kind of scope. */
export interface ScopeCollector {
  /** Read the live configuration of `scope`. */
  capture(scope: ScopeId, env: ScopeEnv): Promise<ScopeCapture>;
  /**
   * Bring the device back to `capture` (read from a snapshot). Should change only what differs
   * and be a no-op when live already equals `capture`. Returns evidence of what it did.
   * Absent = the scope can be backed up but not restored (restore is refused with a reason).
   */
  restore?(scope: ScopeId, capture: ScopeCapture, env: ScopeEnv): Promise<Evidence>;
  /**
   * Differences from `before` to `after` as human-readable lines (`+ vlan 10`, `- ...`),
   * ignoring volatile content; empty means equal. Default: a generic per-file diff.
   */
  diff?(before: ScopeCapture, after: ScopeCapture): string[];
  /** Volatile items ignored by diff, for documentation and the manifest. */
  volatile?: string[];
}

/** A registry of collectors. */
export class ScopeRegistry {
  #exact = new Map<string, ScopeCollector>();
  #kinds = new Map<string, ScopeCollector>();

  /** Register `collector` for an exact id (`switch:swi2`, `hmm`) or a kind pattern (`switch:*`). */
  register(pattern: string, collector: ScopeCollector): void {
    if (pattern.endsWith(":*")) this.#kinds.set(pattern.slice(0, -2), collector);
    else this.#exact.set(pattern, collector);
  }

  /** Remove a registration (tests). */
  unregister(pattern: string): void {
    if (pattern.endsWith(":*")) this.#kinds.delete(pattern.slice(0, -2));
    else this.#exact.delete(pattern);
  }

  /** The collector for `scope`, or undefined. */
  resolve(scope: ScopeId): ScopeCollector | undefined {
    return this.#exact.get(scope) ?? this.#kinds.get(scopeKind(scope));
  }

  /** Registered patterns, for messages. */
  patterns(): string[] {
    return [...this.#exact.keys(), ...[...this.#kinds.keys()].map((k) => `${k}:*`)].sort();
  }
}

/** The process-wide registry used by the envelope, snapshot and restore. */
export const defaultScopes: ScopeRegistry = new ScopeRegistry();

/** Register a collector in {@link defaultScopes}. */
export function registerScope(pattern: string, collector: ScopeCollector): void {
  defaultScopes.register(pattern, collector);
}

/** `switch` of `switch:swi2`; `hmm` of `hmm`. */
export function scopeKind(scope: ScopeId): string {
  const i = scope.indexOf(":");
  return i < 0 ? scope : scope.slice(0, i);
}

/** `swi2` of `switch:swi2`; `hmm` of `hmm`. */
export function scopeName(scope: ScopeId): string {
  const i = scope.indexOf(":");
  return i < 0 ? scope : scope.slice(i + 1);
}

/** The lock that serialises writes to the device of `scope`. */
export function scopeLockName(scope: ScopeId): string {
  return `device:${scope}`;
}

/** The `--scope` groups of `vessel snapshot` and `vessel restore`. */
export const SCOPE_GROUPS = ["hmm", "switches", "ibmc", "all"] as const;

/** One of {@link SCOPE_GROUPS}. */
export type ScopeGroup = typeof SCOPE_GROUPS[number];

/**
 * Expand `--scope` values (groups or exact scope ids, comma-separated allowed) against the
 * scopes the chassis has.
 *
 * @throws {UsageError} for an unknown group or a scope the chassis does not have
 */
export function expandScopes(values: string[], available: ScopeId[]): ScopeId[] {
  const out = new Set<ScopeId>();
  const parts = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
  for (const p of parts.length ? parts : ["all"]) {
    if (p === "all") available.forEach((s) => out.add(s));
    else if (p === "hmm") available.filter((s) => s === "hmm").forEach((s) => out.add(s));
    else if (p === "switches") {
      available.filter((s) => scopeKind(s) === "switch").forEach((s) => out.add(s));
    } else if (p === "ibmc") {
      available.filter((s) => scopeKind(s) === "ibmc").forEach((s) => out.add(s));
    } else if (available.includes(p)) out.add(p);
    else if (/^swi\d+$/.test(p) && available.includes(`switch:${p}`)) out.add(`switch:${p}`);
    else if (/^blade\d+$/.test(p) && available.includes(`ibmc:${p}`)) out.add(`ibmc:${p}`);
    else {
      throw new UsageError(`Unknown scope "${p}"`, {
        hint: `Use one of ${[...SCOPE_GROUPS].join(", ")} or a scope id such as ${
          available.slice(0, 3).join(", ") || "switch:swi2"
        }`,
      });
    }
  }
  return [...out].sort();
}
