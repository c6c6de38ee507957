import assert from "node:assert/strict";
import { readSse, startWorld } from "./testing/world.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const HCL = `
resource "vessel_vlan" "web" {
  switch      = "swi3"
  vlan_id     = 610
  name        = "web"
  description = "planned over REST"
}
`;

Deno.test("plan routes", async (t) => {
  const w = await startWorld();
  const op = { token: w.tokens.operator };
  try {
    let planId = "";

    await t.step("POST /api/v1/plans plans HCL text against the chassis", async () => {
      const res = await w.request("POST", "/api/v1/plans", { ...op, body: { text: HCL } });
      const rec = await res.json();
      assert.equal(res.status, 201, JSON.stringify(rec));
      assert.equal(res.headers.get("location"), `/api/v1/plans/${rec.id}`);
      assert.equal(rec.status, "planned");
      assert.deepEqual(rec.summary, { add: 1, change: 0, destroy: 0 });
      assert.equal(rec.plan.steps[0].address, "vessel_vlan.web");
      assert.match(rec.rendered, /\+ .*vessel_vlan\.web|vessel_vlan\.web/);
      planId = rec.id;
    });

    await t.step(
      "POST /api/v1/plans/{id}/apply applies it as a job through the envelope",
      async () => {
        const res = await w.request("POST", `/api/v1/plans/${planId}/apply`, op);
        assert.equal(res.status, 202);
        const { links } = await res.json();
        const events = await readSse(await w.request("GET", links.events, op));
        const messages = events.map((e) => (e.data as Json).message);
        assert.ok(messages.some((m) => m.startsWith("vessel_vlan.web: start")), messages.join("|"));
        assert.ok(messages.some((m) => /intent record/.test(m)), messages.join("|"));
        assert.equal((events.at(-1)!.data as Json).data.status, "succeeded", messages.join("|"));
        const vlan = await w.chassis.switch("swi3").getVlan(610);
        assert.equal(vlan?.name, "web");
        const rec = await (await w.request("GET", `/api/v1/plans/${planId}`, op)).json();
        assert.equal(rec.status, "applied");
        const audit = await (await w.request("GET", "/api/v1/audit?op=vessel_vlan.create", op))
          .json();
        assert.deepEqual(audit.map((r: Json) => r.actor), [
          "t-operator (api token)",
          "t-operator (api token)",
        ]);
      },
    );

    await t.step("POST /api/v1/plans/{id}/apply refuses a plan twice", async () => {
      const res = await w.request("POST", `/api/v1/plans/${planId}/apply`, op);
      assert.equal(res.status, 409);
      assert.equal((await res.json()).code, "conflict");
    });

    await t.step("POST /api/v1/plans gives an empty plan after apply", async () => {
      const res = await w.request("POST", "/api/v1/plans", { ...op, body: { text: HCL } });
      const rec = await res.json();
      assert.equal(rec.changes, 0);
    });

    await t.step(
      "POST /api/v1/plans names file, line and field of a bad configuration",
      async () => {
        const yaml =
          "resource:\n  vessel_vlan:\n    bad:\n      switch: swi3\n      vlan_id: 9999\n";
        const res = await w.request("POST", "/api/v1/plans", {
          ...op,
          body: { text: yaml, filename: "lab.yaml" },
        });
        const p = await res.json();
        assert.equal(res.status, 422, JSON.stringify(p));
        assert.equal(p.code, "config");
        assert.equal(p.field, "vessel_vlan.bad.vlan_id");
        assert.match(p.detail, /lab\.yaml:5/);
      },
    );

    await t.step("POST /api/v1/plans evaluates variables and locals like vessel plan", async () => {
      const hcl = `
variable "api_plan_base" {
  default = 700
}
locals {
  prefix = "lab"
}
resource "vessel_vlan" "a" {
  switch  = "swi3"
  vlan_id = var.api_plan_base + 1
  name    = "\${local.prefix}-a"
}
`;
      const res = await w.request("POST", "/api/v1/plans", { ...op, body: { text: hcl } });
      const rec = await res.json();
      assert.equal(res.status, 201, JSON.stringify(rec));
      const step = rec.plan.steps.find((s: Json) => s.address === "vessel_vlan.a");
      assert.equal(step.after.vlan_id, 701);
      assert.equal(step.after.name, "lab-a");
      // Request variables override defaults; the server's environment is not read. (A name no
      // other test declares: parallel test files share the process environment.)
      Deno.env.set("VESSEL_VAR_api_plan_base", "900");
      try {
        const res2 = await w.request("POST", "/api/v1/plans", {
          ...op,
          body: { text: hcl, variables: { api_plan_base: "800" } },
        });
        const rec2 = await res2.json();
        assert.equal(
          rec2.plan.steps.find((s: Json) => s.address === "vessel_vlan.a").after.vlan_id,
          801,
        );
        const res3 = await w.request("POST", "/api/v1/plans", { ...op, body: { text: hcl } });
        const rec3 = await res3.json();
        assert.equal(
          rec3.plan.steps.find((s: Json) => s.address === "vessel_vlan.a").after.vlan_id,
          701,
        );
      } finally {
        Deno.env.delete("VESSEL_VAR_api_plan_base");
      }
    });

    await t.step("POST /api/v1/plans keeps temporary paths out of errors", async () => {
      const res = await w.request("POST", "/api/v1/plans", {
        ...op,
        body: { text: 'resource "vessel_vlan" "x" {\n  switch = \n}\n', filename: "bad.hcl" },
      });
      const p = await res.json();
      assert.equal(res.status, 422);
      assert.match(p.detail, /bad\.hcl:2/);
      assert.doesNotMatch(JSON.stringify(p), /vessel-api-plan-/);
    });

    await t.step("POST /api/v1/plans refuses a viewer", async () => {
      const res = await w.request("POST", "/api/v1/plans", {
        token: w.tokens.viewer,
        body: { text: HCL },
      });
      assert.equal(res.status, 403);
      await res.body?.cancel();
    });
  } finally {
    await w.close();
  }
});
