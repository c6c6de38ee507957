/**
 * Engine stories on the simulator, through the real CLI (in-process), in HCL and YAML:
 * apply → plan is empty; change an attribute → ~; change a replace-only attribute → -/+;
 * remove a block → -; import → plan empty; a change behind Vessel's back → drift shows it;
 * two concurrent applies → one refused; saved plans refused when the chassis changed; destroy.
 */
import assert from "node:assert/strict";
import { EXIT_CODES } from "../errors.ts";
import { openStore } from "../store/db.ts";
import { EngineState } from "../engine/state.ts";
import { runVessel } from "./testing.ts";

const vessel = runVessel;

async function withLab(fn: (common: string[], dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vessel-engine-" });
  try {
    await fn(["--chassis", `sim://${dir}/chassis`, "--state", `${dir}/state.db`], dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const HCL = `variable "base" {
  type    = number
  default = 300
}

variable "protect" {
  type    = bool
  default = false
}

locals {
  fabric = toset(["swi2", "swi3"])
}

resource "vessel_vlan" "web" {
  for_each    = local.fabric
  switch      = each.key
  vlan_id     = var.base + 1
  name        = "web"
  description = "web tier on \${each.key}"
  lifecycle {
    prevent_destroy = var.protect
  }
}

resource "vessel_vlan" "db" {
  switch      = "swi2"
  vlan_id     = var.base + 2
  name        = "db"
  description = "after \${vessel_vlan.web["swi2"].name}"
}

output "web_ids" {
  value = [for k, v in vessel_vlan.web : v.id]
}
`;

const YAML = `# yaml-language-server: $schema=../schemas/vessel.schema.json
variable:
  base:
    type: number
    default: 300
  protect:
    type: bool
    default: false
locals:
  fabric: '\${toset(["swi2", "swi3"])}'
resource:
  vessel_vlan:
    web:
      for_each: \${local.fabric}
      switch: \${each.key}
      vlan_id: \${var.base + 1}
      name: web
      description: web tier on \${each.key}
      lifecycle:
        prevent_destroy: \${var.protect}
    db:
      switch: swi2
      vlan_id: \${var.base + 2}
      name: db
      description: after \${vessel_vlan.web["swi2"].name}
output:
  web_ids:
    value: '\${[for k, v in vessel_vlan.web : v.id]}'
`;

for (const [kind, text] of [["hcl", HCL], ["yaml", YAML]] as const) {
  Deno.test(`vessel engine stories (${kind}): apply, empty re-plan, ~, -/+, -, import, drift, destroy`, async (t) => {
    await withLab(async (common, dir) => {
      const file = `${dir}/chassis.${kind}`;
      await Deno.writeTextFile(file, text);
      const edit = async (from: string | RegExp, to: string) => {
        const now = await Deno.readTextFile(file);
        const next = now.replace(from, to);
        assert.notEqual(next, now, `edit ${from} changed nothing`);
        await Deno.writeTextFile(file, next);
      };

      await t.step("apply, then plan is empty", async () => {
        const plan = await vessel(["plan", "-f", file, "--detailed-exitcode", ...common]);
        assert.equal(plan.code, 2, plan.stderr);
        assert.match(plan.stdout, /# vessel_vlan\.web\["swi3"\] will be created/);
        assert.match(plan.stdout, /description = "after web"/);
        assert.match(plan.stdout, /Plan: 3 to add, 0 to change, 0 to destroy\./);
        const apply = await vessel(["apply", "-f", file, "--auto-approve", ...common]);
        assert.equal(apply.code, 0, apply.stderr);
        assert.match(apply.stdout, /Apply complete! Resources: 3 added, 0 changed, 0 destroyed\./);
        const again = await vessel(["plan", "-f", file, "--detailed-exitcode", ...common]);
        assert.equal(again.code, 0, again.stdout + again.stderr);
        assert.match(again.stdout, /No changes\./);
        assert.match(again.stdout, /web_ids = \["swi2\/301","swi3\/301"\]/);
      });

      await t.step("change an attribute: ~", async () => {
        if (kind === "hcl") await edit('name        = "db"', 'name        = "database"');
        else await edit("name: db", "name: database");
        const r = await vessel(["plan", "-f", file, ...common]);
        assert.match(r.stdout, /# vessel_vlan\.db will be updated in place/);
        assert.match(r.stdout, /~ name\s+= "db" -> "database"/);
        assert.match(r.stdout, /Plan: 0 to add, 1 to change, 0 to destroy\./);
      });

      await t.step("change a replace-only attribute: -/+ with its disruption", async () => {
        const r = await vessel(["plan", "-f", file, "--var", "base=400", ...common]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /# vessel_vlan\.web\["swi2"\] must be replaced/);
        assert.match(r.stdout, /-\/\+ resource "vessel_vlan" "web"/);
        assert.match(r.stdout, /~ vlan_id\s+= 301 -> 401 # forces replacement/);
        assert.match(r.stdout, /Disruptions:/);
        assert.match(r.stdout, /! vessel_vlan\.web\["swi2"\]: \[traffic loss\]/);
      });

      await t.step("prevent_destroy from a variable refuses the replacement", async () => {
        const r = await vessel([
          "plan",
          "-f",
          file,
          "--var",
          "base=400",
          "--var",
          "protect=true",
          ...common,
        ]);
        assert.equal(r.code, EXIT_CODES.safety, r.stdout + r.stderr);
        assert.match(r.stderr, /vessel_vlan\.web\["swi2"\] has lifecycle\.prevent_destroy set/);
      });

      await t.step("remove a block: -", async () => {
        const now = await Deno.readTextFile(file);
        await Deno.writeTextFile(
          file,
          kind === "hcl"
            ? now.replace(/resource "vessel_vlan" "db" \{[\s\S]*?\n\}\n/, "")
            : now.replace(/ {4}db:\n( {6}.*\n)+/, ""),
        );
        const r = await vessel(["plan", "-f", file, ...common]);
        assert.match(r.stdout, /# vessel_vlan\.db will be destroyed/);
        assert.match(r.stdout, /Plan: 0 to add, 0 to change, 1 to destroy\./);
        const apply = await vessel(["apply", "-f", file, "--auto-approve", ...common]);
        assert.equal(apply.code, 0, apply.stderr);
      });

      await t.step("import: then the plan is empty", async () => {
        // Made by hand, outside Vessel.
        const hand = await vessel([
          "net",
          "vlan",
          "add",
          "350",
          "--name",
          "imported",
          "--description",
          "made by hand",
          "--switch",
          "swi3",
          ...common,
        ]);
        assert.equal(hand.code, 0, hand.stderr);
        const block = kind === "hcl"
          ? `\nresource "vessel_vlan" "hand" {\n  switch      = "swi3"\n  vlan_id     = 350\n  name        = "imported"\n  description = "made by hand"\n}\n`
          : `    hand:\n      switch: swi3\n      vlan_id: 350\n      name: imported\n      description: made by hand\n`;
        const now = await Deno.readTextFile(file);
        await Deno.writeTextFile(
          file,
          kind === "hcl" ? now + block : now.replace("output:\n", block + "output:\n"),
        );
        const imp = await vessel(["import", "vessel_vlan.hand", "swi3/350", "-f", file, ...common]);
        assert.equal(imp.code, 0, imp.stderr);
        assert.match(imp.stdout, /Imported swi3\/350 as vessel_vlan\.hand/);
        const r = await vessel(["plan", "-f", file, "--detailed-exitcode", ...common]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const list = await vessel(["state", "list", ...common]);
        assert.match(list.stdout, /vessel_vlan\.hand\s+swi3\/350/);
        const again = await vessel(["import", "vessel_vlan.hand", "swi3/350", ...common]);
        assert.equal(again.code, EXIT_CODES.conflict);
        assert.match(again.stderr, /already managed/);
      });

      await t.step("a change behind Vessel's back: drift shows it, adopt and revert", async () => {
        // Changed by hand: remove and re-create with another description.
        await vessel(["net", "vlan", "remove", "350", "--switch", "swi3", ...common]);
        const set = await vessel([
          "net",
          "vlan",
          "add",
          "350",
          "--name",
          "imported",
          "--description",
          "changed by hand",
          "--switch",
          "swi3",
          ...common,
        ]);
        assert.equal(set.code, 0, set.stderr);
        const d = await vessel(["drift", "--detailed-exitcode", ...common]);
        assert.equal(d.code, 2, d.stdout + d.stderr);
        assert.match(d.stdout, /# vessel_vlan\.hand \(swi3\/350\) was changed outside Vessel/);
        assert.match(d.stdout, /~ description = "made by hand" -> "changed by hand"/);
        const json = await vessel(["drift", "--output", "json", ...common]);
        const body = JSON.parse(json.stdout);
        assert.equal(
          body.drift[0].changes.find((c: { attribute: string }) => c.attribute === "description")
            .live,
          "changed by hand",
        );
        const revert = await vessel(["drift", "--revert", "--auto-approve", ...common]);
        assert.equal(revert.code, 0, revert.stderr);
        const clean = await vessel(["drift", "--detailed-exitcode", ...common]);
        assert.equal(clean.code, 0, clean.stdout);
        assert.match(clean.stdout, /No drift\./);
        const list = await vessel([
          "net",
          "vlan",
          "list",
          "--switch",
          "swi3",
          "--output",
          "json",
          ...common,
        ]);
        const v350 = (JSON.parse(list.stdout) as { id: number; description?: string }[]).find((v) =>
          v.id === 350
        );
        assert.equal(v350?.description, "made by hand", "revert put the recorded value back");

        // Adopt instead: state takes the live value; the plan then wants the configuration back.
        await vessel(["net", "vlan", "remove", "350", "--switch", "swi3", ...common]);
        await vessel([
          "net",
          "vlan",
          "add",
          "350",
          "--name",
          "imported",
          "--description",
          "kept",
          "--switch",
          "swi3",
          ...common,
        ]);
        const adopt = await vessel(["drift", "--adopt", ...common]);
        assert.equal(adopt.code, 0, adopt.stderr);
        assert.match(adopt.stdout, /Adopted into state: vessel_vlan\.hand/);
        const none = await vessel(["drift", "--detailed-exitcode", ...common]);
        assert.equal(none.code, 0, none.stdout);
        const show = await vessel(["state", "show", "vessel_vlan.hand", ...common]);
        assert.match(show.stdout, /description = "kept"/);
        const p = await vessel(["plan", "-f", file, ...common]);
        assert.match(p.stdout, /~ description = "kept" -> "made by hand"/);
      });

      await t.step("destroy removes everything managed", async () => {
        const r = await vessel(["destroy", "--auto-approve", ...common]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /Destroy complete! Resources: 3 destroyed\./);
        const list = await vessel(["state", "list", "--output", "json", ...common]);
        assert.deepEqual(JSON.parse(list.stdout).resources, []);
      });
    });
  });
}

Deno.test("vessel apply refuses while another apply holds the state lock; state unlock releases it", async () => {
  await withLab(async (common, dir) => {
    const file = `${dir}/c.hcl`;
    await Deno.writeTextFile(file, HCL);
    // Another process holds the lock (as a concurrent apply would).
    const store = openStore(`${dir}/state.db`);
    const other = new EngineState(store, `sim://${dir}/chassis`).locks.acquire(
      `state:sim://${dir}/chassis`,
      { owner: "alice@lab pid 4242", purpose: "apply on the lab" },
    );
    try {
      const r = await vessel(["apply", "-f", file, "--auto-approve", ...common]);
      assert.equal(r.code, EXIT_CODES.conflict, r.stderr);
      assert.match(r.stderr, /is held by alice@lab pid 4242 \(apply on the lab\) since/);
      const list = await vessel(["state", "list", ...common]);
      assert.match(list.stdout, /Locked by alice@lab pid 4242/);
      const unlock = await vessel(["state", "unlock", ...common]);
      assert.equal(unlock.code, 0, unlock.stderr);
      assert.match(unlock.stdout, /held by alice@lab pid 4242/);
      const ok = await vessel(["apply", "-f", file, "--auto-approve", ...common]);
      assert.equal(ok.code, 0, ok.stderr);
      // state rm forgets a whole block (every instance); the device keeps the VLANs.
      const rm = await vessel(["state", "rm", "vessel_vlan.web", ...common]);
      assert.equal(rm.code, 0, rm.stderr);
      assert.match(rm.stdout, /Removed vessel_vlan\.web\["swi2"\] from state/);
      const show = await vessel(["state", "show", 'vessel_vlan.web["swi2"]', ...common]);
      assert.equal(show.code, EXIT_CODES.not_found);
      const replan = await vessel(["plan", "-f", file, ...common]);
      assert.match(replan.stdout, /already exists on the device; it will be adopted into state/);
    } finally {
      other.release();
      store.close();
    }
  });
});

Deno.test("vessel apply of a saved plan is refused when the chassis changed since", async () => {
  await withLab(async (common, dir) => {
    const file = `${dir}/c.hcl`;
    await Deno.writeTextFile(file, HCL);
    const planFile = `${dir}/plan.json`;
    const p = await vessel(["plan", "-f", file, "--out", planFile, ...common]);
    assert.equal(p.code, 0, p.stderr);
    const saved = JSON.parse(await Deno.readTextFile(planFile));
    assert.equal(saved.kind, "vessel-plan");
    assert.equal(saved.plan.summary.add, 3);
    // Someone creates VLAN 302 on swi2 in the meantime.
    const add = await vessel([
      "net",
      "vlan",
      "add",
      "302",
      "--switch",
      "swi2",
      "--name",
      "squatter",
      ...common,
    ]);
    assert.equal(add.code, 0, add.stderr);
    const refused = await vessel(["apply", "-f", planFile, ...common]);
    assert.equal(refused.code, EXIT_CODES.conflict, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /The chassis changed since the plan was saved: vessel_vlan\.db/);
    // A fresh saved plan applies.
    await vessel(["plan", "-f", file, "--out", planFile, ...common]);
    const ok = await vessel(["apply", "-f", planFile, ...common]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Apply complete!/);
  });
});

Deno.test("vessel plan --target, --refresh-only and --output json", async () => {
  await withLab(async (common, dir) => {
    const file = `${dir}/c.hcl`;
    await Deno.writeTextFile(file, HCL);
    const t = await vessel([
      "plan",
      "-f",
      file,
      "--target",
      "vessel_vlan.db",
      "--output",
      "json",
      ...common,
    ]);
    assert.equal(t.code, 0, t.stderr);
    const plan = JSON.parse(t.stdout);
    // db refers to web: the target pulls in that block (dependencies are per block, as in Terraform).
    assert.deepEqual(plan.steps.map((s: { address: string }) => s.address).sort(), [
      "vessel_vlan.db",
      'vessel_vlan.web["swi2"]',
      'vessel_vlan.web["swi3"]',
    ]);
    assert.ok(plan.steps.every((s: { impact?: { kind: string } }) => s.impact?.kind));
    await vessel(["apply", "-f", file, "--auto-approve", ...common]);
    await vessel(["net", "vlan", "remove", "302", "--switch", "swi2", ...common]);
    const r = await vessel([
      "plan",
      "-f",
      file,
      "--refresh-only",
      "--detailed-exitcode",
      ...common,
    ]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /vessel_vlan\.db \(swi2\/302\) was deleted outside Vessel/);
    // apply --refresh-only: state takes what the chassis has (db leaves state), nothing is written.
    const refresh = await vessel([
      "apply",
      "-f",
      file,
      "--refresh-only",
      "--auto-approve",
      ...common,
    ]);
    assert.equal(refresh.code, 0, refresh.stderr);
    const list = await vessel(["state", "list", "--output", "json", ...common]);
    const managed = (JSON.parse(list.stdout).resources as { address: string }[]).map((x) =>
      x.address
    );
    assert.ok(!managed.includes("vessel_vlan.db"));
    assert.ok(managed.includes('vessel_vlan.web["swi3"]'));
  });
});

Deno.test("vessel plan bad input gives positioned errors before any device I/O", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const common = ["--chassis", "endpoints:/nonexistent.json", "--state", `${dir}/s.db`];
    const cases: [string, string, RegExp][] = [
      [
        "ref.hcl",
        'resource "vessel_vlan" "a" {\n  switch  = "swi2"\n  vlan_id = var.nope\n}\n',
        /undeclared input variable "nope"[\s\S]*ref\.hcl:3:13/,
      ],
      [
        "fn.hcl",
        'resource "vessel_vlan" "a" {\n  switch  = uper("swi2")\n  vlan_id = 5\n}\n',
        /unknown function "uper"[\s\S]*fn\.hcl:2:13[\s\S]*Did you mean "upper"/,
      ],
      [
        "cycle.hcl",
        'resource "vessel_vlan" "a" {\n  switch  = "swi2"\n  vlan_id = vessel_vlan.b.vlan_id\n}\nresource "vessel_vlan" "b" {\n  switch  = "swi2"\n  vlan_id = vessel_vlan.a.vlan_id\n}\n',
        /Dependency cycle: vessel_vlan\.a -> vessel_vlan\.b -> vessel_vlan\.a/,
      ],
      [
        "foreach.hcl",
        'resource "vessel_vlan" "a" {\n  for_each = ["x"]\n  switch  = "swi2"\n  vlan_id = 5\n}\n',
        /a map or a set of strings is required[\s\S]*foreach\.hcl:2:3[\s\S]*toset/,
      ],
      [
        "valid.hcl",
        'variable "n" {\n  type = number\n  default = 0\n  validation {\n    condition = var.n > 0\n    error_message = "n must be positive"\n  }\n}\n',
        /Invalid value for variable "n": n must be positive[\s\S]*valid\.hcl:5:17/,
      ],
      [
        "type.yaml",
        "variable:\n  n:\n    type: number\n    default: abc\n",
        /a number is required[\s\S]*type\.yaml:4:5/,
      ],
      [
        "expr.yaml",
        "resource:\n  vessel_vlan:\n    a:\n      switch: swi2\n      vlan_id: ${1 + }\n",
        /Expected an expression[\s\S]*expr\.yaml:5:22/,
      ],
      [
        "range.yaml",
        "locals:\n  base: 4000\nresource:\n  vessel_vlan:\n    a:\n      switch: swi2\n      vlan_id: ${local.base + 95}\n",
        /vlan_id must be between 1 and 4094[\s\S]*range\.yaml:7:7/,
      ],
      [
        "attr.hcl",
        'resource "vessel_vlan" "a" {\n  switch  = "swi2"\n  vlan_id = 5\n}\nresource "vessel_vlan" "b" {\n  switch  = "swi2"\n  vlan_id = vessel_vlan.a.vlan_idd\n}\n',
        /Unsupported attribute "vlan_idd"[\s\S]*attr\.hcl:7:27[\s\S]*Did you mean "vlan_id"/,
      ],
    ];
    for (const [name, text, re] of cases) {
      await t.step(name, async () => {
        await Deno.writeTextFile(`${dir}/${name}`, text);
        const r = await vessel(["plan", "-f", `${dir}/${name}`, ...common]);
        assert.equal(r.code, EXIT_CODES.config, r.stderr);
        assert.match(r.stderr, re);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vessel destroy releases ports (device untouched) and deletes VLANs, through the envelope", async () => {
  await withLab(async (common, dir) => {
    const file = `${dir}/p.hcl`;
    await Deno.writeTextFile(
      file,
      `resource "vessel_vlan" "v" {
  switch  = "swi2"
  vlan_id = 610
}
resource "vessel_switch_port" "p" {
  switch        = "swi2"
  interface     = "10GE2/17/2"
  mode          = "trunk"
  allowed_vlans = [vessel_vlan.v.vlan_id]
}
`,
    );
    const apply = await vessel(["apply", "-f", file, "--auto-approve", ...common]);
    assert.equal(apply.code, 0, apply.stderr);
    const plan = await vessel(["destroy", ...common], "no\n");
    assert.match(
      plan.stdout,
      /# vessel_switch_port\.p will be released \(removed from state only\)/,
    );
    assert.match(plan.stdout, /# vessel_vlan\.v will be destroyed/);
    const r = await vessel(["destroy", "--auto-approve", ...common]);
    assert.equal(r.code, 0, r.stderr);
    const list = await vessel(["state", "list", "--output", "json", ...common]);
    assert.deepEqual(JSON.parse(list.stdout).resources, []);
    const vlans = await vessel([
      "net",
      "vlan",
      "list",
      "--switch",
      "swi2",
      "--output",
      "json",
      ...common,
    ]);
    assert.ok(!(JSON.parse(vlans.stdout) as { id: number }[]).some((v) => v.id === 610));
  });
});
