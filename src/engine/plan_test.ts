/**
 * Engine behaviour the VLAN resource cannot show: attributes known only after apply, write-only
 * secrets, data sources, dependency order and per-device serialisation of apply. The resource
 * here is an in-memory device written for these tests (no SDK module has computed attributes or
 * secrets yet); the simulator stories are in src/cmd/engine_cli_test.ts.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { Registry } from "./registry.ts";
import type { DataSourceDefinition, ResourceDefinition } from "./types.ts";
import { parseConfigDocument } from "./load.ts";
import { Config } from "./config.ts";
import { applyPlan, computePlan } from "./plan.ts";
import { EngineState, isSecretHash } from "./state.ts";
import { openStore } from "../store/db.ts";
import { renderPlan } from "./render.ts";
import { palette } from "../util/color.ts";
import { detectDrift } from "./mod.ts";
import { ConflictError, SafetyError } from "../errors.ts";

/** A tiny device: pools hand out ids; accounts have passwords. */
class Device {
  pools = new Map<string, { name: string; size: number; pool_id: string }>();
  accounts = new Map<string, { user: string; role: string }>();
  passwords = new Map<string, string>();
  log: string[] = [];
  inFlight = new Map<string, number>();
  maxInFlight = 0;
  next = 7;
  async touch(device: string, what: string) {
    this.log.push(what);
    const n = (this.inFlight.get(device) ?? 0) + 1;
    this.inFlight.set(device, n);
    this.maxInFlight = Math.max(this.maxInFlight, n);
    await Promise.resolve();
    await Promise.resolve();
    this.inFlight.set(device, n - 1);
  }
}

const Pool = z.strictObject({
  name: z.string().describe("pool name"),
  size: z.number().int().describe("addresses"),
  device: z.string().default("hmm").describe("device"),
  pool_id: z.string().optional().describe("assigned by the device"),
});
type PoolA = z.infer<typeof Pool>;

const poolDef: ResourceDefinition<PoolA> = {
  type: "vessel_pool",
  description: "test pool",
  schema: Pool,
  requiresReplace: ["name"],
  computed: ["pool_id"],
  id: (d) => d.name,
  scopes: (d) => [`dev:${d.device}`],
  read: (ctx, id) => {
    const p = (ctx.chassis as Device).pools.get(id);
    return Promise.resolve(p ? { ...p, device: "hmm" } : undefined);
  },
  async create(ctx, d) {
    const dev = ctx.chassis as Device;
    await dev.touch(d.device, `create pool ${d.name}`);
    const p = { name: d.name, size: d.size, pool_id: `P${dev.next++}` };
    dev.pools.set(d.name, p);
    return { ...p, device: "hmm" };
  },
  async update(ctx, d) {
    const dev = ctx.chassis as Device;
    await dev.touch(d.device, `update pool ${d.name}`);
    const p = { ...dev.pools.get(d.name)!, size: d.size };
    dev.pools.set(d.name, p);
    return { ...p, device: "hmm" };
  },
  async delete(ctx, p) {
    const dev = ctx.chassis as Device;
    await dev.touch(p.device, `delete pool ${p.name}`);
    dev.pools.delete(p.name);
  },
};

const Account = z.strictObject({
  user: z.string().describe("user"),
  role: z.string().describe("role, e.g. a pool id"),
  password: z.string().optional().describe("write-only"),
});
type AccountA = z.infer<typeof Account>;

