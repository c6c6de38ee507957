/**
 * Build Vessel as one program.
 *
 * 1. Always: a single-file bundle `dist/vessel.js` (esbuild) with the files it reads at run time
 *    next to it, plus an executable wrapper `dist/vessel` that runs it with Deno. The end-to-end
 *    tests run this wrapper.
 * 2. Where Deno's compile runtime (`denort`) is available (`DENORT_BIN`, Deno's download cache,
 *    or network): `deno compile` to `./vessel`, then run the result and check that it executes
 *    Vessel's own code. Pointing `DENORT_BIN` at the full `deno` binary "succeeds" but produces a
 *    REPL; that result is detected and deleted.
 *
 * Usage:
 *   deno task compile                 # bundle, then try deno compile
 *   deno task compile --bundle-only   # just the bundle (what the tests use)
 *   DENORT_BIN=/path/to/denort deno task compile
 */
import * as esbuild from "esbuild";
import { VERSION } from "../src/version.ts";

const ROOT = new URL("../", import.meta.url);
const path = (p: string) => decodeURIComponent(new URL(p, ROOT).pathname);
const DIST = path("dist/");
const ENTRY = path("src/cmd/main.ts");

/** Files that dependencies read from their own package folder at run time. */
const RUNTIME_FILES: { from: string; to: string }[] = [
  // @cdktf/hcl2json reads `join(__dirname, "..", "main.wasm.gz")`.
  { from: "node_modules/@cdktf/hcl2json/main.wasm.gz", to: "hcl2json/main.wasm.gz" },
];

// In the bundle, CommonJS dependencies need `require`, `__filename` and `__dirname`.
// `__dirname` points at the folder hcl2json expects (the only package that reads a file by it).
const BANNER = [
  "// Vessel " + VERSION + " (bundled by scripts/compile.ts)",
  'import { createRequire as __vesselCreateRequire } from "node:module";',
  'import { fileURLToPath as __vesselFileURLToPath } from "node:url";',
  "const require = __vesselCreateRequire(import.meta.url);",
  "const __filename = __vesselFileURLToPath(import.meta.url);",
  // Chunks live in dist/chunks/, the entry in dist/: both resolve to dist/hcl2json/lib/.
  'const __dirname = __vesselFileURLToPath(new URL(import.meta.url.includes("/chunks/") ? ' +
  '"../hcl2json/lib/" : "./hcl2json/lib/", import.meta.url));',
].join("\n");

const WRAPPER = `#!/bin/sh
# Vessel ${VERSION}: runs the bundled program with Deno (set DENO to choose the binary).
DIR=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
if [ -n "$DENO" ]; then :
elif command -v deno >/dev/null 2>&1; then DENO=deno
else exec npx -y deno@2.9.6 run -A --no-config --quiet "$DIR/vessel.js" "$@"
fi
exec "$DENO" run -A --no-config --quiet "$DIR/vessel.js" "$@"
`;

/**
 * With code splitting, `await import("some-cjs-package")` yields only `{ default }`: esbuild cannot
 * see a CommonJS module's named exports when it sits behind a dynamic import. Route every dynamic
 * import of a bare npm specifier through a small ES module that re-exports it, so named exports
 * (`const { parse } = await import("@cdktf/hcl2json")`) work as they do under Deno.
 */
const dynamicCjsInterop: esbuild.Plugin = {
  name: "dynamic-import-interop",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind !== "dynamic-import" || args.path.startsWith("node:")) return undefined;
      return { path: args.path, namespace: "vessel-dynamic-interop" };
    });
    build.onLoad({ filter: /.*/, namespace: "vessel-dynamic-interop" }, async (args) => {
      // esbuild cannot list a CommonJS module's exports; Deno (running this script) can.
      const real = await import(args.path);
      const names = Object.keys(real).filter((k) =>
        k !== "default" && /^[A-Za-z_$][\w$]*$/.test(k)
      );
      const spec = JSON.stringify(args.path);
      return {
        contents: `import * as m from ${spec};\n` +
          names.map((n) => `export const ${n} = m[${JSON.stringify(n)}];\n`).join("") +
          "export default (m.default ?? m);\n",
        resolveDir: path("."),
        loader: "js",
      };
    });
  },
};

