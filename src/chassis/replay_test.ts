/**
 * Record → replay round trip through the SDK: the inventory, the capability probe (Redfish, HMM
 * web API and the VRP CLI over SSH) and a power read are recorded against the simulator
 * (`record`), then the recording is served by the simulator's replay mode (docs/recordings.md
 * "Replay") and the same SDK calls give the same answers with no unrecorded request.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";
import { blades } from "./blade.ts";
import { inventory } from "./inventory.ts";
import { capabilities } from "./capabilities.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "inventory, capabilities and power recorded against the simulator replay identically",
  ...opts,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const live = await startSimulator({});
    let first;
    let caps;
    let power2;
    try {
      const chassis = await openChassis({
        endpoints: live.endpoints,
        credentials: live.endpoints.credentials!,
        record: dir,
      });
      try {
        first = await inventory(chassis).read();
        caps = await capabilities(chassis).probe();
        power2 = await blades(chassis).powerState(2);
      } finally {
        await chassis.close();
      }
    } finally {
      await live.close();
    }
    const text = [...Deno.readDirSync(dir)].map((f) => Deno.readTextFileSync(`${dir}/${f.name}`))
      .join("");
    assert.ok(!text.includes(live.endpoints.credentials!.password), "no secret in the recording");

    const replay = await startSimulator({ replay: dir });
    try {
      const chassis = await openChassis({
        endpoints: replay.endpoints,
        credentials: { username: "root", password: "anything" },
      });
      try {
        const again = await inventory(chassis).read();
        const strip = (i: typeof first) => ({ ...i!, elapsedMs: 0 });
        assert.deepEqual(strip(again), strip(first));
        const caps2 = await capabilities(chassis).probe();
        assert.deepEqual(caps2.switches, caps!.switches, "VRP over SSH replayed");
        assert.deepEqual(caps2.ibmc, caps!.ibmc);
        assert.equal(await blades(chassis).powerState(2), power2);
      } finally {
        await chassis.close();
      }
      assert.deepEqual(replay.replay?.misses() ?? [], []);
    } finally {
      await replay.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
