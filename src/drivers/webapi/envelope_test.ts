import assert from "node:assert/strict";
import {
  decodeVersionText,
  parseEnvelope,
  parseUpgradeProgress,
  parseVersionLines,
} from "./envelope.ts";
import { parseXml } from "./xml.ts";

Deno.test("parseEnvelope reads retcode and desp; tolerates non-XML and odd retcodes", () => {
  const e = parseEnvelope(
    '<?xml version="1.0" encoding="UTF-8"?><result><retcode>0</retcode><desp>The operation succeeded</desp></result>',
  );
  assert.deepEqual([e.root, e.retcode, e.desp], ["result", 0, "The operation succeeded"]);
  assert.deepEqual(parseEnvelope("<html>oops"), {});
  assert.equal(parseEnvelope("<result><retcode>x</retcode></result>").retcode, undefined);
  assert.equal(parseEnvelope("<result><retcode>5</retcode></result>").retcode, 5);
});

Deno.test("decodeVersionText undoes the double escaping of versionhandler text", () => {
  // As on the wire: &lt;br&gt; line breaks and &amp;#40; parentheses inside <version>.
  const xml = '<?xml version="1.0" encoding="UTF-8"?><result><retcode>0</retcode><version>' +
    "IPMC               CPU:           SPEAr310&lt;br&gt;BIOS           Version:           &amp;#40;U41&amp;#41;V501" +
    "&lt;br&gt;Active iMana   Version:           &amp;#40;U4005&amp;#41;6.05</version></result>";
  const env = parseEnvelope(xml);
  const v = env.doc!.children.find((c) => c.name === "version")!.text;
  const text = decodeVersionText(v);
  assert.equal(text.split("\n").length, 3);
  assert.deepEqual(parseVersionLines(text), {
    "IPMC CPU": "SPEAr310",
    "BIOS Version": "(U41)V501",
    "Active iMana Version": "(U4005)6.05",
  });
});

Deno.test("parseUpgradeProgress reads the <upgrade> root", () => {
  const run = parseEnvelope(
    '<?xml version="1.0"?><upgrade><blade name="smm"><retcode>0</retcode><progress>42</progress></blade>' +
      '<blade name="othersmm"><retcode>0</retcode><progress>100</progress></blade></upgrade>',
  );
  assert.equal(run.root, "upgrade");
  const p = parseUpgradeProgress(run.doc);
  assert.deepEqual(p.targets.map((t) => [t.name, t.progress, t.finished]), [["smm", 42, false], [
    "othersmm",
    100,
    true,
  ]]);
  assert.equal(p.done, false);
  const fail = parseUpgradeProgress(
    parseXml(
      '<upgrade><blade name="Slot1"><retcode>5</retcode><desp>Image checksum mismatch</desp><progress>0</progress></blade></upgrade>',
    ),
  );
  assert.equal(fail.done, true);
  assert.equal(fail.failed, true);
  assert.equal(fail.targets[0].desp, "Image checksum mismatch");
  assert.deepEqual(parseUpgradeProgress(parseXml("<upgrade></upgrade>")), {
    targets: [],
    done: false,
    failed: false,
  });
});

Deno.test("parseXml handles attributes, entities, CDATA and rejects broken input", () => {
  const d = parseXml(
    `<a x="1 &amp; 2"><b>&lt;i&gt; &#65;&#x42;</b><c/><d><![CDATA[<raw>]]></d></a>`,
  )!;
  assert.equal(d.attrs.x, "1 & 2");
  assert.equal(d.children[0].text, "<i> AB");
  assert.equal(d.children[1].name, "c");
  assert.equal(d.children[2].text, "<raw>");
  assert.equal(parseXml("<a><b></a>"), undefined);
  assert.equal(parseXml(""), undefined);
});