/** Build `dist/vessel.js` + runtime files + the `dist/vessel` wrapper. Returns the wrapper path. */
export async function buildBundle(): Promise<string> {
  await Deno.remove(DIST, { recursive: true }).catch(() => {});
  await Deno.mkdir(DIST, { recursive: true });
  const result = await esbuild.build({
    // In a bundle every module shares the bundle's `import.meta`, so each module's
    // `if (import.meta.main)` block would run: the entry calls `main()` itself and
    // `import.meta.main` is false everywhere else.
    stdin: {
      contents: 'import { main } from "./src/cmd/main.ts";\nawait main();\n',
      resolveDir: path("."),
      sourcefile: "vessel-entry.ts",
      loader: "ts",
    },
    define: { "import.meta.main": "false" },
    plugins: [dynamicCjsInterop],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    // Code splitting keeps the subcommands' heavy modules (engine, SDK, simulator, REST) in
    // chunks that load only when a command needs them: `vessel --version` stays fast.
    splitting: true,
    outdir: DIST,
    entryNames: "vessel",
    chunkNames: "chunks/[name]-[hash]",
    banner: { js: BANNER },
    // hcl2json's wasm_exec only requires "performance" when the global is missing.
    // Native addons are optional (ssh2 wraps them in try/catch) and cannot be bundled.
    external: ["performance", "*.node"],
    logLevel: "warning",
    legalComments: "none",
  });
  await esbuild.stop();
  if (result.errors.length > 0) throw new Error("bundling failed");
  for (const f of RUNTIME_FILES) {
    const to = `${DIST}${f.to}`;
    await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(path(f.from), to);
  }
  await Deno.writeTextFile(`${DIST}vessel`, WRAPPER, { mode: 0o755 });
  await Deno.chmod(`${DIST}vessel`, 0o755);
  return `${DIST}vessel`;
}

/** Run `bin --version` and check it prints Vessel's version (not a REPL banner). */
export async function checkRunsVessel(bin: string): Promise<{ ok: boolean; output: string }> {
  const cmd = new Deno.Command(bin, {
    args: ["--version"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  });
  try {
    const out = await cmd.output();
    const text = new TextDecoder().decode(out.stdout).trim() +
      new TextDecoder().decode(out.stderr).trim();
    return { ok: out.success && text === VERSION, output: text.slice(0, 200) };
  } catch (e) {
    return { ok: false, output: String(e) };
  }
}

/** Try `deno compile` to `./vessel`; returns a reason string when it is not possible here. */
export async function compileBinary(): Promise<{ ok: boolean; reason?: string; path?: string }> {
  const out = path("vessel");
  const args = [
    "compile",
    "-A",
    "--no-check",
    "--quiet",
    "--include",
    path("node_modules/@cdktf/hcl2json/main.wasm.gz"),
    "--output",
    out,
    ENTRY,
  ];
  const r = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { RUST_BACKTRACE: "0" },
    signal: AbortSignal.timeout(300_000),
  }).output().catch((e) => ({ success: false, stderr: new TextEncoder().encode(String(e)) }));
  if (!r.success) {
    // The innermost cause is the useful part ("dns error: failed to lookup ... dl.deno.land").
    const lines = new TextDecoder().decode(r.stderr).replace(
      // deno-lint-ignore no-control-regex
      new RegExp("\\u001b\\[[0-9;]*m", "g"),
      "",
    ).split("\n")
      .map((l) => l.trim()).filter((l) => l && !l.startsWith("Stack backtrace"));
    const causes = lines.filter((l) => /^\d+: /.test(l)).map((l) => l.replace(/^\d+: /, ""));
    const url = lines.join(" ").match(/https:\/\/\S+\.zip/)?.[0];
    const reason = causes.find((c) => /dns|connect|refused|timed out|not found/i.test(c)) ??
      causes.at(-1) ?? lines.find((l) => /error/i.test(l)) ?? "deno compile failed";
    return { ok: false, reason: url ? `cannot download ${url}: ${reason}` : reason };
  }
  const check = await checkRunsVessel(out);
  if (!check.ok) {
    await Deno.remove(out).catch(() => {});
    return {
      ok: false,
      reason: `the compiled binary does not run Vessel (printed "${check.output}"); ` +
        "DENORT_BIN must point at a denort runtime, not the full deno binary",
    };
  }
  return { ok: true, path: out };
}

if (import.meta.main) {
  const bundleOnly = Deno.args.includes("--bundle-only");
  const wrapper = await buildBundle();
  const check = await checkRunsVessel(wrapper);
  if (!check.ok) {
    console.error(`Bundle built but does not run: ${check.output}`);
    Deno.exit(1);
  }
  console.log(`bundle: ${wrapper} (runs dist/vessel.js, version ${VERSION})`);
  if (!bundleOnly) {
    const c = await compileBinary();
    if (c.ok) console.log(`binary: ${c.path}`);
    else {
      console.log(`binary: not built here: ${c.reason}`);
      console.log(
        "        use the bundle above, or set DENORT_BIN to a denort runtime for this platform",
      );
    }
  }
}
