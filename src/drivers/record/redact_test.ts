import assert from "node:assert/strict";
import { FileRecorder, redactExchange } from "./recorder.ts";
import { redactBody, redactHeaders, redactText } from "./redact.ts";

Deno.test("redactHeaders hides tokens and cookie values but keeps names", () => {
  assert.deepEqual(
    redactHeaders({
      "X-Auth-Token": "abc",
      "Custom-Token": "csrf",
      Cookie: "SESSID=123; lang=en",
      "set-cookie": "SESSID=9; path=/, other=1",
      Accept: "application/json",
    }),
    {
      "X-Auth-Token": "***",
      "Custom-Token": "***",
      Cookie: "SESSID=***; lang=***",
      "set-cookie": "SESSID=***; path=***, other=***",
      Accept: "application/json",
    },
  );
});

Deno.test("redactBody covers JSON, forms and XML", () => {
  assert.equal(
    redactBody('{"UserName":"root","Password":"pw"}', "application/json"),
    '{"UserName":"root","Password":"***"}',
  );
  assert.equal(
    redactBody(
      "actiontype=login&username=root&userpasswd=p%40ss",
      "application/x-www-form-urlencoded",
    ),
    "actiontype=login&username=root&userpasswd=***",
  );
  assert.equal(
    redactBody("<result><csrftoken>tok</csrftoken><retcode>0</retcode></result>", "text/xml"),
    "<result><csrftoken>***</csrftoken><retcode>0</retcode></result>",
  );
});

Deno.test("redactText removes VRP cipher text", () => {
  const cfg = [
    " local-user admin password irreversible-cipher $1c$abc$def",
    " snmp-agent community read cipher %^%#x]2Q,;B%^%#",
    " local-user a password cipher %$%$abc%$%$",
  ].join("\n");
  const out = redactText(cfg);
  assert.ok(!/\$1c\$abc|x\]2Q|%\$%\$abc/.test(out), out);
  assert.match(out, /irreversible-cipher \*\*\*/);
});

Deno.test("FileRecorder writes redacted JSON lines with version and sequence", async () => {
  const dir = await Deno.makeTempDir();
  const rec = await FileRecorder.open(dir);
  rec.record({
    kind: "http",
    device: "hmm",
    request: {
      method: "POST",
      url: "https://h/redfish/v1/SessionService/Sessions",
      headers: {},
      body: '{"UserName":"root","Password":"pw"}',
    },
    response: { status: 201, headers: { "x-auth-token": "tok" }, body: "{}" },
    ms: 3,
  });
  rec.record({ kind: "ssh", device: "ibmc1", command: "pw", secret: true, output: "", ms: 1 });
  await rec.close();
  const lines = (await Deno.readTextFile(rec.path)).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.v, l.seq, l.kind]), [[1, 1, "http"], [1, 2, "ssh"]]);
  assert.equal(lines[0].response.headers["x-auth-token"], "***");
  assert.equal(JSON.parse(lines[0].request.body).Password, "***");
  assert.equal(lines[1].command, "***");
  assert.equal((await Deno.stat(rec.path)).mode! & 0o777, 0o600);
  await Deno.remove(dir, { recursive: true });
  assert.equal(redactExchange({ kind: "event", device: "x", event: "close" }).kind, "event");
});
