/**
 * `vessel net` end to end, in-process (the real `run(args)`), against one simulator per file
 * reached through an endpoints file: port set, LAG create/list/delete, snapshot, diag, the
 * rollback exit code, and refusals before any device I/O.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../sim/mod.ts";
import { AuditLog } from "../store/audit.ts";
import { openStore } from "../store/db.ts";
import { runVessel } from "./testing.ts";

const vessel = runVessel;

const FAST = [
  "--heartbeat-deadline",
  "1.5",
  "--probe-timeout",
  "0.7",
  "--heartbeat-interval",
  "0.15",
  "--trial",
  "3",
];

Deno.test("vessel net port/lag/snapshot/diag on the simulator (two-stage)", async (t) => {
  const sim = await startSimulator({ vrpMode: "two-stage" });
  const dir = await Deno.makeTempDir({ prefix: "vessel-net-cli-" });
  const common = [
    "--chassis",
    `endpoints:${dir}/e.json`,
    "--state",
    `${dir}/state.db`,
    "--snapshots",
    `${dir}/snapshots`,
  ];
  try {
    await Deno.writeTextFile(`${dir}/e.json`, JSON.stringify(sim.endpoints));
    const dev = sim.switch("swi2");

    await t.step("port set: trunk with PVID and allowed VLANs, then idempotent", async () => {
      const add = await vessel([
        "net",
        "vlan",
        "add",
        "30",
        "--switch",
        "swi2",
        ...FAST,
        ...common,
      ]);
      assert.equal(add.code, 0, add.stderr);
      const r = await vessel([
        "net",
        "port",
        "set",
        "swi2",
        "10GE2/5/1",
        "--mode",
        "trunk",
        "--pvid",
        "30",
        "--allow",
        "1,30",
        "--output",
        "json",
        ...FAST,
        ...common,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const [row] = JSON.parse(r.stdout);
      assert.equal(row.result, "changed");
      assert.equal(row.watchdog, "committed");
      const i = dev.interfaces().find((x) => x.name === "10GE2/5/1")!;
      assert.equal(i.linkType, "trunk");
      assert.equal(i.pvid, 30);
      assert.deepEqual(i.allowed, [1, 30]);
      const again = await vessel([
        "net",
        "port",
        "set",
        "swi2",
        "10GE2/5/1",
        "--mode",
        "trunk",
        "--pvid",
        "30",
        "--allow",
        "1,30",
        ...FAST,
        ...common,
      ]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /unchanged/);
    });

    await t.step("lag create, list, delete", async () => {
      const c = await vessel([
        "net",
        "lag",
        "create",
        "swi2",
        "2",
        "--members",
        "10GE2/17/2,10GE2/17/3",
        "--lacp",
        ...FAST,
        ...common,
      ]);
      assert.equal(c.code, 0, c.stderr);
      assert.match(c.stdout, /Eth-Trunk2\s+10GE2\/17\/2,10GE2\/17\/3\s+created/);
      const l = await vessel([
        "net",
        "lag",
        "list",
        "--switch",
        "swi2",
        "--output",
        "json",
        ...common,
      ]);
      assert.equal(l.code, 0, l.stderr);
      assert.deepEqual(JSON.parse(l.stdout), [
        {
          switch: "swi2",
          id: 2,
          lacp: true,
          members: ["10GE2/17/2", "10GE2/17/3"],
          description: "",
        },
      ]);
      const d = await vessel(["net", "lag", "delete", "swi2", "2", ...FAST, ...common]);
      assert.equal(d.code, 0, d.stderr);
      assert.match(d.stdout, /deleted/);
      assert.ok(!dev.interfaces().some((i) => i.name === "Eth-Trunk2"));
      assert.ok(dev.interfaces().every((i) => i.ethTrunk === undefined));
    });

    await t.step("snapshot writes the switch scope", async () => {
      const s = await vessel(["net", "snapshot", "swi2", "--output", "json", ...common]);
      assert.equal(s.code, 0, s.stderr);
      const [row] = JSON.parse(s.stdout);
      const cfg = await Deno.readTextFile(`${row.path}/switches/swi2.cfg`);
      assert.match(cfg, /sysname CX310_2/);
      assert.match(cfg, /interface 10GE2\/5\/1/);
    });

    await t.step("diag shows the blade's ports on both switches", async () => {
      const j = await vessel(["net", "diag", "3", "--output", "json", ...common]);
      assert.equal(j.code, 0, j.stderr);
      const d = JSON.parse(j.stdout);
      assert.equal(d.blade, 3);
      assert.deepEqual(d.ports.map((p: { switch: string; port: string }) => [p.switch, p.port]), [
        ["swi2", "10GE2/3/1"],
        ["swi3", "10GE3/3/1"],
      ]);
      for (const p of d.ports) {
        assert.equal(p.link, "up");
        assert.ok(p.macs.length > 0, "the blade's MAC is learned");
        assert.ok(p.lldp.length > 0, "LLDP neighbour");
      }
      assert.equal(d.reachable, true);
      const table = await vessel(["net", "diag", "blade3", "--switch", "swi3", ...common]);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /BLADE\s+SWITCH\s+PORT\s+LINK/);
      assert.match(table.stdout, /3\s+swi3\s+10GE3\/3\/1\s+up/);
    });

    await t.step("a management cut exits 13 after the rollback, audited", async () => {
      const before = dev.runningText().split("\n").filter((l) => !l.startsWith("!")).join("\n");
      const r = await vessel([
        "net",
        "port",
        "set",
        "swi2",
        "10GE2/17/1",
        "--mode",
        "trunk",
        "--allow",
        "1",
        ...FAST,
        ...common,
      ]);
      assert.equal(r.code, 13, r.stderr);
      assert.match(r.stderr, /was rolled back/);
      assert.equal(
        dev.runningText().split("\n").filter((l) => !l.startsWith("!")).join("\n"),
        before,
      );
      const store = openStore(`${dir}/state.db`);
      try {
        const recs = new AuditLog(store).list({ op: "port.set" });
        assert.ok(recs.some((x) => x.phase === "rollback" && x.result === "rollback"));
      } finally {
        store.close();
      }
    });

    await t.step("--dry-run shows the commands and changes nothing", async () => {
      const n = dev.commandLog.length;
      const r = await vessel([
        "net",
        "vlan",
        "add",
        "55",
        "--name",
        "dry",
        "--switch",
        "swi2",
        "--dry-run",
        "--output",
        "json",
        ...common,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const [row] = JSON.parse(r.stdout);
      assert.equal(row.result, "planned");
      assert.equal(row.watchdog, "dry-run");
      assert.equal(row.commands, "vlan 55; name dry; quit");
      assert.ok(!dev.vlans().some((v) => v.id === 55));
      const sent = dev.commandLog.slice(n).map((e) => e.line);
      assert.ok(!sent.some((l) => /^(vlan 55|commit)/.test(l)), sent.join(", "));
    });

    await t.step("--ibmc adds an iBMC probe and --save saves after the confirm", async () => {
      const r = await vessel([
        "net",
        "vlan",
        "add",
        "56",
        "--switch",
        "swi2",
        "--ibmc",
        "1",
        "--save",
        ...FAST,
        ...common,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(dev.saved?.vlans["56"], "saved configuration has the VLAN");
      const store = openStore(`${dir}/state.db`);
      try {
        const o = new AuditLog(store).list({ op: "vlan.add" }).filter((x) =>
          x.phase === "outcome" && (x.parameters as { vlan_id?: number }).vlan_id === 56
        )[0];
        const health = o.evidence.health as Record<string, Record<string, unknown>>;
        assert.ok((health.heartbeat.probes as string[]).includes("ibmc:1"));
        assert.equal(health.confirm.saved, true);
      } finally {
        store.close();
      }
    });

    await t.step("bad input is refused before any device I/O", async () => {
      const n = dev.commandLog.length;
      const cases: [string[], RegExp][] = [
        [["net", "port", "set", "swi2", "10GE2/5/1;quit", "--mode", "access"], /port/],
        [["net", "port", "set", "swi2", "10GE2/5/1", "--mode", "trunk", "--allow", "1,x"], /allow/],
        [["net", "lag", "create", "swi2", "200", "--members", "10GE2/17/2"], /Eth-Trunk number/],
        [["net", "vlan", "add", "40", "--name", "a b"], /spaces/],
        [["net", "vlan", "add", "40", "--description", "x\x1ay"], /control/],
        [["net", "vlan", "add", "40", "--trial", "1", "--heartbeat-deadline", "2"], /--trial/],
        [["net", "diag", "40"], /blade/],
      ];
      for (const [args, re] of cases) {
        const r = await vessel([...args, ...common]);
        assert.equal(r.code, 5, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, re);
      }
      assert.equal(dev.commandLog.length, n);
    });
  } finally {
    await sim.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
