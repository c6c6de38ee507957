import assert from "node:assert/strict";
import { isSecretKey, REDACTED, Redactor } from "./redact.ts";

Deno.test("isSecretKey names secrets and leaves policies alone", () => {
  for (const k of ["password", "Password", "userpwd", "userpasswd", "SESSID", "csrftoken"]) {
    assert.equal(isSecretKey(k), true, k);
  }
  for (const k of ["X-Auth-Token", "Authorization", "Cookie", "private_key", "secretkey", "auth"]) {
    assert.equal(isSecretKey(k), true, k);
  }
  for (const k of ["PasswordMinimumLength", "PasswordChangeRequired", "AuthenticationMode"]) {
    assert.equal(isSecretKey(k), false, k);
  }
  for (const k of ["UserName", "actor", "Author", "Description", "vlan_id"]) {
    assert.equal(isSecretKey(k), false, k);
  }
});

Deno.test("Redactor.value replaces secret keys at any depth, inside arrays, without mutating", () => {
  const r = new Redactor();
  const input = {
    user: "root",
    Password: "p1",
    nested: { list: [{ token: "t1", keep: "ok" }, { "X-Auth-Token": "t2" }] },
    headers: { Cookie: "SESSID=abc", Authorization: "Basic cm9vdDpwMQ==" },
    PasswordChangeRequired: true,
    PasswordMinimumLength: 8,
    secretkey: null,
  };
  const out = r.value(input);
  assert.equal(out.Password, REDACTED);
  assert.equal(out.nested.list[0].token, REDACTED);
  assert.equal(out.nested.list[0].keep, "ok");
  assert.equal(out.nested.list[1]["X-Auth-Token"], REDACTED);
  assert.equal(out.headers.Cookie, REDACTED);
  assert.equal(out.headers.Authorization, REDACTED);
  assert.equal(out.PasswordChangeRequired, true);
  assert.equal(out.PasswordMinimumLength, 8);
  assert.equal(out.secretkey, null);
  assert.equal(out.user, "root");
  assert.equal(input.Password, "p1", "input untouched");
});

Deno.test("Redactor.text removes VRP cipher text and plain-text VRP secrets", () => {
  const r = new Redactor();
  const cfg = [
    "local-user admin password cipher %^%#a(b)c}d~e%^%#",
    "local-user ops password irreversible-cipher $1a$Xy7.Q$abcdefgh$",
    " snmp-agent community read cipher %@%@lkj&*%@%@",
    " ospf authentication-mode simple plain Sh0rtPw",
    " local-user x password simple TopSecret1",
    "vlan batch 10 20",
    "sysname swi2",
  ].join("\n");
  const out = r.text(cfg);
  for (const s of ["a(b)c", "$1a$Xy7", "lkj&*", "Sh0rtPw", "TopSecret1", "%^%#", "%@%@"]) {
    assert.ok(!out.includes(s), `${s} leaked: ${out}`);
  }
  assert.match(out, /vlan batch 10 20/);
  assert.match(out, /sysname swi2/);
  assert.match(out, /local-user admin password cipher \*\*\*/);
  assert.match(out, /password irreversible-cipher \*\*\*/);
});

Deno.test("Redactor.text removes key=value, JSON, XML, header, URL and PEM secrets", () => {
  const r = new Redactor();
  const cases: [string, string][] = [
    ["user=root&userpasswd=hunter2&x=1", "hunter2"],
    ['{"csrftoken": "abc123", "ok": 1}', "abc123"],
    ["<result><csrftoken>fake-csrf-abcdef</csrftoken></result>", "fake-csrf-abcdef"],
    ["Cookie: SESSID=deadbeef; path=/", "deadbeef"],
    ["set SESSID=deadbeef2", "deadbeef2"],
    ["X-Auth-Token: 0123456789abcdef", "0123456789abcdef"],
    ["Authorization: Basic cm9vdDpodW50ZXIy", "cm9vdDpodW50ZXIy"],
    ["connect ssh://root:pa55word@10.0.0.1:22", "pa55word"],
    [
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----",
      "b3BlbnNzaC1rZXk",
    ],
    ["password: swordfish", "swordfish"],
  ];
  for (const [text, secret] of cases) {
    const out = r.text(text);
    assert.ok(!out.includes(secret), `${secret} leaked from ${JSON.stringify(text)} -> ${out}`);
    assert.ok(out.includes(REDACTED), out);
  }
  assert.equal(r.text('{"PasswordMinimumLength": 8}'), '{"PasswordMinimumLength": 8}');
});

Deno.test("Redactor.addSecret catches known values in text, nested values and encodings", () => {
  const secret = "Pl@nted#Pw 42/x";
  const r = new Redactor().addBasicPair("root", secret);
  const basic = btoa(`root:${secret}`);
  const text =
    `failed: ${secret} | ${encodeURIComponent(secret)} | ${JSON.stringify({ m: secret })} |` +
    ` ${btoa(secret)} | Basic ${basic}`;
  const out = r.text(text);
  assert.ok(!out.includes(secret));
  assert.ok(!out.includes(encodeURIComponent(secret)));
  assert.ok(!out.includes(btoa(secret)));
  assert.ok(!out.includes(basic));
  const v = r.value({ description: `pw is ${secret}`, list: [secret], err: new Error(secret) });
  assert.ok(!JSON.stringify(v).includes(secret));
  assert.equal(r.contains(`x${secret}y`), true);
  assert.equal(r.contains("nothing here"), false);
  assert.equal(r.size, 2);
});

Deno.test("Redactor.addSecret ignores values too short to redact safely", () => {
  const r = new Redactor(["ab", ""]);
  assert.equal(r.size, 0);
  assert.equal(r.text("abcab"), "abcab");
});
