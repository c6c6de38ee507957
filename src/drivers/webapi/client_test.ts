import assert from "node:assert/strict";
import { AuthError } from "../../errors.ts";
import { MemoryRecorder } from "../record/recorder.ts";
import { HmmWebClient, uploadKindFor, WebApiError } from "./client.ts";

const td = new URL("../../../testdata/trust/", import.meta.url);
const read = (p: string) => Deno.readTextFileSync(new URL(p, td));
const XML = '<?xml version="1.0" encoding="UTF-8"?>';

/** An HMM dispatcher stand-in following hmm-web-api.md: checks what the real one checks. */
function startHmm() {
  const stats = {
    logins: 0,
    failed: 0,
    uploads: 0,
    lastUpload: 0,
    headers: [] as Record<string, string>[],
  };
  const SESSID = "s3ss10n";
  let TOKEN = "csrf-123";
  const xml = (body: string, status = 200, headers: Record<string, string> = {}) =>
    new Response(XML + body, { status, headers: { "content-type": "text/xml", ...headers } });
  const srv = Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    cert: read("leaf.pem"),
    key: read("leaf.key"),
    onListen() {},
  }, async (req) => {
    const u = new URL(req.url);
    const origin = `https://127.0.0.1:${srv.addr.port}`;
    const h = Object.fromEntries(req.headers);
    stats.headers.push(h);
    if (u.pathname === "/loginhandler.php") {
      const f = new URLSearchParams(await req.text());
      if (f.get("actiontype") === "queryverify") {
        return xml("<result><retcode>0</retcode><verify>0</verify></result>", 200, {
          "set-cookie": `SESSID=${SESSID}; path=/; secure`,
        });
      }
      if (f.get("actiontype") === "login") {
        if (h["custom-token"] !== "0") return new Response("", { status: 400 });
        if (f.get("usermode") !== "1" || f.get("language") !== "en" || f.get("code") !== "") {
          return new Response("", { status: 400 });
        }
        if (f.get("username") !== "root" || f.get("userpasswd") !== "Huawei12#$") {
          stats.failed++;
          return xml(
            "<result><retcode>1</retcode><desp>Incorrect user name or password</desp></result>",
          );
        }
        stats.logins++;
        return xml(
          `<result><csrftoken>${TOKEN}</csrftoken><retcode>0</retcode><desp>OK</desp></result>`,
        );
      }
    }
    // every other call needs the token, the cookie, Origin and a Referer on this host
    if (h["custom-token"] !== TOKEN || !(h.cookie ?? "").includes(`SESSID=${SESSID}`)) {
      return new Response("", { status: 403 });
    }
    if (h.origin !== origin || !(h.referer ?? "").startsWith(origin + "/")) {
      return new Response("", { status: 400 });
    }
    if (u.pathname === "/versionhandler.php") {
      const f = new URLSearchParams(await req.text());
      if (h["x-requested-with"] !== "XMLHttpRequest") return new Response("", { status: 400 });
      if (f.get("bladename") === "Fan1") return xml("<result><retcode>5</retcode></result>", 400);
      return xml(
        "<result><retcode>0</retcode><desp>The operation succeeded</desp><version>Software   Version:   &amp;#40;U54&amp;#41;7.63</version></result>",
      );
    }
    if (u.pathname === "/smmupgradehandler.php") {
      if ((h["content-type"] ?? "").startsWith("multipart/form-data")) {
        if (h["x-requested-with"]) return new Response("", { status: 400 });
        if (h.referer !== origin + "/system_manage_swi.html?chassisid=0") {
          return new Response("", { status: 400 });
        }
        const form = await req.formData();
        const f = form.get("uploadfile") as File;
        stats.uploads++;
        stats.lastUpload = f.size;
        return xml("<result><retcode>0</retcode><desp>OK</desp></result>");
      }
      return xml(
        '<upgrade><blade name="Swi2:fru0"><retcode>0</retcode><desp>OK</desp><progress>100</progress><progressdesp>Done</progressdesp></blade></upgrade>',
      );
    }
    if (u.pathname === "/queryhandler.php") {
      return xml("<result><retcode>7</retcode><desp>Busy</desp></result>");
    }
    return new Response("", { status: 404 });
  });
  return {
    srv,
    stats,
    base: `https://127.0.0.1:${srv.addr.port}`,
    expire: () => TOKEN = `csrf-${crypto.randomUUID()}`,
  };
}

