import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import FakeTimers from "@sinonjs/fake-timers";
import { z } from "zod";
import { AuthError, ConflictError, NotFoundError, TimeoutError } from "../../errors.ts";
import { MemoryRecorder } from "../record/recorder.ts";
import { pollTask, RedfishClient } from "./client.ts";
import { parseRedfishErrorBody, RedfishError } from "./errors.ts";

const td = new URL("../../../testdata/", import.meta.url);
const read = (p: string) => Deno.readTextFileSync(new URL(p, td));
const CA = read("trust/ca.pem");

/** A small Redfish service: sessions, one resource with ETag, errors, flaky and slow routes. */
function startService() {
  const sessions = new Map<string, string>(); // token -> id
  let nextId = 1;
  const stats = {
    logins: 0,
    failedLogins: 0,
    logouts: 0,
    maxConcurrent: 0,
    inflight: 0,
    flaky: 0,
    requests: 0,
  };
  let etag = 'W/"1"';
  let asset = "none";
  let taskPolls = 0;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
  const srv = Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    cert: read("trust/leaf.pem"),
    key: read("trust/leaf.key"),
    onListen() {},
  }, async (req) => {
    stats.requests++;
    const u = new URL(req.url);
    const p = u.pathname;
    if (p === "/redfish/v1/SessionService/Sessions" && req.method === "POST") {
      const b = await req.json();
      if (b.UserName !== "root" || b.Password !== "secret") {
        stats.failedLogins++;
        return json(401, {
          error: {
            code: "Base.1.0.GeneralError",
            "@Message.ExtendedInfo": [{ MessageId: "Base.1.0.NoValidSession", Message: "bad" }],
          },
        });
      }
      stats.logins++;
      const id = String(nextId++);
      const token = crypto.randomUUID();
      sessions.set(token, id);
      return json(201, { "@odata.id": `/redfish/v1/SessionService/Sessions/${id}`, Id: id }, {
        "x-auth-token": token,
        location: `/redfish/v1/SessionService/Sessions/${id}`,
      });
    }
    const token = req.headers.get("x-auth-token") ?? "";
    if (!sessions.has(token)) return json(401, { error: { code: "Base.1.0.NoValidSession" } });
    if (p.startsWith("/redfish/v1/SessionService/Sessions/") && req.method === "DELETE") {
      stats.logouts++;
      sessions.delete(token);
      return new Response(null, { status: 204 });
    }
    stats.inflight++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, sessions.size);
    try {
      if (p === "/redfish/v1/Chassis/1") {
        if (req.method === "GET") return json(200, { Id: "1", AssetTag: asset }, { etag });
        if (req.method === "PATCH") {
          if (req.headers.get("if-match") !== etag) {
            return json(412, {
              error: {
                code: "Base.1.0.PreconditionFailed",
                message: "ETag mismatch",
              },
            });
          }
          asset = (await req.json()).AssetTag;
          etag = `W/"${Number(etag.slice(3, -1)) + 1}"`;
          return new Response(null, { status: 204 });
        }
      }
      if (p === "/redfish/v1/Systems/1/Volumes") {
        return new Response(read("redfish_driver/ibmc_error_400_create_volume.json"), {
          status: 400,
        });
      }
      if (p === "/redfish/v1/flaky") {
        stats.flaky++;
        if (stats.flaky % 3 !== 0) {
          return json(503, { error: { code: "Base.1.0.ServiceTemporarilyUnavailable" } });
        }
        return json(200, { ok: true });
      }
      if (p === "/redfish/v1/bad-request") {
        return json(400, { error: { code: "Base.1.0.PropertyUnknown" } });
      }
      if (p === "/redfish/v1/slow") {
        await new Promise((r) => setTimeout(r, 400));
        return json(200, {});
      }
      if (p === "/redfish/v1/kick") {
        // someone cleaned our session (orphan cleanup): the next call must log in again
        sessions.clear();
        return json(200, {});
      }
      if (p === "/redfish/v1/hold") {
        await new Promise((r) => setTimeout(r, 30));
        return json(200, { held: true });
      }
      if (p === "/redfish/v1/TaskService/Tasks/7") {
        taskPolls++;
        if (taskPolls < 3) {
          return json(202, { TaskState: "Running", PercentComplete: taskPolls * 30 }, {
            location: p,
          });
        }
        return json(200, JSON.parse(read("redfish_driver/dmtf_task_545.json")));
      }
      return json(404, { error: { code: "Base.1.0.ResourceMissingAtURI" } });
    } finally {
      stats.inflight--;
    }
  });
  return { srv, stats, sessions, base: `https://127.0.0.1:${srv.addr.port}/redfish/v1` };
}

