import assert from "node:assert/strict";
import { join } from "node:path";
import { Command } from "@commander-js/extra-typings";
import { globalOptions } from "./global.ts";
import { snapshotCommand } from "./snapshot.ts";
import { restoreCommand } from "./restore.ts";
import { auditCommand } from "./audit.ts";
import { startSimHarness } from "../ops/testing/sim_session.ts";
import { CancelledError, SafetyError } from "../errors.ts";
import { openStore } from "../store/db.ts";
import { chassisEnvelope, runChange } from "../ops/mod.ts";

function program(h: Awaited<ReturnType<typeof startSimHarness>>, out: string[], answer = "yes") {
  const io = { stdout: (l: string) => out.push(l) };
  const p = new Command("vessel").exitOverride();
  for (const o of globalOptions()) p.addOption(o);
  p.addCommand(snapshotCommand({ io, connect: h.connect }));
  p.addCommand(auditCommand(io));
  p.addCommand(
    restoreCommand({
      io,
      connect: h.connect,
      confirm: () =>
        answer === "yes"
          ? Promise.resolve()
          : Promise.reject(new CancelledError("Cancelled: nothing was changed")),
    }),
  );
  return p;
}

Deno.test("vessel snapshot / list / verify / diff / restore on the simulator", async (t) => {
  const h = await startSimHarness();
  const dir = await Deno.makeTempDir();
  const state = join(dir, "vessel.db");
  const snaps = join(dir, "snapshots");
  const base = ["--chassis", "sim://", "--state", state, "--snapshots", snaps];
  const run = async (args: string[], answer = "yes") => {
    const out: string[] = [];
    await program(h, out, answer).parseAsync([...base, ...args], { from: "user" });
    return out;
  };
  try {
    let first = "";
    await t.step("set up: two VLANs added through the envelope", async () => {
      await h.connect({ statePath: state, snapshotsDir: snaps }, async (s) => {
        const store = openStore(state);
        try {
          const ctx = chassisEnvelope({
            store,
            chassis: s.chassis,
            endpoints: s.endpoints,
            snapshotsDir: snaps,
          });
          for (const [id, name] of [[100, "prod"], [200, "backup"]] as const) {
            await runChange(ctx, {
              target: { kind: "switch", id: "swi2" },
              operation: "vlan.add",
              parameters: { vlan_id: id, name },
              scopes: ["switch:swi2"],
              apply: async () => ({
                vlan: await s.chassis.switch("swi2").createVlan({ id, name }),
              }),
            });
          }
        } finally {
          store.close();
        }
      });
    });
    await t.step(
      "snapshot writes the layout, manifest and catalog",
      async () => {
        const out = await run([
          "--output",
          "json",
          "snapshot",
          "--reason",
          "baseline",
        ]);
        const res = JSON.parse(out.join("\n"));
        first = res.id;
        assert.match(first, /^\d{8}T\d{6}Z(-\d+)?$/);
        const paths = res.manifest.files.map((f: { path: string }) => f.path);
        assert.ok(
          paths.includes("switches/swi2.cfg") && paths.includes("switches/swi3.cfg"),
          paths.join(),
        );
        assert.equal(res.manifest.reason, "baseline");
        assert.equal(res.manifest.chassis.serial, h.endpoints.chassis.serial);
        const manifest = await Deno.readTextFile(join(snaps, first, "manifest.yaml"));
        assert.match(manifest, /sha256: [0-9a-f]{64}/);
      },
    );

    await t.step("list and verify see it; audit has snapshot.create", async () => {
      const list = await run(["snapshot", "list"]);
      assert.match(list.join("\n"), new RegExp(first));
      const ver = await run(["snapshot", "verify"]);
      assert.match(ver.join("\n"), new RegExp(`${first}: OK`));
      const audit = JSON.parse(
        (await run(["--output", "json", "audit", "list", "--op", "snapshot.*"])).join("\n"),
      );
      assert.equal(audit[0].snapshot_id, first);
    });

    await t.step(
      "diff against live shows a change made on the switch; restore brings it back",
      async () => {
        // Someone changes the switch outside Vessel (the gate's "wipe"): factory reset + a stray VLAN.
        h.sim.switch("swi2").factoryReset();
        const sw = await import("../chassis/chassis.ts");
        void sw;
        const diff = await run(["snapshot", "diff", first, "live", "--scope", "switches"]);
        const text = diff.join("\n");
        assert.match(text, /switch:swi2/);

        // Declining the prompt changes nothing.
        await assert.rejects(
          () => run(["restore", first, "--scope", "switches"], "no"),
          CancelledError,
        );

        const out = await run(["restore", first, "--scope", "switches"]);
        assert.match(out.join("\n"), /switch:swi2: restored/);
        const after = await run(["snapshot", "diff", first, "live", "--scope", "switches"]);
        assert.match(after.join("\n"), /No differences/);
        const recs = JSON.parse(
          (await run(["--output", "json", "audit", "list", "--op", "snapshot.restore"])).join("\n"),
        );
        assert.deepEqual(recs.map((r: { phase: string }) => r.phase), ["intent", "outcome"]);
      },
    );

    await t.step("restore refuses a tampered snapshot and another chassis' snapshot", async () => {
      const latest = (await run(["--output", "json", "snapshot", "list"])).join(
        "\n",
      );
      const ids = JSON.parse(latest).snapshots.map((s: { id: string }) => s.id);
      assert.ok(ids.length >= 2, "restore took its own pre-restore snapshot");
      const cfg = join(snaps, first, "switches", "swi2.cfg");
      const orig = await Deno.readTextFile(cfg);
      await Deno.writeTextFile(cfg, orig.replace("sysname", "sysname evil"));
      await assert.rejects(
        () => run(["restore", first, "--auto-approve"]),
        (e) =>
          e instanceof SafetyError && /does not verify/.test(e.message) &&
          /swi2\.cfg/.test(e.message),
      );
      await assert.rejects(() => run(["snapshot", "verify", first]), SafetyError);
      await Deno.writeTextFile(cfg, orig);

      const m = join(snaps, first, "manifest.yaml");
      const mtext = await Deno.readTextFile(m);
      await Deno.writeTextFile(m, mtext.replace(/serial: .*/, "serial: OTHER-CHASSIS"));
      // Without the catalog's manifest hash, the serial check is what stops it.
      await assert.rejects(
        () =>
          run([
            "--state",
            join(dir, "other.db"),
            "restore",
            first,
            "--auto-approve",
          ]),
        (e) => e instanceof SafetyError && /OTHER-CHASSIS/.test(e.message),
      );
      // With the catalog, the edited manifest itself is detected.
      await assert.rejects(
        () => run(["restore", first, "--auto-approve"]),
        (e) => e instanceof SafetyError && /manifest\.yaml: changed/.test(e.message),
      );
      await Deno.writeTextFile(m, mtext);
    });

    await t.step("an interrupted snapshot never appears complete", async () => {
      await Deno.mkdir(join(snaps, ".tmp-20260101T000000Z-dead"), { recursive: true });
      await Deno.writeTextFile(join(snaps, ".tmp-20260101T000000Z-dead", "partial.cfg"), "x");
      const list = JSON.parse(
        (await run(["--output", "json", "snapshot", "list"])).join("\n"),
      );
      assert.ok(!list.snapshots.some((s: { id: string }) => s.id.includes("20260101")));
      assert.deepEqual(list.incomplete, [".tmp-20260101T000000Z-dead"]);
    });
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});