const accountDef: ResourceDefinition<AccountA> = {
  type: "vessel_account",
  description: "test account",
  schema: Account,
  requiresReplace: ["user"],
  secrets: ["password"],
  id: (d) => d.user,
  scopes: () => ["dev:hmm"],
  read: (ctx, id) => Promise.resolve((ctx.chassis as Device).accounts.get(id)),
  async create(ctx, d) {
    const dev = ctx.chassis as Device;
    await dev.touch("hmm", `create account ${d.user} role ${d.role}`);
    dev.accounts.set(d.user, { user: d.user, role: d.role });
    if (d.password) dev.passwords.set(d.user, d.password);
    return { user: d.user, role: d.role };
  },
  async update(ctx, d) {
    const dev = ctx.chassis as Device;
    await dev.touch("hmm", `update account ${d.user}`);
    dev.accounts.set(d.user, { user: d.user, role: d.role });
    if (d.password) dev.passwords.set(d.user, d.password);
    return { user: d.user, role: d.role };
  },
  async delete(ctx, d) {
    (ctx.chassis as Device).accounts.delete(d.user);
    await Promise.resolve();
  },
};

const sizesData: DataSourceDefinition<{ device: string }, { sizes: number[] }> = {
  type: "vessel_sizes",
  description: "test data",
  schema: z.strictObject({ device: z.string().describe("device") }),
  result: z.strictObject({ sizes: z.array(z.number()).describe("sizes") }),
  read: () => Promise.resolve({ sizes: [16, 32] }),
};

function registry() {
  return new Registry().register(poolDef).register(accountDef).registerData(sizesData);
}

const CONFIG = `
variable "admin_password" {
  type      = string
  sensitive = true
}
data "vessel_sizes" "s" {
  device = "hmm"
}
resource "vessel_pool" "macs" {
  count = 2
  name  = "macs-\${count.index}"
  size  = data.vessel_sizes.s.sizes[count.index]
}
resource "vessel_account" "ops" {
  user     = "ops"
  role     = vessel_pool.macs[1].pool_id
  password = var.admin_password
}
output "role" {
  value = vessel_account.ops.role
}
`;

async function plan(dev: Device, state: EngineState, password: string, text = CONFIG) {
  const doc = await parseConfigDocument("t.hcl", text);
  const config = await Config.create(doc, registry(), {
    vars: { admin_password: password },
    env: {},
  });
  const p = await computePlan({ config, state, registry: registry(), ctx: { chassis: dev } });
  return { plan: p, config };
}

Deno.test("computePlan shows computed attributes as known after apply; apply resolves them in order", async () => {
  const dev = new Device();
  const store = openStore(":memory:");
  const state = new EngineState(store, "t");
  try {
    const { plan: p, config } = await plan(dev, state, "s3cret-One");
    const text = renderPlan(p, palette(false));
    assert.match(text, /role\s+= \(known after apply\)/);
    assert.match(text, /size\s+= 32/, "data source value used at plan time");
    assert.match(text, /role = \(known after apply\)/, "output unknown too");
    assert.doesNotMatch(text, /s3cret/, "the secret is never printed");
    assert.doesNotMatch(JSON.stringify(p), /s3cret/, "nor serialised");
    const r = await applyPlan(p, { state, registry: registry(), ctx: { chassis: dev }, config });
    assert.ok(r.ok, String(r.results.find((x) => !x.ok)?.error));
    // The account was created after the pool it refers to, with the pool's real id.
    assert.ok(
      dev.log.indexOf("create pool macs-1") < dev.log.indexOf("create account ops role P8"),
      dev.log.join("; "),
    );
    assert.equal(dev.passwords.get("ops"), "s3cret-One");
    // State keeps a salted hash, never the secret.
    const stored = state.get("vessel_account.ops")!.attributes;
    assert.ok(isSecretHash(stored.password));
    assert.doesNotMatch(JSON.stringify(state.list()), /s3cret/);
    // Writes to one device never overlap.
    assert.equal(dev.maxInFlight, 1);

    const again = await plan(dev, state, "s3cret-One");
    assert.deepEqual(again.plan.steps.filter((s) => s.action !== "noop").map((s) => s.address), []);
    assert.deepEqual(again.plan.outputs, { role: { value: "P8", sensitive: false } });

    // A new password is detected through the hash and shown as sensitive.
    const rotated = await plan(dev, state, "s3cret-Two");
    const step = rotated.plan.steps.find((s) => s.address === "vessel_account.ops")!;
    assert.equal(step.action, "update");
    assert.deepEqual(step.changes.map((c) => c.attribute), ["password"]);
    const shown = renderPlan(rotated.plan, palette(false));
    assert.match(shown, /~ password\s+= \(sensitive value\) -> \(sensitive value\)/);
    assert.doesNotMatch(shown + JSON.stringify(rotated.plan), /s3cret/);
    await applyPlan(rotated.plan, {
      state,
      registry: registry(),
      ctx: { chassis: dev },
      config: rotated.config,
    });
    assert.equal(dev.passwords.get("ops"), "s3cret-Two");

    // Drift: the role changed on the device; secrets never count as drift.
    dev.accounts.set("ops", { user: "ops", role: "P99" });
    const { drift } = await detectDrift({ chassis: dev, state, registry: registry() });
    assert.deepEqual(
      drift.map((d) => [d.address, d.changes.map((c) => [c.attribute, c.recorded, c.live])]),
      [
        ["vessel_account.ops", [["role", "P8", "P99"]]],
      ],
    );
  } finally {
    store.close();
  }
});

