import assert from "node:assert/strict";
import { SECTIONS } from "./settings.ts";
import { form, HMM, startTestChassis, tag, webLogin } from "./test_util.ts";

const USER = "root";
const PASS = "Huawei12#$";

/** Undo the version text escaping the way hmm-web-api.md §4.2 describes. */
function decodeVersion(xml: string): string[] {
  const raw = /<version>([\s\S]*)<\/version>/.exec(xml)![1];
  const once = raw.replaceAll("&lt;br&gt;", "\n").replaceAll("&amp;#40;", "(").replaceAll(
    "&amp;#41;",
    ")",
  ).replaceAll("&amp;", "&");
  return once.split("\n");
}

function post(path: string, body: string, headers: Record<string, string> = {}): Request {
  return new Request(`${HMM}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
}

Deno.test("createHmmWebApp", async (t) => {
  const c = await startTestChassis({ web: { lockoutThreshold: 3, upgradeMs: 10_000 } });
  try {
    await t.step("loginhandler queryverify answers verify 0 without a session", async () => {
      const r = await c.hmm.hmmFetch(
        post("/loginhandler.php", "actiontype=queryverify&chassisid=0"),
      );
      const body = await r.text();
      assert.equal(r.status, 200);
      assert.equal(tag(body, "retcode"), "0");
      assert.equal(tag(body, "verify"), "0");
    });

    await t.step("login.html sets a SESSID cookie that the login reuses", async () => {
      const page = await c.hmm.hmmFetch(new Request(`${HMM}/login.html`));
      await page.body?.cancel();
      const cookie = page.headers.get("Set-Cookie")!.split(";")[0];
      assert.match(cookie, /^SESSID=[0-9a-f]{32}$/);
      const r = await c.hmm.hmmFetch(post(
        "/loginhandler.php",
        form({
          actiontype: "login",
          username: USER,
          userpasswd: PASS,
          usermode: "1",
          code: "",
          language: "en",
        }),
        { "Custom-Token": "0", Cookie: cookie },
      ));
      const body = await r.text();
      assert.match(body, /^<\?xml version="1.0" encoding="UTF-8"\?><result><csrftoken>/);
      assert.equal(r.headers.get("Set-Cookie"), null);
    });

    await t.step("login without Custom-Token: 0 gets no token", async () => {
      const r = await c.hmm.hmmFetch(post(
        "/loginhandler.php",
        form({
          actiontype: "login",
          username: USER,
          userpasswd: PASS,
          usermode: "1",
          code: "",
          language: "en",
        }),
      ));
      const body = await r.text();
      assert.equal(tag(body, "csrftoken"), undefined);
      assert.notEqual(tag(body, "retcode"), "0");
    });

    const s = await webLogin(c.hmm, USER, PASS);

    await t.step("dispatchers require the token header and the SESSID cookie", async () => {
      const ok = await s.call("queryhandler.php", { actiontype: "isupdate", chassisid: "0" });
      assert.equal(tag(ok.body, "retcode"), "0");
      const noToken = await s.call("queryhandler.php", { actiontype: "isupdate" }, { token: "0" });
      assert.equal(noToken.status, 403);
      assert.notEqual(tag(noToken.body, "retcode"), "0");
      const noCookie = await s.call("queryhandler.php", { actiontype: "isupdate" }, { cookie: "" });
      assert.equal(noCookie.status, 403);
    });

    await t.step("kvm.html needs X-CSRF-Token and carries the applet secrets", async () => {
      const get = (h: Record<string, string>) =>
        c.hmm.hmmFetch(new Request(`${HMM}/kvm.html`, { headers: { Cookie: s.cookie, ...h } }));
      const denied = await get({ "Custom-Token": s.token });
      await denied.body?.cancel();
      assert.equal(denied.status, 403);
      const ok = await get({ "X-CSRF-Token": s.token });
      const html = await ok.text();
      assert.equal(ok.status, 200);
      const attr = (n: string) => new RegExp(`\\b${n}="([^"]*)"`).exec(html)?.[1];
      assert.equal(attr("type"), "application/x-java-applet");
      assert.equal(attr("port"), "2198");
      assert.equal(attr("vmmserverport"), "8500");
      assert.match(attr("secretkey")!, /^[0-9a-f]{40}$/);
      assert.match(attr("secretiv")!, /^[0-9a-f]{32}$/);
      assert.equal(parseInt(attr("secretkey")!.slice(0, 8), 16), Number(attr("verifyvalue")));
      assert.equal(attr("verifyvalue"), attr("mmverifyvalue"));
      const again = await (await get({ "X-CSRF-Token": s.token })).text();
      assert.equal(new RegExp('secretkey="([^"]*)"').exec(again)![1], attr("secretkey"));
    });

    await t.step(
      "dispatchers answer 400 with an empty body without a Referer of this host",
      async () => {
        const r = await s.call("queryhandler.php", { actiontype: "isupdate" }, { referer: null });
        assert.equal(r.status, 400);
        assert.equal(r.body, "");
      },
    );

    await t.step("versionhandler get returns double-escaped version text", async () => {
      const r = await s.call("versionhandler.php", {
        actiontype: "get",
        chassisid: "0",
        bladename: "Slot1",
        fruid: "0",
      });
      assert.equal(r.status, 200);
      assert.match(r.body, /&lt;br&gt;/);
      assert.match(r.body, /&amp;#40;U4005&amp;#41;/);
      const lines = decodeVersion(r.body);
      const imana = lines.find((l) => l.startsWith("Active iMana"))!;
      assert.match(imana, /Version:\s+\(U4005\)6\.05$/);
      const smm = decodeVersion(
        (await s.call("versionhandler.php", { actiontype: "get", bladename: "smm", fruid: "0" }))
          .body,
      );
      assert.ok(smm.some((l) => /^Software Version:\s+\(U54\)7\.63$/.test(l)));
    });

    await t.step(
      "versionhandler answers HTTP 400 retcode 5 for absent or invalid FRUs",
      async () => {
        for (const name of ["Slot5", "Fan1", "Swi1"]) {
          const r = await s.call("versionhandler.php", {
            actiontype: "get",
            bladename: name,
            fruid: "0",
          });
          assert.equal(r.status, 400, name);
          assert.equal(
            r.body,
            '<?xml version="1.0" encoding="UTF-8"?><result><retcode>5</retcode></result>',
          );
        }
      },
    );

    await t.step("selhandler sel pages newest first with the grand total in sum", async () => {
      const p1 = await s.call("selhandler.php", {
        actiontype: "sel",
        page: "1",
        perpage: "10",
        bladename: "smm",
      });
      const p2 = await s.call("selhandler.php", {
        actiontype: "sel",
        page: "2",
        perpage: "10",
        bladename: "smm",
      });
      const sum = Number(tag(p1.body, "sum"));
      assert.ok(sum > 20);
      assert.equal(tag(p2.body, "sum"), String(sum));
      assert.equal((p1.body.match(/<sel>/g) ?? []).length, 10);
      const times = [...p1.body.matchAll(/<datetime>([^<]+)</g)].map((m) =>
        Date.parse(m[1] + " UTC")
      );
      assert.deepEqual([...times].sort((a, b) => b - a), times);
      assert.match(
        p1.body,
        /<datetime>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}<\/datetime>/,
      );
      const last = await s.call("selhandler.php", {
        actiontype: "sel",
        page: String(Math.ceil(sum / 10)),
        perpage: "10",
        bladename: "smm",
      });
      assert.equal((last.body.match(/<sel>/g) ?? []).length, sum % 10 || 10);
      const bad = await s.call("selhandler.php", {
        actiontype: "sel",
        page: "0",
        perpage: "10",
        bladename: "smm",
      });
      assert.notEqual(tag(bad.body, "retcode"), "0");
    });

    await t.step("selhandler sel of a blade follows its power changes", async () => {
      c.hmm.blades.get(3)!.reset("ForceOff");
      const r = await s.call("selhandler.php", {
        actiontype: "sel",
        page: "1",
        perpage: "5",
        bladename: "Slot3",
      });
      assert.match(r.body, /<sensorname>ACPI State<\/sensorname><eventdesp>S5 state<\/eventdesp>/);
    });

    await t.step(
      "selhandler alarm counts include cleared entries and use upper-case 0X codes",
      async () => {
        const r = await s.call("selhandler.php", {
          actiontype: "alarm",
          page: "1",
          perpage: "10",
          chassisid: "0",
          isstep: "1",
          bladename: "all",
        }, { referer: "/alarm_config.html?chassisid=0" });
        assert.equal(tag(r.body, "retcode"), "0");
        const sum = Number(tag(r.body, "sum"));
        assert.equal((r.body.match(/<alarm>/g) ?? []).length, sum);
        assert.match(r.body, /<cleartag>1<\/cleartag>/);
        assert.match(r.body, /<eventcode>0X[0-9A-F]{8}<\/eventcode>/);
      },
    );

    await t.step("queryhandler getServerTime, status, isstack answer retcode 0", async () => {
      const time = await s.call("queryhandler.php", {
        actiontype: "getServerTime",
        chassisid: "0",
      });
      assert.equal(tag(time.body, "servertime"), "Wed Nov 25 12:00:00 2026");
      const st = await s.call("queryhandler.php", { actiontype: "status", chassisid: "0" });
      assert.match(
        st.body,
        /<blade><bladename>Slot3<\/bladename><present>1<\/present><model>CH121<\/model><power>Off<\/power>/,
      );
      assert.match(st.body, /<bladename>Slot5<\/bladename><present>0<\/present>/);
      const stack = await s.call("queryhandler.php", {
        actiontype: "isstack",
        chassisid: "0",
        fruid: "0",
      });
      assert.equal(tag(stack.body, "retcode"), "0");
    });

    await t.step("other read dispatchers answer with their documented elements", async () => {
      const alias = await s.call("userhandler.php", { actiontype: "getslotalias", chassisid: "0" });
      assert.equal(tag(alias.body, "slot16"), "");
      const fru = await s.call("networkhandler.php", {
        actiontype: "listpresentfru",
        bladename: "blade",
      });
      assert.equal(tag(fru.body, "sum"), "13");
      const bmc = await s.call("networkhandler.php", {
        actiontype: "getbmcipdata",
        beforeconfig: "0",
        ipType: "0",
      });
      assert.match(
        bmc.body,
        /<bladename>Slot1<\/bladename><ipType>0<\/ipType><ipmode>static<\/ipmode><ipaddr>172\.31\.1\.129<\/ipaddr>/,
      );
      const mezz = await s.call("mezzhandler.php", {
        actiontype: "deviceinfo",
        bladename: "Slot1",
      });
      assert.match(mezz.body, /<mezz>/);
      const hist = await s.call("historyselhandler.php", {
        actiontype: "list",
        page: "1",
        perpage: "5",
      });
      assert.ok(Number(tag(hist.body, "sum")) > 0);
      const flat = await s.call("flattenedhandler.php", { actiontype: "getflattened" });
      assert.equal(tag(flat.body, "retcode"), "0");
    });

    await t.step(
      "every record section reads back what was written and rejects bad values",
      async () => {
        const samples: Record<string, Record<string, string>> = {
          mmNetwork: { gateway: "192.168.1.254" },
          bladeNetwork: {
            bladename: "Slot2",
            ipaddr: "10.1.1.2",
            netmask: "255.255.255.0",
            gateway: "10.1.1.1",
          },
          switchNetwork: { bladename: "Swi2", ipaddr: "10.1.2.2" },
          macPool: { startmac: "28:6E:D4:10:00:00", count: "256" },
          uuidPool: { startuuid: "12345678-1234-1234-1234-123456789ABC", count: "64" },
          easylinkSettings: { enabled: "1", mode: "auto" },
          powerCapping: { enabled: "1", limit: "9000" },
          alarmSettings: { trapenabled: "1", trapserver: "10.0.0.9", community: "secret-comm" },
          ntp: { enabled: "1", server1: "10.0.0.1", timezone: "GMT+8" },
          ldap: { enabled: "1", server: "10.0.0.2", bindpwd: "bind-secret" },
          basic: { location: "Rack 4", assettag: "A-42" },
          powerHibernation: { enabled: "1", redundancy: "N+1" },
          fanControl: { mode: "manual", speed: "70" },
          security: { lockoutthreshold: "3", sessiontimeout: "60", sshenabled: "0" },
          biosBoot: { bladename: "Slot2", bootorder: "Pxe,Hdd", effective: "once" },
          blackBox: { bladename: "Slot3", enabled: "0" },
          reminder: { enabled: "1", interval: "7", content: "Check filters" },
        };
        for (const [name, sec] of Object.entries(SECTIONS)) {
          if (sec.kind !== "record") continue;
          const sample = samples[name];
          assert.ok(sample, `no sample for ${name}`);
          const w = await s.call(sec.handler, { actiontype: sec.write, ...sample });
          assert.equal(tag(w.body, "retcode"), "0", `${name}: ${w.body}`);
          const r = await s.call(sec.handler, {
            actiontype: sec.read,
            bladename: sample.bladename ?? "",
          });
          for (const [k, v] of Object.entries(sample)) {
            if ((sec.secret ?? []).includes(k)) {
              assert.equal(tag(r.body, k), undefined, `${name}.${k} leaked`);
            } else assert.equal(tag(r.body, k), v, `${name}.${k}`);
          }
        }
        const bad = await s.call("ntphandler.php", { actiontype: "setntp", server1: "10.0.0.300" });
        assert.equal(tag(bad.body, "retcode"), "3");
        assert.match(tag(bad.body, "desp")!, /server1/);
        const after = await s.call("ntphandler.php", { actiontype: "getntp" });
        assert.equal(tag(after.body, "server1"), "10.0.0.1");
        const cross = await s.call("powerhandler.php", {
          actiontype: "setpowercap",
          enabled: "1",
          limit: "10",
        });
        assert.equal(tag(cross.body, "retcode"), "3");
        const absent = await s.call("networkhandler.php", {
          actiontype: "getbladeip",
          bladename: "Slot6",
        });
        assert.equal(absent.status, 400);
        const order = await s.call("bioshandler.php", {
          actiontype: "setbiosboot",
          bladename: "Slot2",
          bootorder: "Pxe,Usb",
        });
        assert.equal(tag(order.body, "retcode"), "3");
      },
    );

    await t.step("menu pages: power history, alarm simulation, FC ports, restore", async () => {
      const hist = await s.call("powerhandler.php", {
        actiontype: "getpowerhistory",
        page: "2",
        perpage: "10",
      });
      assert.equal(tag(hist.body, "retcode"), "0");
      assert.ok(Number(tag(hist.body, "sum")) > 10);
      assert.equal(hist.body.split("<powerrecord>").length - 1, 10);
      const sim1 = await s.call("alarmhandler.php", {
        actiontype: "simulatealarm",
        bladename: "Fan3",
        eventcode: "0X0401FF01",
        level: "2",
      });
      assert.equal(tag(sim1.body, "retcode"), "0");
      const alarms = await s.call("selhandler.php", {
        actiontype: "alarm",
        page: "1",
        perpage: "100",
        isstep: "1",
        bladename: "all",
      });
      assert.match(alarms.body, /0X0401FF01/);
      const badCode = await s.call("alarmhandler.php", {
        actiontype: "simulatealarm",
        bladename: "Fan3",
        eventcode: "42",
        level: "2",
      });
      assert.equal(tag(badCode.body, "retcode"), "3");
      const stop = await s.call("alarmhandler.php", {
        actiontype: "stopsimulatealarm",
        bladename: "Fan3",
        eventcode: "0X0401FF01",
      });
      assert.equal(tag(stop.body, "retcode"), "0");
      const fcAbsent = await s.call("fcporthandler.php", {
        actiontype: "setfcport",
        bladename: "Swi1",
        port: "FC1",
        enabled: "0",
      });
      assert.equal(fcAbsent.status, 400, "Swi1 is empty in the default topology");
      const cert = await s.call("sslhandler.php", {
        actiontype: "importcert",
        cert: "not a certificate",
        privatekey: "x",
      });
      assert.equal(tag(cert.body, "retcode"), "3");
      const rec = await s.call("configrecoveryhandler.php", { actiontype: "getconfigrecovery" });
      assert.equal(tag(rec.body, "backuptime"), "", "no backup yet");
      const noBackup = await s.call("configrecoveryhandler.php", {
        actiontype: "restoreconfig",
        source: "backup",
      });
      assert.equal(tag(noBackup.body, "retcode"), "3");
    });

    await t.step("stateless computing lists: profiles, node assignment and refusals", async () => {
      const add = await s.call("computerhandler.php", {
        actiontype: "add_policytemplate",
        name: "web-tier",
        bootmode: "UEFI",
        vlans: "10,20-30",
      });
      assert.equal(tag(add.body, "retcode"), "0");
      const dup = await s.call("computerhandler.php", {
        actiontype: "add_policytemplate",
        name: "web-tier",
      });
      assert.equal(tag(dup.body, "retcode"), "3");
      const list = await s.call("queryhandler.php", {
        actiontype: "query_policytemplate_list2",
        chassisid: "0",
        page: "1",
        perpage: "10",
      }, { referer: "/computer_manage.html?chassisid=0" });
      assert.match(list.body, /<template><name>web-tier<\/name>.*<bootmode>UEFI<\/bootmode>/);
      const noProfile = await s.call("computerhandler.php", {
        actiontype: "assign_node",
        bladename: "Slot1",
        template: "nope",
      });
      assert.equal(tag(noProfile.body, "retcode"), "3");
      const assign = await s.call("computerhandler.php", {
        actiontype: "assign_node",
        bladename: "Slot1",
        template: "web-tier",
      });
      assert.equal(tag(assign.body, "retcode"), "0");
      const nodes = await s.call("queryhandler.php", {
        actiontype: "query_nodepool_list",
        page: "1",
        perpage: "10",
      });
      assert.match(
        nodes.body,
        /<node><bladename>Slot1<\/bladename><template>web-tier<\/template><present>1<\/present><status>Active<\/status><\/node>/,
      );
      // Stateless computing: the identity stays with the slot, so an empty slot can be bound;
      // the read shows the binding, that the slot is empty and that it is not applied yet.
      assert.equal(c.hmm.blades.has(5), false);
      const empty = await s.call("computerhandler.php", {
        actiontype: "assign_node",
        bladename: "Slot5",
        template: "web-tier",
      });
      assert.equal(tag(empty.body, "retcode"), "0", empty.body);
      const withEmpty = await s.call("queryhandler.php", {
        actiontype: "query_nodepool_list",
        page: "1",
        perpage: "10",
      });
      assert.equal(tag(withEmpty.body, "sum"), "2");
      assert.match(
        withEmpty.body,
        /<node><bladename>Slot5<\/bladename><template>web-tier<\/template><present>0<\/present><status>Pending<\/status><\/node>/,
      );
      const beyond = await s.call("computerhandler.php", {
        actiontype: "assign_node",
        bladename: "Slot17",
        template: "web-tier",
      });
      assert.equal(tag(beyond.body, "retcode"), "3");
      const inUse = await s.call("computerhandler.php", {
        actiontype: "delete_policytemplate",
        name: "web-tier",
      });
      assert.match(tag(inUse.body, "desp")!, /assigned/);
      await s.call("computerhandler.php", { actiontype: "unassign_node", bladename: "Slot1" });
      await s.call("computerhandler.php", { actiontype: "unassign_node", bladename: "Slot5" });
      const del = await s.call("computerhandler.php", {
        actiontype: "delete_policytemplate",
        name: "web-tier",
      });
      assert.equal(tag(del.body, "retcode"), "0");
    });

    await t.step(
      "easyLink profiles and HMM accounts: add, modify, delete; passwords never read back",
      async () => {
        for (
          const [h, add, list, row] of [
            [
              "easylinkhandler.php",
              { actiontype: "add_switchprofile", name: "up", bladename: "Swi2", vlans: "100" },
              "list_switchprofile",
              "switchprofile",
            ],
            [
              "easylinkhandler.php",
              { actiontype: "add_nicprofile", name: "nic", vnics: "4" },
              "list_nicprofile",
              "nicprofile",
            ],
            [
              "userhandler.php",
              { actiontype: "adduser", username: "ops", userpwd: "Passw0rd99", role: "operator" },
              "listuser",
              "user",
            ],
          ] as const
        ) {
          assert.equal(tag((await s.call(h, add)).body, "retcode"), "0", JSON.stringify(add));
          const l = await s.call(h, { actiontype: list, page: "1", perpage: "10" });
          assert.match(l.body, new RegExp(`<${row}>`));
          assert.doesNotMatch(l.body, /Passw0rd99/);
        }
        const mod = await s.call("userhandler.php", {
          actiontype: "modifyuser",
          username: "ops",
          role: "user",
        });
        assert.equal(tag(mod.body, "retcode"), "0");
        const weak = await s.call("userhandler.php", {
          actiontype: "adduser",
          username: "x",
          userpwd: "short",
          role: "user",
        });
        assert.equal(tag(weak.body, "retcode"), "3");
        // The new account can log in to the web API.
        await webLogin(c.hmm, "ops", "Passw0rd99");
        const del = await s.call("userhandler.php", { actiontype: "deluser", username: "ops" });
        assert.equal(tag(del.body, "retcode"), "0");
        await assert.rejects(webLogin(c.hmm, "ops", "Passw0rd99"));
      },
    );

    await t.step(
      "firmware upload checks the Referer against the upgrade page (400, empty body)",
      async () => {
        const upload = (referer: string, name: string, data = "HPM image") => {
          const fd = new FormData();
          fd.append("uploadfile", new File([data], name, { type: "application/octet-stream" }));
          return c.hmm.hmmFetch(
            new Request(`${HMM}/smmupgradehandler.php`, {
              method: "POST",
              headers: {
                "Custom-Token": s.token,
                Cookie: s.cookie,
                Referer: `${HMM}${referer}`,
                Origin: HMM,
              },
              body: fd,
            }),
          );
        };
        const wrong = await upload("/index.html?chassisid=0", "CH121_iBMC_6.10.hpm");
        assert.equal(wrong.status, 400);
        assert.equal(await wrong.text(), "");
        const mismatch = await upload("/system_manage_swi.html?chassisid=0", "CH121_iBMC_6.10.hpm");
        assert.equal(mismatch.status, 400);
        assert.equal(await mismatch.text(), "");
        const empty = await upload(
          "/system_manage_blade.html?chassisid=0",
          "CH121_iBMC_6.10.hpm",
          "",
        );
        assert.equal(tag(await empty.text(), "retcode"), "3");
        const good = await upload("/system_manage_blade.html?chassisid=0", "CH121_iBMC_6.10.hpm");
        assert.equal(good.status, 200);
        assert.equal(tag(await good.text(), "retcode"), "0");
      },
    );

    const upg = (f: Record<string, string>) =>
      s.call("smmupgradehandler.php", f, { referer: "/system_manage_smm.html?chassisid=0" });

    await t.step(
      "smmupgradehandler update, get progress advancing with time, then the new version",
      async () => {
        const bad = await upg({ actiontype: "update", bladelist: "Slot1:fru0" });
        assert.equal(tag(bad.body, "retcode"), "3");
        assert.equal(
          (await upg({ actiontype: "get" })).body,
          '<?xml version="1.0" encoding="UTF-8"?><upgrade></upgrade>',
        );
        const start = await upg({ actiontype: "update", bladelist: "Slot1:fru0;" });
        assert.equal(tag(start.body, "retcode"), "0");
        const busy = await s.call("queryhandler.php", { actiontype: "isupdate" });
        assert.equal(tag(busy.body, "state"), "1");
        assert.notEqual(
          tag((await upg({ actiontype: "checkupgrade", smmtype: "1" })).body, "retcode"),
          "0",
        );
        c.advance(4_000);
        const mid = await upg({ actiontype: "get" });
        assert.match(mid.body, /<blade name="Slot1"><retcode>0<\/retcode>/);
        assert.equal(tag(mid.body, "progress"), "40");
        assert.equal(tag(mid.body, "progressdesp"), "Upgrading...");
        c.advance(6_000);
        const done = await upg({ actiontype: "get" });
        assert.equal(tag(done.body, "progress"), "100");
        assert.equal(
          tag((await s.call("queryhandler.php", { actiontype: "isupdate" })).body, "state"),
          "0",
        );
        assert.equal(
          tag((await upg({ actiontype: "checkupgrade", smmtype: "2" })).body, "retcode"),
          "0",
        );
        const v = decodeVersion(
          (await s.call("versionhandler.php", {
            actiontype: "get",
            bladename: "Slot1",
            fruid: "0",
          })).body,
        );
        assert.ok(v.some((l) => /Active iMana\s+Version:\s+\(U4005\)6\.10/.test(l)), v.join("\n"));
        assert.equal(tag((await upg({ actiontype: "delete" })).body, "retcode"), "0");
        assert.equal(
          (await upg({ actiontype: "get" })).body,
          '<?xml version="1.0" encoding="UTF-8"?><upgrade></upgrade>',
        );
      },
    );

    await t.step(
      "fault firmware-flash-failure ends the flash at N% with a non-zero retcode",
      async () => {
        c.sim.faults.set({
          device: "hmm",
          name: "firmware-flash-failure",
          params: { atPercent: 37 },
        });
        const fd = new FormData();
        fd.append("uploadfile", new File(["img"], "SMM_7.65.hpm"));
        const up = await c.hmm.hmmFetch(
          new Request(`${HMM}/smmupgradehandler.php`, {
            method: "POST",
            headers: {
              "Custom-Token": s.token,
              Cookie: s.cookie,
              Referer: `${HMM}/system_manage_smm.html?chassisid=0`,
            },
            body: fd,
          }),
        );
        assert.equal(tag(await up.text(), "retcode"), "0");
        assert.equal(
          tag((await upg({ actiontype: "update", bladelist: "bothsmm" })).body, "retcode"),
          "0",
        );
        c.advance(60_000);
        const r = await upg({ actiontype: "get" });
        assert.match(
          r.body,
          /<blade name="smm"><retcode>12<\/retcode><desp>Flash failure at 37%<\/desp><progress>37<\/progress><progressdesp>Failed<\/progressdesp><\/blade>/,
        );
        assert.match(r.body, /<blade name="othersmm">/);
        const v = decodeVersion(
          (await s.call("versionhandler.php", { actiontype: "get", bladename: "smm", fruid: "0" }))
            .body,
        );
        assert.ok(v.some((l) => /\(U54\)7\.63$/.test(l)), "version unchanged after a failed flash");
        c.sim.faults.clear({ name: "firmware-flash-failure" });
        await upg({ actiontype: "delete" });
      },
    );

    await t.step(
      "lockout after the configured number of bad passwords, for 5 minutes",
      async () => {
        const bad = () => webLogin(c.hmm, "root", "wrong-password");
        for (let i = 0; i < 3; i++) {
          await assert.rejects(bad(), /retcode/);
        }
        await assert.rejects(webLogin(c.hmm, USER, PASS), /locked/);
        c.advance(4 * 60_000);
        await assert.rejects(webLogin(c.hmm, USER, PASS), /locked/);
        c.advance(61_000);
        await webLogin(c.hmm, USER, PASS);
      },
    );

    await t.step("fault sessionTtlMs expires web sessions", async () => {
      const f = c.sim.faults.set({ device: "hmm", iface: "web", sessionTtlMs: 1000 });
      const short = await webLogin(c.hmm, USER, PASS);
      assert.equal((await short.call("queryhandler.php", { actiontype: "isupdate" })).status, 200);
      c.advance(1001);
      const r = await short.call("queryhandler.php", { actiontype: "isupdate" });
      assert.equal(r.status, 403);
      c.sim.faults.clear({ id: f.id });
    });

    await t.step(
      "faults errorRate/status, latency and timeout apply to the web interface",
      async () => {
        const f = c.sim.faults.set({ device: "hmm", iface: "web", errorRate: 1, status: 503 });
        assert.equal((await s.call("queryhandler.php", { actiontype: "isupdate" })).status, 503);
        c.sim.faults.clear({ id: f.id });
        const lat = c.sim.faults.set({ device: "hmm", iface: "web", latencyMs: 60 });
        const t0 = performance.now();
        await s.call("queryhandler.php", { actiontype: "isupdate" });
        assert.ok(performance.now() - t0 >= 55);
        c.sim.faults.clear({ id: lat.id });
        const to = c.sim.faults.set({ device: "hmm", iface: "web", timeout: true });
        const ac = new AbortController();
        let answered = false;
        const pending = Promise.resolve(c.hmm.hmmFetch(
          new Request(`${HMM}/queryhandler.php`, {
            method: "POST",
            body: "actiontype=isupdate",
            signal: ac.signal,
          }),
        )).then(() => answered = true);
        await Promise.resolve();
        assert.equal(answered, false);
        ac.abort();
        await pending;
        c.sim.faults.clear({ id: to.id });
      },
    );
  } finally {
    await c.close();
  }
});