const svc = startService();
const connect = (extra: Partial<Parameters<typeof RedfishClient.connect>[0]> = {}) =>
  RedfishClient.connect({
    device: "hmm",
    baseUrl: svc.base,
    username: "root",
    password: "secret",
    tls: { ca: CA },
    retry: { baseMs: 1, maxMs: 5 },
    ...extra,
  });

Deno.test("RedfishClient logs in, reads with ETag, PATCHes with If-Match and logs out", async () => {
  const rec = new MemoryRecorder();
  const rf = await connect({ recorder: rec });
  const before = svc.stats.logouts;
  try {
    const r = await rf.get("/redfish/v1/Chassis/1", {
      schema: z.object({ Id: z.string(), AssetTag: z.string() }),
    });
    assert.equal(r.data.Id, "1");
    assert.ok(r.etag);
    await rf.patch("/redfish/v1/Chassis/1", { AssetTag: "rack-7" }, { etag: r.etag });
    assert.equal((await rf.get<{ AssetTag: string }>("Chassis/1")).data.AssetTag, "rack-7");
    await assert.rejects(
      rf.patch("/redfish/v1/Chassis/1", { AssetTag: "x" }, { etag: r.etag }),
      ConflictError,
    );
    await assert.rejects(rf.get("/redfish/v1/nothing"), NotFoundError);
  } finally {
    await rf.close();
  }
  assert.equal(svc.stats.logouts, before + 1);
  assert.equal(rf.sessionCount, 0);
  const text = JSON.stringify(rec.exchanges);
  assert.ok(!text.includes("secret"), "password redacted");
  assert.ok(
    rec.exchanges.some((x) => x.kind === "http" && x.request.headers["x-auth-token"] === "***"),
  );
});

Deno.test("RedfishClient turns error bodies into RedfishError with the specific MessageId", async () => {
  const rf = await connect();
  try {
    await assert.rejects(rf.post("/redfish/v1/Systems/1/Volumes", {}), (e: unknown) => {
      assert.ok(e instanceof RedfishError);
      assert.equal(e.status, 400);
      assert.equal(e.messageId, "iBMC.1.0.UnnecessaryPropWhenCreateVol");
      assert.equal(e.extendedInfo.length, 1);
      assert.match(e.url, /Volumes$/);
      return true;
    });
  } finally {
    await rf.close();
  }
  const sushy = parseRedfishErrorBody(read("redfish_driver/sushy_error.json"));
  assert.equal(sushy.messageId, "Base.1.0.PropertyValueNotInList");
  assert.equal(sushy.extendedInfo.length, 3);
  const ok = parseRedfishErrorBody(read("redfish_driver/ibmc_reset_response.json"));
  assert.equal(ok.messageId, "Base.1.0.GeneralError", "a Success entry is not the error's id");
});

Deno.test("RedfishClient stops after the first refused login", async () => {
  const before = svc.stats.failedLogins;
  await assert.rejects(connect({ password: "wrong" }), AuthError);
  assert.equal(svc.stats.failedLogins, before + 1);
  const rf = await connect({ password: "wrong", eagerLogin: false });
  await assert.rejects(rf.get("Chassis/1"), AuthError);
  await assert.rejects(rf.get("Chassis/1"), AuthError);
  await rf.close();
  assert.equal(svc.stats.failedLogins, before + 2, "one login attempt per client, never a spiral");
});

