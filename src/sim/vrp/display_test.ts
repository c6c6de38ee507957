import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startSimulator } from "../mod.ts";
import { openShell, type TestShell } from "../testing.ts";

const USER = "root";
const PW = "Huawei12#$";
const fixture = (name: string) =>
  Deno.readTextFileSync(fileURLToPath(new URL(`../../../testdata/vrp/${name}`, import.meta.url)))
    .replace(/\r\n/g, "\n").split("\n");

/** Output lines of a command (without the echoed command line and the trailing prompt). */
async function lines(sh: TestShell, cmd: string): Promise<string[]> {
  const out = (await sh.cmd(cmd)).split("\r\n");
  return out.slice(1, -1);
}

Deno.test("CX310 displays follow the layouts of the real VRP samples", async (t) => {
  const sim = await startSimulator({
    hmm: false,
    seed: { switches: [{ slot: 3, vrpMode: "immediate" }] },
  });
  const sh = await openShell(sim.endpoints.switches.swi2.ssh, USER, PW);
  const sh3 = await openShell(sim.endpoints.switches.swi3.ssh, USER, PW);
  try {
    await sh.waitFor(/<CX310_2>$/);
    await sh3.waitFor(/<CX310_3>$/);
    for (const s of [sh, sh3]) {
      await s.cmd("screen-length 0 temporary");
      await s.cmd("system-view");
    }
    // swi2 (two-stage): trunk, access, hybrid, Eth-Trunk.
    for (
      const c of [
        "vlan batch 10 20 30",
        "interface 10GE2/1/1",
        "port link-type trunk",
        "port trunk allow-pass vlan 10 20",
        "port trunk allow-pass vlan 30",
        "undo port trunk allow-pass vlan 20",
        "interface 10GE2/2/1",
        "port link-type access",
        "port default vlan 10",
        "interface 10GE2/3/1",
        "port link-type hybrid",
        "port hybrid tagged vlan 20",
        "port hybrid untagged vlan 30",
        "interface Eth-Trunk 1",
        "mode lacp-static",
        "port link-type trunk",
        "port trunk allow-pass vlan 20",
        "interface 10GE2/4/1",
        "eth-trunk 1",
        "quit",
        "commit",
      ]
    ) {
      const out = await sh.cmd(c);
      assert.doesNotMatch(out, /Error:/, `${c}: ${out}`);
    }

    await t.step("display vlan: legend, sticky UT/TG runs, VLAN table", async () => {
      const fx = fixture("display_vlan__ge_stat.raw");
      const got = await lines(sh, "display vlan");
      assert.deepEqual(got.slice(0, 11), fx.slice(0, 11));
      const hdr = fx.findIndex((l) => l.startsWith("VID  Type"));
      assert.equal(got.find((l) => l.startsWith("VID  Type")), fx[hdr]);
      // Parse ports with the sticky-mode rule and compare with the configuration.
      const ports = new Map<number, { ut: string[]; tg: string[] }>();
      let vid = 0;
      let mode = "UT";
      for (const l of got.slice(11)) {
        if (l.startsWith("VID  Type")) break;
        const m = /^\s*(\d+)\s/.exec(l);
        if (m) {
          vid = Number(m[1]);
          ports.set(vid, { ut: [], tg: [] });
          mode = "UT";
        }
        for (const tok of l.matchAll(/(?:(UT|TG):)?(\S+)\((U|D)\)/g)) {
          if (tok[1]) mode = tok[1];
          ports.get(vid)![mode === "UT" ? "ut" : "tg"].push(tok[2]);
        }
      }
      assert.deepEqual(ports.get(10), { ut: ["10GE2/2/1"], tg: ["10GE2/1/1"] });
      assert.deepEqual(ports.get(20), { ut: [], tg: ["Eth-Trunk1", "10GE2/3/1"].sort() });
      assert.deepEqual(ports.get(30), { ut: ["10GE2/3/1"], tg: ["10GE2/1/1"] });
      const row = got.find((l) => /^ {2}10 common/.test(l));
      const fxRow = fx.find((l) => /^ {3}3 common/.test(l))!;
      assert.equal(
        row?.replace("VLAN 0010", "").trimEnd(),
        fxRow.replace("3", "10").slice(1).replace("SOME_TEST", "").trimEnd(),
      );
    });

    await t.step("display port vlan: columns of the sample", async () => {
      const fx = fixture("display_port_vlan__example1.raw");
      const got = await lines(sh, "display port vlan");
      assert.deepEqual(got.slice(0, 2), fx.slice(0, 2));
      const col = (l: string) => [0, 28, 41, 47].map((i) => l.slice(i).split(/\s+/)[0]);
      assert.deepEqual(col(fx[2]), ["GigabitEthernet0/0/1", "hybrid", "1", "2"]);
      const byPort = new Map(got.slice(2).map((l) => [col(l)[0], col(l)]));
      assert.deepEqual(byPort.get("10GE2/1/1"), ["10GE2/1/1", "trunk", "1", "1"]);
      assert.match(got.find((l) => l.startsWith("10GE2/1/1"))!, /trunk\s+1\s+1 10 30$/);
      assert.deepEqual(byPort.get("10GE2/2/1"), ["10GE2/2/1", "access", "10", "-"]);
      assert.deepEqual(byPort.get("10GE2/3/1")?.slice(0, 3), ["10GE2/3/1", "hybrid", "1"]);
      assert.ok(!byPort.has("10GE2/4/1"), "Eth-Trunk members are listed through the Eth-Trunk");
      assert.deepEqual(byPort.get("Eth-Trunk1"), ["Eth-Trunk1", "trunk", "1", "1"]);
    });

    await t.step("display interface brief: CE legend and columns", async () => {
      const fx = fixture("ce6850_display_interface_brief.txt");
      const got = await lines(sh, "display interface brief");
      assert.deepEqual(got.slice(0, 12), fx.slice(0, 12));
      const down = got.find((l) => l.startsWith("10GE2/17/2 "))!;
      const fxDown = fx.find((l) => l.startsWith("40GE1/0/1 "))!;
      assert.equal(down.slice(27), fxDown.slice(27));
      const up = got.find((l) => l.startsWith("10GE2/1/1 "))!;
      const fxUp = fx.find((l) => l.startsWith("40GE3/0/2 "))!;
      assert.equal(up.slice(27), fxUp.slice(27));
    });

    await t.step("display lldp neighbor brief: blades as neighbours per the wiring", async () => {
      const fx = fixture("ce6850_display_lldp_neighbor_brief.txt");
      const got = await lines(sh, "display lldp neighbor brief");
      assert.deepEqual(got.slice(0, 2), fx.slice(0, 2));
      const rows = got.slice(2).map((l) => ({
        local: l.slice(0, 24).trim(),
        exp: l.slice(24, 33).trim(),
        nif: l.slice(35, 59).trim(),
        dev: l.slice(59).trim(),
      }));
      const expected = sim.topology.blades.filter((b) => b.power === "On").map((b) => ({
        local: b.nics.find((n) => n.switch === "swi2")!.port!,
        nif: b.nics.find((n) => n.switch === "swi2")!.name,
        dev: b.hostname,
      }));
      assert.deepEqual(rows.map(({ exp: _e, ...r }) => r), expected);
      const fxRow = fx[2];
      assert.equal(fxRow.slice(24, 33).trim(), "111");
      const detail = await lines(sh, "display lldp neighbor interface 10GE2/1/1");
      assert.equal(detail[0], "10GE2/1/1 has 1 neighbor(s):");
      const fxd = fixture("display_lldp_neighbor__cisco_peer.raw");
      assert.equal(
        detail.find((l) => l.startsWith("Chassis type"))!,
        fxd.find((l) => l.startsWith("Chassis type")),
      );
      const blade1 = sim.topology.blades[0];
      assert.ok(detail.includes(`System name                        :${blade1.hostname}`));
    });

    await t.step("display mac-address: blade MACs in the port's VLAN (both layouts)", async () => {
      const fx = fixture("ce6850_display_mac-address.txt");
      const got = await lines(sh, "display mac-address");
      assert.deepEqual(got.slice(0, 5), fx.slice(0, 5));
      const re = /^([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}) (\d+)\/-\/-\s+(\S+)\s+dynamic\s+\d+$/;
      assert.match(fx[5], re);
      const entries = got.filter((l) => re.test(l)).map((l) => re.exec(l)!.slice(1));
      const b2 = sim.topology.blades.find((b) => b.slot === 2)!;
      const mac2 = b2.nics[0].mac.replace(/:/g, "").replace(/(....)(....)(....)/, "$1-$2-$3");
      assert.deepEqual(entries.find((e) => e[0] === mac2), [mac2, "10", "10GE2/2/1"]);
      assert.match(got[got.length - 1], /^Total items: \d+$/);
      const fx5 = fixture("display_mac-address__vsi.raw");
      const got5 = await lines(sh3, "display mac-address");
      assert.deepEqual(got5.slice(0, 3), fx5.slice(0, 3));
      assert.match(got5[got5.length - 1], /^Total items displayed = \d+$/);
      const row5 = got5[3];
      assert.equal(row5.indexOf("1/-"), fx5[3].indexOf("1/-"));
      assert.equal(row5.indexOf("10GE3/"), fx5[3].indexOf("GE0/0/25"));
    });

    await t.step(
      "display arp: own address, and blades once a Vlanif covers their subnet",
      async () => {
        const fx = fixture("display_arp_brief.raw");
        for (
          const c of [
            "interface Vlanif10",
            "ip address 10.10.0.254 255.255.255.0",
            "quit",
            "commit",
          ]
        ) await sh.cmd(c);
        const got = await lines(sh, "display arp");
        assert.deepEqual(got.slice(0, 2), fx.slice(0, 2));
        const b2 = sim.topology.blades.find((b) => b.slot === 2)!;
        const ip2 = b2.hostIps![b2.nics[0].name];
        const row = got.find((l) => l.startsWith(ip2 + " "));
        assert.ok(row, got.join("\n"));
        assert.equal(row.indexOf("D-0"), fx[3].indexOf("D-0"));
        assert.ok(got.some((l) => /^10\.10\.0\.254\s+\S+\s+I -\s+Vlanif10/.test(l)));
        assert.match(got[got.length - 1], /^Total:\d+\s+Dynamic:\d+\s+Static:0\s+Interface:\d+/);
        const ping = await sh.cmd(`ping ${ip2}`);
        assert.match(ping, /5 packet\(s\) received/);
        const lost = await sh.cmd("ping 10.99.0.1");
        assert.match(lost, /100\.00% packet loss/);
      },
    );

    await t.step("display eth-trunk, version, device, current-configuration", async () => {
      const et = (await lines(sh, "display eth-trunk 1")).join("\n");
      assert.match(et, /Eth-Trunk1's state information is:/);
      assert.match(et, /WorkingMode: STATIC/);
      assert.match(et, /^10GE2\/4\/1\s+Selected/m);
      const ver = await lines(sh, "display version");
      const fxv = fixture("ce6850_display_version.txt");
      assert.equal(ver[0], fxv[0]);
      assert.match(ver[1], /^VRP \(R\) software, Version 8\.150 \(CX310 V100R001C00SPC100\)$/);
      assert.match(ver[3], /^HUAWEI CX310 uptime is \d+ day, \d+ hours?, \d+ minutes?$/);
      const dev = await lines(sh, "display device");
      const fxd = fixture("display_device__ce6850_stack.raw");
      assert.deepEqual(dev.slice(0, 4), fxd.slice(1, 5));
      assert.match(dev[4], /^2\s+-\s+CX310\s+Present\s+On\s+Registered\s+Normal\s+Master$/);
      const cfg = (await lines(sh, "display current-configuration")).join("\n");
      assert.match(cfg, /^vlan batch 10 20 30 4094$/m);
      assert.match(
        cfg,
        /^interface 10GE2\/1\/1\n port link-type trunk\n port trunk allow-pass vlan 10 30\n#/m,
      );
      assert.match(cfg, /^interface 10GE2\/4\/1\n eth-trunk 1\n#/m);
      const one = await lines(sh, "display current-configuration interface 10GE2/2/1");
      assert.deepEqual(one, [
        "#",
        "interface 10GE2/2/1",
        " port default vlan 10",
        "#",
        "return",
      ]);
      const vl = (await lines(sh, "display current-configuration configuration vlan")).join("\n");
      assert.match(vl, /^vlan batch 10 20 30 4094$/m);
      assert.doesNotMatch(vl, /^interface/m);
      const inc = await lines(sh, "display current-configuration | include sysname");
      assert.deepEqual(
        inc,
        fixture("ce6850_display_current-configuration_inc_sysname.txt")
          .map((l) => l.replace("test-huawei-router", "CX310_2")).filter((l) => l),
      );
    });

    await t.step("display interface shows state, PVID and link type", async () => {
      const out = (await lines(sh, "display interface 10GE2/2/1")).join("\n");
      assert.match(out, /^10GE2\/2\/1 current state : UP/m);
      assert.match(out, /PVID : 10, Link type : access/);
      const down = (await lines(sh, "display interface 10GE2/17/5")).join("\n");
      assert.match(down, /current state : DOWN/);
      const vif = (await lines(sh, "display interface Vlanif4094")).join("\n");
      assert.match(vif, /Internet Address is 172\.31\.1\.162\/24/);
    });

    await t.step(
      "interface rules: link-type change needs default config; members refuse L2",
      async () => {
        await sh.cmd("interface 10GE2/1/1");
        assert.match(
          await sh.cmd("port link-type access"),
          /Error: Please renew the default configurations\./,
        );
        await sh.cmd("interface 10GE2/4/1");
        assert.match(await sh.cmd("port link-type trunk"), /Error: /);
        await sh.cmd("interface 10GE2/2/1");
        assert.match(await sh.cmd("port default vlan 999"), /Error: The VLAN does not exist\./);
        assert.match(await sh.cmd("port trunk allow-pass vlan 10"), /Error: /);
        assert.match(
          await sh.cmd("port link-type bogus"),
          /Error: Wrong parameter found at '\^' position\./,
        );
        await sh.cmd("quit");
        await sh.cmd("abort trial").catch(() => "");
      },
    );
  } finally {
    await sh.close();
    await sh3.close();
    await sim.close();
  }
});
