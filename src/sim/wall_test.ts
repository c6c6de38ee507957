import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SIM = dirname(fileURLToPath(import.meta.url));
const SRC = resolve(SIM, "..");
const FORBIDDEN = ["drivers", "chassis", "engine", "resources"];

function* walk(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else if (/\.(ts|tsx|js|mjs)$/.test(e.name)) yield p;
  }
}

/** Every module specifier in a source file (static, dynamic, re-export, type-only). */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  const re =
    /(?:\bimport\s*(?:type\s+)?(?:[^'"`;]*?\bfrom\s*)?|\bexport\s+(?:type\s+)?[^'"`;]*?\bfrom\s*|\bimport\s*\(\s*)["'`]([^"'`]+)["'`]/g;
  for (const m of source.matchAll(re)) out.push(m[1]);
  return out;
}

Deno.test("src/sim never imports src/drivers, src/chassis, src/engine or src/resources", () => {
  const offenders: string[] = [];
  let files = 0;
  for (const file of walk(SIM)) {
    files++;
    // This file holds sample import lines for the parser test below.
    if (file === fileURLToPath(import.meta.url)) continue;
    const text = Deno.readTextFileSync(file);
    for (const spec of specifiers(text)) {
      let target: string | undefined;
      if (spec.startsWith(".")) target = resolve(dirname(file), spec);
      else if (spec.startsWith("file:")) target = fileURLToPath(spec);
      else if (spec.startsWith("/")) target = spec;
      const rel = target ? relative(SRC, target) : spec;
      if (FORBIDDEN.some((f) => rel === f || rel.startsWith(`${f}/`) || rel.startsWith(`${f}\\`))) {
        offenders.push(`${relative(SRC, file)} imports ${spec}`);
      }
    }
  }
  assert.ok(files > 5, "the scan found the simulator sources");
  assert.deepEqual(offenders, []);
});

Deno.test("specifiers finds static, dynamic and re-export imports", () => {
  const src = `import a from "../drivers/x.ts";\nimport type { B } from './y.ts';\n` +
    `export { c } from "../chassis/z.ts";\nconst m = await import("../engine/w.ts");`;
  assert.deepEqual(specifiers(src), [
    "../drivers/x.ts",
    "./y.ts",
    "../chassis/z.ts",
    "../engine/w.ts",
  ]);
});
