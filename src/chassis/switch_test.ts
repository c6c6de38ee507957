import assert from "node:assert/strict";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { VrpSession } from "../drivers/vrp/session.ts";
import { startFakeVrp } from "../drivers/vrp/testing/fake_vrp.ts";
import { SwitchClient, validateVlanSpec } from "./switch.ts";

Deno.test("validateVlanSpec refuses bad input with field and rule", async (t) => {
  const cases: [
    string,
    Parameters<typeof validateVlanSpec>[0],
    string,
    RegExp,
    ("delete" | undefined)?,
  ][] = [
    ["id 0", { id: 0 }, "id", /1 to 4094/],
    ["id 4095", { id: 4095 }, "id", /1 to 4094/],
    ["id 1.5", { id: 1.5 }, "id", /integer/],
    ["delete VLAN 1", { id: 1 }, "id", /default VLAN/, "delete"],
    ["newline in name", { id: 5, name: "a\nsave" }, "name", /newline/],
    ["CR in description", { id: 5, description: "a\rb" }, "description", /newline/],
    ["tab", { id: 5, description: "a\tb" }, "description", /control/],
    ["NUL", { id: 5, name: "a\x00" }, "name", /control/],
    ["question mark", { id: 5, description: "what?" }, "description", /'\?'/],
    ["name too long", { id: 5, name: "n".repeat(32) }, "name", /at most 31/],
    ["description too long", { id: 5, description: "d".repeat(81) }, "description", /at most 80/],
    ["space in name", { id: 5, name: "a b" }, "name", /spaces/],
    ["trailing space", { id: 5, description: "web " }, "description", /start or end with a space/],
    ["quotes", { id: 5, description: '"web"' }, "description", /double quote/],
    ["non-ASCII", { id: 5, description: "café" }, "description", /ASCII/],
  ];
  for (const [label, spec, field, rule, op] of cases) {
    await t.step(label, () => {
      assert.throws(() => validateVlanSpec(spec, { operation: op }), (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.field, field);
        assert.match(String(e.details?.rule), rule);
        return true;
      });
    });
  }
  await t.step("valid input passes", () => {
    validateVlanSpec({ id: 4094, name: "n".repeat(31), description: "d ".repeat(39) + "dd" });
    validateVlanSpec({ id: 1 }, { operation: "update" });
    validateVlanSpec({ id: 10, name: null, description: "" });
  });
});

for (const mode of ["immediate", "two-stage"] as const) {
  Deno.test(`SwitchClient creates, updates and deletes VLANs (${mode})`, async () => {
    const fake = await startFakeVrp({ mode });
    let opened = 0;
    const sw = new SwitchClient("swi2", (o) => {
      opened++;
      return VrpSession.connect({
        device: "swi2",
        host: "127.0.0.1",
        port: fake.port,
        username: "admin",
        password: "Admin@123",
        signal: o.signal,
      });
    }, { timeoutMs: 5000 });
    try {
      assert.equal(await sw.mode(), mode);
      const created = await sw.createVlan({ id: 100, name: "prod", description: "web tier" });
      assert.deepEqual(
        { id: created.id, name: created.name, description: created.description },
        { id: 100, name: "prod", description: "web tier" },
      );
      assert.equal(fake.vlans.get(100)?.name, "prod", "the device holds it");
      await assert.rejects(sw.createVlan({ id: 100 }), ConflictError);

      const upd = await sw.updateVlan(100, { description: "db tier", name: null });
      assert.equal(upd.description, "db tier");
      assert.equal(upd.name, undefined);
      assert.equal(fake.vlans.get(100)?.name, undefined);
      await assert.rejects(sw.updateVlan(200, { name: "x" }), NotFoundError);

      const list = await sw.listVlans();
      assert.deepEqual(list.map((v) => v.id), [1, 100]);
      assert.deepEqual(list[0].ports.map((p) => [p.interface, p.tagged, p.up]), [
        ["10GE2/1/1", false, true],
        ["10GE2/1/2", false, false],
        ["10GE2/1/3", false, true],
      ]);

      await sw.deleteVlan(100);
      assert.equal(fake.vlans.has(100), false);
      await assert.rejects(sw.deleteVlan(100), NotFoundError);
      await sw.deleteVlan(100, { missingOk: true });
      assert.equal(opened, 1, "one session reused across calls");
      assert.ok(!fake.received.includes("save"), "VLAN calls never save");
    } finally {
      await sw.dispose();
      await fake.close();
    }
  });
}

Deno.test("SwitchClient validates before any device I/O", async () => {
  let opened = 0;
  const sw = new SwitchClient("swi2", () => {
    opened++;
    throw new Error("must not connect");
  });
  await assert.rejects(sw.createVlan({ id: 5000 }), ValidationError);
  await assert.rejects(sw.createVlan({ id: 10, name: "x\nsave" }), ValidationError);
  await assert.rejects(sw.deleteVlan(1), ValidationError);
  await assert.rejects(sw.updateVlan(10, { description: "a?" }), ValidationError);
  assert.equal(opened, 0);
});

Deno.test("SwitchClient serialises concurrent writes on one switch", async () => {
  const fake = await startFakeVrp({ mode: "two-stage" });
  const sw = new SwitchClient("swi2", () =>
    VrpSession.connect({
      device: "swi2",
      host: "127.0.0.1",
      port: fake.port,
      username: "admin",
      password: "Admin@123",
    }));
  try {
    await Promise.all([10, 11, 12, 13].map((id) => sw.createVlan({ id, description: `v${id}` })));
    assert.deepEqual((await sw.listVlans()).map((v) => v.id), [1, 10, 11, 12, 13]);
    // each configure block is contiguous: system-view … return, never interleaved
    const r = fake.received.filter((c) => /^(system-view|return|vlan \d+)$/.test(c));
    for (let i = 0; i < r.length; i += 3) {
      assert.deepEqual([r[i], r[i + 2]], ["system-view", "return"]);
    }
  } finally {
    await sw.dispose();
    await fake.close();
  }
});

Deno.test("SwitchClient stops after the first refused login", async () => {
  const fake = await startFakeVrp({});
  const sw = new SwitchClient("swi2", (o) =>
    VrpSession.connect({
      device: "swi2",
      host: "127.0.0.1",
      port: fake.port,
      username: "admin",
      password: "wrong",
      signal: o.signal,
    }));
  try {
    const { AuthError } = await import("../errors.ts");
    await assert.rejects(sw.listVlans(), AuthError);
    const n = fake.authAttempts();
    await assert.rejects(sw.listVlans(), AuthError);
    await assert.rejects(sw.createVlan({ id: 10 }), AuthError);
    assert.equal(fake.authAttempts(), n, "no further login attempts");
  } finally {
    await sw.dispose();
    await fake.close();
  }
});

Deno.test("validateInterfaceName accepts VRP names and refuses injection", async () => {
  const { validateInterfaceName } = await import("./switch.ts");
  for (const ok of ["10GE2/17/1", "GigabitEthernet0/0/1", "Eth-Trunk1", "40GE1/0/0", "XGE0/0/3"]) {
    validateInterfaceName(ok);
  }
  for (
    const bad of [
      "",
      "10GE2/1/1 ",
      "GE 0/0/1",
      "x;reboot",
      "a?",
      "1/2/3",
      "a\nsave",
      "a".repeat(65),
    ]
  ) {
    assert.throws(() => validateInterfaceName(bad), ValidationError, JSON.stringify(bad));
  }
});
