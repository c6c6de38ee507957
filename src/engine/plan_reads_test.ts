/**
 * How plan reads are scheduled: a read starts as soon as its id is known (not when every other
 * attribute is), and a read that only waits for a device call another read started (ctx.memo)
 * leaves its place under the caps to reads that have device work to do.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { Registry } from "./registry.ts";
import type { ResourceDefinition } from "./types.ts";
import { parseConfigDocument } from "./load.ts";
import { Config } from "./config.ts";
import { computePlan } from "./plan.ts";
import { EngineState } from "./state.ts";
import { openStore } from "../store/db.ts";

/** A promise with its resolver. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

const Thing = z.strictObject({
  name: z.string().describe("name (the id)"),
  ref: z.string().optional().describe("refers to another block"),
  device: z.string().default("a").describe("device"),
});
type ThingA = z.infer<typeof Thing>;

function def(
  type: string,
  read: (ctx: Parameters<ResourceDefinition<ThingA>["read"]>[0], id: string) => Promise<unknown>,
): ResourceDefinition<ThingA> {
  return {
    type,
    description: "test resource",
    schema: Thing,
    requiresReplace: ["name"],
    id: (d) => d.name,
    scopes: (d) => [`dev:${d.device}`],
    read: async (ctx, id) => (await read(ctx, id)) as ThingA | undefined,
    create: (_ctx, d) => Promise.resolve(d),
    update: (_ctx, d) => Promise.resolve(d),
    delete: () => Promise.resolve(),
  };
}

async function planText(
  registry: Registry,
  text: string,
  opts: { parallelism?: number; perDevice?: number } = {},
) {
  const store = openStore(":memory:");
  try {
    const config = await Config.create(await parseConfigDocument("t.hcl", text), registry, {
      env: {},
    });
    return await computePlan({
      config,
      state: new EngineState(store, "t"),
      registry,
      ctx: { chassis: {} },
      ...opts,
    });
  } finally {
    store.close();
  }
}

Deno.test("computePlan starts a read whose id is known before the blocks its other attributes refer to", async () => {
  const events: string[] = [];
  const slow = gate();
  // Fallback only: without early reads the dependent read never starts while `slow` is shut.
  const fallback = setTimeout(slow.open, 5000);
  try {
    const registry = new Registry()
      .register(def("vessel_slow", async (_ctx, id) => {
        events.push(`slow start ${id}`);
        await slow.promise;
        events.push(`slow done ${id}`);
        return { name: id, device: "a" };
      }))
      .register(def("vessel_dep", (_ctx, id) => {
        events.push(`dep start ${id}`);
        slow.open();
        return Promise.resolve({ name: id, device: "b", ref: "a" });
      }));
    const plan = await planText(
      registry,
      `
resource "vessel_slow" "a" {
  name = "a"
}
resource "vessel_dep" "b" {
  name   = "b"
  device = "b"
  ref    = vessel_slow.a.name
}
`,
    );
    assert.ok(
      events.indexOf("dep start b") < events.indexOf("slow done a"),
      `the dependent read waited for the other block: ${events.join("; ")}`,
    );
    // Evaluation still follows the graph: the reference is resolved in the plan.
    const b = plan.steps.find((s) => s.address === "vessel_dep.b")!;
    assert.equal(b.action, "noop", JSON.stringify(b));
  } finally {
    clearTimeout(fallback);
  }
});

Deno.test("computePlan frees the slot of a read waiting on another read's shared call and keeps the per-device cap", async () => {
  const events: string[] = [];
  const shared = gate();
  const fallback = setTimeout(shared.open, 5000);
  let working = 0;
  let maxWorking = 0;
  const work = async <T>(fn: () => Promise<T>): Promise<T> => {
    working++;
    maxWorking = Math.max(maxWorking, working);
    try {
      return await fn();
    } finally {
      working--;
    }
  };
  try {
    const registry = new Registry()
      .register(def("vessel_member", async (ctx, id) => {
        const all = await ctx.memo!("all", () =>
          work(async () => {
            events.push("list start");
            await shared.promise;
            events.push("list done");
            return ["m0", "m1", "m2", "m3", "m4", "m5"];
          }));
        return all.includes(id) ? { name: id, device: "a" } : undefined;
      }))
      .register(def("vessel_zalone", (_ctx, id) =>
        work(() => {
          events.push(`alone ${id}`);
          shared.open();
          return Promise.resolve({ name: id, device: "a" });
        })));
    const plan = await planText(
      registry,
      `
resource "vessel_member" "m" {
  for_each = toset(["m0", "m1", "m2", "m3", "m4", "m5"])
  name     = each.key
}
resource "vessel_zalone" "x" {
  name = "x"
}
`,
      { parallelism: 8, perDevice: 2 },
    );
    assert.ok(
      events.indexOf("alone x") < events.indexOf("list done"),
      `reads sharing one call kept every slot of the device: ${events.join("; ")}`,
    );
    assert.ok(maxWorking <= 2, `device work in flight ${maxWorking} > --per-device 2`);
    assert.equal(events.filter((e) => e === "list start").length, 1, "one shared call");
    assert.deepEqual(
      plan.steps.filter((s) => s.action !== "noop").map((s) => s.address),
      [],
    );
  } finally {
    clearTimeout(fallback);
  }
});
