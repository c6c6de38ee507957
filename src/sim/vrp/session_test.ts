import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { openShell } from "../testing.ts";

const USER = "root";
const PW = "Huawei12#$";

Deno.test("VrpSession line editing, help, Ctrl+Z and concurrent two-stage sessions", async (t) => {
  const sim = await startSimulator({ hmm: false });
  const url = sim.endpoints.switches.swi2.ssh;
  const a = await openShell(url, USER, PW);
  const b = await openShell(url, USER, PW);
  try {
    await a.waitFor(/<CX310_2>$/);
    await b.waitFor(/<CX310_2>$/);

    await t.step("backspace edits the line; ? lists the next keywords", async () => {
      a.mark();
      a.send("disx\x7f vlan 1\r");
      const out = await a.waitFor(/<CX310_2>$/);
      assert.match(out, /VID {2}Type/);
      a.mark();
      a.send("display ?");
      const help = await a.waitFor(/<CX310_2>display $/);
      assert.match(help, /^ {2}vlan$/m);
      assert.match(help, /^ {2}current-configuration$/m);
      a.send("\x03");
      await a.waitFor(/<CX310_2>$/);
    });

    await t.step("Ctrl+Z returns to user view", async () => {
      await a.cmd("system-view");
      await a.cmd("vlan 10");
      a.mark();
      a.send("\x1a");
      await a.waitFor(/\[Y\(yes\)\/N\(no\)\/C\(cancel\)\]:$/);
      assert.match(await a.cmd("y"), /<CX310_2>$/);
      assert.ok(sim.switch("swi2").vlans().some((v) => v.id === 10));
    });

    await t.step("a commit that no longer applies fails and keeps the candidate", async () => {
      await a.cmd("system-view");
      await a.cmd("interface 10GE2/2/1");
      await a.cmd("port link-type access");
      assert.doesNotMatch(await a.cmd("port default vlan 10"), /Error/);
      await a.cmd("quit");
      await b.cmd("system-view");
      await b.cmd("undo vlan 10");
      await b.cmd("commit");
      const out = await a.cmd("commit");
      assert.match(out, /Error: The VLAN does not exist\./);
      assert.match(out, /Error: The configuration failed to be committed\./);
      assert.match(out, /\[\*CX310_2\]$/);
      await a.cmd("clear configuration candidate");
      assert.match(await a.cmd("quit"), /<CX310_2>$/);
    });
    await t.step("bad input never crashes the CLI (every answer ends with a prompt)", async () => {
      await a.cmd("screen-length 0 temporary");
      const words = [
        "display",
        "vlan",
        "undo",
        "port",
        "interface",
        "10GE2/1/1",
        "Eth-Trunk",
        "1",
        "4095",
        "0",
        "to",
        "all",
        "trunk",
        "allow-pass",
        "hybrid",
        "commit",
        "trial",
        "abort",
        "quit",
        "system-view",
        "name",
        "description",
        "|",
        "include",
        "(",
        "[",
        "batch",
        "ip",
        "address",
        "1.2.3.4",
        "999.1.1.1",
        "rollback",
        "configuration",
        "-c",
        "ping",
        "eth-trunk",
        "mode",
        "lacp-static",
        "sysname",
        "x".repeat(300),
      ];
      let seed = 42;
      const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
      for (let i = 0; i < 300; i++) {
        const line = Array.from({ length: 1 + rnd(6) }, () => words[rnd(words.length)]).join(" ");
        if (/^(q|quit|sysname|reboot)/.test(line)) continue;
        const out = await a.cmd(line);
        assert.doesNotMatch(out, /TypeError|ReferenceError|at .*\.ts:\d+/, line);
      }
      const end = await a.cmd("return");
      assert.match(end, /<CX310_2>$|\[Y\(yes\)/);
      if (/\[Y\(yes\)/.test(end)) await a.cmd("n");
    });
  } finally {
    await a.close();
    await b.close();
    await sim.close();
  }
});
