import assert from "node:assert/strict";
import { HMM, startTestChassis, webLogin } from "./test_util.ts";

Deno.test("startHmmServices answers malformed requests without 5xx or stack traces", async () => {
  const c = await startTestChassis();
  try {
    const s = await webLogin(c.hmm, "root", "Huawei12#$");
    const requests: Request[] = [
      new Request(`${HMM}/loginhandler.php`, { method: "POST", body: "%%%&&&=" }),
      new Request(`${HMM}/loginhandler.php`, {
        method: "POST",
        headers: { "Content-Type": "multipart/form-data; boundary=x" },
        body: "--x\r\nbroken",
      }),
      new Request(`${HMM}/smmupgradehandler.php`, {
        method: "POST",
        headers: {
          "Content-Type": "multipart/form-data; boundary=zz",
          "Custom-Token": s.token,
          Cookie: s.cookie,
          Referer: `${HMM}/system_manage_smm.html?chassisid=0`,
        },
        body: '--zz\r\nContent-Disposition: form-data; name="uploadfile"\r\n\r\nno-end',
      }),
      new Request(`${HMM}/queryhandler.php`, {
        method: "POST",
        headers: { "Custom-Token": s.token, Cookie: s.cookie, Referer: `${HMM}/index.html` },
        body: "actiontype=" + "x".repeat(5000),
      }),
      new Request(`${HMM}/nosuchhandler.php`, { method: "POST", body: "actiontype=get" }),
      new Request(`${HMM}/redfish/v1/SessionService/Sessions`, { method: "POST", body: "{" }),
      new Request(`${HMM}/redfish/v1/SessionService/Sessions`, { method: "POST", body: "[1,2]" }),
      new Request(`${HMM}/redfish/v1/%zz`, { method: "GET" }),
    ];
    for (const req of requests) {
      const r = await c.hmm.hmmFetch(req);
      const body = await r.text();
      assert.ok(r.status < 500, `${req.method} ${req.url}: ${r.status} ${body.slice(0, 200)}`);
      assert.doesNotMatch(body, /\bat .*\.ts:\d+/, "no stack trace");
    }
    const ib = [
      new Request("https://x/redfish/v1/SessionService/Sessions", { method: "POST", body: "nope" }),
      new Request("https://x/redfish/v1/SessionService/Sessions", {
        method: "POST",
        body: JSON.stringify({ UserName: 5, Password: [] }),
      }),
      new Request("https://x/redfish/v1/Systems/1", { method: "DELETE" }),
    ];
    for (const req of ib) {
      const r = await c.hmm.ibmcFetch(1, req);
      const body = await r.text();
      assert.ok(r.status < 500, `${req.method} ${req.url}: ${r.status} ${body.slice(0, 200)}`);
      assert.match(body, /"MessageId":"(Base|iBMC)\.1\.0\.\w+"/);
    }
  } finally {
    await c.close();
  }
});
