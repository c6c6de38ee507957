import assert from "node:assert/strict";
import {
  parseBootDevice,
  parseHealth,
  parsePresence,
  parseSelPowerState,
  parseSmmVersion,
} from "./parse.ts";

Deno.test("parsePresence and parseHealth read the HMM sentences", () => {
  assert.equal(parsePresence("Swi2 is present."), true);
  assert.equal(parsePresence("Blade5 is not present."), false);
  assert.equal(parsePresence("whatever"), undefined);
  assert.deepEqual(parseHealth("blade1 has no problem.\n"), {
    ok: true,
    text: "blade1 has no problem.",
  });
  assert.equal(parseHealth("blade3: Major alarm: DIMM000").ok, false);
});

Deno.test("parseSmmVersion keeps fields and strips the chip prefix of the software version", () => {
  const text = [
    "SMM Version Information:",
    "Uboot    Version :(U54)3.03",
    "CPLD     Version :(U1082)108  161206",
    "PCB      Version :SMMA REV B",
    "Software Version :(U54)7.63",
    "IPMI Module Built:Aug 23 2021 15:10:44",
  ].join("\n");
  const v = parseSmmVersion(text);
  assert.equal(v.software, "7.63");
  assert.equal(v.fields["Uboot Version"], "(U54)3.03");
  assert.equal(v.fields["IPMI Module Built"], "Aug 23 2021 15:10:44");
});

Deno.test("parseSelPowerState takes the newest ACPI state line", () => {
  const sel = [
    "ID | Time | Sensor | Event",
    "12 | 2026-11-25 19:00:00 | ACPI State | S0/G0 state asserted",
    "11 | 2026-11-25 18:00:00 | ACPI State | S5/G2 state asserted",
  ].join("\n");
  assert.equal(parseSelPowerState(sel), "on");
  assert.equal(parseSelPowerState(sel.split("\n").filter((_, i) => i !== 1).join("\n")), "off");
  assert.equal(parseSelPowerState("no such lines"), "unknown");
});

Deno.test("parseBootDevice maps iBMC text to Redfish targets", () => {
  assert.equal(parseBootDevice("Boot device: No override"), "None");
  assert.equal(parseBootDevice("Boot device: PXE"), "Pxe");
  assert.equal(parseBootDevice("Boot device: CD/DVD"), "Cd");
});
