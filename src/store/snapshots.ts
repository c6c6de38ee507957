/**
 * The snapshot catalog: one row per complete snapshot directory and one per file, so that the
 * envelope can find a fresh snapshot of a scope without reading the disk, and so that
 * `vessel snapshot verify` can tell whether a manifest was edited (its SHA-256 is kept here).
 *
 * @example
 * const cat = new SnapshotCatalog(openStore());
 * cat.latestWithScopes(["switch:swi2"], "SERIAL1");
 *
 * @module
 */
import type { Store } from "./db.ts";

/** One catalogued snapshot. */
export interface CatalogEntry {
  id: string;
  /** Absolute path of the snapshot directory. */
  path: string;
  created_at: string;
  created_by: string;
  chassis_serial: string | null;
  scopes: string[];
  reason: string | null;
  manifest_sha256: string;
  files: CatalogFile[];
}

/** One file of a catalogued snapshot. */
export interface CatalogFile {
  path: string;
  scope: string;
  sha256: string;
  bytes: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS snapshots (
  id TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  chassis_serial TEXT,
  scopes TEXT NOT NULL,
  reason TEXT,
  manifest_sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_files (
  snapshot_id TEXT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  scope TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (snapshot_id, path)
);
CREATE INDEX IF NOT EXISTS snapshots_created ON snapshots (created_at);
`;

interface Row {
  id: string;
  path: string;
  created_at: string;
  created_by: string;
  chassis_serial: string | null;
  scopes: string;
  reason: string | null;
  manifest_sha256: string;
}

/** The catalog over one {@link Store}. */
export class SnapshotCatalog {
  readonly store: Store;

  /** Creates the tables when missing. */
  constructor(store: Store) {
    this.store = store;
    store.db.exec(SCHEMA);
  }

  /** Insert or replace an entry and its files. */
  put(e: CatalogEntry): void {
    this.store.tx(() => {
      this.store.db.prepare("DELETE FROM snapshots WHERE id = ?").run(e.id);
      this.store.db.prepare(
        "INSERT INTO snapshots (id, path, created_at, created_by, chassis_serial, scopes, reason, manifest_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(
        e.id,
        e.path,
        e.created_at,
        e.created_by,
        e.chassis_serial,
        JSON.stringify(e.scopes),
        e.reason,
        e.manifest_sha256,
      );
      const ins = this.store.db.prepare(
        "INSERT INTO snapshot_files (snapshot_id, path, scope, sha256, bytes) VALUES (?, ?, ?, ?, ?)",
      );
      for (const f of e.files) ins.run(e.id, f.path, f.scope, f.sha256, f.bytes);
    });
  }

  /** The entry `id`, or undefined. */
  get(id: string): CatalogEntry | undefined {
    const r = this.store.db.prepare("SELECT * FROM snapshots WHERE id = ?").get(id) as
      | Row
      | undefined;
    return r ? this.#entry(r) : undefined;
  }

  /** Every entry, newest first. */
  list(): CatalogEntry[] {
    return (this.store.db.prepare("SELECT * FROM snapshots ORDER BY created_at DESC, id DESC")
      .all() as unknown as Row[])
      .map((r) => this.#entry(r));
  }

  /** The newest entry of chassis `serial` that covers every scope in `scopes`. */
  latestWithScopes(scopes: string[], serial: string | null): CatalogEntry | undefined {
    for (const e of this.list()) {
      if ((e.chassis_serial ?? null) !== (serial ?? null)) continue;
      if (scopes.every((s) => e.scopes.includes(s))) return e;
    }
    return undefined;
  }

  /** Forget an entry (the directory is not touched). */
  remove(id: string): void {
    this.store.db.prepare("DELETE FROM snapshots WHERE id = ?").run(id);
  }

  #entry(r: Row): CatalogEntry {
    const files = this.store.db.prepare(
      "SELECT path, scope, sha256, bytes FROM snapshot_files WHERE snapshot_id = ? ORDER BY path",
    ).all(r.id) as unknown as CatalogFile[];
    return {
      id: r.id,
      path: r.path,
      created_at: r.created_at,
      created_by: r.created_by,
      chassis_serial: r.chassis_serial,
      scopes: JSON.parse(r.scopes),
      reason: r.reason,
      manifest_sha256: r.manifest_sha256,
      files: files.map((f) => ({ ...f, bytes: Number(f.bytes) })),
    };
  }
}
