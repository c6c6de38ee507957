/**
 * The seed example of issue 5 (testdata/seed/k8s_workers.hcl), verbatim. Types whose SDK module
 * has not landed are stood in by schema-only definitions (no device I/O happens here).
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { loadConfig } from "./load.ts";
import { Config } from "./config.ts";
import { validateStatic } from "./validate.ts";
import { defaultRegistry } from "../resources/mod.ts";
import type { Registry } from "./registry.ts";
import type { ResourceDefinition } from "./types.ts";

function standIn(type: string, shape: z.ZodRawShape): ResourceDefinition {
  return {
    type,
    description: `${type} (stand-in until its SDK module exists)`,
    schema: z.strictObject(shape),
    requiresReplace: [],
    id: (d) => `${type}/${d.name}`,
    scopes: () => ["hmm"],
    read: () => Promise.reject(new Error("stand-in")),
    create: () => Promise.reject(new Error("stand-in")),
    update: () => Promise.reject(new Error("stand-in")),
    delete: () => Promise.reject(new Error("stand-in")),
  };
}

function registry(): Registry {
  const r = defaultRegistry();
  const s = z.string().describe("x");
  if (!r.has("vessel_mac_pool")) {
    r.register(standIn("vessel_mac_pool", { name: s, start: s, size: z.number().describe("x") }));
  }
  if (!r.has("vessel_vnic_profile")) {
    r.register(
      standIn("vessel_vnic_profile", { name: s, vlan_id: z.number().describe("x"), fabric: s }),
    );
  }
  if (!r.has("vessel_compute_profile")) {
    r.register(standIn("vessel_compute_profile", {
      name: s,
      mac_pool: s,
      vnic_profiles: z.array(z.string()).describe("x"),
      boot_order: z.array(z.string()).describe("x"),
    }));
  }
  return r;
}

Deno.test("the seed example evaluates: ten blades on slots 1-10 bound to the k8s_worker profile", async () => {
  const doc = await loadConfig(["testdata/seed/k8s_workers.hcl"]);
  const config = await Config.create(doc, registry(), { env: {} });
  const desired = validateStatic(config);
  const workers = desired.filter((d) => d.address.startsWith("vessel_blade.worker"));
  assert.equal(workers.length, 10);
  assert.deepEqual(workers.map((w) => w.attributes.slot).sort((a, b) => Number(a) - Number(b)), [
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
  ]);
  assert.ok(workers.some((w) => w.address === 'vessel_blade.worker["10"]'));
  // The profile id is known only after apply at plan time (statically: unknown).
  assert.equal(String(workers[0].attributes.compute_profile), "(known after apply)");
  // Dependency order: pool and vNIC profiles, then the compute profile, then the blades.
  const order = config.order;
  const at = (a: string) => order.indexOf(a);
  assert.ok(at("vessel_mac_pool.k8s") < at("vessel_compute_profile.k8s_worker"));
  assert.ok(at("vessel_vnic_profile.data_b") < at("vessel_compute_profile.k8s_worker"));
  assert.ok(at("vessel_compute_profile.k8s_worker") < at("vessel_blade.worker"));
  const profile = desired.find((d) => d.address === "vessel_compute_profile.k8s_worker")!;
  assert.deepEqual(profile.attributes.boot_order, ["pxe", "hdd"]);
});
