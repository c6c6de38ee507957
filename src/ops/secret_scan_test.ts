/**
 * The secret scan (issue 6, point 6): a known password is planted in the user's credentials
 * (the simulator's login) and in the switch configuration (a VLAN description an operator typed
 * it into), then snapshot, a change, a failing change, restore, audit list/export and a failing
 * command run; the password must appear in no file, store record, output line or error.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Command } from "@commander-js/extra-typings";
import { globalOptions } from "../cmd/global.ts";
import { snapshotCommand } from "../cmd/snapshot.ts";
import { restoreCommand } from "../cmd/restore.ts";
import { auditCommand } from "../cmd/audit.ts";
import { openStore } from "../store/db.ts";
import { DeviceError, VesselError } from "../errors.ts";
import { defaultRedactor, registerCredentials } from "../util/redact.ts";
import { startSimHarness } from "./testing/sim_session.ts";
import { chassisEnvelope, runChange } from "./mod.ts";

const PLANTED = "Planted-Pw#4711-xyz";

function variants(secret: string, user: string): string[] {
  const b64 = (s: string) => btoa(s);
  return [secret, encodeURIComponent(secret), b64(secret), b64(`${user}:${secret}`)];
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else yield p;
  }
}

Deno.test("secret scan: a planted password reaches no file, record, output or error", async () => {
  const h = await startSimHarness({ credentials: { password: PLANTED } });
  const dir = await Deno.makeTempDir();
  const state = join(dir, "vessel.db");
  const snaps = join(dir, "snapshots");
  const out: string[] = [];
  const errors: unknown[] = [];
  const io = { stdout: (l: string) => out.push(l) };
  const cli = async (args: string[]) => {
    const p = new Command("vessel").exitOverride();
    for (const o of globalOptions()) p.addOption(o);
    p.addCommand(snapshotCommand({ io, connect: h.connect }));
    p.addCommand(restoreCommand({ io, connect: h.connect }));
    p.addCommand(auditCommand(io));
    try {
      await p.parseAsync(["--chassis", "sim://", "--state", state, "--snapshots", snaps, ...args], {
        from: "user",
      });
    } catch (e) {
      errors.push(e);
    }
  };
  try {
    registerCredentials(h.endpoints.credentials);
    assert.ok(defaultRedactor.contains(PLANTED));
    const user = h.endpoints.credentials.username;

    // A change that puts the password on the switch (an operator's mistake) and in parameters.
    await h.connect({ statePath: state, snapshotsDir: snaps }, async (s) => {
      const store = openStore(state);
      try {
        const ctx = chassisEnvelope({
          store,
          chassis: s.chassis,
          endpoints: s.endpoints,
          snapshotsDir: snaps,
        });
        await runChange(ctx, {
          target: { kind: "switch", id: "swi2" },
          operation: "vlan.add",
          parameters: { vlan_id: 300, description: `pw ${PLANTED}`, password: PLANTED },
          scopes: ["switch:swi2"],
          apply: async () => ({
            vlan: await s.chassis.switch("swi2").createVlan({
              id: 300,
              description: `pw ${PLANTED}`,
            }),
          }),
        });
        // A failing change whose device error carries the password.
        try {
          await runChange(ctx, {
            target: { kind: "switch", id: "swi2" },
            operation: "vlan.add",
            parameters: { vlan_id: 301 },
            scopes: ["switch:swi2"],
            apply: async () => ({ vlan: await s.chassis.switch("swi2").createVlan({ id: 301 }) }),
            verify: () =>
              Promise.reject(
                new DeviceError(`login ${user}/${PLANTED} refused`, { device: "swi2" }),
              ),
          });
        } catch (e) {
          errors.push(e);
        }
      } finally {
        store.close();
      }
    });

    await cli(["snapshot"]);
    await cli(["--output", "json", "snapshot", "show", "latest"]);
    await cli(["snapshot", "diff", "latest", "live"]);
    h.sim.switch("swi2").factoryReset();
    await cli(["restore", "latest", "--auto-approve"]);
    await cli(["--output", "json", "restore", "latest", "--auto-approve"]);
    await cli(["--output", "json", "audit", "list"]);
    await cli(["audit", "export", "--out", join(dir, "audit.ndjson")]);
    await cli(["audit", "export"]);
    // A failing command: restore from a snapshot that does not exist, named by the password.
    await cli(["restore", PLANTED, "--auto-approve"]);
    await cli(["snapshot", "verify"]);

    assert.ok(errors.length >= 2, "the failing change and the failing command failed");
    assert.ok(out.length > 10, "commands printed something");
    const needles = variants(PLANTED, user);
    const texts: [string, string][] = [
      ["stdout", out.join("\n")],
      ...errors.map((e, i): [string, string] => [
        `error ${i}`,
        [
          (e as Error).message,
          e instanceof VesselError ? JSON.stringify(e.toJSON()) : "",
          String((e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : ""),
          (e as { hint?: string }).hint ?? "",
        ].join("\n"),
      ]),
    ];
    let files = 0;
    for await (const f of walk(dir)) {
      files++;
      texts.push([f, new TextDecoder("latin1").decode(await Deno.readFile(f))]);
    }
    assert.ok(files >= 5, `snapshots, store and export were written (${files} files)`);
    for (const [where, text] of texts) {
      for (const n of needles) {
        assert.ok(!text.includes(n), `planted secret (${n}) found in ${where}`);
      }
    }
    // The VLAN description was redacted in the snapshot, not dropped.
    assert.ok(
      texts.some(([f, t]) => f.endsWith("swi2.cfg") && /description pw \*\*\*/.test(t)),
      "the VLAN description was redacted in the snapshot, not dropped",
    );
  } finally {
    await h.close();
    await Deno.remove(dir, { recursive: true });
  }
});
