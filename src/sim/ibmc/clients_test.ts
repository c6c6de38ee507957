/**
 * Real third-party Redfish clients against a simulated iBMC over real HTTPS: DMTF `redfishtool`
 * and OpenStack `sushy` (run with the system `/usr/bin/python3`). Each test skips with a message
 * when its client is not installed (`apt-get install -y redfishtool python3-sushy`).
 */
import assert from "node:assert/strict";
import { rf, rfLogin, startTestChassis } from "../hmm/test_util.ts";

const USER = "root";
const PASS = "Huawei12#$";

function has(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const p = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_PROXY: "*", ...env },
  }).output();
  return {
    code: p.code,
    out: new TextDecoder().decode(p.stdout),
    err: new TextDecoder().decode(p.stderr),
  };
}

const REDFISHTOOL = "/usr/bin/redfishtool";
const hasSushy = has("/usr/bin/python3") &&
  has("/usr/lib/python3/dist-packages/sushy/__init__.py");
if (!has(REDFISHTOOL)) {
  console.warn(
    "ibmc clients_test: redfishtool skipped, /usr/bin/redfishtool is missing " +
      "(install it with: apt-get install -y redfishtool)",
  );
}
if (!hasSushy) {
  console.warn(
    "ibmc clients_test: sushy skipped, python3-sushy for /usr/bin/python3 is missing " +
      "(install it with: apt-get install -y python3-sushy)",
  );
}

const SUSHY_SCRIPT = `
import json, sys, warnings
warnings.filterwarnings("ignore")
import sushy
url, user, pw, ca = sys.argv[1:5]
s = sushy.Sushy(url, username=user, password=pw, verify=ca)
out = {}
system = s.get_system("/redfish/v1/Systems/1")
out["power0"] = str(system.power_state)
out["allowed_resets"] = sorted(str(v) for v in system.get_allowed_reset_system_values())
system.reset_system(sushy.RESET_FORCE_OFF)
system.refresh()
out["power1"] = str(system.power_state)
system.reset_system(sushy.RESET_ON)
system.refresh()
out["power2"] = str(system.power_state)
system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_CD, enabled=sushy.BOOT_SOURCE_ENABLED_CONTINUOUS)
system.refresh()
out["boot"] = [str(system.boot.target), str(system.boot.enabled)]
manager = s.get_manager("/redfish/v1/Managers/1")
vm = manager.virtual_media.get_member("/redfish/v1/Managers/1/VirtualMedia/CD")
vm.insert_media("http://10.0.0.5/os.iso")
vm.refresh()
out["inserted"] = [vm.inserted, vm.image]
vm.eject_media()
vm.refresh()
out["ejected"] = vm.inserted
print(json.dumps(out))
`;

