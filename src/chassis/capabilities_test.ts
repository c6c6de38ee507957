/**
 * Capability probing and discovery against the simulator, and the two CLI commands.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";
import { capabilities, CapabilityReportSchema, renderCapabilities } from "./capabilities.ts";
import { discover, renderDiscovery } from "./discover.ts";
import { hubOf } from "./hub.ts";
import { inventoryCommand, parseParallelism } from "../cmd/inventory.ts";
import { discoverCommand } from "../cmd/discover.ts";
import { UsageError } from "../errors.ts";

const sim = await startSimulator({});
const creds = sim.endpoints.credentials!;
const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "CapabilityModule.probe reports Redfish, virtual media, shells and VRP mode, once",
  ...opts,
  fn: async () => {
    const ep = structuredClone(sim.endpoints) as unknown as {
      ibmc: Record<string, { redfish?: string; ssh?: string; via?: string }>;
    };
    delete ep.ibmc["3"].redfish;
    const chassis = await openChassis({ endpoints: ep, credentials: creds });
    try {
      const r = await capabilities(chassis).probe();
      CapabilityReportSchema.parse(r);
      assert.equal(r.hmm.redfish.available, true);
      assert.equal(r.hmm.web.available, true);
      assert.ok(r.hmm.redfish.sessionCap >= 1);
      const c1 = r.ibmc["1"];
      assert.equal(c1.redfish.available, true);
      assert.ok(["standard", "oem"].includes(c1.virtualMedia));
      assert.ok(c1.resetTypes.includes("On"));
      if (c1.redfish.deviceMaxSessions) {
        assert.ok(
          c1.redfish.sessionCap < c1.redfish.deviceMaxSessions,
          "cap below the device limit",
        );
      }
      assert.deepEqual([r.ibmc["3"].redfish.available, r.ibmc["3"].virtualMedia], [false, "none"]);
      assert.equal(r.switches.swi2.vrpMode, "two-stage");
      const calls = hubOf(chassis).calls.length;
      assert.equal(await capabilities(chassis).probe(), r, "probed once");
      assert.equal(hubOf(chassis).calls.length, calls);
      assert.match(renderCapabilities(r), /swi2\s+direct\s+two-stage/);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({
  name: "DiscoverModule.run maps slots to 172.31.1.(128+N) and checks what the HMM reports",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
    try {
      const d = await discover(chassis).run({ ping: true });
      assert.equal(d.blades.length, 16);
      for (const b of d.blades) {
        assert.equal(b.fabricIp, `172.31.1.${128 + b.slot}`);
        assert.equal(b.present, !!sim.endpoints.ibmc[String(b.slot)]);
        if (b.reportedIp) assert.equal(b.matches, true);
        assert.equal(b.pingable, b.present, `slot ${b.slot} answers ping when present`);
      }
      assert.deepEqual(
        d.switches.filter((s) => s.present).map((s) => s.name),
        Object.keys(sim.endpoints.switches).sort(),
      );
      assert.deepEqual(
        d.switches.map((s) => s.fabricIp),
        [161, 162, 163, 164].map((n) => `172.31.1.${n}`),
      );
      assert.match(renderDiscovery(d), /blade16\s+172\.31\.1\.144/);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({
  name: "inventory and discover commands print JSON for a running simulator",
  ...opts,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const file = `${dir}/ep.json`;
    await Deno.writeTextFile(file, JSON.stringify(sim.endpoints));
    const chunks: string[] = [];
    const orig = Deno.stdout.writeSync;
    Deno.stdout.writeSync = (b: Uint8Array) => {
      chunks.push(new TextDecoder().decode(b));
      return b.length;
    };
    try {
      const g = ["--chassis", `endpoints:${file}`, "--output", "json"];
      const { Command } = await import("@commander-js/extra-typings");
      const { globalOptions } = await import("../cmd/global.ts");
      const prog = () => {
        const p = new Command("vessel").exitOverride();
        for (const o of globalOptions()) p.addOption(o);
        p.addCommand(inventoryCommand());
        p.addCommand(discoverCommand());
        return p;
      };
      await prog().parseAsync(["inventory", ...g], { from: "user" });
      const inv = JSON.parse(chunks.join(""));
      assert.equal(inv.blades.length, 16);
      chunks.length = 0;
      await prog().parseAsync(["inventory", "--capabilities", ...g], { from: "user" });
      assert.equal(JSON.parse(chunks.join("")).switches.swi2.vrpMode, "two-stage");
      chunks.length = 0;
      await prog().parseAsync(["discover", ...g], { from: "user" });
      assert.equal(JSON.parse(chunks.join("")).blades[0].fabricIp, "172.31.1.129");
    } finally {
      Deno.stdout.writeSync = orig;
      await Deno.remove(dir, { recursive: true });
    }
    assert.throws(() => parseParallelism("0"), UsageError);
    assert.equal(parseParallelism("1"), 1);
  },
});

Deno.test({ name: "simulator closes", ...opts, fn: () => sim.close() });
