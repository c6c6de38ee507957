/**
 * The HMM-menu resources (settings pages and record lists) on the simulated HMM through the
 * engine: apply, re-plan empty; change a field → ~; rotate a write-only password (detected by
 * hash, never printed or stored); remove a record → -; import → plan empty; bad input refused
 * with its position before any device I/O.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "../chassis/chassis.ts";
import { system } from "../chassis/system.ts";
import { openStore } from "../store/db.ts";
import {
  applyPlanned,
  EngineState,
  importResource,
  loadAndValidate,
  planFiles,
  renderPlan,
} from "../engine/mod.ts";
import { palette } from "../util/color.ts";
import { ConfigError } from "../errors.ts";

const FILE = "testdata/engine/hmm_settings.hcl";

Deno.test("HMM menu resources apply, re-plan empty, rotate secrets by hash, remove and import", async () => {
  const dir = await Deno.makeTempDir();
  const sim = await startSimulator({});
  const chassis = await openChassis({
    endpoints: sim.endpoints,
    credentials: sim.endpoints.credentials!,
    timeoutMs: 20_000,
  });
  const store = openStore(":memory:");
  const state = new EngineState(store, "sim://");
  const plan = (file: string, pw: string) =>
    planFiles({ files: [file], chassis, state, env: {}, vars: { ops_password: pw } });
  const apply = async (p: Awaited<ReturnType<typeof plan>>) => {
    const r = await applyPlanned(p.plan, { chassis, state, registry: p.registry });
    assert.ok(r.ok, String(r.results.find((x) => !x.ok)?.error));
  };
  const pending = (p: Awaited<ReturnType<typeof plan>>) =>
    p.plan.steps.filter((s) => s.action !== "noop").map((s) => `${s.action} ${s.address}`);
  try {
    const first = await plan(FILE, "Secret123ab");
    assert.deepEqual(first.plan.summary, { add: 1, change: 6, destroy: 0 });
    await apply(first);
    assert.deepEqual(pending(await plan(FILE, "Secret123ab")), []);
    const dump = JSON.stringify(state.list()) + JSON.stringify(first.plan);
    assert.ok(!dump.includes("Secret123ab"), "no password in state or plan");
    const ops = (await system(chassis).accounts()).find((a) => a.username === "ops");
    assert.equal(ops?.role, "operator");

    // Rotation: the new password differs from the recorded hash.
    const rotated = await plan(FILE, "Secret456cd");
    assert.deepEqual(pending(rotated), [
      "update vessel_ldap_domain.this",
      "update vessel_user.ops",
    ]);
    const text = renderPlan(rotated.plan, palette(false));
    assert.match(text, /~ password\s+= \(sensitive value\) -> \(sensitive value\)/);
    assert.ok(!text.includes("Secret456cd"));
    await apply(rotated);
    assert.deepEqual(pending(await plan(FILE, "Secret456cd")), []);

    // A field change, and removing the account block.
    const edited = `${dir}/edited.hcl`;
    const src = await Deno.readTextFile(FILE);
    await Deno.writeTextFile(
      edited,
      src.replace('timezone = "GMT+1"', 'timezone = "GMT+2"')
        .replace(/resource "vessel_user" "ops" \{[\s\S]*?\n\}\n/, ""),
    );
    const change = await plan(edited, "Secret456cd");
    const ctext = renderPlan(change.plan, palette(false));
    assert.match(ctext, /~ timezone = "GMT\+1" -> "GMT\+2"/);
    assert.match(ctext, /# vessel_user\.ops will be destroyed/);
    await apply(change);
    assert.equal((await system(chassis).accounts()).find((a) => a.username === "ops"), undefined);

    // Import an account made by hand: the plan is then empty for it.
    await system(chassis).createAccount({
      username: "audit",
      password: "Audit1234x",
      role: "user",
    });
    await importResource("vessel_user.audit", "audit", { chassis, state });
    await Deno.writeTextFile(
      edited,
      (await Deno.readTextFile(edited)) +
        '\nresource "vessel_user" "audit" {\n  username = "audit"\n  role     = "user"\n}\n',
    );
    assert.deepEqual(pending(await plan(edited, "Secret456cd")), []);
  } finally {
    store.close();
    await chassis.close();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HMM menu resources refuse bad input with its position before any device I/O", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string, string, RegExp, number][] = [
      ["vessel_power_policy", "enabled = true\n  limit = 500", /at least 1000 W/, 3],
      [
        "vessel_mgmt_network",
        'target = "swi2"\n  vlan = 10',
        /vlan does not apply to target swi2/,
        3,
      ],
      ["vessel_user", 'username = "x"\n  rol = "user"', /unknown attribute "rol"/, 3],
      ["vessel_ntp_server", 'enabled = "maybe"', /expected boolean|Invalid input/, 2],
    ];
    for (const [type, body, re, line] of cases) {
      await t.step(type, async () => {
        const f = `${dir}/${type}.hcl`;
        await Deno.writeTextFile(f, `resource "${type}" "x" {\n  ${body}\n}\n`);
        await assert.rejects(loadAndValidate([f]), (e) => {
          assert.ok(e instanceof ConfigError, String(e));
          assert.match(e.message, re);
          assert.equal(e.position?.line, line, `${e.message} at ${e.where()}`);
          return true;
        });
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
