import assert from "node:assert/strict";
import {
  httpKind,
  HttpMatcher,
  isReadCommand,
  normaliseBody,
  normalisePath,
  replaySteps,
  SshMatcher,
} from "./match.ts";
import { type HttpLine, parseRecording, RecordingError, type SshLine } from "./recording.ts";

const http = (
  seq: number,
  method: string,
  url: string,
  body: string | undefined,
  status: number,
  resBody = "",
  device = "hmm",
  contentType = "application/json",
): HttpLine => ({
  kind: "http",
  seq,
  device,
  request: {
    method,
    url,
    headers: { "content-type": contentType },
    ...(body !== undefined ? { body } : {}),
  },
  response: { status, headers: {}, body: resBody },
  source: `f.jsonl:${seq}`,
});

const ssh = (
  seq: number,
  device: string,
  command: string,
  output: string,
  prompt?: string,
  secret?: boolean,
): SshLine => ({
  kind: "ssh",
  seq,
  device,
  command,
  output,
  ...(prompt ? { prompt } : {}),
  ...(secret ? { secret } : {}),
  source: `f.jsonl:${seq}`,
});

Deno.test("normaliseBody hides secrets and key order of JSON, form and XML bodies", () => {
  assert.equal(
    normaliseBody(`{"UserName":"root","Password":"Huawei12#$"}`),
    normaliseBody(`{"Password":"***","UserName":"root"}`),
  );
  assert.equal(
    normaliseBody(
      "actiontype=login&username=root&userpasswd=s3cret",
      "application/x-www-form-urlencoded",
    ),
    normaliseBody(
      "actiontype=login&username=root&userpasswd=***",
      "application/x-www-form-urlencoded",
    ),
  );
  assert.equal(
    normaliseBody("<a><csrftoken>abc</csrftoken></a>"),
    "<a><csrftoken>***</csrftoken></a>",
  );
  assert.equal(
    normaliseBody("<12 bytes: fw.hpm>"),
    normaliseBody("--x\r\n…", "multipart/form-data; boundary=x"),
  );
  assert.equal(normaliseBody(undefined), "");
  assert.notEqual(normaliseBody(`{"UserName":"root"}`), normaliseBody(`{"UserName":"admin"}`));
});

Deno.test("normalisePath keeps path and query, drops the origin, hides secret query values", () => {
  assert.equal(normalisePath("https://10.0.0.1:443/redfish/v1/Systems/1"), "/redfish/v1/Systems/1");
  assert.equal(normalisePath("/x.php?SESSID=abc&a=1"), "/x.php?SESSID=***&a=1");
});

Deno.test("HttpMatcher answers identical requests in recorded order, then repeats the last", () => {
  const m = new HttpMatcher([
    http(1, "GET", "https://h/redfish/v1/TaskService/Tasks/1", undefined, 200, "running"),
    http(2, "GET", "https://h/redfish/v1/TaskService/Tasks/1", undefined, 200, "done"),
    http(3, "GET", "https://h/redfish/v1/Systems/1", undefined, 200, "sys", "ibmc1"),
  ]);
  const get = (p: string, d = "hmm") => m.match(d, "GET", p, "")?.response?.body;
  assert.equal(get("/redfish/v1/TaskService/Tasks/1"), "running");
  assert.equal(get("/redfish/v1/TaskService/Tasks/1"), "done");
  assert.equal(get("/redfish/v1/TaskService/Tasks/1"), "done");
  assert.equal(get("/redfish/v1/Systems/1", "ibmc1"), "sys");
  // Per device: the hmm never recorded Systems/1.
  assert.equal(get("/redfish/v1/Systems/1"), undefined);
  assert.equal(m.match("hmm", "DELETE", "/redfish/v1/TaskService/Tasks/1", ""), undefined);
});

