/**
 * The simulated iBMC against real samples (testdata/redfish, see its README): same keys and
 * value types as the Huawei iBMC samples, the same error envelope, DMTF Task and VirtualMedia
 * properties.
 */
import assert from "node:assert/strict";
import { messageId, rf, rfLogin, startTestChassis } from "../hmm/test_util.ts";

const DATA = new URL("../../../testdata/redfish/", import.meta.url);

function load(name: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(new URL(name, DATA)));
}

function kind(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** Every key of `sample` exists in `actual` with the same kind (null in the sample matches any). */
function assertSameShape(
  actual: Record<string, unknown>,
  sample: Record<string, unknown>,
  where: string,
) {
  for (const [k, v] of Object.entries(sample)) {
    assert.ok(k in actual, `${where}: missing ${k}`);
    if (v !== null && actual[k] !== null) assert.equal(kind(actual[k]), kind(v), `${where}.${k}`);
  }
}

Deno.test("createIbmcApp resources have the shapes of the Huawei iBMC and DMTF samples", async (t) => {
  const c = await startTestChassis({ ibmc: { vmmTaskMs: 100 } });
  const f = (req: Request) => c.hmm.ibmcFetch(1, req);
  const { token, location } = await rfLogin(f, "root", "Huawei12#$");
  try {
    await t.step("Systems/1 has every property of ibmc/Systems_1_v3.json", async () => {
      const sample = load("ibmc/Systems_1_v3.json");
      const sys = (await rf(f, "GET", "/redfish/v1/Systems/1", { token })).json;
      assertSameShape(sys, sample, "Systems/1");
      assertSameShape(
        sys.Boot as Record<string, unknown>,
        sample.Boot as Record<string, unknown>,
        "Boot",
      );
      assert.equal(sys["@odata.type"], sample["@odata.type"]);
      const reset =
        (sys.Actions as Record<string, Record<string, unknown>>)["#ComputerSystem.Reset"];
      const sampleReset =
        (sample.Actions as Record<string, Record<string, unknown>>)["#ComputerSystem.Reset"];
      assert.equal(reset.target, sampleReset.target);
      assert.equal(reset["@Redfish.ActionInfo"], sampleReset["@Redfish.ActionInfo"]);
      const oem =
        (sys.Actions as { Oem: { Huawei: Record<string, { target: string }> } }).Oem.Huawei;
      const sampleOem =
        (sample.Actions as { Oem: { Huawei: Record<string, { target: string }> } }).Oem.Huawei;
      assert.equal(
        oem["#ComputerSystem.FruControl"].target,
        sampleOem["#ComputerSystem.FruControl"].target,
      );
      for (
        const link of [
          "Processors",
          "Memory",
          "EthernetInterfaces",
          "Storage",
          "NetworkInterfaces",
          "LogServices",
        ]
      ) {
        const id = (sys[link] as { "@odata.id": string })["@odata.id"];
        assert.equal(id, (sample[link] as { "@odata.id": string })["@odata.id"]);
        assert.equal((await rf(f, "GET", id, { token })).status, 200, id);
      }
    });

    await t.step("Chassis/1 and the Managers collection match the iBMC samples", async () => {
      const ch = (await rf(f, "GET", "/redfish/v1/Chassis/1", { token })).json;
      assertSameShape(ch, load("ibmc/Chassis_1.json"), "Chassis/1");
      const mgrs = (await rf(f, "GET", "/redfish/v1/Managers", { token })).json;
      assert.deepEqual(mgrs, load("ibmc/Managers.json"));
    });

    await t.step("ComputerSystem.Reset answers exactly the iBMC's success envelope", async () => {
      const r = await rf(f, "POST", "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset", {
        token,
        body: { ResetType: "ForceRestart" },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, load("ibmc/Systems_1_Reset_response.json"));
    });

    await t.step(
      "error bodies use the iBMC envelope of ibmc/error_400_create_volume.json",
      async () => {
        const sample = load("ibmc/error_400_create_volume.json").error as Record<string, unknown>;
        const r = await rf(f, "PATCH", "/redfish/v1/Systems/1", { token, body: { Nope: 1 } });
        assert.equal(r.status, 400);
        const err = r.json.error as Record<string, unknown>;
        assert.deepEqual(Object.keys(err).sort(), Object.keys(sample).sort());
        assert.equal(err.code, sample.code);
        assert.equal(err.message, sample.message);
        const info = (err["@Message.ExtendedInfo"] as Record<string, unknown>[])[0];
        const sampleInfo = (sample["@Message.ExtendedInfo"] as Record<string, unknown>[])[0];
        assert.deepEqual(Object.keys(info).sort(), Object.keys(sampleInfo).sort());
        assert.equal(info["@odata.type"], sampleInfo["@odata.type"]);
        assert.equal(messageId(r.json), "Base.1.0.PropertyUnknown");
      },
    );

    await t.step("VirtualMedia/CD has the DMTF VirtualMedia properties", async () => {
      const cd = (await rf(f, "GET", "/redfish/v1/Managers/1/VirtualMedia/CD", { token })).json;
      const sample = load("dmtf/VirtualMedia_CD1.json");
      for (
        const k of [
          "MediaTypes",
          "Image",
          "ImageName",
          "ConnectedVia",
          "Inserted",
          "WriteProtected",
        ]
      ) {
        assert.ok(k in cd, k);
        if (sample[k] !== null && cd[k] !== null) assert.equal(kind(cd[k]), kind(sample[k]), k);
      }
    });

    await t.step("a finished task has the DMTF Task properties (array Messages)", async () => {
      const r = await rf(
        f,
        "POST",
        "/redfish/v1/Managers/1/VirtualMedia/CD/Oem/Huawei/Actions/VirtualMedia.VmmControl",
        {
          token,
          body: { VmmControlType: "Connect", Image: "http://10.0.0.5/os.iso" },
        },
      );
      c.advance(100);
      const task = (await rf(f, "GET", r.headers.get("Location")!, { token })).json;
      const sample = load("dmtf/TaskService_Tasks_545.json");
      delete sample["@Redfish.Copyright"];
      assertSameShape(task, sample, "Task");
      const info = (task.Messages as Record<string, unknown>[])[0];
      for (const k of ["MessageId", "Message", "MessageArgs", "Severity"]) assert.ok(k in info, k);
      const monitor = load("sushy/task_monitor.json");
      // TaskMonitor arrived with Task v1.4; the iBMC reports Task v1.0.x (the Location header is the monitor).
      delete monitor.TaskMonitor;
      assertSameShape(task, monitor, "Task (sushy task monitor)");
    });

    await t.step("SessionService has the DMTF SessionService core properties", async () => {
      const ss = (await rf(f, "GET", "/redfish/v1/SessionService", { token })).json;
      for (const k of ["Id", "Name", "Status", "ServiceEnabled", "SessionTimeout", "Sessions"]) {
        assert.ok(k in ss, k);
      }
      assert.equal(kind(ss.SessionTimeout), kind(load("dmtf/SessionService.json").SessionTimeout));
    });
  } finally {
    await rf(f, "DELETE", location, { token });
    await c.close();
  }
});
