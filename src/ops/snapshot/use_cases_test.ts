import assert from "node:assert/strict";
import { UnsupportedError } from "../../errors.ts";
import { type ScopeCapture, ScopeRegistry } from "../scope.ts";
import { diffSnapshots, selectSnapshotScopes } from "./use_cases.ts";

const cap = (scope: string, text: string): ScopeCapture => ({
  scope,
  files: { [`${scope}.txt`]: text },
});

Deno.test("selectSnapshotScopes splits taken and skipped scopes and refuses when none has a collector", () => {
  const r = new ScopeRegistry();
  r.register("switch:*", { capture: () => Promise.resolve(cap("x", "")) });
  const available = ["hmm", "switch:swi2", "switch:swi3"];
  assert.deepEqual(selectSnapshotScopes(r, available, []), {
    take: ["switch:swi2", "switch:swi3"],
    skipped: ["hmm"],
  });
  assert.deepEqual(selectSnapshotScopes(r, available, ["swi3"]).take, ["switch:swi3"]);
  assert.throws(() => selectSnapshotScopes(r, available, ["hmm"]), UnsupportedError);
});

Deno.test("diffSnapshots compares per scope, reads live once and limits to scopes", async () => {
  const r = new ScopeRegistry();
  const stored = new Map([
    ["switch:swi2", cap("switch:swi2", "vlan 1\nvlan 10\n")],
    ["hmm", cap("hmm", "a\n")],
  ]);
  let liveReads = 0;
  const live = () => {
    liveReads++;
    return Promise.resolve(new Map([["switch:swi2", cap("switch:swi2", "vlan 1\nvlan 20\n")]]));
  };
  const d = await diffSnapshots("s1", "live", {
    registry: r,
    load: () => Promise.resolve(stored),
    live,
  });
  assert.equal(liveReads, 1);
  assert.deepEqual(Object.keys(d), ["hmm", "switch:swi2"]);
  assert.ok(d["switch:swi2"].some((l) => l.includes("vlan 20")));
  assert.ok(d["hmm"].length > 0, "a scope missing on one side differs");
  const same = await diffSnapshots("s1", "s1", {
    registry: r,
    load: () => Promise.resolve(stored),
    scopes: ["switches"],
  });
  assert.deepEqual(same, { "switch:swi2": [] });
  await assert.rejects(
    () => diffSnapshots("s1", "live", { registry: r, load: () => Promise.resolve(stored) }),
    UnsupportedError,
  );
});
