/**
 * Alarms and event logs against the simulated HMM (web API) and iBMC (Redfish log service).
 */
import assert from "node:assert/strict";
import { NotFoundError, ValidationError } from "../errors.ts";
import { parseXml } from "../drivers/webapi/xml.ts";
import { startSimulator } from "../sim/mod.ts";
import { openChassis } from "./chassis.ts";
import { alarms, asctimeToIso, parseAlarms } from "./alarms.ts";
import { blades } from "./blade.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const sim = await startSimulator({});
const creds = sim.endpoints.credentials!;

Deno.test("parseAlarms reads the upstream fixture and keeps cleared entries apart", () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<result><retcode>0</retcode><alarms>
  <sum>3</sum><critical>1</critical><major>2</major><minor>0</minor>
  <alarm><level>3</level><leveldesp>Critical</leveldesp><source>MM1</source><sensorname>Management Port</sensorname>
    <datetime>Wed Mar 11 06:42:18 2026</datetime><eventdesp>Transition to non-recoverable</eventdesp>
    <eventcode>0X0743FF27</eventcode><cleartag>0</cleartag></alarm>
  <alarm><level>2</level><leveldesp>Major</leveldesp><source>PSU</source><sensorname>PS3 Status</sensorname>
    <datetime>Wed Mar 11 06:43:41 2026</datetime><eventdesp>Power supply failure</eventdesp>
    <eventcode>0X0801FFFF</eventcode><cleartag>0</cleartag></alarm>
  <alarm><level>2</level><leveldesp>Major</leveldesp><source>PSU</source><sensorname>PS4 Status</sensorname>
    <datetime>Wed Mar 11 06:43:41 2026</datetime><eventdesp>Power supply failure</eventdesp>
    <eventcode>0X0801FFFF</eventcode><cleartag>1</cleartag></alarm>
</alarms></result>`;
  const p = parseAlarms(parseXml(xml));
  assert.deepEqual(p.counts, { sum: 3, critical: 1, major: 2, minor: 0 });
  assert.equal(p.active, 2);
  assert.equal(p.alarms[0].timeIso, "2026-03-11T06:42:18Z");
  assert.equal(p.alarms[2].cleared, true);
  assert.deepEqual(parseAlarms(parseXml("<result><retcode>0</retcode></result>")).alarms, []);
  assert.equal(asctimeToIso("Thu Jan  1 00:00:00 1970"), "1970-01-01T00:00:00Z");
});

Deno.test({
  name: "AlarmModule pages through alarms and event logs",
  ...opts,
  fn: async () => {
    const chassis = await openChassis({ endpoints: sim.endpoints, credentials: creds });
    try {
      const a = alarms(chassis);
      const all = await a.all({ perpage: 1 });
      assert.equal(all.alarms.length, all.counts.sum, "every page followed");
      const sum = await a.summary();
      assert.equal(sum.active, all.alarms.filter((x) => !x.cleared).length);
      const smm = await a.events("smm", { perpage: 5 });
      assert.equal(smm.transport, "web");
      assert.ok(smm.sum >= smm.events.length && smm.events.length <= 5);
      const p2 = await a.events("smm", { page: 2, perpage: 5 });
      assert.notDeepEqual(p2.events[0], smm.events[0]);
      // a power change shows in the blade's log, read from its iBMC
      const before = (await a.events("Slot2")).sum;
      await blades(chassis).power(2, "cycle");
      const after = await a.events("slot2");
      assert.equal(after.transport, "redfish");
      assert.ok(after.sum > before);
      await assert.rejects(a.events("Slot17"), NotFoundError);
      await assert.rejects(a.events("fan3"), NotFoundError);
      await assert.rejects(a.active({ page: 0 }), ValidationError);
    } finally {
      await chassis.close();
    }
  },
});

Deno.test({ name: "simulator closes", ...opts, fn: () => sim.close() });
