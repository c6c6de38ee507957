/**
 * The `switch:<name>` scope (CX310, VRP): backup, restore and compare one switch module through
 * the SDK's public `SwitchClient` API.
 *
 * Files:
 * - `switches/<name>.cfg`: the running configuration (`display current-configuration`) and the
 *   startup configuration (`display saved-configuration`), as two marked sections;
 * - `switches/<name>.vlans.json`: the VLANs (id, name, description) from `listVlans()`, the
 *   part that restore can write back today.
 *
 * Restore brings the VLANs back from `<name>.vlans.json` (create missing, delete extra, fix
 * name/description), then puts the rest of the running configuration back with
 * {@link restoreRunningConfig} (interface lines, Eth-Trunks and their members; both VRP modes)
 * and, when the snapshot's running and startup sections were equal (the switch
 * was saved), saves. What has no inverse (users, lines with redacted secrets) is listed in
 * `config.unsupported` and shown by the re-capture diff (see docs/safety.md).
 *
 * @example
 * registerScope("switch:*", switchScope());
 *
 * @module
 */
import type { Evidence, ScopeCapture, ScopeCollector, ScopeEnv, ScopeId } from "../scope.ts";
import { scopeName } from "../scope.ts";
import { diffText, VOLATILE_LINE_PATTERNS } from "../snapshot/diff.ts";
import { redactValue } from "../../util/redact.ts";
import { SafetyError } from "../../errors.ts";
import type { Chassis } from "../../chassis/chassis.ts";
import { restoreRunningConfig } from "../net/restore.ts";

/** Section markers inside `switches/<name>.cfg`. */
export const RUNNING_MARK = "#vessel:section running (display current-configuration)";
/** Section marker of the startup configuration. */
export const STARTUP_MARK = "#vessel:section startup (display saved-configuration)";
/** Written instead of the startup section when the switch has no saved configuration. */
export const NO_STARTUP = "#vessel:none (no saved configuration)";

/** A VLAN as stored in `<name>.vlans.json`. */
export interface StoredVlan {
  id: number;
  name?: string;
  description?: string;
}

/** The subset of the SDK's `SwitchClient` the scope uses. */
export interface SwitchLike {
  listVlans(): Promise<{ id: number; name?: string; description?: string }[]>;
  createVlan(spec: { id: number; name?: string; description?: string }): Promise<unknown>;
  updateVlan(
    id: number,
    patch: { name?: string | null; description?: string | null },
  ): Promise<unknown>;
  deleteVlan(id: number, opts?: { missingOk?: boolean }): Promise<void>;
  save(): Promise<unknown>;
  display(command: string): Promise<string>;
}

function client(env: ScopeEnv, scope: ScopeId): SwitchLike {
  if (!env.chassis || typeof env.chassis.switch !== "function") {
    throw new SafetyError(`Scope ${scope} needs an open chassis`, {
      hint: "Pass { chassis } as the envelope's env",
    });
  }
  return env.chassis.switch(scopeName(scope)) as SwitchLike;
}

/** Split a stored `.cfg` into its running and startup sections (startup null when none). */
export function splitSwitchConfig(text: string): { running: string; startup: string | null } {
  const r = text.indexOf(RUNNING_MARK);
  const s = text.indexOf(STARTUP_MARK);
  if (r < 0 || s < 0) return { running: text, startup: null };
  const running = text.slice(r + RUNNING_MARK.length + 1, s);
  const startupRaw = text.slice(s + STARTUP_MARK.length + 1);
  return { running, startup: startupRaw.trim() === NO_STARTUP ? null : startupRaw };
}

function significant(t: string): string {
  return t.replace(/\r\n?/g, "\n").split("\n").filter((l) =>
    !VOLATILE_LINE_PATTERNS.some((re) => re.test(l))
  )
    .join("\n").trim();
}

function isNoSavedConfig(e: unknown): boolean {
  const t = `${(e as Error)?.message ?? ""} ${(e as { output?: string })?.output ?? ""}`;
  return /saved configuration file does not exist|does not exist|no saved/i.test(t);
}

