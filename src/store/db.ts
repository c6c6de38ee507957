/**
 * The embedded store: one SQLite file (node:sqlite) holding engine state, locks, the audit chain,
 * the snapshot catalog and jobs. Each module creates its own tables on open with
 * `CREATE TABLE IF NOT EXISTS`, so modules stay independent.
 *
 * @example
 * const store = openStore(".vessel/vessel.db");
 * store.db.prepare("SELECT 1").get();
 * store.close();
 */
import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import { mkdirSync } from "node:fs";

/** An open store. */
export interface Store {
  readonly path: string;
  readonly db: DatabaseSync;
  /** Run `fn` in one IMMEDIATE transaction; rolls back when it throws. */
  tx<T>(fn: () => T): T;
  close(): void;
}

/** Default location of the store, relative to the working directory (like Terraform's state). */
export const DEFAULT_STORE_PATH = ".vessel/vessel.db";

/**
 * Open (and create) the store at `path`; `":memory:"` for tests.
 * WAL mode, a busy timeout so that concurrent processes wait instead of failing.
 */
export function openStore(path: string = DEFAULT_STORE_PATH): Store {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;");
  let depth = 0;
  return {
    path,
    db,
    tx<T>(fn: () => T): T {
      if (depth > 0) return fn();
      db.exec("BEGIN IMMEDIATE");
      depth++;
      try {
        const out = fn();
        db.exec("COMMIT");
        return out;
      } catch (e) {
        db.exec("ROLLBACK");
        throw e;
      } finally {
        depth--;
      }
    },
    close() {
      if (db.isOpen) db.close();
    },
  };
}
