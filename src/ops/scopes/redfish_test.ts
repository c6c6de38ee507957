import assert from "node:assert/strict";
import { join } from "node:path";
import { walkRedfish } from "./redfish.ts";
import { ScopeRegistry } from "../scope.ts";
import { registerBuiltinScopes } from "../mod.ts";
import { captureScopes, takeSnapshot, verifySnapshot } from "../snapshot/snapshot.ts";
import { Redactor } from "../../util/redact.ts";
import { startSimHarness } from "../testing/sim_session.ts";

Deno.test("walkRedfish follows links once, skips registries and log entries, records errors", async () => {
  const tree: Record<string, unknown> = {
    "/redfish/v1": {
      Chassis: { "@odata.id": "/redfish/v1/Chassis" },
      Registries: { "@odata.id": "/redfish/v1/Registries" },
      Broken: { "@odata.id": "/redfish/v1/Broken" },
      Outside: { "@odata.id": "https://evil.example/x" },
    },
    "/redfish/v1/Chassis": {
      Members: [{ "@odata.id": "/redfish/v1/Chassis/1" }, {
        "@odata.id": "/redfish/v1/Chassis/1#/x",
      }],
    },
    "/redfish/v1/Chassis/1": {
      Up: { "@odata.id": "/redfish/v1" },
      LogServices: { "@odata.id": "/redfish/v1/Chassis/1/LogServices/Log1/Entries" },
    },
  };
  const got: string[] = [];
  const dump = await walkRedfish((p) => {
    got.push(p);
    if (p in tree) return Promise.resolve(tree[p]);
    return Promise.reject(Object.assign(new Error("Not Found"), { status: 404 }));
  });
  assert.deepEqual(Object.keys(dump.resources), [
    "/redfish/v1",
    "/redfish/v1/Chassis",
    "/redfish/v1/Chassis/1",
  ]);
  assert.deepEqual(Object.keys(dump.errors), ["/redfish/v1/Broken"]);
  assert.equal(new Set(got).size, got.length, "each resource read once");
  assert.ok(
    !got.some((p) => p.includes("Registries") || p.includes("Entries") || p.includes("evil")),
  );

  const capped = await walkRedfish((p) => Promise.resolve(tree[p] ?? {}), { max: 2 });
  assert.equal(capped.truncated, true);
});

const hubPresent = await Deno.stat(new URL("../../chassis/hub.ts", import.meta.url)).then(
  () => true,
  () => false,
);

Deno.test({
  name: "hmmScope and ibmcScope capture the simulator's Redfish without secrets",
  ignore: !hubPresent,
  fn: async () => {
    const h = await startSimHarness({ credentials: { password: "Rf-Planted-Secret-99" } });
    const dir = await Deno.makeTempDir();
    try {
      const registry = registerBuiltinScopes(new ScopeRegistry());
      const redactor = new Redactor([h.endpoints.credentials.password]);
      await h.connect({ statePath: ":memory:", snapshotsDir: dir }, async (s) => {
        const caps = await captureScopes(["hmm", "ibmc:blade1"], { chassis: s.chassis }, registry);
        const hmm = JSON.parse(caps[0].files["hmm/redfish.json"]);
        assert.ok(hmm["/redfish/v1/Chassis"], "HMM chassis collection captured");
        assert.ok(Array.isArray(JSON.parse(caps[0].files["hmm/accounts.json"])));
        const ibmc = JSON.parse(caps[1].files["ibmc/blade1.json"]);
        assert.ok(
          ibmc["/redfish/v1/Systems"] || ibmc["/redfish/v1/Managers"],
          Object.keys(ibmc).join(),
        );
        const snap = await takeSnapshot(
          { root: dir, chassis: { serial: s.endpoints.chassis.serial }, registry, redactor },
          ["hmm", "ibmc:blade1"],
          { chassis: s.chassis },
        );
        assert.equal((await verifySnapshot(dir, snap.id)).ok, true);
        // A second capture of an idle chassis is equal apart from volatile keys.
        const again = await captureScopes(["hmm", "ibmc:blade1"], { chassis: s.chassis }, registry);
        for (let i = 0; i < 2; i++) {
          assert.deepEqual(registry.resolve(caps[i].scope)!.diff!(caps[i], again[i]), []);
        }
      });
      for await (const e of Deno.readDir(join(dir))) {
        if (!e.isDirectory) continue;
        for (const f of ["hmm/redfish.json", "hmm/accounts.json", "ibmc/blade1.json"]) {
          const t = await Deno.readTextFile(join(dir, e.name, f));
          assert.ok(!t.includes("Rf-Planted-Secret-99"), f);
        }
      }
    } finally {
      await h.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
