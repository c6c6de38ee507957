import assert from "node:assert/strict";
import { messageId, rf, rfLogin, startTestChassis } from "./test_util.ts";

const USER = "root";
const PASS = "Huawei12#$";

Deno.test("createHmmRedfishApp", async (t) => {
  const c = await startTestChassis({ redfish: { sessionCap: 3 } });
  const f = c.hmm.hmmFetch;
  try {
    await t.step("service root is Redfish 1.0.2 and readable without a session", async () => {
      const r = await rf(f, "GET", "/redfish/v1/");
      assert.equal(r.status, 200);
      assert.equal(r.json.RedfishVersion, "1.0.2");
      for (
        const k of [
          "Systems",
          "Chassis",
          "Managers",
          "AccountService",
          "UpdateService",
          "EventService",
          "Tasks",
          "SessionService",
          "Registries",
        ]
      ) {
        assert.ok(r.json[k], k);
      }
      assert.equal((await rf(f, "GET", "/redfish/v1/Chassis")).status, 401);
    });

    const { token, location } = await rfLogin(f, USER, PASS);

    await t.step("session login returns X-Auth-Token and Location; DELETE logs out", async () => {
      const s = await rfLogin(f, USER, PASS);
      assert.match(s.location, /^\/redfish\/v1\/SessionService\/Sessions\/\w+$/);
      const me = await rf(f, "GET", s.location, { token: s.token });
      assert.equal(me.json.UserName, USER);
      const list = await rf(f, "GET", "/redfish/v1/SessionService/Sessions", { token: s.token });
      assert.equal(list.json["Members@odata.count"], 2);
      assert.equal((await rf(f, "DELETE", s.location, { token: s.token })).status, 200);
      const after = await rf(f, "GET", "/redfish/v1/Chassis", { token: s.token });
      assert.equal(after.status, 401);
      assert.equal(messageId(after.json), "Base.1.0.NoValidSession");
    });

    await t.step(
      "a bad password is 401 and the session cap answers SessionLimitExceeded",
      async () => {
        const bad = await rf(f, "POST", "/redfish/v1/SessionService/Sessions", {
          body: { UserName: USER, Password: "nope" },
        });
        assert.equal(bad.status, 401);
        const extra = [await rfLogin(f, USER, PASS), await rfLogin(f, USER, PASS)];
        const over = await rf(f, "POST", "/redfish/v1/SessionService/Sessions", {
          body: { UserName: USER, Password: PASS },
        });
        assert.equal(over.status, 503);
        assert.equal(messageId(over.json), "Base.1.0.SessionLimitExceeded");
        for (const s of extra) await rf(f, "DELETE", s.location, { token: s.token });
      },
    );

    await t.step("Chassis lists 1, Blade1..24, Swi1..4, HMM1/2 with Absent slots", async () => {
      const r = await rf(f, "GET", "/redfish/v1/Chassis", { token });
      const ids = (r.json.Members as { "@odata.id": string }[]).map((m) =>
        m["@odata.id"].split("/").pop()
      );
      assert.equal(ids.length, 31);
      assert.deepEqual(ids.slice(0, 2), ["1", "Blade1"]);
      assert.ok(ids.includes("Blade24") && ids.includes("Swi4") && ids.includes("HMM2"));
      const enc = await rf(f, "GET", "/redfish/v1/Chassis/1", { token });
      assert.equal(enc.json.Model, "E9000");
      const b13 = await rf(f, "GET", "/redfish/v1/Chassis/Blade13", { token });
      assert.equal(b13.json.Model, "CH222");
      assert.deepEqual(b13.json.Status, { State: "Enabled", Health: "OK" });
      const b5 = await rf(f, "GET", "/redfish/v1/Chassis/Blade5", { token });
      assert.deepEqual(b5.json.Status, { State: "Absent" });
      const b20 = await rf(f, "GET", "/redfish/v1/Chassis/Blade20", { token });
      assert.deepEqual(b20.json.Status, { State: "Absent" });
      assert.equal((await rf(f, "GET", "/redfish/v1/Chassis/Swi2", { token })).json.Model, "CX310");
      assert.deepEqual((await rf(f, "GET", "/redfish/v1/Chassis/Swi1", { token })).json.Status, {
        State: "Absent",
      });
      assert.equal((await rf(f, "GET", "/redfish/v1/Chassis/Blade25", { token })).status, 404);
    });

    await t.step("Chassis/BladeN PowerState follows the blade's shared state", async () => {
      c.hmm.blades.get(2)!.reset("ForceOff");
      assert.equal(
        (await rf(f, "GET", "/redfish/v1/Chassis/Blade2", { token })).json.PowerState,
        "Off",
      );
      c.hmm.blades.get(2)!.reset("On");
      assert.equal(
        (await rf(f, "GET", "/redfish/v1/Chassis/Blade2", { token })).json.PowerState,
        "On",
      );
    });

    await t.step("Systems is empty; Systems/Blade1 and Chassis/Blade1/Power are 403", async () => {
      const sys = await rf(f, "GET", "/redfish/v1/Systems", { token });
      assert.equal(sys.json["Members@odata.count"], 0);
      for (
        const p of [
          "/redfish/v1/Systems/Blade1",
          "/redfish/v1/Chassis/Blade1/Power",
          "/redfish/v1/Chassis/Blade1/Thermal",
        ]
      ) {
        const r = await rf(f, "GET", p, { token });
        assert.equal(r.status, 403, p);
        assert.equal(messageId(r.json), "Base.1.0.InsufficientPrivilege");
      }
    });

    await t.step("Managers/HMM1 has its sub-collections and StaticEth0 address", async () => {
      const m = await rf(f, "GET", "/redfish/v1/Managers/HMM1", { token });
      for (
        const k of ["EthernetInterfaces", "SerialInterfaces", "NetworkProtocol", "LogServices"]
      ) {
        const sub = await rf(f, "GET", (m.json[k] as { "@odata.id": string })["@odata.id"], {
          token,
        });
        assert.equal(sub.status, 200, k);
      }
      const eth = await rf(f, "GET", "/redfish/v1/Managers/HMM1/EthernetInterfaces/StaticEth0", {
        token,
      });
      assert.equal((eth.json.IPv4Addresses as { Address: string }[])[0].Address, "192.168.1.31");
    });

    await t.step("AccountService has only Accounts/2; Accounts/1 is 404", async () => {
      const list = await rf(f, "GET", "/redfish/v1/AccountService/Accounts", { token });
      assert.deepEqual(list.json.Members, [{
        "@odata.id": "/redfish/v1/AccountService/Accounts/2",
      }]);
      const a2 = await rf(f, "GET", "/redfish/v1/AccountService/Accounts/2", { token });
      assert.equal(a2.json.UserName, USER);
      assert.deepEqual(
        (a2.json.Oem as { Huawei: { UserDomain: string } }).Huawei.UserDomain,
        "superdomain",
      );
      const a1 = await rf(f, "GET", "/redfish/v1/AccountService/Accounts/1", { token });
      assert.equal(a1.status, 404);
      assert.equal(messageId(a1.json), "Base.1.0.ResourceMissingAtURI");
    });

    await t.step(
      "Registries, UpdateService, EventService and TaskService are present",
      async () => {
        const reg = await rf(f, "GET", "/redfish/v1/Registries", { token });
        assert.deepEqual(
          (reg.json.Members as { "@odata.id": string }[]).map((m) =>
            m["@odata.id"].split("/").pop()
          ),
          ["Base", "HMM", "HMMEvents"],
        );
        for (
          const p of [
            "UpdateService",
            "UpdateService/FirmwareInventory/HMM1",
            "EventService",
            "TaskService",
          ]
        ) {
          assert.equal((await rf(f, "GET", `/redfish/v1/${p}`, { token })).status, 200, p);
        }
      },
    );

    await t.step(
      "fault sessionTtlMs expires Redfish sessions; errorRate hits only the redfish interface",
      async () => {
        const ttl = c.sim.faults.set({ device: "hmm", iface: "redfish", sessionTtlMs: 500 });
        const s = await rfLogin(f, USER, PASS);
        c.advance(501);
        assert.equal((await rf(f, "GET", "/redfish/v1/Chassis", { token: s.token })).status, 401);
        c.sim.faults.clear({ id: ttl.id });
        const err = c.sim.faults.set({
          device: "hmm",
          iface: "redfish",
          errorRate: 1,
          status: 502,
        });
        assert.equal((await rf(f, "GET", "/redfish/v1/Chassis", { token })).status, 502);
        const web = await f(
          new Request("https://hmm.test/loginhandler.php", {
            method: "POST",
            body: "actiontype=queryverify",
          }),
        );
        await web.body?.cancel();
        assert.equal(web.status, 200);
        c.sim.faults.clear({ id: err.id });
      },
    );

    await rf(f, "DELETE", location, { token });
  } finally {
    await c.close();
  }
});
