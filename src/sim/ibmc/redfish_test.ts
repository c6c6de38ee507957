import assert from "node:assert/strict";
import { messageId, rf, rfLogin, startTestChassis } from "../hmm/test_util.ts";

const USER = "root";
const PASS = "Huawei12#$";

Deno.test("createIbmcApp", async (t) => {
  const c = await startTestChassis({
    ibmc: { vmmTaskMs: 2000, updateTaskMs: 10_000 },
    blades: { 4: { taskMessages: "object" }, 9: { redfish: false } },
  });
  const f = (req: Request) => c.hmm.ibmcFetch(1, req);
  try {
    const { token, location } = await rfLogin(f, USER, PASS);
    const S = "/redfish/v1/Systems/1";

    await t.step("root links Systems, Managers and Links.Sessions", async () => {
      const r = await rf(f, "GET", "/redfish/v1/");
      assert.equal(r.json.RedfishVersion, "1.0.2");
      assert.deepEqual(r.json.Links, {
        Sessions: { "@odata.id": "/redfish/v1/SessionService/Sessions" },
      });
      const v = await rf(f, "GET", "/redfish");
      assert.deepEqual(v.json, { v1: "/redfish/v1/" });
    });

    await t.step("the small session cap is exhausted by forgotten sessions", async () => {
      const more = [
        await rfLogin(f, USER, PASS),
        await rfLogin(f, USER, PASS),
        await rfLogin(f, USER, PASS),
      ];
      const over = await rf(f, "POST", "/redfish/v1/SessionService/Sessions", {
        body: { UserName: USER, Password: PASS },
      });
      assert.equal(over.status, 503);
      assert.equal(messageId(over.json), "Base.1.0.SessionLimitExceeded");
      for (const s of more) {
        assert.equal((await rf(f, "DELETE", s.location, { token: s.token })).status, 200);
      }
    });

    await t.step(
      "Systems/1 carries inventory, PowerState and advertised allowable values",
      async () => {
        const r = await rf(f, "GET", S, { token });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("ETag"), r.json["@odata.etag"]);
        assert.equal(r.json.PowerState, "On");
        assert.equal(r.json.Model, "CH121");
        const boot = r.json.Boot as Record<string, unknown>;
        assert.deepEqual(boot["BootSourceOverrideTarget@Redfish.AllowableValues"], [
          "None",
          "Pxe",
          "Floppy",
          "Cd",
          "Hdd",
          "BiosSetup",
        ]);
        const reset =
          (r.json.Actions as Record<string, Record<string, unknown>>)["#ComputerSystem.Reset"];
        assert.equal(reset.target, `${S}/Actions/ComputerSystem.Reset`);
        assert.ok(
          (reset["ResetType@Redfish.AllowableValues"] as string[]).includes("ForceRestart"),
        );
        const info = await rf(f, "GET", reset["@Redfish.ActionInfo"] as string, { token });
        assert.deepEqual(
          (info.json.Parameters as { AllowableValues: string[] }[])[0].AllowableValues,
          reset["ResetType@Redfish.AllowableValues"],
        );
        for (const sub of ["Processors", "Memory", "EthernetInterfaces"]) {
          const col = await rf(f, "GET", `${S}/${sub}`, { token });
          const first = (col.json.Members as { "@odata.id": string }[])[0]["@odata.id"];
          assert.equal((await rf(f, "GET", first, { token })).status, 200, first);
        }
      },
    );

    await t.step(
      "ComputerSystem.Reset changes power (200 with a Base.1.0.Success envelope) and refuses bad values",
      async () => {
        const off = await rf(f, "POST", `${S}/Actions/ComputerSystem.Reset`, {
          token,
          body: { ResetType: "ForceOff" },
        });
        assert.equal(off.status, 200);
        assert.equal(messageId(off.json), "Base.1.0.Success");
        assert.equal((await rf(f, "GET", S, { token })).json.PowerState, "Off");
        await rf(f, "POST", `${S}/Actions/ComputerSystem.Reset`, {
          token,
          body: { ResetType: "On" },
        });
        assert.equal((await rf(f, "GET", S, { token })).json.PowerState, "On");
        const bad = await rf(f, "POST", `${S}/Actions/ComputerSystem.Reset`, {
          token,
          body: { ResetType: "Explode" },
        });
        assert.equal(bad.status, 400);
        assert.equal(messageId(bad.json), "Base.1.0.PropertyValueNotInList");
        const missing = await rf(f, "POST", `${S}/Actions/ComputerSystem.Reset`, {
          token,
          body: {},
        });
        assert.equal(messageId(missing.json), "Base.1.0.ActionParameterMissing");
        const malformed = await f(
          new Request(`https://x${S}/Actions/ComputerSystem.Reset`, {
            method: "POST",
            headers: { "X-Auth-Token": token, "Content-Type": "application/json" },
            body: "{nope",
          }),
        );
        assert.equal(malformed.status, 400);
        assert.equal(messageId(await malformed.json()), "Base.1.0.MalformedJSON");
      },
    );

    await t.step("boot override Once and Continuous; a power-on consumes Once", async () => {
      const r = await rf(f, "PATCH", S, {
        token,
        body: {
          Boot: { BootSourceOverrideTarget: "Pxe", BootSourceOverrideEnabled: "Continuous" },
        },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(
        [
          (r.json.Boot as Record<string, string>).BootSourceOverrideTarget,
          (r.json.Boot as Record<string, string>).BootSourceOverrideEnabled,
        ],
        ["Pxe", "Continuous"],
      );
      await rf(f, "PATCH", S, {
        token,
        body: { Boot: { BootSourceOverrideTarget: "Cd", BootSourceOverrideEnabled: "Once" } },
      });
      await rf(f, "POST", `${S}/Actions/ComputerSystem.Reset`, {
        token,
        body: { ResetType: "ForceRestart" },
      });
      const after = await rf(f, "GET", S, { token });
      assert.equal(
        (after.json.Boot as Record<string, string>).BootSourceOverrideEnabled,
        "Disabled",
      );
      assert.equal((after.json.Boot as Record<string, string>).BootSourceOverrideTarget, "None");
      const bad = await rf(f, "PATCH", S, {
        token,
        body: { Boot: { BootSourceOverrideTarget: "Usb" } },
      });
      assert.equal(messageId(bad.json), "Base.1.0.PropertyValueNotInList");
      const ro = await rf(f, "PATCH", S, { token, body: { PowerState: "Off" } });
      assert.equal(messageId(ro.json), "Base.1.0.PropertyNotWritable");
      const unknown = await rf(f, "PATCH", S, { token, body: { Colour: "red" } });
      assert.equal(messageId(unknown.json), "Base.1.0.PropertyUnknown");
    });

    await t.step("PATCH with a stale If-Match is 412; the current ETag or * succeeds", async () => {
      const etag = (await rf(f, "GET", S, { token })).headers.get("ETag")!;
      await rf(f, "PATCH", S, { token, body: { AssetTag: "rack-1" } });
      const stale = await rf(f, "PATCH", S, {
        token,
        headers: { "If-Match": etag },
        body: { AssetTag: "rack-2" },
      });
      assert.equal(stale.status, 412);
      assert.equal(messageId(stale.json), "Base.1.0.PreconditionFailed");
      const fresh = (await rf(f, "GET", S, { token })).headers.get("ETag")!;
      const ok = await rf(f, "PATCH", S, {
        token,
        headers: { "If-Match": fresh },
        body: { AssetTag: "rack-2" },
      });
      assert.equal(ok.status, 200);
      assert.equal(ok.json.AssetTag, "rack-2");
      assert.notEqual(ok.headers.get("ETag"), fresh);
      assert.equal(
        (await rf(f, "PATCH", S, { token, headers: { "If-Match": "*" }, body: { AssetTag: "r3" } }))
          .status,
        200,
      );
    });

    const CD = "/redfish/v1/Managers/1/VirtualMedia/CD";
    await t.step("standard InsertMedia/EjectMedia under Managers/1/VirtualMedia/CD", async () => {
      const col = await rf(f, "GET", "/redfish/v1/Managers/1/VirtualMedia", { token });
      assert.deepEqual(col.json.Members, [{ "@odata.id": CD }]);
      const ins = await rf(f, "POST", `${CD}/Actions/VirtualMedia.InsertMedia`, {
        token,
        body: { Image: "http://10.0.0.5/os.iso" },
      });
      assert.equal(ins.status, 204);
      const cd = await rf(f, "GET", CD, { token });
      assert.equal(cd.json.Inserted, true);
      assert.equal(cd.json.Image, "http://10.0.0.5/os.iso");
      const again = await rf(f, "POST", `${CD}/Actions/VirtualMedia.InsertMedia`, {
        token,
        body: { Image: "http://10.0.0.5/b.iso" },
      });
      assert.equal(again.status, 400);
      assert.equal(messageId(again.json), "iBMC.1.0.VmmOperationNotAllowed");
      assert.equal(
        (await rf(f, "POST", `${CD}/Actions/VirtualMedia.EjectMedia`, { token, body: {} })).status,
        204,
      );
      assert.equal((await rf(f, "GET", CD, { token })).json.Inserted, false);
      const badUrl = await rf(f, "POST", `${CD}/Actions/VirtualMedia.InsertMedia`, {
        token,
        body: { Image: "os.iso" },
      });
      assert.equal(messageId(badUrl.json), "Base.1.0.ActionParameterValueFormatError");
    });

    await t.step("Huawei VmmControl answers 202 with a task that completes with time", async () => {
      const target = `${CD}/Oem/Huawei/Actions/VirtualMedia.VmmControl`;
      const r = await rf(f, "POST", target, {
        token,
        body: { VmmControlType: "Connect", Image: "nfs://10.0.0.5/iso/os.iso" },
      });
      assert.equal(r.status, 202);
      assert.equal(r.json.TaskState, "Running");
      const task = r.headers.get("Location")!;
      assert.deepEqual(r.json.Messages, []);
      c.advance(1000);
      const mid = await rf(f, "GET", task, { token });
      assert.equal(mid.json.TaskState, "Running");
      assert.equal(mid.json.PercentComplete, 50);
      assert.equal((await rf(f, "GET", CD, { token })).json.Inserted, false);
      c.advance(1000);
      const done = await rf(f, "GET", task, { token });
      assert.equal(done.json.TaskState, "Completed");
      assert.ok(Array.isArray(done.json.Messages));
      assert.equal((await rf(f, "GET", CD, { token })).json.Image, "nfs://10.0.0.5/iso/os.iso");
      const disc = await rf(f, "POST", target, { token, body: { VmmControlType: "Disconnect" } });
      assert.equal(disc.status, 202);
      c.advance(2000);
      await rf(f, "GET", disc.headers.get("Location")!, { token });
      assert.equal((await rf(f, "GET", CD, { token })).json.Inserted, false);
      const bad = await rf(f, "POST", target, { token, body: { VmmControlType: "Mount" } });
      assert.equal(messageId(bad.json), "Base.1.0.PropertyValueNotInList");
    });

    await t.step("option taskMessages object makes a task's Messages an object", async () => {
      const f4 = (req: Request) => c.hmm.ibmcFetch(4, req);
      const s4 = await rfLogin(f4, USER, PASS);
      const r = await rf(f4, "POST", `${CD}/Oem/Huawei/Actions/VirtualMedia.VmmControl`, {
        token: s4.token,
        body: { VmmControlType: "Connect", Image: "cifs://10.0.0.5/os.iso" },
      });
      c.advance(2000);
      const done = await rf(f4, "GET", r.headers.get("Location")!, { token: s4.token });
      assert.equal(done.json.TaskState, "Completed");
      assert.equal(Array.isArray(done.json.Messages), false);
      assert.equal((done.json.Messages as { MessageId: string }).MessageId, "Base.1.0.Success");
      await rf(f4, "DELETE", s4.location, { token: s4.token });
    });

    await t.step(
      "SimpleUpdate runs a task; a flash failure fault ends it in Exception at N%",
      async () => {
        const act = "/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate";
        const r = await rf(f, "POST", act, {
          token,
          body: { ImageURI: "http://10.0.0.5/iBMC_6.20.hpm", TransferProtocol: "HTTP" },
        });
        assert.equal(r.status, 202);
        const busy = await rf(f, "POST", act, {
          token,
          body: { ImageURI: "http://10.0.0.5/iBMC_6.20.hpm" },
        });
        assert.equal(messageId(busy.json), "iBMC.1.0.UpgradeInProgress");
        c.advance(10_000);
        assert.equal(
          (await rf(f, "GET", r.headers.get("Location")!, { token })).json.TaskState,
          "Completed",
        );
        const fw = await rf(f, "GET", "/redfish/v1/UpdateService/FirmwareInventory/ActiveBMC", {
          token,
        });
        assert.equal(fw.json.Version, "6.20");
        c.sim.faults.set({
          device: "blade1",
          name: "firmware-flash-failure",
          params: { atPercent: 60 },
        });
        const r2 = await rf(f, "POST", act, {
          token,
          body: { ImageURI: "http://10.0.0.5/iBMC_6.30.hpm" },
        });
        c.advance(9_000);
        const failed = await rf(f, "GET", r2.headers.get("Location")!, { token });
        assert.equal(failed.json.TaskState, "Exception");
        assert.equal(failed.json.PercentComplete, 60);
        const msgs = failed.json.Messages as { MessageId: string; Message: string }[];
        assert.equal(msgs.at(-1)!.MessageId, "iBMC.1.0.FirmwareUpgradeError");
        assert.equal(
          (await rf(f, "GET", "/redfish/v1/UpdateService/FirmwareInventory/ActiveBMC", { token }))
            .json.Version,
          "6.20",
        );
        c.sim.faults.clear({ name: "firmware-flash-failure" });
      },
    );

    await t.step(
      "AccountService creates, logs in, refuses duplicates and deletes accounts",
      async () => {
        const A = "/redfish/v1/AccountService/Accounts";
        const add = await rf(f, "POST", A, {
          token,
          body: { UserName: "deploy", Password: "Depl0y-pass", RoleId: "Operator" },
        });
        assert.equal(add.status, 201);
        const dup = await rf(f, "POST", A, {
          token,
          body: { UserName: "deploy", Password: "Depl0y-pass", RoleId: "Operator" },
        });
        assert.equal(messageId(dup.json), "Base.1.0.ResourceAlreadyExists");
        const s = await rfLogin(f, "deploy", "Depl0y-pass");
        await rf(f, "DELETE", s.location, { token: s.token });
        assert.equal((await rf(f, "DELETE", add.headers.get("Location")!, { token })).status, 200);
        assert.equal((await rf(f, "DELETE", `${A}/2`, { token })).status, 400);
      },
    );

    await t.step("lockout after repeated bad passwords, per user", async () => {
      for (let i = 0; i < 5; i++) {
        const r = await rf(f, "POST", "/redfish/v1/SessionService/Sessions", {
          body: { UserName: "deploy2", Password: "x" },
        });
        assert.equal(messageId(r.json), "iBMC.1.0.AuthorizationFailed");
      }
      const locked = await rf(f, "POST", "/redfish/v1/SessionService/Sessions", {
        body: { UserName: "deploy2", Password: "x" },
      });
      assert.equal(messageId(locked.json), "iBMC.1.0.UserLocked");
    });

    await t.step(
      "fault sessionTtlMs expires iBMC sessions; errorRate gives the configured status",
      async () => {
        const ttl = c.sim.faults.set({ device: "blade1", iface: "redfish", sessionTtlMs: 100 });
        const s = await rfLogin(f, USER, PASS);
        c.advance(101);
        assert.equal((await rf(f, "GET", S, { token: s.token })).status, 401);
        c.sim.faults.clear({ id: ttl.id });
        const e = c.sim.faults.set({
          device: "ibmc1",
          iface: "redfish",
          errorRate: 1,
          status: 500,
        });
        assert.equal((await rf(f, "GET", S, { token })).status, 500);
        c.sim.faults.clear({ id: e.id });
      },
    );

    await t.step("faults latency and timeout apply to the iBMC Redfish interface", async () => {
      const lat = c.sim.faults.set({ device: "blade1", iface: "redfish", latencyMs: 40 });
      const t0 = performance.now();
      assert.equal((await rf(f, "GET", S, { token })).status, 200);
      assert.ok(performance.now() - t0 >= 35);
      c.sim.faults.clear({ id: lat.id });
      const to = c.sim.faults.set({ device: "blade1", iface: "redfish", timeout: true });
      const ac = new AbortController();
      let answered = false;
      const pending = Promise.resolve(f(new Request(`https://x${S}`, { signal: ac.signal }))).then(
        () => answered = true,
      );
      await Promise.resolve();
      assert.equal(answered, false);
      ac.abort();
      await pending;
      c.sim.faults.clear({ id: to.id });
    });

    await t.step("blade option redfish: false has no Redfish endpoint, only SSH", () => {
      assert.equal(c.hmm.endpoints.ibmc["9"].redfish, "");
      assert.match(c.hmm.endpoints.ibmc["9"].ssh, /^ssh:\/\/127\.0\.0\.1:\d+$/);
      assert.throws(() => c.hmm.ibmcFetch(9, new Request("https://x/redfish/v1/")));
    });

    await t.step(
      "iBMC reboot window closes the Redfish port until it ends (real HTTPS)",
      async () => {
        const client = Deno.createHttpClient({ caCerts: [c.hmm.tls.ca] });
        try {
          const url = c.hmm.endpoints.ibmc["2"].redfish;
          const up = await fetch(`${url}/`, { client });
          assert.equal(up.status, 200);
          await up.body?.cancel();
          const s = await rfLogin((r) => c.hmm.ibmcFetch(2, r), "root", "Huawei12#$");
          // The clock of the blade is fake: the window ends when the test moves the clock.
          c.sim.faults.set({
            device: "blade2",
            name: "ibmc-reboot",
            params: { durationMs: 30_000 },
          });
          assert.ok(c.hmm.blades.get(2)!.rebootUntil > 0);
          // Wait for the port to go away (a pooled connection may first get the 503 below).
          let refused: Error | undefined;
          for (let i = 0; i < 100 && !refused; i++) {
            try {
              const r = await fetch(`${url}/`, { client });
              assert.equal(r.status, 503);
              await r.body?.cancel();
            } catch (e) {
              refused = e as Error;
            }
          }
          assert.match(
            `${refused} ${(refused as Error & { cause?: unknown })?.cause}`,
            /fetch failed|refused|connect/i,
          );
          const inProc = await c.hmm.ibmcFetch(2, new Request("https://x/redfish/v1/"));
          assert.equal(inProc.status, 503);
          assert.equal(messageId(await inProc.json()), "Base.1.0.ServiceTemporarilyUnavailable");
          c.advance(30_001);
          c.hmm.blades.get(2)!.endReboot();
          const old = await rf((r) => c.hmm.ibmcFetch(2, r), "GET", "/redfish/v1/Systems/1", {
            token: s.token,
          });
          assert.equal(old.status, 401, "sessions do not survive an iBMC reboot");
          const back = await fetch(`${url}/`, { client });
          assert.equal(back.status, 200);
          await back.body?.cancel();
        } finally {
          client.close();
        }
      },
    );

    await rf(f, "DELETE", location, { token });
  } finally {
    await c.close();
  }
});
