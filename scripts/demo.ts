/**
 * `deno task demo`: the main job on the built-in simulator, no hardware needed.
 * Plans examples/vlans.hcl against a simulated E9000, applies it, then plans again to show the
 * chassis now matches the configuration. Everything lives in a temporary folder.
 */
import { run } from "../src/cmd/main.ts";

const dir = await Deno.makeTempDir({ prefix: "vessel-demo-" });
const common = [
  "--chassis",
  `sim://${dir}/chassis`,
  "--state",
  `${dir}/state.db`,
  "--snapshots",
  `${dir}/snapshots`,
];
const bold = Deno.env.get("NO_COLOR") ? (s: string) => s : (s: string) => `\x1b[1m${s}\x1b[0m`;
const say = (s: string) => console.log(`\n${bold("$ " + s)}`);
let code = 0;
try {
  say("vessel plan -f examples/vlans.hcl --chassis sim://");
  code = await run(["plan", "-f", "examples/vlans.hcl", ...common]);
  if (code === 0) {
    say("vessel apply -f examples/vlans.hcl --chassis sim:// --auto-approve");
    code = await run(["apply", "-f", "examples/vlans.hcl", "--auto-approve", ...common]);
  }
  if (code === 0) {
    say("vessel plan -f examples/vlans.hcl --chassis sim:// --detailed-exitcode");
    code = await run(["plan", "-f", "examples/vlans.hcl", "--detailed-exitcode", ...common]);
  }
  if (code === 0) {
    say("vessel net vlan list --switch swi2 --chassis sim://");
    code = await run(["net", "vlan", "list", "--switch", "swi2", ...common]);
  }
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
Deno.exit(code);
