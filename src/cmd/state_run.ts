/**
 * The work behind `vessel state` (loaded lazily). These commands read and edit the local store
 * only: no connection to the chassis is made.
 */
import { NotFoundError, UsageError } from "../errors.ts";
import { EngineState } from "../engine/state.ts";
import { blockOf } from "../engine/plan.ts";
import { isSecretHash } from "../engine/state.ts";
import { openStore } from "../store/db.ts";
import { palette } from "../util/color.ts";
import type { Globals } from "./global.ts";

const write = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));

/**
 * The state workspace and store path of `--chassis`, without connecting (the same keys
 * `withChassis` uses: `sim:///dir` for a persistent simulator, the URL otherwise).
 * @throws {UsageError} no chassis, or a throw-away simulator (it has no lasting state)
 */
export function workspaceOf(g: Globals): { workspace: string; statePath: string } {
  const url = g.chassis;
  if (!url) {
    throw new UsageError("No chassis given", {
      hint: "Pass --chassis (or set VESSEL_CHASSIS): state is kept per chassis",
    });
  }
  if (url.startsWith("sim:")) {
    const m = url.match(/^sim:\/\/(\/.*)?$/);
    if (!m || !m[1]) {
      throw new UsageError(`The throw-away simulator ${url} keeps no state`, {
        hint: "Use a persistent simulator: --chassis sim:///some/dir",
      });
    }
    return { workspace: `sim://${m[1]}`, statePath: g.statePath };
  }
  return { workspace: url, statePath: g.statePath };
}

function withState<T>(g: Globals, fn: (s: EngineState) => T): T {
  const { workspace, statePath } = workspaceOf(g);
  const store = openStore(statePath);
  try {
    return fn(new EngineState(store, workspace));
  } finally {
    store.close();
  }
}

/** Secrets stay hidden: stored hashes print as "(sensitive value)". */
function redact(attrs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(attrs).map(([k, v]) => [k, isSecretHash(v) ? "(sensitive value)" : v]),
  );
}

/** `vessel state list`. */
export function runStateList(g: Globals): void {
  withState(g, (state) => {
    const rows = state.list();
    const lock = state.locks.get(`state:${state.workspace}`);
    if (g.output === "json") {
      write(
        JSON.stringify(
          {
            workspace: state.workspace,
            resources: rows.map((r) => ({
              address: r.address,
              type: r.type,
              id: r.id,
              updatedAt: r.updatedAt,
            })),
            lock: lock ?? null,
            outputs: state.outputs(),
          },
          null,
          2,
        ) + "\n",
      );
      return;
    }
    const c = palette(g.color);
    if (rows.length === 0) write(c.dim(`No resources are managed on ${state.workspace}.\n`));
    const w = Math.max(0, ...rows.map((r) => r.address.length));
    for (const r of rows) write(`${r.address.padEnd(w)}  ${c.dim(r.id)}\n`);
    if (lock) {
      write(
        c.yellow(
          `\nLocked by ${lock.owner} (${lock.purpose}) since ${lock.acquired_at}, until ${lock.expires_at}\n`,
        ),
      );
    }
  });
}

/** `vessel state show ADDRESS`. */
export function runStateShow(g: Globals, address: string): void {
  withState(g, (state) => {
    const e = state.get(address);
    if (!e) {
      const known = state.list().map((r) => r.address);
      throw new NotFoundError(`${address} is not in the state of ${state.workspace}`, {
        hint: known.length ? `Managed: ${known.slice(0, 10).join(", ")}` : "Nothing is managed yet",
      });
    }
    const attrs = redact(e.attributes);
    const meta = state.meta(address);
    if (g.output === "json") {
      write(
        JSON.stringify({ ...e, attributes: attrs, dependsOn: meta?.deps ?? [] }, null, 2) + "\n",
      );
      return;
    }
    write(`# ${e.address}  (id ${e.id}, recorded ${e.updatedAt})\n`);
    write(`resource "${e.type}" "${e.name}" {\n`);
    const w = Math.max(0, ...Object.keys(attrs).map((k) => k.length));
    for (const [k, v] of Object.entries(attrs).sort()) {
      write(`  ${k.padEnd(w)} = ${v === "(sensitive value)" ? v : JSON.stringify(v)}\n`);
    }
    write("}\n");
    if (meta?.deps.length) write(`# depends on: ${meta.deps.join(", ")}\n`);
  });
}

/** `vessel state rm ADDRESS...` (block addresses remove every instance). */
export function runStateRm(g: Globals, addresses: string[]): void {
  withState(g, (state) => {
    const lock = state.lock("state rm");
    try {
      const removed: string[] = [];
      for (const a of addresses) {
        const hits = state.list().filter((e) => e.address === a || blockOf(e.address) === a);
        if (hits.length === 0) {
          throw new NotFoundError(`${a} is not in the state of ${state.workspace}`, {
            hint: "List managed resources with vessel state list",
          });
        }
        for (const h of hits) {
          state.remove(h.address);
          removed.push(h.address);
        }
      }
      if (g.output === "json") write(JSON.stringify({ removed }, null, 2) + "\n");
      else {
        for (const r of removed) write(`Removed ${r} from state (the device was not changed)\n`);
      }
    } finally {
      lock.release();
    }
  });
}

/** `vessel state unlock`. */
export function runStateUnlock(g: Globals): void {
  withState(g, (state) => {
    const was = state.forceUnlock();
    if (g.output === "json") write(JSON.stringify({ unlocked: was }, null, 2) + "\n");
    else {write(
        `Released the lock of ${state.workspace}, held by ${was.owner} (${was.purpose}) since ${was.acquired_at}\n`,
      );}
  });
}