Deno.test("applyPlan refuses a second concurrent apply naming the holder", async () => {
  const dev = new Device();
  const store = openStore(":memory:");
  const state = new EngineState(store, "t");
  try {
    const { plan: p, config } = await plan(dev, state, "pw-1");
    const first = state.lock("apply");
    await assert.rejects(
      applyPlan(p, { state, registry: registry(), ctx: { chassis: dev }, config }),
      (e) =>
        e instanceof ConflictError && /Lock state:t is held by .* \(apply on t\)/.test(e.message),
    );
    first.release();
    assert.ok(
      (await applyPlan(p, { state, registry: registry(), ctx: { chassis: dev }, config })).ok,
    );
  } finally {
    store.close();
  }
});

Deno.test("computePlan refuses to replace a resource whose prevent_destroy comes from a variable", async () => {
  const dev = new Device();
  const store = openStore(":memory:");
  const state = new EngineState(store, "t");
  const text = (name: string, protect: boolean) => `
variable "protect" {
  type    = bool
  default = ${protect}
}
resource "vessel_pool" "p" {
  name = "${name}"
  size = 8
  lifecycle {
    prevent_destroy = var.protect
  }
}`;
  try {
    const mk = async (t: string) => {
      const config = await Config.create(await parseConfigDocument("p.hcl", t), registry(), {
        env: {},
      });
      return {
        config,
        plan: await computePlan({ config, state, registry: registry(), ctx: { chassis: dev } }),
      };
    };
    const a = await mk(text("a", true));
    await applyPlan(a.plan, {
      state,
      registry: registry(),
      ctx: { chassis: dev },
      config: a.config,
    });
    await assert.rejects(
      mk(text("b", true)),
      (e) => e instanceof SafetyError && /prevent_destroy/.test(e.message),
    );
    const b = await mk(text("b", false));
    assert.equal(b.plan.steps[0].action, "replace");
  } finally {
    store.close();
  }
});

