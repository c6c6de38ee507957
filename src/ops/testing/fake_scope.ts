/**
 * A fake device and scope collector for envelope, snapshot and restore tests (no simulator
 * needed): a set of VLANs and a password rendered as a VRP-like configuration.
 *
 * @module
 */
import type { ScopeCollector, ScopeId } from "../scope.ts";
import { diffText } from "../snapshot/diff.ts";

/** The fake device. */
export class FakeDevice {
  vlans = new Set<number>([1]);
  password = "";
  /** When set, restore does nothing (to test failed rollbacks). */
  brokenRestore = false;
  restores = 0;
  captures = 0;

  render(): string {
    const lines = ["#", "sysname fake"];
    if (this.password) lines.push(`local-user admin password cipher %^%#${this.password}%^%#`);
    for (const v of [...this.vlans].sort((a, b) => a - b)) lines.push(`vlan ${v}`);
    return lines.join("\n") + "\n";
  }
}

/** A collector over `devices` (scope `fake:<name>`, file `fake/<name>.cfg`). */
export function fakeScope(devices: Record<string, FakeDevice>): ScopeCollector {
  const dev = (scope: ScopeId) => {
    const d = devices[scope.slice(scope.indexOf(":") + 1)];
    if (!d) throw new Error(`no fake device for ${scope}`);
    return d;
  };
  return {
    capture(scope) {
      const d = dev(scope);
      d.captures++;
      return Promise.resolve({
        scope,
        files: { [`fake/${scope.split(":")[1]}.cfg`]: d.render() },
        meta: { source: "fake" },
      });
    },
    restore(scope, capture) {
      const d = dev(scope);
      d.restores++;
      if (d.brokenRestore) return Promise.resolve({ ok: false });
      const text = Object.values(capture.files)[0];
      const want = new Set([...text.matchAll(/^vlan (\d+)$/gm)].map((m) => Number(m[1])));
      const added = [...want].filter((v) => !d.vlans.has(v));
      const removed = [...d.vlans].filter((v) => !want.has(v));
      d.vlans = want;
      return Promise.resolve({ added, removed });
    },
    diff(a, b) {
      return diffText(Object.values(a.files)[0] ?? "", Object.values(b.files)[0] ?? "");
    },
  };
}
