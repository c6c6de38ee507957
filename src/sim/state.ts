/**
 * Persistence of simulator state: one JSON document per namespace, under the state dir
 * (`<stateDir>/<namespace>.json`, written atomically) or in memory when no state dir is given.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { PersistStore } from "./context.ts";

/** Validate a namespace: letters, digits, `-`, `_`, `.`, and `/` separators, no `..`. */
function checkNamespace(ns: string): void {
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(ns) || ns.split("/").includes("..")) {
    throw new Error(
      `Invalid persistence namespace "${ns}": use letters, digits, - _ . and / separators`,
    );
  }
}

/** A factory of {@link PersistStore}s for one simulator instance. */
export interface Persistence {
  store<T>(namespace: string): PersistStore<T>;
  /** Remove every stored document (memory and files). */
  reset(): void;
  /** Namespaces saved so far in this process. */
  namespaces(): string[];
  /** Read a document by namespace without typing (admin API). */
  read(namespace: string): unknown;
}

/** Create the persistence of a simulator; `stateDir` undefined keeps everything in memory. */
export function createPersistence(stateDir?: string): Persistence {
  const memory = new Map<string, string>();
  const fileOf = (ns: string) => join(stateDir!, `${ns}.json`);
  const read = (ns: string): unknown => {
    checkNamespace(ns);
    let text = memory.get(ns);
    if (text === undefined && stateDir) {
      try {
        text = readFileSync(fileOf(ns), "utf8");
        memory.set(ns, text);
      } catch {
        return undefined;
      }
    }
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  return {
    store<T>(namespace: string): PersistStore<T> {
      checkNamespace(namespace);
      return {
        load: () => read(namespace) as T | undefined,
        save(value: T) {
          const text = JSON.stringify(value);
          memory.set(namespace, text);
          if (stateDir) {
            const file = fileOf(namespace);
            mkdirSync(dirname(file), { recursive: true });
            const tmp = `${file}.tmp`;
            writeFileSync(tmp, text);
            renameSync(tmp, file);
          }
        },
      };
    },
    reset() {
      memory.clear();
      if (stateDir) resetStateDir(stateDir);
    },
    namespaces: () => [...memory.keys()].sort(),
    read,
  };
}

/** The marker file that identifies a simulator state dir (so `sim reset` never wipes others). */
export const STATE_MARKER = "vessel-sim-state.json";

/** Create the state dir (if needed) and its marker. Refuses a non-empty dir without marker. */
export function prepareStateDir(stateDir: string): void {
  mkdirSync(stateDir, { recursive: true });
  let entries: string[] = [];
  try {
    entries = [...Deno.readDirSync(stateDir)].map((e) => e.name);
  } catch {
    entries = [];
  }
  if (entries.length > 0 && !entries.includes(STATE_MARKER)) {
    throw new Error(
      `State dir ${stateDir} is not empty and holds no ${STATE_MARKER}: ` +
        `pick an empty or new folder for the simulator state`,
    );
  }
  if (!entries.includes(STATE_MARKER)) {
    writeFileSync(
      join(stateDir, STATE_MARKER),
      JSON.stringify({ kind: "vessel-sim-state", version: 1 }) + "\n",
    );
  }
}

/** Delete every document of a state dir, keeping the marker. Refuses dirs without marker. */
export function resetStateDir(stateDir: string): number {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(stateDir)];
  } catch {
    return 0;
  }
  if (entries.length && !entries.some((e) => e.name === STATE_MARKER)) {
    throw new Error(
      `Refusing to reset ${stateDir}: it holds no ${STATE_MARKER}, so it is not a simulator state dir`,
    );
  }
  let n = 0;
  for (const e of entries) {
    if (e.name === STATE_MARKER) continue;
    rmSync(join(stateDir, e.name), { recursive: true, force: true });
    n++;
  }
  return n;
}
