import assert from "node:assert/strict";
import { execOnce, openShell } from "../testing.ts";
import { rf, rfLogin, startTestChassis } from "../hmm/test_util.ts";

const USER = "root";
const PASS = "Huawei12#$";
const PROMPT = /root@BMC:\/#$/;

Deno.test("runIbmcShell", async (t) => {
  const c = await startTestChassis({ blades: { 2: { bootdeviceConfirm: true } } });
  const sh = await openShell(c.hmm.endpoints.ibmc["1"].ssh, USER, PASS);
  const f = (req: Request) => c.hmm.ibmcFetch(1, req);
  const { token, location } = await rfLogin(f, USER, PASS);
  try {
    await sh.waitFor(PROMPT);

    await t.step("ipmcget -d bootdevice reads the shared boot override", async () => {
      assert.match(await sh.cmd("ipmcget -d bootdevice", PROMPT), /Boot device: No override/);
      await rf(f, "PATCH", "/redfish/v1/Systems/1", {
        token,
        body: {
          Boot: { BootSourceOverrideTarget: "Pxe", BootSourceOverrideEnabled: "Continuous" },
        },
      });
      const out = await sh.cmd("ipmcget -d bootdevice", PROMPT);
      assert.match(out, /Boot device: PXE\r\nEffective: permanent/);
    });

    await t.step("ipmcset -d bootdevice sets Redfish Boot to Cd Once without [Y/N]", async () => {
      // hmm-cli.md §6.2 / redfish.md §2.4: only powerstate and frucontrol ask.
      const out = await sh.cmd("ipmcset -d bootdevice -v 5", PROMPT);
      assert.doesNotMatch(out, /\[Y\/N\]/);
      assert.match(out, /Set boot device successfully\./);
      const sys = await rf(f, "GET", "/redfish/v1/Systems/1", { token });
      assert.deepEqual(
        [
          (sys.json.Boot as Record<string, string>).BootSourceOverrideTarget,
          (sys.json.Boot as Record<string, string>).BootSourceOverrideEnabled,
        ],
        ["Cd", "Once"],
      );
    });

    await t.step("blade option bootdeviceConfirm makes bootdevice ask [Y/N]", async () => {
      const sh2 = await openShell(c.hmm.endpoints.ibmc["2"].ssh, USER, PASS);
      try {
        await sh2.waitFor(PROMPT);
        sh2.mark();
        sh2.send("ipmcset -d bootdevice -v 1 permanent\r");
        await sh2.waitFor(/Do you want to continue\?\[Y\/N\]:$/);
        await sh2.cmd("N", PROMPT);
        assert.equal(c.hmm.blades.get(2)!.data.boot.target, "None");
        sh2.mark();
        sh2.send("ipmcset -d bootdevice -v 1 permanent\r");
        await sh2.waitFor(/\[Y\/N\]:$/);
        assert.match(await sh2.cmd("Y", PROMPT), /Set boot device successfully\./);
        assert.deepEqual(
          [c.hmm.blades.get(2)!.data.boot.target, c.hmm.blades.get(2)!.data.boot.enabled],
          ["Pxe", "Continuous"],
        );
      } finally {
        await sh2.close();
      }
    });

    await t.step("answering N changes nothing", async () => {
      sh.mark();
      sh.send("ipmcset -d powerstate -v 0\r");
      await sh.waitFor(/\[Y\/N\]:$/);
      await sh.cmd("N", PROMPT);
      assert.equal(c.hmm.blades.get(1)!.data.power, "On");
    });

    await t.step(
      "ipmcset -d powerstate -v 0 powers off: Redfish, HMM Redfish and the SEL agree",
      async () => {
        sh.mark();
        sh.send("ipmcset -d powerstate -v 0\r");
        await sh.waitFor(/\[Y\/N\]:$/);
        assert.match(await sh.cmd("Y", PROMPT), /power off successfully/);
        assert.equal(
          (await rf(f, "GET", "/redfish/v1/Systems/1", { token })).json.PowerState,
          "Off",
        );
        const hmm = await rfLogin(c.hmm.hmmFetch, USER, PASS);
        const blade = await rf(c.hmm.hmmFetch, "GET", "/redfish/v1/Chassis/Blade1", {
          token: hmm.token,
        });
        assert.equal(blade.json.PowerState, "Off");
        await rf(c.hmm.hmmFetch, "DELETE", hmm.location, { token: hmm.token });
        const sel = await sh.cmd("ipmcget -d sel -v list", PROMPT);
        const first = sel.split("\r\n").find((l) => /ACPI State .*\| S\d state/.test(l));
        assert.match(first!, /S5 state/);
      },
    );

    await t.step("ipmcset -d frucontrol -v 2 power-cycles and the host is on again", async () => {
      sh.mark();
      sh.send("ipmcset -d frucontrol -v 2\r");
      await sh.waitFor(/\[Y\/N\]:$/);
      assert.match(await sh.cmd("Y", PROMPT), /forced power cycle successfully/);
      assert.equal(c.hmm.blades.get(1)!.data.power, "On");
    });

    await t.step("-v ? lists values; bad values and items give usage errors", async () => {
      const list = await sh.cmd("ipmcset -d bootdevice -v ?", PROMPT);
      for (const v of ["0", "1", "2", "5", "0xF"]) {
        assert.match(list, new RegExp(`\\r\\n    ${v} `));
      }
      assert.match(
        await sh.cmd("ipmcset -d powerstate -v 7", PROMPT),
        /Input parameter\[-v\] error/,
      );
      assert.match(await sh.cmd("ipmcget -d powerstate", PROMPT), /Usage: ipmcget/);
      assert.match(await sh.cmd("bash", PROMPT), /bash: command not found/);
    });

    await t.step("the SEL pager stops at q", async () => {
      const b = c.hmm.blades.get(1)!;
      for (let i = 0; i < 30; i++) b.reset("Nmi");
      sh.mark();
      sh.send("ipmcget -d sel -v list\r");
      await sh.waitFor(/--More--/);
      sh.send("q");
      const rest = await sh.waitFor(PROMPT);
      assert.doesNotMatch(rest, /--More--/);
    });

    await t.step("ipmcset -d download -v 0 then ipmcget -d serialrecord -v list", async () => {
      assert.match(await sh.cmd("ipmcget -d serialrecord -v list", PROMPT), /No serial record/);
      const dl = await sh.cmd("ipmcset -d download -v 0", PROMPT);
      assert.match(dl, /Download successfully/);
      assert.match(dl, /sol\.dat.*save/);
      assert.match(await sh.cmd("ipmcget -d serialrecord -v list", PROMPT), /login:/);
    });

    await t.step("exec mode runs one command", async () => {
      const out = await execOnce(
        c.hmm.endpoints.ibmc["1"].ssh,
        USER,
        PASS,
        "ipmcget -d bootdevice",
      );
      assert.match(out, /^Boot device: /);
      assert.doesNotMatch(out, /root@BMC/);
    });

    await t.step(
      "fault ibmc-reboot makes the iBMC SSH unreachable until the window ends",
      async () => {
        c.hmm.blades.get(1)!.startReboot(60_000);
        await assert.rejects(
          openShell(c.hmm.endpoints.ibmc["1"].ssh, USER, PASS, { readyTimeoutMs: 300 }),
          /Timed out|handshake/i,
        );
        c.hmm.blades.get(1)!.endReboot();
        const again = await openShell(c.hmm.endpoints.ibmc["1"].ssh, USER, PASS);
        await again.waitFor(PROMPT);
        await again.close();
      },
    );
  } finally {
    await rf(f, "DELETE", location, { token });
    await sh.close();
    await c.close();
  }
});
