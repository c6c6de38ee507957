/**
 * CLI injection: hostile VLAN names, descriptions, port names and VLAN lists are refused before
 * any device I/O, and the simulated switch's command log shows no extra command; valid text that
 * merely *looks* like a command stays one argument on one line.
 */
import assert from "node:assert/strict";
import { ValidationError } from "../../errors.ts";
import { vlanAdd, vlanRemove } from "./vlan.ts";
import { lagCreate, portSet } from "./port.ts";
import { assertSafeLine, cliText, portName, vlanList } from "./cli_text.ts";
import { startNetLab } from "./testing/harness.ts";

const HOSTILE = [
  "a\nsave",
  "a\rundo vlan 4094",
  "a\r\nquit",
  "x\x1a",
  "x\x03",
  "tab\tcomplete",
  "esc\x1b[2J",
  "what?",
  "a|include x",
  "nul\x00",
  "del\x7f",
  " leading",
  "trailing ",
  '"quoted"',
  "ünïcode",
];

Deno.test("cliText refuses every hostile value and names the field", () => {
  for (const v of HOSTILE) {
    assert.throws(
      () => cliText("description", v, { max: 80, spaces: true }),
      (e: unknown) => e instanceof ValidationError && /description/.test((e as Error).message),
      JSON.stringify(v),
    );
  }
  assert.equal(
    cliText("description", "web tier: quit; undo vlan 1", { max: 80, spaces: true }),
    "web tier: quit; undo vlan 1",
  );
  assert.throws(() => cliText("name", "two words", { max: 31, spaces: false }), /spaces/);
  assert.throws(() => cliText("name", "x".repeat(32), { max: 31, spaces: false }), /31/);
});

Deno.test("portName, vlanList and assertSafeLine refuse what could become another command", () => {
  for (
    const p of [
      "10GE2/1/1\nshutdown",
      "10GE2/1/1 ; quit",
      "GE 0/0/1",
      "10GE2/1/1?",
      "Eth-Trunk999",
      "",
    ]
  ) {
    assert.throws(() => portName(p), ValidationError, JSON.stringify(p));
  }
  assert.equal(portName("10GE2/17/1"), "10GE2/17/1");
  assert.equal(portName("eth-trunk7"), "Eth-Trunk7");
  for (const l of ["10\nsave", "10,abc", "5-1", "0", "4095", "10;20"]) {
    assert.throws(() => vlanList(l), ValidationError, JSON.stringify(l));
  }
  assert.deepEqual(vlanList("10,20,30-32 40 to 41"), [10, 20, 30, 31, 32, 40, 41]);
  for (const l of ["vlan 10\nsave", "quit\x1a", "display vlan ?", " system-view"]) {
    assert.throws(() => assertSafeLine(l), ValidationError, JSON.stringify(l));
  }
  assert.equal(assertSafeLine("display vlan | include 10"), "display vlan | include 10");
  assert.throws(() => assertSafeLine("description a | b"), ValidationError);
});

Deno.test("hostile input reaches no switch: the simulated command log gains no line", async () => {
  const lab = await startNetLab("two-stage");
  try {
    const dev = lab.sim.switch("swi2");
    // A first, valid change opens nothing more than needed; then we count.
    const before = dev.commandLog.length;
    const net = lab.net();
    for (const v of HOSTILE) {
      await assert.rejects(() => vlanAdd(net, "swi2", { id: 700, name: v }), ValidationError);
      await assert.rejects(
        () => vlanAdd(net, "swi2", { id: 700, description: v }),
        ValidationError,
      );
      await assert.rejects(
        () => portSet(net, "swi2", { port: "10GE2/5/1", mode: "trunk", description: v }),
        ValidationError,
      );
    }
    await assert.rejects(() => vlanAdd(net, "swi2", { id: 4095 }), ValidationError);
    await assert.rejects(() => vlanRemove(net, "swi2", { id: 1 }), ValidationError);
    await assert.rejects(
      () => portSet(net, "swi2", { port: "10GE2/5/1\nshutdown", mode: "access" }),
      ValidationError,
    );
    await assert.rejects(
      () =>
        portSet(net, "swi2", {
          port: "10GE2/5/1",
          mode: "trunk",
          allow: "10\nsave" as unknown as number[],
        }),
      ValidationError,
    );
    await assert.rejects(
      () => lagCreate(net, "swi2", { id: 3, members: ["10GE2/17/2; undo vlan 4094"] }),
      ValidationError,
    );
    assert.equal(dev.commandLog.length, before, "no command reached the switch");
    assert.equal(lab.audit.list().length, 0, "nothing was audited: nothing was attempted");

    // Text that looks like commands stays a single argument on a single line.
    const sneaky = "quit; undo vlan 4094 ; save";
    const r = await vlanAdd(net, "swi2", { id: 701, description: sneaky });
    assert.equal(r.result, "created");
    const sent = dev.commandLog.slice(before).map((e) => e.line);
    assert.ok(sent.includes(`description ${sneaky}`), sent.join("\n"));
    assert.ok(!sent.includes("save"), "no save was sent");
    assert.ok(!sent.some((l) => /^undo vlan 4094/.test(l)), "no undo vlan 4094 was sent");
    assert.ok(dev.vlans().some((v) => v.id === 4094), "management VLAN intact");
    assert.equal(dev.vlans().find((v) => v.id === 701)?.description, sneaky);
    for (const l of sent) {
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(l, /[\x00-\x1f\x7f]/, `control character in ${JSON.stringify(l)}`);
    }
  } finally {
    await lab.close();
  }
});