Deno.test("applyPlan: of two concurrent applies on one state, exactly one is refused", async () => {
  const dir = await Deno.makeTempDir();
  const dev = new Device();
  const a = openStore(`${dir}/s.db`);
  const b = openStore(`${dir}/s.db`);
  try {
    const sa = new EngineState(a, "lab");
    const sb = new EngineState(b, "lab");
    const pa = await plan(dev, sa, "pw");
    const pb = await plan(dev, sb, "pw");
    const results = await Promise.allSettled([
      applyPlan(pa.plan, {
        state: sa,
        registry: registry(),
        ctx: { chassis: dev },
        config: pa.config,
      }),
      applyPlan(pb.plan, {
        state: sb,
        registry: registry(),
        ctx: { chassis: dev },
        config: pb.config,
      }),
    ]);
    const refused = results.filter((r) => r.status === "rejected");
    assert.equal(refused.length, 1, JSON.stringify(results.map((r) => r.status)));
    assert.ok((refused[0] as PromiseRejectedResult).reason instanceof ConflictError);
    assert.match((refused[0] as PromiseRejectedResult).reason.message, /Lock state:lab is held by/);
  } finally {
    a.close();
    b.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("computePlan keeps prevent_destroy from state when the block is removed", async () => {
  const dev = new Device();
  const store = openStore(":memory:");
  const state = new EngineState(store, "t");
  try {
    const text =
      'resource "vessel_pool" "p" {\n  name = "a"\n  size = 8\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n';
    const config = await Config.create(await parseConfigDocument("p.hcl", text), registry(), {
      env: {},
    });
    const p = await computePlan({ config, state, registry: registry(), ctx: { chassis: dev } });
    await applyPlan(p, { state, registry: registry(), ctx: { chassis: dev }, config });
    const empty = await Config.create(
      await parseConfigDocument("e.hcl", "locals {}\n"),
      registry(),
      { env: {} },
    );
    await assert.rejects(
      computePlan({ config: empty, state, registry: registry(), ctx: { chassis: dev } }),
      (e) =>
        e instanceof SafetyError &&
        /vessel_pool\.p has lifecycle\.prevent_destroy set/.test(e.message),
    );
    await assert.rejects(
      computePlan({ state, registry: registry(), ctx: { chassis: dev }, destroy: true }),
      SafetyError,
    );
  } finally {
    store.close();
  }
});

Deno.test("computePlan expands for_each over another resource's map (keys known, values after apply)", async () => {
  const dev = new Device();
  const store = openStore(":memory:");
  const state = new EngineState(store, "t");
  try {
    const text = `
resource "vessel_pool" "p" {
  for_each = { a = 8, b = 16 }
  name     = each.key
  size     = each.value
}
resource "vessel_account" "per_pool" {
  for_each = vessel_pool.p
  user     = "u-\${each.key}"
  role     = each.value.pool_id
}
`;
    const config = await Config.create(await parseConfigDocument("m.hcl", text), registry(), {
      env: {},
    });
    const p = await computePlan({ config, state, registry: registry(), ctx: { chassis: dev } });
    assert.deepEqual(
      p.steps.filter((s) => s.type === "vessel_account").map((s) => [s.address, s.unknown]),
      [['vessel_account.per_pool["a"]', ["role"]], ['vessel_account.per_pool["b"]', ["role"]]],
    );
    const r = await applyPlan(p, { state, registry: registry(), ctx: { chassis: dev }, config });
    assert.ok(r.ok, String(r.results.find((x) => !x.ok)?.error));
    assert.equal(dev.accounts.get("u-b")?.role, dev.pools.get("b")?.pool_id);
  } finally {
    store.close();
  }
});

Deno.test("computePlan honours ignore_changes and orders depends_on without a reference", async () => {
  const dev = new Device();
  const store = openStore(":memory:");
  const state = new EngineState(store, "t");
  try {
    const text = `
resource "vessel_account" "late" {
  user       = "late"
  role       = "r"
  depends_on = [vessel_pool.first]
}
resource "vessel_pool" "first" {
  name = "first"
  size = 8
  lifecycle {
    ignore_changes = [size]
  }
}
`;
    const config = await Config.create(await parseConfigDocument("d.hcl", text), registry(), {
      env: {},
    });
    const p = await computePlan({ config, state, registry: registry(), ctx: { chassis: dev } });
    assert.deepEqual(p.steps.find((s) => s.address === "vessel_account.late")?.dependsOn, [
      "vessel_pool.first",
    ]);
    await applyPlan(p, { state, registry: registry(), ctx: { chassis: dev }, config });
    assert.ok(dev.log.indexOf("create pool first") < dev.log.indexOf("create account late role r"));
    // Someone resizes the pool: ignored.
    dev.pools.get("first")!.size = 99;
    const again = await computePlan({ config, state, registry: registry(), ctx: { chassis: dev } });
    assert.deepEqual(again.steps.filter((s) => s.action !== "noop"), []);
  } finally {
    store.close();
  }
});