/** The collector for `switch:*`. */
export function switchScope(): ScopeCollector {
  return {
    volatile: [
      "!Software Version",
      "!Last configuration was updated at",
      "!Last configuration was saved at",
      "link state (U/D) of VLAN ports",
    ],
    async capture(scope, env): Promise<ScopeCapture> {
      const sw = client(env, scope);
      const name = scopeName(scope);
      const running = await sw.display("display current-configuration");
      let startup: string | null = null;
      try {
        startup = await sw.display("display saved-configuration");
      } catch (e) {
        if (!isNoSavedConfig(e)) throw e;
      }
      const vlans: StoredVlan[] = (await sw.listVlans()).map((v) => ({
        id: v.id,
        ...(v.name !== undefined ? { name: v.name } : {}),
        ...(v.description !== undefined ? { description: v.description } : {}),
      }));
      const nl = (t: string) => (t.endsWith("\n") ? t : t + "\n");
      return {
        scope,
        files: {
          [`switches/${name}.cfg`]: `${RUNNING_MARK}\n${nl(running)}${STARTUP_MARK}\n${
            startup === null ? NO_STARTUP + "\n" : nl(startup)
          }`,
          [`switches/${name}.vlans.json`]: JSON.stringify(redactValue(vlans), null, 2) + "\n",
        },
        meta: {
          sources: ["display current-configuration", "display saved-configuration", "display vlan"],
          vlan_count: vlans.length,
          saved: startup !== null,
        },
      };
    },

    async restore(scope, capture, env): Promise<Evidence> {
      const sw = client(env, scope);
      const name = scopeName(scope);
      const vlanFile = capture.files[`switches/${name}.vlans.json`];
      const cfg = capture.files[`switches/${name}.cfg`];
      if (vlanFile === undefined || cfg === undefined) {
        throw new SafetyError(
          `Snapshot of ${scope} lacks switches/${name}.vlans.json or .cfg: cannot restore`,
        );
      }
      const want = new Map<number, StoredVlan>(
        (JSON.parse(vlanFile) as StoredVlan[]).map((v) => [v.id, v]),
      );
      const live = new Map((await sw.listVlans()).map((v) => [v.id, v]));
      const created: number[] = [], deleted: number[] = [], updated: number[] = [];
      const skipped: string[] = [];
      for (const [id, v] of want) {
        if (live.has(id)) continue;
        if (v.name === "***" || v.description === "***") {
          skipped.push(`vlan ${id}: redacted text not restored`);
        }
        await sw.createVlan({
          id,
          ...(v.name && v.name !== "***" ? { name: v.name } : {}),
          ...(v.description && v.description !== "***" ? { description: v.description } : {}),
        });
        created.push(id);
      }
      for (const id of live.keys()) {
        if (!want.has(id) && id !== 1) {
          await sw.deleteVlan(id, { missingOk: true });
          deleted.push(id);
        }
      }
      for (const [id, v] of want) {
        const l = live.get(id);
        if (!l) continue;
        const patch: { name?: string | null; description?: string | null } = {};
        if ((l.name ?? null) !== (v.name ?? null) && v.name !== "***") patch.name = v.name ?? null;
        if ((l.description ?? null) !== (v.description ?? null) && v.description !== "***") {
          patch.description = v.description ?? null;
        }
        if (Object.keys(patch).length) {
          await sw.updateVlan(id, patch);
          updated.push(id);
        }
      }
      const { running, startup } = splitSwitchConfig(cfg);
      // Interfaces, Eth-Trunks and VLANs from the running configuration (needs the real SDK
      // chassis: endpoints for a fresh VRP session); after the VLAN pass above
      // (VLANs first: ports and trunks refer to them).
      let config: Evidence | undefined;
      if (env.chassis?.endpoints?.switches) {
        const r = await restoreRunningConfig(env.chassis as Chassis, name, running);
        config = {
          commands: r.commands,
          ...(r.unsupported.length ? { unsupported: r.unsupported } : {}),
          equal: r.equal,
        };
      }
      let saved = false;
      const changed = created.length + deleted.length + updated.length +
          (config ? (config.commands as string[]).length : 0) > 0;
      if (startup !== null && significant(running) === significant(startup)) {
        // The switch was saved at snapshot time: make the startup configuration match again.
        const liveStartup = await sw.display("display saved-configuration").catch(() => null);
        const liveRunning = await sw.display("display current-configuration");
        if (
          changed || liveStartup === null || significant(liveStartup) !== significant(liveRunning)
        ) {
          await sw.save();
          saved = true;
        }
      }
      return {
        ...(config ? { config } : {}),
        created,
        deleted,
        updated,
        saved,
        ...(skipped.length ? { skipped } : {}),
      };
    },

    diff(before, after) {
      const path = Object.keys(before.files).find((p) => p.endsWith(".cfg")) ??
        Object.keys(after.files).find((p) => p.endsWith(".cfg"));
      if (!path) return [];
      return diffText(before.files[path] ?? "", after.files[path] ?? "");
    },
  };
}