Deno.test({
  name: "iBMC and HMM Redfish work with real third-party clients (one chassis)",
  ignore: !has(REDFISHTOOL) && !hasSushy,
  async fn(t) {
    const c = await startTestChassis({}, { credentials: { username: USER, password: PASS } });
    try {
      await t.step({
        name: "DMTF redfishtool on an iBMC: session login, reset, boot override, virtual media",
        ignore: !has(REDFISHTOOL),
        async fn() {
          const host = new URL(c.hmm.endpoints.ibmc["3"].redfish).host;
          const base = [
            "-r",
            host,
            "-u",
            USER,
            "-p",
            PASS,
            "-S",
            "Always",
            "-A",
            "Session",
            "-T",
            "10",
          ];
          const tool = (...args: string[]) => run(REDFISHTOOL, [...base, ...args]);

          const get = await tool("Systems", "-I", "1");
          assert.equal(get.code, 0, get.err);
          assert.equal(JSON.parse(get.out).PowerState, "On");

          const off = await tool("Systems", "-I", "1", "reset", "ForceOff");
          assert.equal(off.code, 0, off.err);
          assert.equal(c.hmm.blades.get(3)!.data.power, "Off");
          const on = await tool("Systems", "-I", "1", "reset", "On");
          assert.equal(on.code, 0, on.err);
          assert.equal(c.hmm.blades.get(3)!.data.power, "On");

          const boot = await tool("Systems", "-I", "1", "setBootOverride", "Once", "Pxe");
          assert.equal(boot.code, 0, boot.err);
          assert.deepEqual(
            [c.hmm.blades.get(3)!.data.boot.target, c.hmm.blades.get(3)!.data.boot.enabled],
            ["Pxe", "Once"],
          );

          const cd = "/redfish/v1/Managers/1/VirtualMedia/CD";
          const ins = await tool(
            "raw",
            "POST",
            `${cd}/Actions/VirtualMedia.InsertMedia`,
            "-d",
            JSON.stringify({ Image: "http://10.0.0.5/os.iso" }),
          );
          assert.equal(ins.code, 0, ins.err);
          assert.equal(c.hmm.blades.get(3)!.data.vmedia.image, "http://10.0.0.5/os.iso");
          const ej = await tool("raw", "POST", `${cd}/Actions/VirtualMedia.EjectMedia`, "-d", "{}");
          assert.equal(ej.code, 0, ej.err);
          assert.equal(c.hmm.blades.get(3)!.data.vmedia.inserted, false);

          // redfishtool logs its session out after each command: none is left behind.
          const s = await rfLogin((r) => c.hmm.ibmcFetch(3, r), USER, PASS);
          const list = await rf(
            (r) => c.hmm.ibmcFetch(3, r),
            "GET",
            "/redfish/v1/SessionService/Sessions",
            {
              token: s.token,
            },
          );
          assert.equal(list.json["Members@odata.count"], 1);
        },
      });

      await t.step({
        name: "OpenStack sushy on an iBMC over HTTPS pinned to the simulator CA",
        ignore: !hasSushy,
        async fn() {
          const dir = await Deno.makeTempDir();
          try {
            const ca = `${dir}/ca.pem`;
            await Deno.writeTextFile(ca, c.hmm.tls.ca);
            const url = c.hmm.endpoints.ibmc["8"].redfish;
            // requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's verify path.
            const r = await run("/usr/bin/python3", ["-c", SUSHY_SCRIPT, url, USER, PASS, ca], {
              REQUESTS_CA_BUNDLE: ca,
              CURL_CA_BUNDLE: ca,
            });
            assert.equal(r.code, 0, r.err);
            const out = JSON.parse(r.out.trim().split("\n").pop()!);
            assert.match(out.power0, /on/i);
            assert.match(out.power1, /off/i);
            assert.match(out.power2, /on/i);
            assert.ok(out.allowed_resets.length >= 4);
            assert.match(out.boot[0], /cd/i);
            assert.match(out.boot[1], /continuous/i);
            assert.deepEqual(out.inserted, [true, "http://10.0.0.5/os.iso"]);
            assert.equal(out.ejected, false);
            const b = c.hmm.blades.get(8)!.data;
            assert.deepEqual([b.boot.target, b.boot.enabled, b.power], ["Cd", "Continuous", "On"]);
          } finally {
            await Deno.remove(dir, { recursive: true });
          }
        },
      });

      await t.step({
        name: "DMTF redfishtool on the HMM: session login, Chassis members, 403 on Systems/Blade1",
        ignore: !has(REDFISHTOOL),
        async fn() {
          const host = new URL(c.hmm.endpoints.hmm.redfish).host;
          const base = [
            "-r",
            host,
            "-u",
            USER,
            "-p",
            PASS,
            "-S",
            "Always",
            "-A",
            "Session",
            "-T",
            "10",
          ];
          const list = await run(REDFISHTOOL, [...base, "raw", "GET", "/redfish/v1/Chassis"]);
          assert.equal(list.code, 0, list.err);
          assert.equal(JSON.parse(list.out)["Members@odata.count"], 31);
          const blade = await run(REDFISHTOOL, [
            ...base,
            "raw",
            "GET",
            "/redfish/v1/Chassis/Blade13",
          ]);
          assert.equal(blade.code, 0, blade.err);
          assert.equal(JSON.parse(blade.out).Model, "CH222");
          const forbidden = await run(REDFISHTOOL, [
            ...base,
            "raw",
            "GET",
            "/redfish/v1/Systems/Blade1",
          ]);
          assert.notEqual(forbidden.code, 0);
          assert.match(forbidden.err + forbidden.out, /403/);
        },
      });
    } finally {
      await c.close();
    }
  },
});