const hmm = startHmm();
const login = (password = "Huawei12#$", recorder?: MemoryRecorder) =>
  HmmWebClient.login({
    baseUrl: hmm.base,
    username: "root",
    password,
    tls: { ca: read("ca.pem") },
    recorder,
  });

Deno.test("HmmWebClient logs in with queryverify + login and sends token, cookie, Origin, Referer", async () => {
  const rec = new MemoryRecorder();
  const web = await login(undefined, rec);
  try {
    const r = await web.call("versionhandler.php", {
      actiontype: "get",
      chassisid: "0",
      bladename: "smm",
      fruid: "0",
    });
    assert.equal(r.retcode, 0);
    assert.equal(r.root, "result");
    const p = await web.call("smmupgradehandler.php", { actiontype: "get" }, {
      referer: "/system_manage_smm.html?chassisid=0",
    });
    assert.equal(p.root, "upgrade");
  } finally {
    await web.logout();
  }
  assert.equal(web.loggedIn, false);
  const text = JSON.stringify(rec.exchanges);
  for (const secret of ["Huawei12#$", "Huawei12%23%24", "csrf-123", "s3ss10n"]) {
    assert.ok(!text.includes(secret), `${secret} redacted`);
  }
  assert.ok(text.includes("SESSID=***"));
});

Deno.test("HmmWebClient maps HTTP 400 with an XML body and non-zero retcodes to WebApiError", async () => {
  const web = await login();
  try {
    await assert.rejects(
      web.call("versionhandler.php", {
        actiontype: "get",
        chassisid: "0",
        bladename: "Fan1",
        fruid: "0",
      }),
      (e: unknown) => {
        assert.ok(e instanceof WebApiError);
        assert.equal(e.status, 400);
        assert.equal(e.retcode, 5);
        assert.equal(e.handler, "versionhandler.php");
        return true;
      },
    );
    await assert.rejects(
      web.call("queryhandler.php", { actiontype: "isupdate", chassisid: "0" }),
      (e: unknown) =>
        e instanceof WebApiError && e.status === 200 && e.retcode === 7 && /Busy/.test(e.message),
    );
    const soft = await web.call("queryhandler.php", { actiontype: "isupdate" }, {
      allowFailure: true,
    });
    assert.equal(soft.retcode, 7);
  } finally {
    await web.logout();
  }
});

Deno.test("HmmWebClient uploads firmware with the Referer of the target kind", async () => {
  const web = await login();
  try {
    const data = new Uint8Array(70000).fill(7);
    assert.equal(uploadKindFor("Swi2:fru0;"), "swi");
    assert.equal(uploadKindFor("Slot7:fru0;"), "blade");
    assert.equal(uploadKindFor("bothsmm"), "smm");
    const r = await web.upload("swi", { name: "CX310.hpm", data });
    assert.equal(r.retcode, 0);
    assert.equal(hmm.stats.lastUpload, data.length);
    await assert.rejects(
      web.upload("blade", { name: "CX310.hpm", data }),
      (e: unknown) => e instanceof WebApiError && e.status === 400 && /Referer/.test(e.hint ?? ""),
    );
    await assert.rejects(
      web.upload("swi", { name: "empty.hpm", data: new Uint8Array() }),
      WebApiError,
    );
  } finally {
    await web.logout();
  }
});

Deno.test("HmmWebClient logs in again once when the session timed out", async () => {
  const web = await login();
  try {
    const logins = hmm.stats.logins;
    hmm.expire();
    const r = await web.call("versionhandler.php", {
      actiontype: "get",
      chassisid: "0",
      bladename: "smm",
      fruid: "0",
    });
    assert.equal(r.retcode, 0);
    assert.equal(hmm.stats.logins, logins + 1);
  } finally {
    await web.logout();
  }
});

Deno.test("HmmWebClient stops after the first refused login", async () => {
  const before = hmm.stats.failed;
  await assert.rejects(
    login("wrong"),
    (e: unknown) => e instanceof AuthError && /Incorrect user name or password/.test(e.message),
  );
  assert.equal(hmm.stats.failed, before + 1);
});

Deno.test("HmmWebClient suite teardown", async () => {
  await hmm.srv.shutdown();
});
