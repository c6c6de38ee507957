import assert from "node:assert/strict";
import { startSimulator } from "./mod.ts";
import { openShell } from "./testing.ts";
import { resetStateDir, STATE_MARKER } from "./state.ts";
import ssh2 from "ssh2";
import { createHash } from "node:crypto";

const USER = "root";
const PW = "Huawei12#$";

/** The host key fingerprint a client sees. */
function hostKeyOf(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    let fp = "";
    c.on("ready", () => c.end());
    c.on("error", reject);
    c.on("close", () => resolve(fp));
    c.connect({
      host: u.hostname,
      port: Number(u.port),
      username: USER,
      password: PW,
      hostVerifier: (key: Uint8Array) => {
        fp = createHash("sha256").update(key).digest("base64");
        return true;
      },
    });
  });
}

Deno.test("startSimulator keeps switch configs, faults and host keys in the state dir", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vessel-sim-" });
  try {
    const sim1 = await startSimulator({ hmm: false, stateDir: dir });
    const fp1 = await hostKeyOf(sim1.endpoints.switches.swi2.ssh);
    const sh = await openShell(sim1.endpoints.switches.swi2.ssh, USER, PW);
    await sh.waitFor(/<CX310_2>$/);
    await sh.cmd("system-view");
    await sh.cmd("vlan 123");
    await sh.cmd("description kept");
    await sh.cmd("commit");
    await sh.cmd("vlan 124");
    await sh.cmd("commit");
    await sh.cmd("return");
    sh.send("save\r");
    await sh.waitFor(/\[Y\/N\]:$/);
    await sh.cmd("y");
    await sh.close();
    sim1.faults.set({ device: "hmm", name: "ibmc-reboot", params: { durationMs: 1 } });
    // A change after save: running differs from saved.
    sim1.switch("swi2").setRunning({
      ...sim1.switch("swi2").running,
      vlans: { ...sim1.switch("swi2").running.vlans, "125": { id: 125 } },
    });
    await sim1.close();
    assert.ok((await Deno.stat(`${dir}/${STATE_MARKER}`)).isFile);

    const sim2 = await startSimulator({ hmm: false, stateDir: dir });
    try {
      const d = sim2.switch("swi2");
      assert.equal(d.vlans().find((v) => v.id === 123)?.description, "kept");
      assert.ok(d.vlans().some((v) => v.id === 125), "running kept");
      assert.ok(d.saved?.vlans["124"], "saved kept");
      assert.equal(d.saved?.vlans["125"], undefined);
      assert.ok(d.commits.length >= 2, "commit history kept");
      assert.equal(sim2.faults.named("hmm", "ibmc-reboot")?.params?.durationMs, 1);
      assert.equal(await hostKeyOf(sim2.endpoints.switches.swi2.ssh), fp1, "same host key");
      const state = await (await fetch(`${sim2.endpoints.admin}/admin/state/switches/swi2`)).json();
      assert.match(state.saved, /^vlan batch 123 to 124 4094$/m);
      await sim2.reset();
      assert.equal(sim2.switch("swi2").vlans().some((v) => v.id === 123), false);
      assert.deepEqual(sim2.faults.list(), []);
    } finally {
      await sim2.close();
    }
    assert.ok(resetStateDir(dir) > 0);
    const sim3 = await startSimulator({ hmm: false, stateDir: dir });
    assert.equal(sim3.switch("swi2").vlans().some((v) => v.id === 123), false);
    assert.notEqual(await hostKeyOf(sim3.endpoints.switches.swi2.ssh), fp1, "fresh host key");
    await sim3.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resetStateDir refuses a folder that is not a simulator state dir", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/precious.txt`, "x");
    assert.throws(() => resetStateDir(dir), /not a simulator state dir/);
    await assert.rejects(startSimulator({ hmm: false, stateDir: dir }), /not empty/);
    assert.equal(await Deno.readTextFile(`${dir}/precious.txt`), "x");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startSimulator resumes a pending commit trial after a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vessel-sim-" });
  try {
    const sim1 = await startSimulator({ hmm: false, stateDir: dir });
    sim1.switch("swi2").commit([(c) => c.vlans["66"] = { id: 66 }], "test", { trialSeconds: 1 });
    await sim1.close();
    const sim2 = await startSimulator({ hmm: false, stateDir: dir });
    try {
      const d = sim2.switch("swi2");
      assert.ok(d.trial, "the trial is still pending");
      await new Promise<void>((resolve) => {
        const check = () => {
          if (!d.vlans().some((v) => v.id === 66)) {
            off();
            resolve();
          }
        };
        const off = sim2.mgmt.onChange(check);
        check();
      });
      assert.equal(d.trial, undefined);
    } finally {
      await sim2.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