Deno.test("HttpMatcher matches any password and any value where the recording has ***", () => {
  const m = new HttpMatcher([
    http(
      1,
      "POST",
      "https://h/redfish/v1/SessionService/Sessions",
      `{"UserName":"root","Password":"***"}`,
      201,
    ),
    http(2, "POST", "https://h/set.php", "a=1&customtoken=***", 200, "ok", "hmm", "text/plain"),
  ]);
  assert.equal(
    m.match(
      "hmm",
      "POST",
      "/redfish/v1/SessionService/Sessions",
      `{"UserName":"root","Password":"anything"}`,
    )
      ?.response?.status,
    201,
  );
  assert.equal(
    m.match(
      "hmm",
      "POST",
      "/redfish/v1/SessionService/Sessions",
      `{"UserName":"x","Password":"y"}`,
    ),
    undefined,
  );
  assert.equal(
    m.match("hmm", "POST", "/set.php", "a=1&customtoken=zz9", "text/plain")?.response?.body,
    "ok",
  );
  assert.equal(m.match("hmm", "POST", "/set.php", "a=2&customtoken=zz9", "text/plain"), undefined);
});

Deno.test("HttpMatcher skips attempts that failed without an answer", () => {
  const failed: HttpLine = { ...http(1, "GET", "https://h/a", undefined, 0), error: "ECONNRESET" };
  delete failed.response;
  const m = new HttpMatcher([failed, http(2, "GET", "https://h/a", undefined, 200, "second")]);
  assert.equal(m.size, 1);
  assert.equal(m.match("hmm", "GET", "/a", "")?.response?.body, "second");
});

Deno.test("SshMatcher takes commands per device in order and finds the target of a jump", () => {
  const lines = [
    ssh(1, "hmm", "", "\nsmm@SMM:/>\nsmm@SMM:/>", "smm@SMM:/>"),
    ssh(2, "hmm", "ssh 172.31.1.162 NoStricHostKeyChecking", "password:", "password:"),
    ssh(3, "hmm", "***", "", "<CX310_2>", true),
    ssh(4, "swi2", "", "\n<CX310_2>", "<CX310_2>"),
    ssh(5, "swi2", "display vlan", "display vlan\nfirst\n<CX310_2>", "<CX310_2>"),
    ssh(6, "swi2", "display vlan", "display vlan\nsecond\n<CX310_2>", "<CX310_2>"),
    ssh(7, "swi3", "", "\n<CX310_3>", "<CX310_3>"),
  ];
  const m = new SshMatcher(lines);
  assert.equal(m.banner("hmm"), lines[0]);
  const jump = m.take("hmm", "ssh 172.31.1.162 NoStricHostKeyChecking")!;
  assert.equal(m.jumpTarget(jump), undefined, "a password prompt is not a device");
  assert.equal(m.take("hmm", "Huawei12#$"), undefined);
  const secret = m.takeSecretAfter(jump, "hmm")!;
  assert.equal(secret, lines[2]);
  assert.equal(m.jumpTarget(secret), "swi2");
  assert.equal(m.take("swi2", "display vlan"), lines[4]);
  assert.equal(m.take("swi2", "display vlan"), lines[5]);
  assert.equal(m.take("swi2", "display vlan"), lines[5]);
  assert.equal(m.take("swi3", "display vlan"), undefined);
  assert.equal(m.jumpTarget(lines[4]), undefined);
});

Deno.test("replaySteps adds the echo and prompt the shell driver left out, with CRLF", () => {
  const hmmLine = ssh(2, "hmm", "smmget -d version", "SMM version 7.63\nok", "smm@SMM:/>");
  assert.deepEqual(replaySteps(hmmLine, "smmget -d version"), [
    { text: "smmget -d version\r\nSMM version 7.63\r\nok\r\nsmm@SMM:/>", answer: false },
  ]);
  const vrp = ssh(3, "swi2", "display vlan", "display vlan\nVID 1\n<CX310_2>", "<CX310_2>");
  assert.deepEqual(replaySteps(vrp, "display vlan"), [
    { text: "display vlan\r\nVID 1\r\n<CX310_2>", answer: false },
  ]);
});

Deno.test("replaySteps stops after each answered question and drops the recorded answer", () => {
  const save = ssh(
    3,
    "swi2",
    "save",
    "save\nWarning: The current configuration will be written to the device. Continue? [Y/N]:y\n" +
      "Now saving the current configuration to the slot 2.\nInfo: Save the configuration successfully.\n<CX310_2>",
    "<CX310_2>",
  );
  const steps = replaySteps(save, "save");
  assert.equal(steps.length, 2);
  assert.equal(steps[0].answer, true);
  assert.match(steps[0].text, /Continue\? \[Y\/N\]:$/);
  assert.match(steps[1].text, /^Now saving/);
  assert.match(steps[1].text, /<CX310_2>$/);
});

