/**
 * The walking skeleton end to end, in-process: CLI → engine → registry → SDK → VRP driver over
 * real SSH → the simulated CX310 → back as a plan. Each case runs the real `run(args)` of
 * src/cmd/main.ts against a persistent simulator folder, capturing stdout/stderr.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../sim/mod.ts";
import { runVessel } from "./testing.ts";

const vessel = runVessel;

async function withLab(fn: (common: string[], dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vessel-cli-" });
  try {
    await fn([
      "--chassis",
      `sim://${dir}/chassis`,
      "--state",
      `${dir}/state.db`,
      "--snapshots",
      `${dir}/snapshots`,
    ], dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const example of ["examples/vlans.hcl", "examples/vlans.yaml"]) {
  Deno.test(`vessel plan/apply ${example}: plan adds, apply, re-plan is empty, removed block is destroyed`, async () => {
    await withLab(async (common, dir) => {
      const plan = await vessel(["plan", "-f", example, "--detailed-exitcode", ...common]);
      assert.equal(plan.code, 2, plan.stderr);
      assert.match(plan.stdout, /\+ resource "vessel_vlan" "prod_a"/);
      assert.match(plan.stdout, /Plan: 4 to add, 0 to change, 0 to destroy\./);

      const apply = await vessel(["apply", "-f", example, "--auto-approve", ...common]);
      assert.equal(apply.code, 0, apply.stderr);
      assert.match(apply.stdout, /Apply complete! Resources: 4 added, 0 changed, 0 destroyed\./);

      // The simulator's own state (a fresh process) shows the VLANs: not just Vessel's state.
      const sim = await startSimulator({ stateDir: `${dir}/chassis` });
      try {
        const ids = sim.switch("swi2").vlans().map((v: { id: number }) => v.id);
        assert.ok(ids.includes(100) && ids.includes(200), `swi2 VLANs: ${ids}`);
      } finally {
        await sim.close();
      }

      // Every step went through the change envelope: snapshot, audit intent and outcome.
      const audit = await vessel(["audit", "list", "--output", "json", ...common]);
      assert.equal(audit.code, 0, audit.stderr);
      const records = JSON.parse(audit.stdout) as {
        operation: string;
        phase: string;
        result: string;
        snapshot_id?: string;
        target: { kind: string; id: string };
      }[];
      const creates = records.filter((r) => r.operation === "vessel_vlan.create");
      assert.equal(creates.filter((r) => r.phase === "intent").length, 4);
      assert.equal(
        creates.filter((r) => r.phase === "outcome" && r.result === "success").length,
        4,
      );
      assert.ok(creates.every((r) => r.snapshot_id), "each record names its snapshot");
      const snaps = [...Deno.readDirSync(`${dir}/snapshots`)].map((e) => e.name);
      assert.ok(snaps.length >= 1, "a snapshot was written before the first change");
      const verify = await vessel(["audit", "verify", ...common]);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);

      const again = await vessel(["plan", "-f", example, "--detailed-exitcode", ...common]);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /No changes\./);

      // Change an attribute → ~ ; remove a block → - .
      const edited = `${dir}/edited${example.slice(example.lastIndexOf("."))}`;
      let text = await Deno.readTextFile(example);
      text = text.replace("Production workloads, fabric A", "Prod A");
      text = example.endsWith(".hcl")
        ? text.replace(/resource "vessel_vlan" "storage_b" \{[^}]*\}\n/, "")
        : text.replace(/ {4}storage_b:\n( {6}.*\n)+/, "");
      await Deno.writeTextFile(edited, text);
      const diff = await vessel(["plan", "-f", edited, ...common]);
      assert.equal(diff.code, 0, diff.stderr);
      assert.match(diff.stdout, /# vessel_vlan\.prod_a will be updated in place/);
      assert.match(diff.stdout, /~ description = "Production workloads, fabric A" -> "Prod A"/);
      assert.match(diff.stdout, /# vessel_vlan\.storage_b will be destroyed/);
      assert.match(diff.stdout, /Plan: 0 to add, 1 to change, 1 to destroy\./);

      const apply2 = await vessel(["apply", "-f", edited, "--auto-approve", ...common]);
      assert.equal(apply2.code, 0, apply2.stderr);
      const final = await vessel(["plan", "-f", edited, "--detailed-exitcode", ...common]);
      assert.equal(final.code, 0, final.stdout);
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
      const rows = JSON.parse(list.stdout) as { id: number }[];
      assert.ok(!rows.some((r) => r.id === 200), "VLAN 200 was removed from swi3");
      assert.ok(rows.some((r) => r.id === 100));
    });
  });
}

Deno.test("vessel apply asks for confirmation and changes nothing unless answered yes", async () => {
  await withLab(async (common) => {
    const no = await vessel(["apply", "-f", "examples/vlans.hcl", ...common], "no\n");
    assert.equal(no.code, 130);
    assert.match(no.stderr, /Cancelled: nothing was changed/);
    const closed = await vessel(["apply", "-f", "examples/vlans.hcl", ...common]);
    assert.equal(closed.code, 3);
    assert.match(closed.stderr, /--auto-approve/);
    const plan = await vessel([
      "plan",
      "-f",
      "examples/vlans.hcl",
      "--detailed-exitcode",
      ...common,
    ]);
    assert.equal(plan.code, 2, "still everything to add");
    const yes = await vessel(["apply", "-f", "examples/vlans.hcl", ...common], "yes\n");
    assert.equal(yes.code, 0, yes.stderr);
  });
});

Deno.test("vessel plan bad input is refused with position and exit code, before any device I/O", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    // No chassis is reachable at this address: if validation did not come first, we would
    // see a transport error instead of the configuration error.
    const common = ["--chassis", "endpoints:/nonexistent.json", "--state", `${dir}/s.db`];
    const cases: [string, string, number, RegExp][] = [
      ["bad.hcl", 'resource "vessel_vlan" "x" {\n  vlan_id = \n}\n', 4, /bad\.hcl:2:\d+/],
      ["bad.yaml", "resource:\n  vessel_vlan:\n    x: [1\n", 4, /bad\.yaml:\d+:\d+/],
      [
        "range.hcl",
        'resource "vessel_vlan" "x" {\n  switch = "swi2"\n  vlan_id = 4095\n}\n',
        4,
        /range\.hcl:3:3[\s\S]*field: vessel_vlan\.x\.vlan_id/,
      ],
      [
        "inject.yaml",
        'resource:\n  vessel_vlan:\n    x:\n      switch: swi2\n      vlan_id: 10\n      name: "a\\nsystem-view"\n',
        4,
        /control character[\s\S]*inject\.yaml:6:7/,
      ],
      [
        "help.hcl",
        'resource "vessel_vlan" "x" {\n  switch = "swi2"\n  vlan_id = 10\n  description = "what?"\n}\n',
        4,
        /help request/,
      ],
    ];
    for (const [name, text, code, re] of cases) {
      await t.step(name, async () => {
        await Deno.writeTextFile(`${dir}/${name}`, text);
        const r = await vessel(["plan", "-f", `${dir}/${name}`, ...common]);
        assert.equal(r.code, code, r.stderr);
        assert.match(r.stderr, re);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vessel net vlan refuses bad input before connecting", async (t) => {
  const common = ["--chassis", "endpoints:/nonexistent.json"];
  await t.step("id out of range", async () => {
    const r = await vessel(["net", "vlan", "add", "4095", ...common]);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /1 to 4094/);
  });
  await t.step("deleting VLAN 1", async () => {
    const r = await vessel(["net", "vlan", "remove", "1", ...common]);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /VLAN 1 is the default VLAN/);
  });
  await t.step("newline in name", async () => {
    const r = await vessel(["net", "vlan", "add", "10", "--name", "a\nsave", ...common]);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /field: name/);
  });
});

Deno.test("vessel net vlan add/list/remove through the SDK", async () => {
  await withLab(async (common) => {
    const add = await vessel([
      "net",
      "vlan",
      "add",
      "300",
      "--name",
      "backup",
      "--switch",
      "swi2",
      ...common,
    ]);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /swi2\s+300\s+backup\s+created/);
    const list = await vessel(["net", "vlan", "list", "--output", "json", ...common]);
    const rows = JSON.parse(list.stdout) as { switch: string; id: number; name: string }[];
    assert.ok(rows.some((r) => r.switch === "swi2" && r.id === 300 && r.name === "backup"));
    assert.ok(!rows.some((r) => r.switch === "swi3" && r.id === 300));
    const rm = await vessel(["net", "vlan", "remove", "300", "--switch", "swi2", ...common]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stdout, /removed/);
    const unknown = await vessel(["net", "vlan", "list", "--switch", "swi1", ...common]);
    assert.equal(unknown.code, 7);
    assert.match(unknown.stderr, /Present switch modules: swi2, swi3/);
  });
});

Deno.test("vessel with an unreachable chassis fails clearly within the timeout", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A listener that accepts TCP and never speaks: the worst case (a black hole).
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const held: Deno.Conn[] = [];
    (async () => {
      for await (const c of listener) held.push(c);
    })().catch(() => {});
    const doc = {
      kind: "vessel-sim-endpoints",
      version: 1,
      chassis: { model: "E9000", serial: "X" },
      hmm: {
        web: `https://127.0.0.1:${port}`,
        redfish: `https://127.0.0.1:${port}/redfish/v1`,
        ssh: `ssh://127.0.0.1:${port}`,
      },
      ibmc: {},
      switches: { swi2: { ssh: `ssh://127.0.0.1:${port}` } },
      credentials: { username: "root", password: "x" },
    };
    await Deno.writeTextFile(`${dir}/e.json`, JSON.stringify(doc));
    const t0 = performance.now();
    const r = await vessel([
      "net",
      "vlan",
      "list",
      "--switch",
      "swi2",
      "--timeout",
      "2",
      "--chassis",
      `endpoints:${dir}/e.json`,
    ]);
    const elapsed = performance.now() - t0;
    listener.close();
    for (const c of held) c.close();
    assert.ok(r.code === 10 || r.code === 11, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /swi2/);
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vessel --record writes every exchange without the password", async () => {
  await withLab(async (common, dir) => {
    const r = await vessel([
      "net",
      "vlan",
      "list",
      "--switch",
      "swi2",
      "--record",
      `${dir}/rec`,
      ...common,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const files = [...Deno.readDirSync(`${dir}/rec`)].map((e) => e.name);
    assert.ok(files.length > 0, "a recording was written");
    const text = files.map((f) => Deno.readTextFileSync(`${dir}/rec/${f}`)).join("\n");
    assert.match(text, /display vlan|display current-configuration/);
    assert.ok(!text.includes("Huawei12#$"), "the simulator's password is not in the recording");
  });
});

Deno.test("vessel error output never shows the password in use", async () => {
  const dir = await Deno.makeTempDir();
  const secret = "S3cret-Planted-Pw";
  try {
    // A device error whose text would carry the password: the chassis file names it as a host.
    await Deno.writeTextFile(
      `${dir}/e.json`,
      JSON.stringify({
        kind: "vessel-sim-endpoints",
        version: 1,
        chassis: { model: "E9000", serial: "X" },
        switches: { swi2: { ssh: `ssh://${secret}.invalid:22` } },
        ibmc: {},
        credentials: { username: "root", password: secret },
      }),
    );
    const r = await vessel([
      "net",
      "vlan",
      "list",
      "--switch",
      "swi2",
      "--timeout",
      "2",
      "--verbose",
      "--chassis",
      `endpoints:${dir}/e.json`,
    ]);
    assert.notEqual(r.code, 0);
    assert.ok(!r.stderr.includes(secret), r.stderr);
    assert.ok(!r.stdout.includes(secret));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vessel accepts Terraform's single-dash spellings", async () => {
  await withLab(async (common, dir) => {
    const r = await vessel([
      "plan",
      "-f",
      "examples/vlans.hcl",
      `-out=${dir}/p.json`,
      "-detailed-exitcode",
      ...common,
    ]);
    assert.equal(r.code, 2, r.stderr);
    const saved = JSON.parse(await Deno.readTextFile(`${dir}/p.json`));
    assert.equal(saved.kind, "vessel-plan");
    const a = await vessel(["apply", "-f", `${dir}/p.json`, "-auto-approve", ...common]);
    assert.equal(a.code, 0, a.stderr);
  });
});

Deno.test("vessel import refuses an id managed elsewhere; destroy tolerates objects already gone", async () => {
  await withLab(async (common) => {
    assert.equal(
      (await vessel(["apply", "-f", "examples/vlans.hcl", "--auto-approve", ...common])).code,
      0,
    );
    const dup = await vessel(["import", "vessel_vlan.prod", "swi2/100", ...common]);
    assert.equal(dup.code, 8, dup.stderr);
    assert.match(dup.stderr, /swi2\/100 is already managed as vessel_vlan\.prod_a/);
    // Deleted behind the engine's back (imperatively): destroy still completes.
    assert.equal(
      (await vessel(["net", "vlan", "remove", "200", "--switch", "swi3", ...common])).code,
      0,
    );
    const d = await vessel(["destroy", "--auto-approve", ...common]);
    assert.equal(d.code, 0, d.stdout + d.stderr);
    const list = await vessel(["net", "vlan", "list", "--output", "json", ...common]);
    const ids = (JSON.parse(list.stdout) as { id: number }[]).map((r) => r.id);
    assert.ok(!ids.includes(100) && !ids.includes(200), `left: ${ids}`);
    const state = await vessel(["state", "list", "--output", "json", ...common]);
    assert.deepEqual(JSON.parse(state.stdout).resources, []);
  });
});

Deno.test("vessel reads credentials from a config file only when it is private to its owner", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vessel-creds-" });
  const sim = await startSimulator({ hmm: false });
  try {
    // An endpoints file without credentials, as for a real chassis: they must come from config.
    const { credentials, ...doc } = sim.endpoints as unknown as Record<string, unknown> & {
      credentials: { username: string; password: string };
    };
    await Deno.writeTextFile(`${dir}/e.json`, JSON.stringify(doc));
    const cfg = `${dir}/config.yaml`;
    await Deno.writeTextFile(
      cfg,
      `username: ${credentials.username}\npassword: "${credentials.password}"\n`,
    );
    // A subprocess: VESSEL_CONFIG must not leak into other test files running in parallel.
    const cli = async () => {
      const r = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--quiet",
          new URL("./main.ts", import.meta.url).pathname,
          "net",
          "vlan",
          "list",
          "--switch",
          "swi2",
          "--no-color",
          "--chassis",
          `endpoints:${dir}/e.json`,
        ],
        env: { VESSEL_CONFIG: cfg, NO_COLOR: "1", RUST_BACKTRACE: "0" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const d = new TextDecoder();
      return { code: r.code, stdout: d.decode(r.stdout), stderr: d.decode(r.stderr) };
    };
    await Deno.chmod(cfg, 0o644);
    const open = await cli();
    assert.equal(open.code, 4, open.stderr);
    assert.match(open.stderr, /readable by other users[\s\S]*chmod 600/);
    await Deno.chmod(cfg, 0o600);
    const ok = await cli();
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /swi2\s+1\b/);
  } finally {
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
});
