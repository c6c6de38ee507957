/**
 * The bundle from scripts/compile.ts, run end to end as a user would: a separate process,
 * the wrapper script `dist/vessel`, a persistent simulated chassis.
 */
import assert from "node:assert/strict";
import { buildBundle, checkRunsVessel } from "./compile.ts";
import { VERSION } from "../src/version.ts";

async function sh(
  bin: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(bin, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
  }).output();
  const d = new TextDecoder();
  return { code: r.code, out: d.decode(r.stdout), err: d.decode(r.stderr) };
}

Deno.test("scripts/compile.ts bundle runs plan/apply end to end", async () => {
  const bin = await buildBundle();
  const check = await checkRunsVessel(bin);
  assert.ok(check.ok, check.output);
  assert.equal(check.output, VERSION);
  const dir = await Deno.makeTempDir({ prefix: "vessel-bundle-" });
  try {
    const common = ["--chassis", `sim://${dir}/chassis`, "--state", `${dir}/state.db`];
    const plan = await sh(bin, [
      "plan",
      "-f",
      "examples/vlans.hcl",
      "--detailed-exitcode",
      ...common,
    ]);
    assert.equal(plan.code, 2, plan.err);
    assert.match(plan.out, /Plan: 4 to add/);
    const apply = await sh(bin, [
      "apply",
      "-f",
      "examples/vlans.yaml",
      "--auto-approve",
      ...common,
    ]);
    assert.equal(apply.code, 0, apply.err);
    const again = await sh(bin, [
      "plan",
      "-f",
      "examples/vlans.hcl",
      "--detailed-exitcode",
      ...common,
    ]);
    assert.equal(again.code, 0, again.out + again.err);
    // Subcommands that load other parts lazily (SDK modules, snapshot scopes) work bundled too.
    const inv = await sh(bin, ["inventory", "--output", "json", ...common]);
    assert.equal(inv.code, 0, inv.err);
    assert.ok(JSON.parse(inv.out), "inventory prints JSON");
    const snap = await sh(bin, ["snapshot", "--snapshots", `${dir}/snaps`, ...common]);
    assert.equal(snap.code, 0, snap.err);
    const verify = await sh(bin, ["snapshot", "verify", "--snapshots", `${dir}/snaps`, ...common]);
    assert.equal(verify.code, 0, verify.out + verify.err);
    assert.match(verify.out, /OK/);
    await Deno.writeTextFile(`${dir}/bad.hcl`, 'resource "vessel_vlan" "x" {\n  switch = \n}\n');
    const bad = await sh(bin, ["plan", "-f", `${dir}/bad.hcl`, ...common]);
    assert.equal(bad.code, 4);
    assert.match(bad.err, /bad\.hcl:2:\d+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