Deno.test("parseRecording reads http and ssh lines and names the file, line and field of errors", () => {
  const ok = [
    JSON.stringify({ v: 1, seq: 1, ts: "t", kind: "event", device: "swi2", event: "connect" }),
    JSON.stringify({
      v: 1,
      seq: 2,
      ts: "t",
      kind: "ssh",
      device: "SWI2",
      command: "",
      output: "<a>",
      prompt: "<a>",
      ms: 1,
    }),
    JSON.stringify({
      v: 1,
      seq: 3,
      ts: "t",
      kind: "http",
      device: "hmm",
      request: { method: "get", url: "https://h/a", headers: {} },
      response: { status: 200, headers: { "content-type": "text/plain" }, body: "x" },
      ms: 1,
    }),
  ].join("\n");
  const r = parseRecording(ok + "\n\n", "a.jsonl");
  assert.equal(r.ssh[0].device, "swi2");
  assert.equal(r.http[0].request.method, "GET");
  assert.equal(r.http[0].source, "a.jsonl:3");
  assert.throws(
    () => parseRecording(`{"v":1,"seq":1,"kind":"ssh","device":"swi2","output":""}`, "b.jsonl"),
    (e: Error) => e instanceof RecordingError && /b\.jsonl line 1: command/.test(e.message),
  );
  assert.throws(
    () => parseRecording(`{"v":2,"kind":"ssh","device":"swi2"}`, "c.jsonl"),
    /c\.jsonl line 1: v must be 1/,
  );
  assert.throws(() => parseRecording(`\nnot json`, "d.jsonl"), /d\.jsonl line 2 is not JSON/);
  assert.throws(
    () => parseRecording(`{"v":1,"kind":"x","device":"hmm"}`, "e.jsonl"),
    /kind must be http, ssh or event/,
  );
});

Deno.test("SshMatcher aligns reads to the recorded state, not to how often they were polled", () => {
  const lines = [
    ssh(1, "swi2", "", "\n<sw>", "<sw>"),
    ssh(2, "swi2", "display vlan", "display vlan\nbefore\n<sw>", "<sw>"),
    ssh(3, "swi2", "system-view", "system-view\n[~sw]", "[~sw]"),
    ssh(4, "swi2", "vlan 30", "vlan 30\n[*sw-vlan30]", "[*sw-vlan30]"),
    ssh(5, "swi2", "quit", "quit\n[*sw]", "[*sw]"),
    ssh(6, "swi2", "commit", "commit\n[~sw]", "[~sw]"),
    ssh(7, "swi2", "display vlan", "display vlan\nafter\n[~sw]", "[~sw]"),
    ssh(8, "swi2", "display vlan", "display vlan\nafter again\n[~sw]", "[~sw]"),
  ];
  const m = new SshMatcher(lines);
  const out = (l?: SshLine) => l?.output.split("\n")[1];
  // Polled three times before the change (recorded once): the same pre-change answer.
  assert.equal(out(m.take("swi2", "display vlan")), "before");
  assert.equal(out(m.take("swi2", "display vlan")), "before");
  assert.equal(out(m.take("swi2", "display vlan")), "before");
  m.take("swi2", "system-view", "<sw>");
  // `quit` typed at a prompt where none was recorded (a probe session closing) is a miss.
  assert.equal(m.take("swi2", "quit", "<sw>"), undefined);
  m.take("swi2", "vlan 30", "[~sw]");
  assert.equal(m.take("swi2", "quit", "[*sw-vlan30]"), lines[4]);
  m.take("swi2", "commit", "[*sw]");
  assert.equal(out(m.take("swi2", "display vlan")), "after");
  assert.equal(out(m.take("swi2", "display vlan")), "after again");
  assert.equal(out(m.take("swi2", "display vlan")), "after again");
});