Deno.test("RedfishClient retries 503 but not 400", async () => {
  const rf = await connect();
  try {
    const n = svc.stats.flaky;
    assert.deepEqual((await rf.get("flaky")).data, { ok: true });
    assert.equal(svc.stats.flaky - n, 3);
    const m = svc.stats.requests;
    await assert.rejects(rf.get("bad-request"), RedfishError);
    assert.equal(svc.stats.requests - m, 1);
  } finally {
    await rf.close();
  }
});

Deno.test("RedfishClient caps sessions per device and logs in again after expiry", async () => {
  const rf = await connect({ maxSessions: 2 });
  try {
    const logins = svc.stats.logins;
    const rs = await Promise.all(
      Array.from({ length: 8 }, () => rf.get<{ held: boolean }>("hold")),
    );
    assert.ok(rs.every((r) => r.data.held));
    assert.ok(rf.sessionCount <= 2);
    assert.ok(svc.stats.logins - logins <= 1, "at most one more session than the eager one");
    await rf.get("kick");
    assert.equal((await rf.get<{ Id: string }>("Chassis/1")).data.Id, "1");
  } finally {
    await rf.close();
  }
  assert.equal(svc.sessions.size, 0, "every session logged out");
});

Deno.test("RedfishClient times out a slow request with TimeoutError", async () => {
  const rf = await connect({ timeoutMs: 100 });
  try {
    await assert.rejects(rf.get("slow", { attempts: 1 }), TimeoutError);
  } finally {
    await rf.close();
  }
});

Deno.test("RedfishClient.waitTask polls a task monitor to completion", async () => {
  const rf = await connect();
  try {
    const seen: string[] = [];
    const t = await rf.waitTask("/redfish/v1/TaskService/Tasks/7", {
      intervalMs: 1,
      onProgress: (s) => seen.push(s.state),
    });
    assert.equal(t.state, "Completed");
    assert.deepEqual(seen, ["Running", "Running", "Completed"]);
    assert.equal(t.messages[0].MessageId, "Base.1.0.PropertyNotWritable");
  } finally {
    await rf.close();
  }
});

Deno.test("RedfishClient retries a reset connection", async () => {
  let n = 0;
  const server = http.createServer((req, res) => {
    n++;
    if (req.url?.endsWith("/Sessions")) {
      res.writeHead(201, {
        "x-auth-token": "t",
        location: "/redfish/v1/SessionService/Sessions/1",
      });
      return res.end("{}");
    }
    if (n === 2) return req.socket.destroy();
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":1}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const rf = await RedfishClient.connect({
    device: "ibmc1",
    baseUrl: `http://127.0.0.1:${port}/redfish/v1`,
    username: "root",
    password: "x",
    tls: {},
    retry: { baseMs: 1 },
  });
  try {
    assert.deepEqual((await rf.get("Systems/1")).data, { ok: 1 });
  } finally {
    await rf.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

Deno.test("pollTask on fake time: object Messages, Exception, and the deadline", async () => {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    let polls = 0;
    const failing = pollTask(() => {
      polls++;
      return Promise.resolve(
        polls < 3 ? { status: 202, data: { TaskState: "Running" } } : {
          status: 200,
          data: {
            TaskState: "Exception",
            Messages: { MessageId: "iBMC.1.0.UpgradeFailed", Message: "Image checksum mismatch" },
          },
        },
      );
    }, { intervalMs: 15000 });
    const a = assert.rejects(
      failing,
      (e: unknown) =>
        e instanceof RedfishError && e.messageId === "iBMC.1.0.UpgradeFailed" &&
        /checksum/.test(e.message),
    );
    await clock.runAllAsync();
    await a;
    assert.equal(clock.now, 30000);

    const start = clock.now;
    const stuck = pollTask(
      () => Promise.resolve({ status: 202, data: { TaskState: "Running", PercentComplete: 40 } }),
      {
        intervalMs: 1000,
        deadlineMs: 5000,
      },
    );
    const b = assert.rejects(
      stuck,
      (e: unknown) => e instanceof TimeoutError && /40%/.test(e.message),
    );
    await clock.runAllAsync();
    await b;
    assert.ok(clock.now - start <= 5000);
  } finally {
    clock.uninstall();
  }
});

Deno.test("RedfishClient suite teardown", async () => {
  await svc.srv.shutdown();
});
