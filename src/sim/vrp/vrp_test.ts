import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { execOnce, openShell } from "../testing.ts";
import { MORE_ERASE } from "./cli.ts";

const USER = "root";
const PW = "Huawei12#$";
const ANY_PROMPT = /(<[^<>\r\n]+>|\[[~*]?[^\[\]\r\n]+\])$/;

Deno.test("startSimulator switches speak VRP over SSH in both configuration modes", async (t) => {
  const sim = await startSimulator({
    hmm: false,
    seed: { switches: [{ slot: 3, vrpMode: "immediate" }] },
  });
  try {
    await t.step("two-stage: prompts, vlan create/describe/commit/display/delete", async () => {
      const sh = await openShell(sim.endpoints.switches.swi2.ssh, USER, PW);
      try {
        await sh.waitFor(/<CX310_2>$/);
        await sh.cmd("screen-length 0 temporary");
        assert.match(await sh.cmd("system-view"), /\[~CX310_2\]$/);
        assert.match(await sh.cmd("vlan 100"), /\[\*CX310_2-vlan100\]$/);
        await sh.cmd("description prod web");
        assert.match(await sh.cmd("quit"), /\[\*CX310_2\]$/);
        assert.equal(sim.switch("swi2").vlans().some((v) => v.id === 100), false);
        assert.match(await sh.cmd("commit"), /\[~CX310_2\]$/);
        const vlan = sim.switch("swi2").vlans().find((v) => v.id === 100);
        assert.equal(vlan?.description, "prod web");
        const out = await sh.cmd("display vlan");
        assert.match(
          out,
          /^ 100 common {3}enable {2}default {3}enable {2}disable FWD FWD FWD prod web$/m,
        );
        assert.match(out, /^VID {2}Type {5}Status/m);
        await sh.cmd("undo vlan 100");
        await sh.cmd("commit");
        assert.equal(sim.switch("swi2").vlans().some((v) => v.id === 100), false);
        assert.match(await sh.cmd("return"), /<CX310_2>$/);
      } finally {
        await sh.close();
      }
    });

    await t.step("immediate: [name] prompt, changes apply at once, commit unknown", async () => {
      const sh = await openShell(sim.endpoints.switches.swi3.ssh, USER, PW);
      try {
        await sh.waitFor(/<CX310_3>$/);
        await sh.cmd("screen-length 0 temporary");
        assert.match(await sh.cmd("system-view"), /\r\n\[CX310_3\]$/);
        await sh.cmd("vlan batch 200 to 202");
        assert.deepEqual(
          sim.switch("swi3").vlans().map((v) => v.id).filter((v) => v >= 200 && v < 300),
          [200, 201, 202],
        );
        const out = await sh.cmd("commit");
        assert.match(out, /Error: Unrecognized command found at '\^' position\./);
        const total = await sh.cmd("display vlan");
        assert.match(total, /The total number of vlans is : 5/);
        await sh.cmd("quit");
      } finally {
        await sh.close();
      }
    });

    await t.step("errors: the marker sits under the offending token", async () => {
      const sh = await openShell(sim.endpoints.switches.swi2.ssh, USER, PW);
      try {
        await sh.waitFor(/<CX310_2>$/);
        await sh.cmd("system-view");
        const out = await sh.cmd("vlan 5000");
        const lines = out.split("\r\n");
        const echo = "[~CX310_2]vlan 5000";
        const caret = lines.find((l) => l.trim() === "^");
        assert.ok(caret, out);
        assert.equal(caret.indexOf("^"), echo.indexOf("5000"));
        assert.match(out, /Error: Wrong parameter found at '\^' position\./);
        const bad = await sh.cmd("vlam 3");
        const c2 = bad.split("\r\n").find((l) => l.trim() === "^")!;
        assert.equal(c2.indexOf("^"), "[~CX310_2]".length);
        assert.match(bad, /Error: Unrecognized command found at '\^' position\./);
        assert.match(await sh.cmd("vlan"), /Error: Incomplete command found at '\^' position\./);
        assert.match(
          await sh.cmd("quit now"),
          /Error: Too many parameters found at '\^' position\./,
        );
        assert.match(await sh.cmd("s"), /Error: Ambiguous command found at '\^' position\./);
        assert.match(await sh.cmd("undo vlan 1"), /^Error: /m);
      } finally {
        await sh.close();
      }
    });

    await t.step("save: the [Y/N] dialogue in both modes", async () => {
      for (
        const [name, q] of [["swi2", /Continue\? \[Y\/N\]:$/], [
          "swi3",
          /Are you sure to continue\?\[Y\/N\]:$/,
        ]] as const
      ) {
        const sh = await openShell(sim.endpoints.switches[name].ssh, USER, PW);
        try {
          await sh.waitFor(ANY_PROMPT);
          await sh.cmd("system-view");
          await sh.cmd("vlan 300");
          if (name === "swi2") await sh.cmd("commit");
          await sh.cmd("return");
          assert.equal(sim.switch(name).saved?.vlans["300"], undefined);
          sh.mark();
          sh.send("save\r");
          await sh.waitFor(q);
          assert.ok(sim.switch(name).saved?.vlans["300"] === undefined);
          const out = await sh.cmd("y");
          assert.match(out, /Save the configuration successfully\./);
          assert.deepEqual(sim.switch(name).saved?.vlans["300"], { id: 300 });
          sh.send("save\r");
          await sh.waitFor(q);
          await sh.cmd("n");
        } finally {
          await sh.close();
        }
      }
    });

    await t.step(
      "paging: ---- More ---- with its erase sequence unless screen-length 0",
      async () => {
        const sh = await openShell(sim.endpoints.switches.swi2.ssh, USER, PW);
        try {
          await sh.waitFor(/<CX310_2>$/);
          sh.mark();
          sh.send("display current-configuration\r");
          await sh.waitFor(/ {2}---- More ----$/);
          sh.send(" ");
          await sh.waitFor(new RegExp(MORE_ERASE.replace(/\[/g, "\\[")));
          sh.send("q");
          await sh.waitFor(/<CX310_2>$/);
          await sh.cmd("screen-length 0 temporary");
          const full = await sh.cmd("display current-configuration");
          assert.doesNotMatch(full, /---- More ----/);
          assert.match(full, /\r\nreturn\r\n<CX310_2>$/);
          const inc = await sh.cmd("display current-configuration | include sysname");
          assert.match(inc, /^sysname CX310_2$/m);
          assert.doesNotMatch(inc, /^vlan batch/m);
        } finally {
          await sh.close();
        }
      },
    );

    await t.step("exec requests run commands without a prompt", async () => {
      const out = await execOnce(sim.endpoints.switches.swi2.ssh, USER, PW, "display version");
      assert.match(out, /VRP \(R\) software, Version 8\.150 \(CX310 /);
      assert.doesNotMatch(out, /<CX310_2>/);
    });

    await t.step("command log records what the switch received", () => {
      const log = sim.switch("swi2").commandLog.map((e) => e.line);
      assert.ok(log.includes("vlan 5000"));
    });
  } finally {
    await sim.close();
  }
});
