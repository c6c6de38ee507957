import assert from "node:assert/strict";
import { readSse, startWorld, type World } from "./testing/world.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** State the examples share (ids made by earlier calls). */
interface Ctx {
  w: World;
  jobId: string;
  planId: string;
  tokenId: string;
  snapshotId: string;
}

/** One valid call per documented operation, in an order that makes each one meaningful. */
const EXAMPLES: {
  op: string;
  call: (x: Ctx) => Promise<Response>;
  expect: number;
  check?: (body: Json, x: Ctx) => void | Promise<void>;
}[] = [
  {
    op: "GET /api/v1/health",
    call: (x) => x.w.request("GET", "/api/v1/health"),
    expect: 200,
  },
  {
    op: "POST /api/v1/auth/login",
    call: (x) =>
      x.w.request("POST", "/api/v1/auth/login", {
        body: { username: "carol", password: "carol-password" },
      }),
    expect: 200,
    check: (b) => assert.equal(b.name, "carol"),
  },
  {
    op: "GET /api/v1/auth/whoami",
    call: (x) => x.w.request("GET", "/api/v1/auth/whoami", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(b.role, "viewer"),
  },
  {
    op: "GET /api/v1/chassis",
    call: (x) => x.w.request("GET", "/api/v1/chassis", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(b.switches.includes("swi2")),
  },
  {
    op: "GET /api/v1/blades",
    call: (x) => x.w.request("GET", "/api/v1/blades", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => {
      assert.deepEqual(b.map((s: Json) => s.slot), Array.from({ length: 16 }, (_, i) => i + 1));
      assert.ok(b[0].present && b[0].model, JSON.stringify(b[0]));
    },
  },
  {
    op: "GET /api/v1/blades/{slot}",
    call: (x) => x.w.request("GET", "/api/v1/blades/1", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(b.slot, 1),
  },
  {
    op: "GET /api/v1/blades/{slot}/boot",
    call: (x) => x.w.request("GET", "/api/v1/blades/1/boot", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(typeof b.device === "string"),
  },
  {
    op: "PATCH /api/v1/blades/{slot}",
    call: (x) =>
      x.w.request("PATCH", "/api/v1/blades/2", {
        token: x.w.tokens.operator,
        body: { boot_device: "pxe", boot_persistence: "once" },
      }),
    expect: 202,
    check: async (b, x) => {
      const ev = await readSse(
        await x.w.request("GET", b.links.events, { token: x.w.tokens.viewer }),
      );
      assert.equal((ev.at(-1)!.data as Json).data.status, "succeeded", JSON.stringify(ev));
      const boot = await (await x.w.request("GET", "/api/v1/blades/2/boot", {
        token: x.w.tokens.viewer,
      })).json();
      assert.equal(boot.device, "pxe");
      const audit = await (await x.w.request("GET", "/api/v1/audit?op=blade.update", {
        token: x.w.tokens.viewer,
      })).json();
      assert.deepEqual(audit.map((r: Json) => r.phase), ["intent", "outcome"]);
    },
  },
  {
    op: "GET /api/v1/profiles",
    call: async (x) => {
      // A profile made through a plan (the way changes to stateless computing go).
      const hcl = `resource "vessel_compute_profile" "web" {
  name      = "web"
  boot_mode = "UEFI"
}
`;
      const p = await (await x.w.request("POST", "/api/v1/plans", {
        token: x.w.tokens.operator,
        body: { text: hcl, targets: ["vessel_compute_profile.web"] },
      })).json();
      assert.equal(p.summary?.add, 1, JSON.stringify(p).slice(0, 600));
      const a = await (await x.w.request("POST", `/api/v1/plans/${p.id}/apply`, {
        token: x.w.tokens.operator,
      })).json();
      const ev = await readSse(
        await x.w.request("GET", a.links.events, { token: x.w.tokens.viewer }),
      );
      assert.equal((ev.at(-1)!.data as Json).data.status, "succeeded", JSON.stringify(ev));
      return x.w.request("GET", "/api/v1/profiles", { token: x.w.tokens.viewer });
    },
    expect: 200,
    check: (b) => assert.ok(b.some((p: Json) => p.name === "web")),
  },
  {
    op: "GET /api/v1/profiles/{name}",
    call: (x) => x.w.request("GET", "/api/v1/profiles/web", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(b.bootMode, "UEFI"),
  },
  {
    op: "GET /api/v1/profiles-assignments",
    call: (x) => x.w.request("GET", "/api/v1/profiles-assignments", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(Array.isArray(b)),
  },
  {
    op: "GET /api/v1/pools/mac",
    call: (x) => x.w.request("GET", "/api/v1/pools/mac", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.match(b.startMac, /^[0-9A-F:]{17}$/i),
  },
  {
    op: "GET /api/v1/pools/uuid",
    call: (x) => x.w.request("GET", "/api/v1/pools/uuid", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(typeof b.count, "number"),
  },
  {
    op: "GET /api/v1/inventory",
    call: (x) => x.w.request("GET", "/api/v1/inventory", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(b.chassis.model, "E9000"),
  },
  {
    op: "GET /api/v1/capabilities",
    call: (x) => x.w.request("GET", "/api/v1/capabilities", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(b.hmm.redfish.available, true),
  },
  {
    op: "GET /api/v1/alarms",
    call: (x) => x.w.request("GET", "/api/v1/alarms?perpage=10", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(Array.isArray(b.alarms) && typeof b.counts.sum === "number"),
  },
  {
    op: "GET /api/v1/alarms/summary",
    call: (x) => x.w.request("GET", "/api/v1/alarms/summary", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(typeof b.critical, "number"),
  },
  {
    op: "GET /api/v1/events/{component}",
    call: (x) => x.w.request("GET", "/api/v1/events/Slot1", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(b.component, "Slot1"),
  },
  {
    op: "GET /api/v1/firmware",
    call: (x) => x.w.request("GET", "/api/v1/firmware", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(b.some((f: Json) => f.component === "smm" && f.present)),
  },
  {
    op: "GET /api/v1/firmware/preflight",
    call: (x) => x.w.request("GET", "/api/v1/firmware/preflight", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(typeof b.ok, "boolean"),
  },
  {
    op: "GET /api/v1/blades/{slot}/network",
    call: (x) =>
      x.w.request("GET", "/api/v1/blades/1/network?ping=false", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => {
      assert.equal(b.blade, 1);
      assert.ok(
        b.ports.some((p: Json) => p.switch === "swi2" && p.port === "10GE2/1/1"),
        JSON.stringify(b),
      );
    },
  },
  {
    op: "GET /api/v1/switches",
    call: (x) => x.w.request("GET", "/api/v1/switches", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(b.some((s: Json) => s.name === "swi2")),
  },
  {
    op: "GET /api/v1/switches/{switch}/vlans",
    call: (x) => x.w.request("GET", "/api/v1/switches/swi2/vlans", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(b.some((v: Json) => v.id === 1)),
  },
  {
    op: "POST /api/v1/switches/{switch}/vlans",
    call: (x) =>
      x.w.request("POST", "/api/v1/switches/swi2/vlans", {
        token: x.w.tokens.operator,
        body: { vlan_id: 42, name: "answer" },
      }),
    expect: 202,
    check: async (b, x) => {
      x.jobId = b.job.id;
      await readSse(await x.w.request("GET", b.links.events, { token: x.w.tokens.viewer }));
    },
  },
  {
    op: "GET /api/v1/switches/{switch}/vlans/{vlan_id}",
    call: (x) => x.w.request("GET", "/api/v1/switches/swi2/vlans/42", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(b.name, "answer"),
  },
  {
    op: "PATCH /api/v1/switches/{switch}/vlans/{vlan_id}",
    call: (x) =>
      x.w.request("PATCH", "/api/v1/switches/swi2/vlans/42", {
        token: x.w.tokens.operator,
        body: { description: "life universe everything" },
      }),
    expect: 202,
    check: async (b, x) => {
      const ev = await readSse(
        await x.w.request("GET", b.links.events, { token: x.w.tokens.viewer }),
      );
      assert.equal((ev.at(-1)!.data as Json).data.status, "succeeded");
      assert.equal(
        (await x.w.chassis.switch("swi2").getVlan(42))?.description,
        "life universe everything",
      );
    },
  },
  {
    op: "DELETE /api/v1/switches/{switch}/vlans/{vlan_id}",
    call: (x) =>
      x.w.request("DELETE", "/api/v1/switches/swi2/vlans/42", { token: x.w.tokens.operator }),
    expect: 202,
    check: async (b, x) => {
      await readSse(await x.w.request("GET", b.links.events, { token: x.w.tokens.viewer }));
      assert.equal(await x.w.chassis.switch("swi2").getVlan(42), undefined);
    },
  },
  {
    op: "GET /api/v1/jobs",
    call: (x) => x.w.request("GET", "/api/v1/jobs?limit=10", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b, x) => {
      assert.ok(b.some((j: Json) => j.id === x.jobId));
      assert.ok(
        b.every((j: Json) => j.status === "succeeded"),
        JSON.stringify(b.map((j: Json) => j.status)),
      );
    },
  },
  {
    op: "GET /api/v1/jobs/{id}",
    call: (x) => x.w.request("GET", `/api/v1/jobs/${x.jobId}`, { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(b.status, "succeeded"),
  },
  {
    op: "GET /api/v1/jobs/{id}/events",
    call: (x) => x.w.request("GET", `/api/v1/jobs/${x.jobId}/events`, { token: x.w.tokens.viewer }),
    expect: 200,
  },
  {
    op: "POST /api/v1/plans",
    call: (x) =>
      x.w.request("POST", "/api/v1/plans", {
        token: x.w.tokens.operator,
        body: {
          format: "json",
          text: JSON.stringify({
            resource: { vessel_vlan: { db: { switch: "swi2", vlan_id: 43, name: "db" } } },
          }),
        },
      }),
    expect: 201,
    check: (b, x) => {
      x.planId = b.id;
      assert.equal(b.summary.add, 1);
    },
  },
  {
    op: "GET /api/v1/plans",
    call: (x) => x.w.request("GET", "/api/v1/plans", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b, x) => assert.equal(b[0].id, x.planId),
  },
  {
    op: "GET /api/v1/plans/{id}",
    call: (x) => x.w.request("GET", `/api/v1/plans/${x.planId}`, { token: x.w.tokens.viewer }),
    expect: 200,
  },
  {
    op: "POST /api/v1/plans/{id}/apply",
    call: (x) =>
      x.w.request("POST", `/api/v1/plans/${x.planId}/apply`, { token: x.w.tokens.operator }),
    expect: 202,
    check: async (b, x) => {
      await readSse(await x.w.request("GET", b.links.events, { token: x.w.tokens.viewer }));
      assert.equal((await x.w.chassis.switch("swi2").getVlan(43))?.name, "db");
    },
  },
  {
    op: "GET /api/v1/state",
    call: (x) => x.w.request("GET", "/api/v1/state", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) =>
      assert.deepEqual(b.map((e: Json) => [e.address, e.id]), [["vessel_vlan.db", "swi2/43"]]),
  },
  {
    op: "GET /api/v1/audit",
    call: (x) =>
      x.w.request("GET", "/api/v1/audit?target=switch:swi2", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(b.length >= 6),
  },
  {
    op: "GET /api/v1/audit/verify",
    call: (x) => x.w.request("GET", "/api/v1/audit/verify", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.equal(b.ok, true),
  },
  {
    op: "GET /api/v1/snapshots",
    call: (x) => x.w.request("GET", "/api/v1/snapshots", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(b.some((s: Json) => s.scopes.includes("switch:swi2"))),
  },
  {
    op: "GET /api/v1/switches/{switch}/ports",
    call: (x) => x.w.request("GET", "/api/v1/switches/swi2/ports", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(b.some((p: Json) => p.name === "10GE2/1/1"), JSON.stringify(b[0])),
  },
  {
    op: "POST /api/v1/switches/{switch}/ports",
    call: (x) =>
      x.w.request("POST", "/api/v1/switches/swi2/ports", {
        token: x.w.tokens.operator,
        body: { port: "10GE2/5/1", mode: "trunk", pvid: 1, allow: [43] },
      }),
    expect: 202,
    check: async (b, x) => {
      const ev = await readSse(
        await x.w.request("GET", b.links.events, { token: x.w.tokens.viewer }),
      );
      assert.equal((ev.at(-1)!.data as Json).data.status, "succeeded", JSON.stringify(ev));
      const cfg = await x.w.chassis.switch("swi2").display(
        "display current-configuration interface 10GE2/5/1",
      );
      assert.match(cfg, /port link-type trunk/);
      // The job dropped the cached port list of swi2.
      const ports = await (await x.w.request("GET", "/api/v1/switches/swi2/ports", {
        token: x.w.tokens.viewer,
      })).json();
      assert.equal(ports.find((p: Json) => p.name === "10GE2/5/1").mode, "trunk");
    },
  },
  {
    op: "POST /api/v1/switches/{switch}/lags",
    call: (x) =>
      x.w.request("POST", "/api/v1/switches/swi2/lags", {
        token: x.w.tokens.operator,
        body: { id: 5, members: ["10GE2/6/1", "10GE2/7/1"], lacp: true },
      }),
    expect: 202,
    check: async (b, x) => {
      const ev = await readSse(
        await x.w.request("GET", b.links.events, { token: x.w.tokens.viewer }),
      );
      assert.equal((ev.at(-1)!.data as Json).data.status, "succeeded", JSON.stringify(ev));
    },
  },
  {
    op: "GET /api/v1/switches/{switch}/lags",
    call: (x) => x.w.request("GET", "/api/v1/switches/swi2/lags", { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => {
      const lag = b.find((l: Json) => l.id === 5);
      assert.deepEqual(lag.members.sort(), ["10GE2/6/1", "10GE2/7/1"]);
      assert.equal(lag.lacp, true);
    },
  },
  {
    op: "DELETE /api/v1/switches/{switch}/lags/{lag_id}",
    call: (x) =>
      x.w.request("DELETE", "/api/v1/switches/swi2/lags/5", { token: x.w.tokens.operator }),
    expect: 202,
    check: async (b, x) => {
      const ev = await readSse(
        await x.w.request("GET", b.links.events, { token: x.w.tokens.viewer }),
      );
      assert.equal((ev.at(-1)!.data as Json).data.status, "succeeded", JSON.stringify(ev));
      const lags = await (await x.w.request("GET", "/api/v1/switches/swi2/lags", {
        token: x.w.tokens.viewer,
      })).json();
      assert.ok(!lags.some((l: Json) => l.id === 5));
    },
  },
  {
    op: "POST /api/v1/snapshots",
    call: (x) =>
      x.w.request("POST", "/api/v1/snapshots", {
        token: x.w.tokens.operator,
        body: { scopes: ["swi2"], reason: "before the lab" },
      }),
    expect: 202,
    check: async (b, x) => {
      const ev = await readSse(
        await x.w.request("GET", b.links.events, { token: x.w.tokens.viewer }),
      );
      assert.equal((ev.at(-1)!.data as Json).data.status, "succeeded");
      const job = await (await x.w.request("GET", b.links.self, { token: x.w.tokens.viewer }))
        .json();
      x.snapshotId = job.result.id;
      assert.deepEqual(job.result.scopes, ["switch:swi2"]);
    },
  },
  {
    op: "GET /api/v1/snapshots/{id}",
    call: (x) =>
      x.w.request("GET", `/api/v1/snapshots/${x.snapshotId}`, { token: x.w.tokens.viewer }),
    expect: 200,
    check: (b) => assert.ok(b.files.some((f: Json) => f.scope === "switch:swi2")),
  },
  {
    op: "GET /api/v1/snapshots/{id}/verify",
    call: (x) =>
      x.w.request("GET", `/api/v1/snapshots/${x.snapshotId}/verify`, {
        token: x.w.tokens.viewer,
      }),
    expect: 200,
    check: (b) => assert.equal(b.ok, true),
  },
  {
    op: "POST /api/v1/snapshots/{id}/restore-preview",
    call: async (x) => {
      // Change the switch after the snapshot (through the API), then preview.
      const r = await x.w.request("POST", "/api/v1/switches/swi2/vlans", {
        token: x.w.tokens.operator,
        body: { vlan_id: 44, name: "after-snapshot" },
      });
      const { links } = await r.json();
      await readSse(await x.w.request("GET", links.events, { token: x.w.tokens.viewer }));
      return x.w.request("POST", `/api/v1/snapshots/${x.snapshotId}/restore-preview`, {
        token: x.w.tokens.operator,
        body: {},
      });
    },
    expect: 200,
    check: (b) => {
      const sw = b.scopes.find((s: Json) => s.scope === "switch:swi2");
      assert.ok(sw.diff.some((l: string) => /44/.test(l)), JSON.stringify(sw.diff));
    },
  },
  {
    op: "GET /api/v1/snapshots/{id}/diff/{other}",
    call: (x) =>
      x.w.request("GET", `/api/v1/snapshots/${x.snapshotId}/diff/live?scopes=swi2`, {
        token: x.w.tokens.viewer,
      }),
    expect: 200,
    check: (b) => {
      assert.deepEqual(Object.keys(b.scopes), ["switch:swi2"]);
      assert.ok(b.scopes["switch:swi2"].some((l: string) => /44/.test(l)), JSON.stringify(b));
    },
  },
  {
    op: "POST /api/v1/snapshots/{id}/restore",
    call: (x) =>
      x.w.request("POST", `/api/v1/snapshots/${x.snapshotId}/restore`, {
        token: x.w.tokens.operator,
        body: { confirm: x.snapshotId },
      }),
    expect: 202,
    check: async (b, x) => {
      const ev = await readSse(
        await x.w.request("GET", b.links.events, { token: x.w.tokens.viewer }),
      );
      assert.equal((ev.at(-1)!.data as Json).data.status, "succeeded", JSON.stringify(ev));
      assert.equal(await x.w.chassis.switch("swi2").getVlan(44), undefined);
    },
  },
  {
    op: "POST /api/v1/tokens",
    call: (x) =>
      x.w.request("POST", "/api/v1/tokens", {
        token: x.w.tokens.admin,
        body: { name: "ansible", role: "operator", expires_in_days: 30 },
      }),
    expect: 201,
    check: (b, x) => {
      x.tokenId = b.info.id;
      assert.match(b.token, /^vsl_/);
    },
  },
  {
    op: "GET /api/v1/tokens",
    call: (x) => x.w.request("GET", "/api/v1/tokens", { token: x.w.tokens.admin }),
    expect: 200,
    check: (b, x) => assert.ok(b.some((t: Json) => t.id === x.tokenId)),
  },
  {
    op: "DELETE /api/v1/tokens/{id}",
    call: (x) => x.w.request("DELETE", `/api/v1/tokens/${x.tokenId}`, { token: x.w.tokens.admin }),
    expect: 204,
  },
  {
    op: "POST /api/v1/users",
    call: (x) =>
      x.w.request("POST", "/api/v1/users", {
        token: x.w.tokens.admin,
        body: { username: "dave", password: "dave-password", role: "viewer" },
      }),
    expect: 201,
  },
  {
    op: "GET /api/v1/users",
    call: (x) => x.w.request("GET", "/api/v1/users", { token: x.w.tokens.admin }),
    expect: 200,
    check: (b) => assert.deepEqual(b.map((u: Json) => u.username), ["carol", "dave"]),
  },
  {
    op: "DELETE /api/v1/users/{username}",
    call: (x) => x.w.request("DELETE", "/api/v1/users/dave", { token: x.w.tokens.admin }),
    expect: 204,
  },
  {
    op: "POST /api/v1/auth/logout",
    call: (x) => x.w.request("POST", "/api/v1/auth/logout", { token: x.w.tokens.viewer }),
    expect: 204,
  },
];

Deno.test("every documented route answers a valid call with success", async (t) => {
  const w = await startWorld({}, { hmm: true });
  try {
    await w.api.deps.auth.setUser("carol", "carol-password", "viewer");
    const doc = w.api.document() as Json;
    const documented: string[] = [];
    for (const [p, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const m of ["get", "post", "put", "patch", "delete"]) {
        if (item[m]) documented.push(`${m.toUpperCase()} ${p}`);
      }
    }
    assert.deepEqual(
      [...EXAMPLES.map((e) => e.op)].sort(),
      documented.sort(),
      "every documented route needs an example here (and nothing undocumented is tested)",
    );
    const x: Ctx = { w, jobId: "", planId: "", tokenId: "", snapshotId: "" };
    const answers: string[] = [];
    for (const e of EXAMPLES) {
      await t.step(e.op, async () => {
        const res = await e.call(x);
        const text = await res.text();
        assert.equal(res.status, e.expect, `${e.op}: ${text.slice(0, 300)}`);
        const [method, path] = e.op.split(" ");
        const responses = doc.paths[path][method.toLowerCase()].responses;
        assert.ok(responses[String(res.status)], `${e.op}: ${res.status} is not documented`);
        const type = res.headers.get("content-type") ?? "";
        if (type.startsWith("application/json")) await e.check?.(JSON.parse(text), x);
        else await e.check?.(text, x);
        answers.push(text);
      });
    }

    await t.step("no answer carries the chassis password", async () => {
      const password = (w.sim.endpoints as { credentials: { password: string } }).credentials
        .password;
      // Stored jobs (parameters, events, results) and the audit log, too.
      for (const path of ["/api/v1/jobs?limit=1000", "/api/v1/audit?limit=1000"]) {
        answers.push(await (await w.request("GET", path, { token: w.tokens.admin })).text());
      }
      for (const j of w.api.deps.jobs.list({ limit: 1000 })) {
        answers.push(JSON.stringify(w.api.deps.jobs.events(j.id)));
      }
      const leaks = answers.filter((a) => a.includes(password));
      assert.equal(leaks.length, 0, leaks.map((l) => l.slice(0, 200)).join("\n"));
    });
  } finally {
    await w.close();
  }
});
