/**
 * Phase-3 gate, last item: Vessel (the real CLI, as a subprocess) is killed while a two-stage
 * switch runs its `commit trial`; the switch reverts by itself when the trial expires.
 * The change cuts the management VLAN, so the CLI is certainly still waiting for its heartbeat
 * when it is killed; every wait below is on a condition (switch change events), never a sleep.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startSimulator } from "../../sim/mod.ts";
import { stableConfig } from "./testing/harness.ts";

const MAIN = fileURLToPath(new URL("../../cmd/main.ts", import.meta.url));

/** Resolve when `pred` holds, checked on every change of the switch; reject after `ms`. */
function until(
  dev: { onChange(l: () => void): () => void },
  pred: () => boolean,
  ms: number,
  what: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const off = dev.onChange(() => {
      if (!pred()) return;
      clearTimeout(t);
      off();
      resolve();
    });
  });
}

Deno.test("vessel net vlan remove killed during a two-stage commit trial leaves the switch reverted", async () => {
  const sim = await startSimulator({ vrpMode: "two-stage" });
  const dir = await Deno.makeTempDir({ prefix: "vessel-kill-" });
  const dev = sim.switch("swi2");
  let child: Deno.ChildProcess | undefined;
  try {
    await Deno.writeTextFile(`${dir}/endpoints.json`, JSON.stringify(sim.endpoints));
    const before = stableConfig(dev.runningText());
    const trialSeconds = 3;
    const trialSeen = until(dev, () => dev.trial !== undefined, 30_000, "the commit trial");
    child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-check",
        MAIN,
        "net",
        "vlan",
        "remove",
        "4094",
        "--switch",
        "swi2",
        "--trial",
        String(trialSeconds),
        "--heartbeat-deadline",
        "1.5",
        "--probe-timeout",
        "0.5",
        "--heartbeat-interval",
        "0.2",
        "--chassis",
        `endpoints:${dir}/endpoints.json`,
        "--state",
        `${dir}/state.db`,
        "--snapshots",
        `${dir}/snapshots`,
        "--no-color",
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    // Fail fast (with its stderr) if the CLI ends before the trial starts.
    await Promise.race([
      trialSeen,
      output.then((r) => {
        throw new Error(
          `vessel exited (${r.code}) before the trial: ${new TextDecoder().decode(r.stderr)}`,
        );
      }),
    ]);
    assert.equal(sim.mgmt.isReachable("swi2"), false, "the change cut the management path");
    const trialAt = dev.commandLog.findLastIndex((e) => /^commit trial/.test(e.line));
    assert.ok(trialAt >= 0);
    child.kill("SIGKILL");
    const res = await output;
    child = undefined;
    assert.equal(res.success, false);
    assert.equal(res.signal, "SIGKILL", "Vessel was killed, it did not exit by itself");
    assert.ok(dev.trial !== undefined, "the trial is still pending after the kill");

    // The switch reverts on its own when the trial timer fires.
    await until(dev, () => dev.trial === undefined, trialSeconds * 1000 + 5000, "the revert");
    assert.equal(sim.mgmt.isReachable("swi2"), true);
    assert.ok(dev.vlans().some((v) => v.id === 4094), "management VLAN is back");
    assert.equal(
      stableConfig(dev.runningText()),
      before,
      "configuration equals the pre-change one",
    );
    const after = dev.commandLog.slice(trialAt + 1).map((e) => e.line);
    assert.ok(!after.includes("commit"), `nothing confirmed the trial: ${after.join(", ")}`);
  } finally {
    if (child) {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.output().catch(() => {});
    }
    await sim.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