Deno.test("replaySteps answers a read with the session's prompt", () => {
  const l = ssh(7, "swi2", "display vlan", "display vlan\nVID 1\n[~sw]", "[~sw]");
  assert.deepEqual(replaySteps(l, "display vlan", "<sw>"), [
    { text: "display vlan\r\nVID 1\r\n<sw>", answer: false },
  ]);
  assert.equal(isReadCommand("dis vlan"), true);
  assert.equal(isReadCommand("smmget -d version"), true);
  assert.equal(isReadCommand("display"), true);
  assert.equal(isReadCommand("undo vlan 10"), false);
  assert.equal(isReadCommand("system-view"), false);
});

Deno.test("HttpMatcher aligns reads to the recorded changes of the device", () => {
  const m = new HttpMatcher([
    http(
      1,
      "POST",
      "https://h/redfish/v1/SessionService/Sessions",
      `{"Password":"***"}`,
      201,
      "s1",
      "ibmc3",
    ),
    http(2, "GET", "https://h/redfish/v1/Systems/1", undefined, 200, "On 1", "ibmc3"),
    http(3, "GET", "https://h/redfish/v1/Systems/1", undefined, 200, "On 2", "ibmc3"),
    http(
      4,
      "POST",
      "https://h/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
      `{"ResetType":"ForceOff"}`,
      204,
      "",
      "ibmc3",
    ),
    http(5, "GET", "https://h/redfish/v1/Systems/1", undefined, 200, "Off", "ibmc3"),
    http(
      6,
      "POST",
      "https://h/redfish/v1/SessionService/Sessions",
      `{"Password":"***"}`,
      201,
      "s2",
      "ibmc3",
    ),
  ]);
  const get = () => m.match("ibmc3", "GET", "/redfish/v1/Systems/1", "")?.response?.body;
  const login = () =>
    m.match("ibmc3", "POST", "/redfish/v1/SessionService/Sessions", `{"Password":"x"}`)?.response
      ?.body;
  assert.equal(login(), "s1");
  // Read once where the recording polled twice: the change still brings the new state.
  assert.equal(get(), "On 1");
  m.match(
    "ibmc3",
    "POST",
    "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
    `{"ResetType":"ForceOff"}`,
  );
  assert.equal(get(), "Off");
  assert.equal(get(), "Off");
  assert.equal(login(), "s2", "logins are served in order, whatever the state");
});

Deno.test("httpKind tells logins, reads and changes apart (Redfish and HMM web API)", () => {
  assert.equal(httpKind("POST", "/redfish/v1/SessionService/Sessions", "{}"), "session");
  assert.equal(httpKind("DELETE", "/redfish/v1/SessionService/Sessions/7", ""), "session");
  assert.equal(httpKind("POST", "/loginhandler.php", "actiontype=login"), "session");
  assert.equal(httpKind("GET", "/redfish/v1/Systems/1", ""), "read");
  assert.equal(httpKind("PATCH", "/redfish/v1/Systems/1", "{}"), "change");
  assert.equal(httpKind("POST", "/versionhandler.php", "actiontype=get&bladename=smm"), "read");
  assert.equal(httpKind("POST", "/x.php", "a=1&actiontype=listpresentfru"), "read");
  assert.equal(httpKind("POST", "/upgrade.php", "actiontype=update&file=x"), "change");
  assert.equal(httpKind("POST", "/x.php", "actiontype=setslotalias&slot=1"), "change");
});

Deno.test("SshMatcher.jumpTarget picks the iBMC the HMM's ssh named when prompts are alike", () => {
  const lines = [
    ssh(1, "hmm", "", "SMM>\nSMM>", "SMM>"),
    ssh(2, "ibmc1", "ipmcget -d v", "v1", "iBMC:/->"),
    ssh(3, "hmm", "ssh 172.31.1.131 NoStricHostKeyChecking", "password:", "password:"),
    ssh(4, "hmm", "***", "", "iBMC:/->", true),
    ssh(5, "ibmc3", "ipmcget -d v", "v3", "iBMC:/->"),
  ];
  const m = new SshMatcher(lines);
  assert.equal(m.jumpTarget(lines[3]), "ibmc3");
  assert.equal(m.jumpTarget(lines[1]), undefined, "an iBMC's own prompt is no jump");
});
