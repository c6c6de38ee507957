/**
 * Engine state: what Vessel last saw of each resource it manages, per chassis ("workspace").
 * A resource removed from the configuration is still in state, so the plan can destroy it.
 * Write-only secrets are never stored in clear (the engine hashes them before `put`).
 *
 * @example
 * const state = new StateStore(openStore(), "sim:///tmp/x");
 * state.put({ address: "vessel_vlan.prod", type: "vessel_vlan", name: "prod", id: "swi2/100", attributes: {} });
 */
import type { Store } from "./db.ts";

/** One managed resource instance as recorded after the last successful apply or refresh. */
export interface StateEntry {
  address: string;
  type: string;
  name: string;
  id: string;
  attributes: Record<string, unknown>;
  updatedAt?: string;
}

/** State rows of one workspace (one chassis). */
export class StateStore {
  readonly #store: Store;
  readonly workspace: string;

  constructor(store: Store, workspace: string) {
    this.#store = store;
    this.workspace = workspace;
    store.db.exec(`CREATE TABLE IF NOT EXISTS state_resources (
      workspace TEXT NOT NULL,
      address TEXT NOT NULL,
      type TEXT NOT NULL,
      name TEXT NOT NULL,
      id TEXT NOT NULL,
      attributes TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (workspace, address)
    )`);
  }

  list(): StateEntry[] {
    const rows = this.#store.db.prepare(
      "SELECT address, type, name, id, attributes, updated_at FROM state_resources WHERE workspace = ? ORDER BY address",
    ).all(this.workspace) as Record<string, string>[];
    return rows.map(toEntry);
  }

  get(address: string): StateEntry | undefined {
    const row = this.#store.db.prepare(
      "SELECT address, type, name, id, attributes, updated_at FROM state_resources WHERE workspace = ? AND address = ?",
    ).get(this.workspace, address) as Record<string, string> | undefined;
    return row ? toEntry(row) : undefined;
  }

  put(entry: StateEntry): void {
    this.#store.db.prepare(
      `INSERT INTO state_resources (workspace, address, type, name, id, attributes, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (workspace, address) DO UPDATE SET type = excluded.type, name = excluded.name,
         id = excluded.id, attributes = excluded.attributes, updated_at = excluded.updated_at`,
    ).run(
      this.workspace,
      entry.address,
      entry.type,
      entry.name,
      entry.id,
      JSON.stringify(entry.attributes),
      new Date().toISOString(),
    );
  }

  remove(address: string): void {
    this.#store.db.prepare("DELETE FROM state_resources WHERE workspace = ? AND address = ?")
      .run(this.workspace, address);
  }
}

function toEntry(row: Record<string, string>): StateEntry {
  return {
    address: row.address,
    type: row.type,
    name: row.name,
    id: row.id,
    attributes: JSON.parse(row.attributes),
    updatedAt: row.updated_at,
  };
}
