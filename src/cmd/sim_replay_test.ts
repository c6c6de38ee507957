/**
 * Record → replay round trip: `vessel net vlan list`, `vessel inventory` and a `vessel net vlan add`
 * under the watchdog run with `--record` against the simulator, then against `startSimulator({ replay })` serving that recording (the
 * simulated chassis is closed by then): the output must be identical, with no miss. A command
 * that was never recorded then shows up in `GET /admin/replay/misses`.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../sim/mod.ts";
import { type Captured, runVessel } from "./testing.ts";

const vessel = runVessel;

/** The output without what measures this run: `elapsedMs`, heartbeat times, snapshot ids. */
const same = (stdout: string) =>
  stdout.replace(/"elapsedMs":\d+/g, `"elapsedMs":0`)
    .replace(/"heartbeat_ms": \d+/g, `"heartbeat_ms": 0`)
    .replace(/"snapshot": "[^"]*"/g, `"snapshot": ""`);

const COMMANDS = [
  ["net", "vlan", "list"],
  ["net", "vlan", "list", "--output", "json"],
  ["inventory"],
  ["inventory", "--output", "json"],
  // A change under the watchdog (snapshot, commit trial, heartbeat, confirm), then a read that
  // must show it: replayed reads follow the recorded state, not the first recorded answer.
  [
    "net",
    "vlan",
    "add",
    "30",
    "--name",
    "web",
    "--switch",
    "swi2",
    "--heartbeat-interval",
    "0.2",
    "--output",
    "json",
  ],
  ["net", "vlan", "list"],
];

Deno.test({
  name: "sim --replay round trip gives the recorded output of net vlan list/add and inventory",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "vessel-roundtrip-" });
    try {
      // A chassis that differs from the defaults, so the output shows recorded data.
      const sim = await startSimulator({
        seed: {
          switches: [{ slot: 2, vlans: [10, 20] }],
          // Slot 4's iBMC offers no Redfish: inventory reads it over its shell (ipmcget).
          blades: [{ slot: 3, power: "Off" }, { slot: 4, redfish: false }],
        } as never,
      });
      const recorded: Captured[] = [];
      try {
        await Deno.writeTextFile(`${tmp}/sim.json`, JSON.stringify(sim.endpoints));
        for (const c of COMMANDS) {
          recorded.push(
            await vessel([
              ...c,
              "--chassis",
              `endpoints:${tmp}/sim.json`,
              "--record",
              `${tmp}/capture`,
              "--known-hosts",
              `${tmp}/known_hosts_1`,
              "--state",
              `${tmp}/state1.db`,
              "--snapshots",
              `${tmp}/snapshots1`,
            ]),
          );
        }
      } finally {
        await sim.close();
      }
      for (const [i, r] of recorded.entries()) {
        assert.equal(r.code, 0, `${COMMANDS[i].join(" ")} against the simulator: ${r.stderr}`);
      }
      assert.match(recorded[0].stdout, /swi2\s+10\b/);
      assert.match(recorded[2].stdout, /\n3\s+CH121\s+Off\b/);
      assert.match(recorded[2].stdout, /\n4\s.*\bssh-direct\b/);
      assert.match(recorded[4].stdout, /"result": "created"/);
      assert.doesNotMatch(recorded[0].stdout, /swi2\s+30\s+web/);
      assert.match(recorded[5].stdout, /swi2\s+30\s+web/);

      const replay = await startSimulator({ replay: `${tmp}/capture` });
      try {
        await Deno.writeTextFile(`${tmp}/replay.json`, JSON.stringify(replay.endpoints));
        for (const [i, c] of COMMANDS.entries()) {
          const r = await vessel([
            ...c,
            "--chassis",
            `endpoints:${tmp}/replay.json`,
            "--known-hosts",
            `${tmp}/known_hosts_2`,
            "--state",
            `${tmp}/state2.db`,
            "--snapshots",
            `${tmp}/snapshots2`,
          ]);
          assert.equal(r.code, 0, `${c.join(" ")} against the replay: ${r.stderr}`);
          assert.equal(same(r.stdout), same(recorded[i].stdout), `${c.join(" ")}: same output`);
        }
        assert.deepEqual(replay.replay!.misses(), []);
        const stats = replay.replay!.stats();
        assert.ok(stats.served.http > 0 && stats.served.ssh > 0);

        // Something never recorded: the capability probe asks what inventory did not.
        await vessel([
          "inventory",
          "--capabilities",
          "--chassis",
          `endpoints:${tmp}/replay.json`,
          "--known-hosts",
          `${tmp}/known_hosts_2`,
          "--state",
          `${tmp}/state2.db`,
          "--snapshots",
          `${tmp}/snapshots2`,
          "--timeout",
          "5",
        ]);
        const misses = await (await fetch(`${replay.endpoints.admin}/admin/replay/misses`)).json();
        assert.ok(misses.length > 0, "the unrecorded requests are listed");
        for (const m of misses) assert.ok(m.device && (m.path || m.command));
      } finally {
        await replay.close();
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
