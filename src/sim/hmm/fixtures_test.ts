/**
 * The simulated HMM web API against the reply samples of testdata/webapi (see its README): the
 * same element structure (names, nesting, order of first appearance; text ignored).
 */
import assert from "node:assert/strict";
import { HMM, startTestChassis, webLogin } from "./test_util.ts";

const DATA = new URL("../../../testdata/webapi/hmm_7.63/", import.meta.url);

/** Distinct element paths in order of first appearance, plus attribute names. */
function structure(xml: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (
    const m of xml.replace(/<\?xml[^>]*\?>/, "").matchAll(/<(\/?)([A-Za-z][\w]*)([^>]*?)(\/?)>/g)
  ) {
    const [, close, name, attrs, self] = m;
    if (close) {
      stack.pop();
      continue;
    }
    stack.push(name);
    const attrNames = [...attrs.matchAll(/(\w+)=/g)].map((a) => a[1]);
    const path = stack.join("/") + (attrNames.length ? `[@${attrNames.join(",@")}]` : "");
    if (!out.includes(path)) out.push(path);
    if (self) stack.pop();
  }
  return out;
}

function sample(name: string): string[] {
  return structure(Deno.readTextFileSync(new URL(name, DATA)));
}

Deno.test("createHmmWebApp replies have the element structure of the captured samples", async (t) => {
  const c = await startTestChassis({ web: { upgradeMs: 10_000 } });
  try {
    await t.step("loginhandler queryverify and login", async () => {
      const q = await c.hmm.hmmFetch(
        new Request(`${HMM}/loginhandler.php`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: "actiontype=queryverify&chassisid=0",
        }),
      );
      assert.deepEqual(structure(await q.text()), sample("queryverify-ok.xml"));
      const r = await c.hmm.hmmFetch(
        new Request(`${HMM}/loginhandler.php`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", "Custom-Token": "0" },
          body:
            "actiontype=login&username=root&userpasswd=Huawei12%23%24&usermode=1&code=&language=en",
        }),
      );
      assert.deepEqual(structure(await r.text()), sample("login-ok.xml"));
    });

    const s = await webLogin(c.hmm, "root", "Huawei12#$");

    await t.step("versionhandler get for a blade and for an absent FRU", async () => {
      const ok = await s.call("versionhandler.php", {
        actiontype: "get",
        chassisid: "0",
        bladename: "Slot1",
        fruid: "0",
      });
      assert.deepEqual(structure(ok.body), sample("version-blade-ok.xml"));
      const absent = await s.call("versionhandler.php", {
        actiontype: "get",
        chassisid: "0",
        bladename: "Fan1",
        fruid: "0",
      });
      assert.equal(absent.status, 400);
      assert.deepEqual(structure(absent.body), sample("version-absent-400.xml"));
    });

    await t.step("selhandler alarm and sel", async () => {
      const alarm = await s.call("selhandler.php", {
        actiontype: "alarm",
        page: "1",
        perpage: "10",
        chassisid: "0",
        isstep: "1",
        bladename: "all",
      }, { referer: "/alarm_config.html?chassisid=0" });
      assert.deepEqual(structure(alarm.body), sample("alarm-ok.xml"));
      const sel = await s.call("selhandler.php", {
        actiontype: "sel",
        page: "1",
        perpage: "2",
        chassisid: "0",
        bladename: "smm",
      });
      assert.deepEqual(structure(sel.body), sample("sel-ok.xml"));
    });

    await t.step("smmupgradehandler get while running, done and failed", async () => {
      const upload = async (name: string, page: string) => {
        const fd = new FormData();
        fd.append("uploadfile", new File(["image"], name));
        const r = await c.hmm.hmmFetch(
          new Request(`${HMM}/smmupgradehandler.php`, {
            method: "POST",
            headers: { "Custom-Token": s.token, Cookie: s.cookie, Referer: `${HMM}${page}` },
            body: fd,
          }),
        );
        await r.body?.cancel();
      };
      const upg = (f: Record<string, string>) =>
        s.call("smmupgradehandler.php", f, { referer: "/system_manage_smm.html?chassisid=0" });
      await upload("SMM_7.65.hpm", "/system_manage_smm.html?chassisid=0");
      await upg({ actiontype: "update", bladelist: "bothsmm" });
      c.advance(4000);
      assert.deepEqual(
        structure((await upg({ actiontype: "get" })).body),
        sample("upgrade-running.xml"),
      );
      c.advance(6000);
      await upg({ actiontype: "get" });
      await upg({ actiontype: "delete" });
      await upload("CX310_V100R001C10.hpm", "/system_manage_swi.html?chassisid=0");
      await upg({ actiontype: "update", bladelist: "Swi2:fru0;" });
      c.advance(10_000);
      const done = await upg({ actiontype: "get" });
      assert.match(done.body, /<blade name="Swi2:fru0">/);
      assert.deepEqual(structure(done.body), sample("upgrade-done.xml"));
      await upg({ actiontype: "delete" });
      c.sim.faults.set({
        device: "blade1",
        name: "firmware-flash-failure",
        params: { atPercent: 0 },
      });
      await upload("CH121_iBMC_6.10.hpm", "/system_manage_blade.html?chassisid=0");
      await upg({ actiontype: "update", bladelist: "Slot1:fru0;" });
      const failed = await upg({ actiontype: "get" });
      assert.match(
        failed.body,
        /<blade name="Slot1"><retcode>12<\/retcode>.*<progress>0<\/progress><progressdesp>Failed<\/progressdesp>/,
      );
      assert.deepEqual(structure(failed.body), sample("upgrade-failed.xml"));
    });
  } finally {
    await c.close();
  }
});
