import assert from "node:assert/strict";
import { redactBody } from "./redact.ts";

const KEY = [
  "-----BEGIN PRIVATE KEY-----",
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+/+/+/+/AAAA",
  "hRANCAAR+/=0123456789abcdefABCDEF",
  "-----END PRIVATE KEY-----",
].join("\n");

Deno.test("redactBody removes a private key from a form body, whatever its field name or encoding", () => {
  const named = new URLSearchParams({ actiontype: "importcert", cert: "CERT", privatekey: KEY });
  const other = new URLSearchParams({ actiontype: "importcert", blob: KEY, keypassword: "p@ss" });
  for (
    const [body, ct] of [
      [named.toString(), "application/x-www-form-urlencoded"],
      [named.toString(), ""], // no content type recorded: still recognised as a form
      [other.toString(), "application/x-www-form-urlencoded"],
    ]
  ) {
    const out = decodeURIComponent(redactBody(body, ct).replaceAll("+", " "));
    for (const line of KEY.split("\n").slice(1, 3)) assert.ok(!out.includes(line), out);
    assert.ok(!out.includes("p@ss"));
    assert.match(out, /actiontype=importcert/);
  }
});

Deno.test("redactBody removes a PEM private key from JSON and free text", () => {
  const json = redactBody(JSON.stringify({ Certificate: "C", Key: KEY }), "application/json");
  assert.ok(!json.includes("hRANCAAR"), json);
  const text = redactBody(`key follows\n${KEY}\nend`, "text/plain");
  assert.ok(!text.includes("hRANCAAR"), text);
  assert.match(text, /key follows/);
});
