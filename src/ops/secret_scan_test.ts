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
    await cli(["snapshot", "diff", "latest", "live", "--scope", "switches,hmm"]);
    h.sim.switch("swi2").factoryReset();
    await cli(["restore", "latest", "--auto-approve", "--scope", "switches,hmm"]);
    await cli([
      "--output",
      "json",
      "restore",
      "latest",
      "--auto-approve",
      "--scope",
      "switch:swi2",
    ]);
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

Deno.test("secret scan: vessel plan, apply, net vlan, audit export and failing commands (the CLI)", async () => {
  const secret = "Cli-Planted-Pw#5150-q";
  const { startSimulator } = await import("../sim/mod.ts");
  const sim = await startSimulator({ credentials: { password: secret } });
  const dir = await Deno.makeTempDir();
  const main = new URL("../cmd/main.ts", import.meta.url).pathname;
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const outputs: [string, string][] = [];
  const vessel = async (args: string[]) => {
    const p = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", "--config", config, main, ...args],
      env: {
        NO_COLOR: "1",
        VESSEL_STATE: join(dir, "vessel.db"),
        VESSEL_SNAPSHOTS_DIR: join(dir, "snaps"),
      },
      clearEnv: false,
      stdin: "null",
      cwd: dir,
    });
    const r = await p.output();
    const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
    outputs.push([`vessel ${args.join(" ")} (exit ${r.code})`, text]);
    return r.code;
  };
  try {
    const ep = { ...sim.endpoints, admin: sim.endpoints.admin || undefined };
    await Deno.writeTextFile(join(dir, "ep.json"), JSON.stringify(ep));
    const wrong = { ...ep, credentials: { ...ep.credentials, password: `${secret}-wrong` } };
    await Deno.writeTextFile(join(dir, "wrong.json"), JSON.stringify(wrong));
    await Deno.writeTextFile(
      join(dir, "vlans.hcl"),
      'resource "vessel_vlan" "scan" {\n  switch  = "swi2"\n  vlan_id = 410\n  name    = "scan"\n}\n',
    );
    const chassis = ["--chassis", `endpoints:${join(dir, "ep.json")}`];
    await vessel([...chassis, "plan", "-f", join(dir, "vlans.hcl")]);
    await vessel([...chassis, "apply", "-f", join(dir, "vlans.hcl"), "--auto-approve"]);
    await vessel([...chassis, "net", "vlan", "add", "411", "--switch", "swi2"]);
    await vessel([...chassis, "--output", "json", "net", "vlan", "list", "--switch", "swi2"]);
    await vessel(["audit", "export", "--out", join(dir, "audit.ndjson")]);
    await vessel(["--output", "json", "audit", "list"]);
    // Failing commands: wrong password (the attempt carries the secret), invalid VLAN id.
    const failed = await vessel([
      "--chassis",
      `endpoints:${join(dir, "wrong.json")}`,
      "net",
      "vlan",
      "list",
      "--switch",
      "swi2",
    ]);
    assert.notEqual(failed, 0, "login with a wrong password fails");
    assert.notEqual(
      await vessel([...chassis, "net", "vlan", "add", "5000", "--switch", "swi2"]),
      0,
    );

    if (Deno.env.get("SCAN_DEBUG")) {
      for (const [c, t] of outputs) console.error(c, "\n", t.slice(0, 400));
    }
    const applied = outputs.find(([c]) => c.includes(" apply "))!;
    assert.match(applied[0], /exit 0/, applied[1]);
    const texts = [...outputs];
    for await (const f of walk(dir)) {
      if (f.endsWith("ep.json") || f.endsWith("wrong.json")) continue; // the inputs themselves
      texts.push([f, new TextDecoder("latin1").decode(await Deno.readFile(f))]);
    }
    assert.ok(texts.some(([f]) => f.endsWith("audit.ndjson")), "audit exported");
    for (const [where, text] of texts) {
      for (const n of variants(secret, sim.endpoints.credentials.username)) {
        assert.ok(!text.includes(n), `planted secret found in ${where}:\n${text.slice(0, 2000)}`);
      }
    }
  } finally {
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
