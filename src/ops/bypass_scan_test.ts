import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  findSdkWriteMethods,
  formatViolations,
  scanForBypasses,
  stripCommentsAndStrings,
} from "./bypass_scan.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Copy the TypeScript sources of the real tree (src, scripts, bench, examples) to a temp dir. */
async function copyTree(): Promise<string> {
  const tmp = await Deno.makeTempDir({ prefix: "vessel-bypass-" });
  const copy = async (rel: string) => {
    const entries: Deno.DirEntry[] = [];
    try {
      for await (const e of Deno.readDir(join(ROOT, rel))) entries.push(e);
    } catch {
      return;
    }
    await Deno.mkdir(join(tmp, rel), { recursive: true });
    for (const e of entries) {
      if (e.name === "node_modules" || e.name.startsWith(".")) continue;
      const r = `${rel}/${e.name}`;
      if (e.isDirectory) await copy(r);
      else if (/\.(ts|js)$/.test(e.name)) await Deno.copyFile(join(ROOT, r), join(tmp, r));
    }
  };
  for (const d of ["src", "scripts", "bench", "examples"]) await copy(d);
  return tmp;
}

Deno.test("scanForBypasses finds no SDK write outside the envelope in the real tree", async () => {
  const v = await scanForBypasses(ROOT);
  assert.deepEqual(v, [], `envelope bypasses:\n${formatViolations(ROOT, v)}`);
});

Deno.test("scanForBypasses fails on a bypass planted in a temp copy of the tree", async () => {
  const tmp = await copyTree();
  try {
    const real = await findSdkWriteMethods(tmp);
    // The SDK may not declare a write yet: plant one beside it so the scan has something to find.
    await Deno.mkdir(join(tmp, "src/chassis"), { recursive: true });
    await Deno.writeTextFile(
      join(tmp, "src/chassis/planted_sdk.ts"),
      "export class PlantedSwitch {\n  async createVlan(id: number): Promise<void> {}\n  async powerOff(): Promise<void> {}\n  powerState(): string { return 'On'; }\n}\n",
    );
    const methods = await findSdkWriteMethods(tmp);
    assert.ok(methods.has("createVlan") && methods.has("powerOff"));
    assert.ok(!methods.has("powerState"), "reads are not writes");
    for (const m of real) assert.ok(methods.has(m));

    await Deno.mkdir(join(tmp, "src/cmd"), { recursive: true });
    await Deno.writeTextFile(
      join(tmp, "src/cmd/planted_bypass.ts"),
      [
        "// sw.createVlan(1) in a comment is fine",
        "const doc = 'sw.createVlan(2) in a string is fine';",
        "export async function bad(sw: any, blade: any, hub: any) {",
        "  await sw.createVlan(99);",
        "  await blade?.powerOff();",
        '  await sw["createVlan"](100);',
        '  await hub.redfish("hmm", "PATCH", "/redfish/v1/Managers/1", {});',
        '  await hub.redfish("hmm", "GET", "/redfish/v1/Managers/1");',
        "  return doc;",
        "}",
      ].join("\n"),
    );
    await Deno.writeTextFile(
      join(tmp, "src/ops/planted_ops.ts"),
      "export async function sneaky(sw: any) {\n  await sw.createVlan(5);\n}\n",
    );
    await Deno.writeTextFile(
      join(tmp, "src/cmd/planted_apply.ts"),
      "import { applyPlan } from '../engine/plan.ts';\nexport const run = (p: any, o: any) => applyPlan(p, { state: o.state, registry: o.registry, ctx: o.ctx });\n",
    );
    const v = await scanForBypasses(tmp);
    const found = v.filter((x) => x.file.includes("planted"))
      .map((x) => `${x.file}:${x.line}:${x.method}`).sort();
    assert.deepEqual(found, [
      "src/cmd/planted_apply.ts:2:applyPlan",
      "src/cmd/planted_bypass.ts:4:createVlan",
      "src/cmd/planted_bypass.ts:5:powerOff",
      "src/cmd/planted_bypass.ts:6:createVlan",
      "src/cmd/planted_bypass.ts:7:redfish PATCH",
      "src/ops/planted_ops.ts:2:createVlan",
    ]);
    assert.match(formatViolations(tmp, v), /outside src\/ops and src\/resources/);

    // Inside runChange in src/ops, and with an allow-list entry, the same calls pass.
    await Deno.writeTextFile(
      join(tmp, "src/ops/planted_ops.ts"),
      "import { runChange } from './envelope.ts';\nexport const ok = (ctx: any, sw: any) => runChange(ctx, { target: { kind: 'switch', id: 'swi2' }, operation: 'vlan.add', scopes: ['switch:swi2'], apply: () => sw.createVlan(5) });\n",
    );
    const v2 = await scanForBypasses(tmp, {
      allow: [
        { file: "src/cmd/planted_bypass.ts", method: "*", reason: "test" },
        { file: "src/cmd/planted_apply.ts", method: "applyPlan", reason: "test" },
      ],
    });
    assert.deepEqual(v2.filter((x) => x.file.includes("planted")), []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("stripCommentsAndStrings keeps template expressions and line numbers", () => {
  const src = "a.b(); // x.createVlan()\n/* y.save()\n */ `t ${z.save()} u`; 'q.save()'";
  const out = stripCommentsAndStrings(src);
  assert.equal(out.split("\n").length, 3);
  assert.ok(out.includes("z.save()"));
  assert.ok(!out.includes("x.createVlan"));
  assert.ok(!out.includes("y.save"));
  assert.ok(!out.includes("q.save"));
});
