import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import ssh2 from "ssh2";
import { startSimulator } from "./mod.ts";
import { defaultTopology, loadSeedFile, topologyFromSeed } from "./topology.ts";
import { openShell, parseSshUrl } from "./testing.ts";

const seedPath = (name: string) =>
  fileURLToPath(new URL(`../../testdata/seeds/${name}`, import.meta.url));

Deno.test("topologyFromSeed: the observed seed equals the default; small seed trims", async () => {
  const observed = topologyFromSeed(await loadSeedFile(seedPath("observed.yaml")));
  const def = defaultTopology();
  assert.deepEqual(
    observed.blades.map((b) => [b.slot, b.model]),
    def.blades.map((b) => [b.slot, b.model]),
  );
  assert.deepEqual(observed.switches, def.switches);
  assert.equal(def.blades.length, 13);
  assert.deepEqual(def.blades.filter((b) => b.model === "CH222").map((b) => b.slot), [13, 14, 15]);
  assert.equal(def.blades.find((b) => b.slot === 16)?.bmcIp, "172.31.1.144");
  assert.equal(def.switches.find((s) => s.slot === 3)?.mgmt.ip, "172.31.1.163");
  assert.equal(def.hmm.modules.find((m) => m.role === "active")?.name, "HMM2");
  const small = topologyFromSeed(await loadSeedFile(seedPath("small.yaml")));
  assert.deepEqual(small.blades.map((b) => b.slot), [1, 2]);
  assert.deepEqual(small.switches.map((s) => s.name), ["swi2"]);
  assert.ok(small.blades.every((b) => b.nics.every((n) => n.switch === "swi2")));
  assert.throws(
    () => topologyFromSeed({ blades: [{ slot: 17 }] }),
    /blades\[0\]\.slot must be 1\.\.16/,
  );
});

Deno.test("seeded switch asks for a password change at first login (option)", async () => {
  const sim = await startSimulator({ hmm: false, seed: seedPath("small.yaml") });
  try {
    assert.equal(sim.endpoints.credentials.password, "Sim-Passw0rd");
    assert.deepEqual(Object.keys(sim.endpoints.switches), ["swi2"]);
    assert.equal(sim.faults.effective("hmm", "web").latencyMs, 20);
    const url = sim.endpoints.switches.swi2.ssh;
    const sh = await openShell(url, "root", "Sim-Passw0rd");
    await sh.waitFor(/The password needs to be changed\. Change now\? \[Y\/N\]: $/);
    sh.send("y\r");
    await sh.waitFor(/Please enter old password: $/);
    sh.send("Sim-Passw0rd\r");
    await sh.waitFor(/Please enter new password: $/);
    sh.send("New-Passw0rd9\r");
    await sh.waitFor(/Please confirm new password: $/);
    sh.send("New-Passw0rd9\r");
    const out = await sh.waitFor(/<CX310_2>$/);
    assert.match(out, /Info: Your password has been changed\./);
    assert.doesNotMatch(sh.output, /New-Passw0rd9/, "passwords are never echoed");
    await sh.close();
    await assert.rejects(openShell(url, "root", "Sim-Passw0rd"), /authentication/i);
    const again = await openShell(url, "root", "New-Passw0rd9");
    const banner = await again.waitFor(/<CX310_2>$/);
    assert.doesNotMatch(banner, /password needs to be changed/);
    await again.cmd("screen-length 0 temporary");
    again.send("save\r");
    await again.waitFor(/Are you sure to continue\?\[Y\/N\]:$/);
    again.send("y\r");
    await again.waitFor(/Please input the file name \( \*\.cfg, \*\.zip \) \[vrpcfg\.zip\]:$/);
    assert.match(await again.cmd(""), /Save the configuration successfully\./);
    assert.match(await again.cmd("display vlan"), /The total number of vlans is : 4/);
    await again.close();
  } finally {
    await sim.close();
  }
});

Deno.test("SimContext: switch jump, swiconfexport files, SFTP and keyboard-interactive", async () => {
  // swi2's HMM path crosses its in-band management VLAN here (hmmPath in-band), so a cut
  // freezes the jump too; with the default base plane it would not (see hmm/shell_test.ts).
  const sim = await startSimulator({
    hmm: false,
    seed: { switches: [{ slot: 2, mgmt: { hmmPath: "in-band" } }] },
  });
  const ctx = sim.context;
  const jump = await ctx.ssh.createSshServer({
    device: "hmm",
    onShell(io) {
      io.write("jump> ");
      const off = io.onData((d) => {
        if (!d.includes("\r")) return;
        off();
        const name = ctx.switches.byIp("172.31.1.162")!;
        ctx.switches.attachShell(name, io, () => {
          io.write("back on the HMM\r\n");
          io.end(0);
        });
      });
    },
    sftp: {
      files: () =>
        Object.fromEntries(
          Object.entries(ctx.switches.exportFiles("swi2")).map((
            [k, v],
          ) => [`/tmp/exchange/swi2/${k}`, v]),
        ),
    },
  });
  try {
    assert.deepEqual(ctx.switches.list(), ["swi2", "swi3"]);
    const files = ctx.switches.exportFiles("swi2");
    assert.ok(new TextDecoder().decode(files["2_1_1.cfg"]).includes("sysname CX310_2"));
    const sh = await openShell(jump.url, "root", "Huawei12#$");
    await sh.waitFor(/jump> $/);
    sh.send("\r");
    await sh.waitFor(/<CX310_2>$/);
    await sh.cmd("display version");
    // With hmmPath in-band a cut management path also freezes the HMM's jump session.
    const dev = sim.switch("swi2");
    const good = dev.running;
    const cut = dev.running;
    delete cut.vlans["4094"];
    dev.setRunning(cut);
    sh.mark();
    sh.send("display device\r");
    await assert.rejects(sh.waitFor(/<CX310_2>$/, 300), /Timed out/);
    dev.setRunning(good);
    await sh.waitFor(/Device status:[\s\S]*<CX310_2>$/);
    sh.send("quit\r");
    await sh.waitFor(/back on the HMM/);
    await sh.closed;
    // SFTP read of the exported running configuration, with keyboard-interactive auth.
    const { host, port } = parseSshUrl(jump.url);
    const text = await new Promise<string>((resolve, reject) => {
      const c = new ssh2.Client();
      c.on("error", reject);
      c.on("ready", () => {
        c.sftp((err, sftp) => {
          if (err) return reject(err);
          sftp.readdir("/tmp/exchange/swi2", (e2, list) => {
            if (e2) return reject(e2);
            assert.ok(list.some((x) => x.filename === "2_1_1.cfg"));
            sftp.readFile("/tmp/exchange/swi2/2_1_1.cfg", (e3, buf) => {
              if (e3) return reject(e3);
              c.end();
              resolve(new TextDecoder().decode(buf));
            });
          });
        });
      });
      c.connect({
        host,
        port,
        username: "root",
        tryKeyboard: true,
        hostVerifier: () => true,
      });
      c.on("keyboard-interactive", (_n, _i, _l, _p, finish) => finish(["Huawei12#$"]));
    });
    assert.match(text, /^sysname CX310_2$/m);
    assert.match(jump.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  } finally {
    await jump.close();
    await sim.close();
  }
});
