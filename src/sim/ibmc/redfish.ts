/**
 * The Redfish service of one blade iBMC, following the DMTF schemas and the Huawei iBMC samples
 * (testdata/redfish/ibmc): `Systems/1` (boot override, `ComputerSystem.Reset`, inventory),
 * `Managers/1` with `VirtualMedia/CD` (standard `InsertMedia`/`EjectMedia` and Huawei
 * `Oem/Huawei/Actions/VirtualMedia.VmmControl` answering 202 + a task), `UpdateService`
 * `SimpleUpdate` with tasks, `AccountService`, `SessionService` with a small cap, ETags with 412
 * on `If-Match` mismatch, and error bodies with `Base.1.0.*` / `iBMC.1.0.*` MessageIds.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import type { SimContext } from "../context.ts";
import { httpFaults } from "../faults.ts";
import {
  type BladeState,
  BOOT_ENABLED,
  BOOT_TARGETS,
  type BootEnabled,
  type BootTarget,
  RESET_TYPES,
  type ResetType,
} from "./blade.ts";
import {
  collection,
  errorBody,
  json,
  Lockout,
  readJson,
  redfishError,
  sameSecret,
  sessionBody,
  SessionStore,
  type SimTask,
  taskBody,
  taskView,
} from "./redfish_common.ts";

/** Options of {@link createIbmcApp}. */
export interface IbmcAppOptions {
  /** Duration of a `VmmControl` connect/disconnect task (default 1500 ms). */
  vmmTaskMs?: number;
  /** Duration of a `SimpleUpdate` flash (default 20 s). */
  updateTaskMs?: number;
  /** Duration of an iBMC reboot after `Manager.Reset` (default 10 s). */
  managerResetMs?: number;
  /** Bad-password threshold before the user is locked (default 5) and lock time (60 s). */
  lockoutThreshold?: number;
  lockoutMs?: number;
}

type Env = { Variables: { user: string; sessionId?: string } };

const ROOT = "/redfish/v1";

/** Create the Hono app of one blade's iBMC Redfish service. */
export function createIbmcApp(
  ctx: Pick<SimContext, "faults" | "credentials" | "topology">,
  blade: BladeState,
  options: IbmcAppOptions = {},
): Hono<Env> {
  const device = `blade${blade.slot}`;
  const now = () => blade.now();
  const sessions = new SessionStore({
    cap: blade.options.sessionCap,
    idleSeconds: 300,
    now,
    ttl: () => ctx.faults.effective(device, "redfish").sessionTtlMs,
  });
  const lockout = new Lockout(options.lockoutThreshold ?? 5, options.lockoutMs ?? 60_000, now);
  // A rebooting iBMC loses its sessions: clients must log in again after the window.
  let rebooting = false;
  blade.onChange(() => {
    const down = blade.rebootUntil > 0;
    if (down && !rebooting) sessions.clear();
    rebooting = down;
  });
  const tasks = new Map<string, SimTask>();
  let taskSeq = 0;
  const spec = blade.spec;
  const app = new Hono<Env>();

  const checkPassword = (user: string, password: string): boolean => {
    if (sameSecret(user, ctx.credentials.username)) {
      return sameSecret(password, ctx.credentials.password);
    }
    const acct = Object.values(blade.data.accounts).find((a) => a.userName === user && a.enabled);
    return !!acct && sameSecret(password, acct.password);
  };

  app.onError((err) =>
    redfishError(500, "Base.1.0.InternalError", [], [], { "X-Sim-Error": String(err.message) })
  );
  app.notFound((c) => redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]));
  app.use("*", httpFaults(ctx, device, "redfish"));
  app.use("*", async (_c, next) => {
    // During an iBMC reboot window the service is down (the server also closes its port).
    if (blade.rebootUntil) {
      const s = Math.ceil((blade.rebootUntil - now()) / 1000);
      return redfishError(503, "Base.1.0.ServiceTemporarilyUnavailable", [String(s)], [], {
        "Retry-After": String(s),
      });
    }
    await next();
  });

  // ---- unauthenticated
  app.get("/redfish", (c) => c.json({ v1: "/redfish/v1/" }));
  app.get("/redfish/", (c) => c.json({ v1: "/redfish/v1/" }));
  const root = () =>
    json({
      "@odata.context": "/redfish/v1/$metadata#ServiceRoot",
      "@odata.id": "/redfish/v1/",
      "@odata.type": "#ServiceRoot.v1_0_2.ServiceRoot",
      Id: "RootService",
      Name: "Root Service",
      RedfishVersion: "1.0.2",
      UUID: spec.uuid,
      Systems: { "@odata.id": `${ROOT}/Systems` },
      Chassis: { "@odata.id": `${ROOT}/Chassis` },
      Managers: { "@odata.id": `${ROOT}/Managers` },
      Tasks: { "@odata.id": `${ROOT}/TaskService` },
      SessionService: { "@odata.id": `${ROOT}/SessionService` },
      AccountService: { "@odata.id": `${ROOT}/AccountService` },
      EventService: { "@odata.id": `${ROOT}/EventService` },
      UpdateService: { "@odata.id": `${ROOT}/UpdateService` },
      Links: { Sessions: { "@odata.id": `${ROOT}/SessionService/Sessions` } },
      Oem: { Huawei: { ProductName: spec.model, Copyright: "Huawei Technologies Co., Ltd." } },
    });
  app.get(ROOT, root);
  app.get(`${ROOT}/`, root);
  app.get(`${ROOT}/odata`, () =>
    json({
      "@odata.context": "/redfish/v1/$metadata",
      value: ["Systems", "Chassis", "Managers", "SessionService", "AccountService"].map((n) => ({
        name: n,
        kind: "Singleton",
        url: `${ROOT}/${n}`,
      })),
    }));

  const login = async (c: Context<Env>) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const user = body.UserName;
    const password = body.Password;
    if (typeof user !== "string") {
      return redfishError(400, "Base.1.0.PropertyMissing", ["UserName"], ["#/UserName"]);
    }
    if (typeof password !== "string") {
      return redfishError(400, "Base.1.0.PropertyMissing", ["Password"], ["#/Password"]);
    }
    if (lockout.lockedFor(user)) {
      return redfishError(401, "iBMC.1.0.UserLocked", [user]);
    }
    if (!checkPassword(user, password)) {
      lockout.fail(user);
      return redfishError(401, "iBMC.1.0.AuthorizationFailed");
    }
    lockout.success(user);
    const s = sessions.create(user);
    if (!s) return redfishError(503, "Base.1.0.SessionLimitExceeded");
    const loc = `${ROOT}/SessionService/Sessions/${s.id}`;
    return json(sessionBody(s), 201, { "X-Auth-Token": s.token, Location: loc });
  };
  app.post(`${ROOT}/SessionService/Sessions`, login);
  app.post(`${ROOT}/SessionService/Sessions/`, login);

  // ---- authentication for everything else
  const auth: MiddlewareHandler<Env> = async (c, next) => {
    const token = c.req.header("X-Auth-Token");
    if (token) {
      const s = sessions.byToken(token);
      if (!s) return redfishError(401, "Base.1.0.NoValidSession");
      c.set("user", s.userName);
      c.set("sessionId", s.id);
      return await next();
    }
    const basic = c.req.header("Authorization");
    if (basic?.startsWith("Basic ")) {
      let decoded = "";
      try {
        decoded = atob(basic.slice(6));
      } catch { /* invalid base64 */ }
      const i = decoded.indexOf(":");
      const user = decoded.slice(0, i);
      if (i > 0 && !lockout.lockedFor(user) && checkPassword(user, decoded.slice(i + 1))) {
        lockout.success(user);
        c.set("user", user);
        return await next();
      }
      if (i > 0) lockout.fail(user);
    }
    return redfishError(401, "Base.1.0.NoValidSession", [], [], {
      "WWW-Authenticate": 'Basic realm="iBMC"',
    });
  };
  app.use(`${ROOT}/*`, auth);

  // ---- SessionService
  app.get(`${ROOT}/SessionService`, () =>
    json({
      "@odata.context": "/redfish/v1/$metadata#SessionService",
      "@odata.id": `${ROOT}/SessionService`,
      "@odata.type": "#SessionService.v1_0_2.SessionService",
      Id: "SessionService",
      Name: "Session Service",
      Status: { State: "Enabled", Health: "OK" },
      ServiceEnabled: true,
      SessionTimeout: sessions.options.idleSeconds,
      Sessions: { "@odata.id": `${ROOT}/SessionService/Sessions` },
      Oem: { Huawei: { MaxSessions: sessions.options.cap } },
    }));
  app.get(`${ROOT}/SessionService/Sessions`, () =>
    json(
      collection(
        `${ROOT}/SessionService/Sessions`,
        "#SessionCollection.SessionCollection",
        "Session Collection",
        sessions.list().map((s) => `${ROOT}/SessionService/Sessions/${s.id}`),
      ),
    ));
  app.get(`${ROOT}/SessionService/Sessions/:id`, (c) => {
    const s = sessions.get(c.req.param("id"));
    if (!s) return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
    return json(sessionBody(s));
  });
  app.delete(`${ROOT}/SessionService/Sessions/:id`, (c) => {
    if (!sessions.delete(c.req.param("id"))) {
      return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
    }
    return json(errorBody("Base.1.0.Success"), 200);
  });

  // ---- Systems
  app.get(`${ROOT}/Systems`, () =>
    json(
      collection(
        `${ROOT}/Systems`,
        "#ComputerSystemCollection.ComputerSystemCollection",
        "Computer System Collection",
        [
          `${ROOT}/Systems/1`,
        ],
      ),
    ));
  const systemBody = () => {
    const d = blade.data;
    return {
      "@odata.context": "/redfish/v1/$metadata#Systems/Members/$entity",
      "@odata.id": `${ROOT}/Systems/1`,
      "@odata.type": "#ComputerSystem.v1_2_0.ComputerSystem",
      "@odata.etag": blade.etag,
      Id: "1",
      Name: "Computer System",
      SystemType: "Physical",
      AssetTag: d.assetTag,
      Manufacturer: "Huawei",
      Model: spec.model,
      SerialNumber: spec.serial,
      UUID: spec.uuid,
      HostName: spec.hostname,
      PartNumber: null,
      HostingRole: ["ApplicationServer"],
      Status: { State: "Enabled", Health: spec.health },
      PowerState: d.power,
      Boot: {
        BootSourceOverrideTarget: d.boot.target,
        BootSourceOverrideEnabled: d.boot.enabled,
        BootSourceOverrideMode: d.boot.mode,
        "BootSourceOverrideTarget@Redfish.AllowableValues": [...BOOT_TARGETS],
        "BootSourceOverrideEnabled@Redfish.AllowableValues": [...BOOT_ENABLED],
        "BootSourceOverrideMode@Redfish.AllowableValues": ["Legacy", "UEFI"],
      },
      BiosVersion: d.firmware.bios,
      ProcessorSummary: {
        Count: spec.cpus,
        Model: spec.cpuModel,
        Status: { HealthRollup: "OK" },
      },
      MemorySummary: { TotalSystemMemoryGiB: spec.memoryGiB, Status: { HealthRollup: "OK" } },
      Processors: { "@odata.id": `${ROOT}/Systems/1/Processors` },
      Memory: { "@odata.id": `${ROOT}/Systems/1/Memory` },
      EthernetInterfaces: { "@odata.id": `${ROOT}/Systems/1/EthernetInterfaces` },
      LogServices: { "@odata.id": `${ROOT}/Systems/1/LogServices` },
      Storage: { "@odata.id": `${ROOT}/Systems/1/Storages` },
      NetworkInterfaces: { "@odata.id": `${ROOT}/Systems/1/NetworkInterfaces` },
      TrustedModules: {
        FirmwareVersion: null,
        InterfaceType: "TPM1_2",
        Status: { Health: null, State: "Absent" },
      },
      PCIeDevices: [],
      PCIeFunctions: [],
      Bios: null,
      Links: {
        Chassis: [{ "@odata.id": `${ROOT}/Chassis/1` }],
        Managers: [{ "@odata.id": `${ROOT}/Managers/1` }],
      },
      Oem: {
        Huawei: {
          ProductVersion: "V3",
          DeviceSlotID: spec.slot,
          BootupSequence: ["Hdd", "Cd", "Pxe", "Others"],
          PowerOnStrategy: "RestorePreviousState",
        },
      },
      Actions: {
        "#ComputerSystem.Reset": {
          target: `${ROOT}/Systems/1/Actions/ComputerSystem.Reset`,
          "ResetType@Redfish.AllowableValues": [...RESET_TYPES],
          "@Redfish.ActionInfo": `${ROOT}/Systems/1/ResetActionInfo`,
        },
        Oem: {
          Huawei: {
            "#ComputerSystem.FruControl": {
              target: `${ROOT}/Systems/1/Actions/Oem/Huawei/ComputerSystem.FruControl`,
              "FruControlType@Redfish.AllowableValues": ["ForcePowerCycle"],
            },
          },
        },
      },
    };
  };
  app.get(`${ROOT}/Systems/1`, () => json(systemBody(), 200, { ETag: blade.etag }));
  app.get(`${ROOT}/Systems/1/ResetActionInfo`, () =>
    json({
      "@odata.context": "/redfish/v1/$metadata#ActionInfo.ActionInfo",
      "@odata.id": `${ROOT}/Systems/1/ResetActionInfo`,
      "@odata.type": "#ActionInfo.v1_0_0.ActionInfo",
      Id: "ResetActionInfo",
      Name: "Reset Action Info",
      Parameters: [{
        Name: "ResetType",
        Required: true,
        DataType: "String",
        AllowableValues: [...RESET_TYPES],
      }],
    }));

  /** 412 when `If-Match` is present and matches neither the ETag nor `*`. */
  const preconditionFailed = (c: Context<Env>, etag: string): Response | undefined => {
    const im = c.req.header("If-Match");
    if (!im) return undefined;
    const tags = im.split(",").map((t) => t.trim());
    const bare = (t: string) => t.replace(/^W\//, "");
    if (tags.includes("*") || tags.some((t) => bare(t) === bare(etag))) return undefined;
    return redfishError(412, "Base.1.0.PreconditionFailed", [], [], { ETag: etag });
  };

  const SYSTEM_READONLY = new Set(Object.keys(systemBody()).filter((k) => k !== "AssetTag"));
  app.patch(`${ROOT}/Systems/1`, async (c) => {
    const pre = preconditionFailed(c, blade.etag);
    if (pre) return pre;
    const body = await readJson(c);
    if (body instanceof Response) return body;
    for (const k of Object.keys(body)) {
      if (k === "AssetTag" || k === "Boot") continue;
      if (SYSTEM_READONLY.has(k)) {
        return redfishError(400, "Base.1.0.PropertyNotWritable", [k], [`#/${k}`]);
      }
      return redfishError(400, "Base.1.0.PropertyUnknown", [k], [`#/${k}`]);
    }
    const patch: { target?: BootTarget; enabled?: BootEnabled; mode?: "Legacy" | "UEFI" } = {};
    if (body.Boot !== undefined) {
      if (typeof body.Boot !== "object" || body.Boot === null) {
        return redfishError(400, "Base.1.0.PropertyValueTypeError", [
          JSON.stringify(body.Boot),
          "Boot",
        ], ["#/Boot"]);
      }
      const b = body.Boot as Record<string, unknown>;
      for (const [k, v] of Object.entries(b)) {
        const field = `Boot/${k}`;
        if (k === "BootSourceOverrideTarget") {
          if (!BOOT_TARGETS.includes(v as BootTarget)) {
            return redfishError(400, "Base.1.0.PropertyValueNotInList", [String(v), k], [
              `#/${field}`,
            ]);
          }
          patch.target = v as BootTarget;
        } else if (k === "BootSourceOverrideEnabled") {
          if (!BOOT_ENABLED.includes(v as BootEnabled)) {
            return redfishError(400, "Base.1.0.PropertyValueNotInList", [String(v), k], [
              `#/${field}`,
            ]);
          }
          patch.enabled = v as BootEnabled;
        } else if (k === "BootSourceOverrideMode") {
          if (v !== "Legacy" && v !== "UEFI") {
            return redfishError(400, "Base.1.0.PropertyValueNotInList", [String(v), k], [
              `#/${field}`,
            ]);
          }
          patch.mode = v;
        } else if (k.endsWith("@Redfish.AllowableValues")) {
          return redfishError(400, "Base.1.0.PropertyNotWritable", [k], [`#/${field}`]);
        } else {
          return redfishError(400, "Base.1.0.PropertyUnknown", [k], [`#/${field}`]);
        }
      }
    }
    if (body.AssetTag !== undefined) {
      if (typeof body.AssetTag !== "string" || body.AssetTag.length > 48) {
        return redfishError(400, "Base.1.0.PropertyValueFormatError", [
          String(body.AssetTag),
          "AssetTag",
        ], [
          "#/AssetTag",
        ]);
      }
      blade.setAssetTag(body.AssetTag);
    }
    if (Object.keys(patch).length) blade.setBoot(patch);
    return json(systemBody(), 200, { ETag: blade.etag });
  });

  app.post(`${ROOT}/Systems/1/Actions/ComputerSystem.Reset`, async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const action = "ComputerSystem.Reset";
    if (body.ResetType === undefined) {
      return redfishError(400, "Base.1.0.ActionParameterMissing", [action, "ResetType"], [
        "#/ResetType",
      ]);
    }
    for (const k of Object.keys(body)) {
      if (k !== "ResetType") {
        return redfishError(400, "Base.1.0.ActionParameterUnknown", [action, k], [`#/${k}`]);
      }
    }
    if (!RESET_TYPES.includes(body.ResetType as ResetType)) {
      return redfishError(400, "Base.1.0.PropertyValueNotInList", [
        String(body.ResetType),
        "ResetType",
      ], [
        "#/ResetType",
      ]);
    }
    blade.reset(body.ResetType as ResetType);
    // The real iBMC answers 200 with an error envelope whose ExtendedInfo is Base.1.0.Success
    // (testdata/redfish/ibmc/Systems_1_Reset_response.json): success is the HTTP status.
    return json(errorBody("Base.1.0.Success"), 200);
  });
  app.post(`${ROOT}/Systems/1/Actions/Oem/Huawei/ComputerSystem.FruControl`, async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    if (body.FruControlType !== "ForcePowerCycle") {
      return redfishError(400, "Base.1.0.PropertyValueNotInList", [
        String(body.FruControlType),
        "FruControlType",
      ], [
        "#/FruControlType",
      ]);
    }
    blade.reset("ForcePowerCycle");
    return json(errorBody("Base.1.0.Success"), 200);
  });
  app.get(`${ROOT}/Systems/1/Processors`, () =>
    json(
      collection(
        `${ROOT}/Systems/1/Processors`,
        "#ProcessorCollection.ProcessorCollection",
        "Processors Collection",
        Array.from({ length: spec.cpus }, (_, i) => `${ROOT}/Systems/1/Processors/${i + 1}`),
      ),
    ));
  app.get(`${ROOT}/Systems/1/Processors/:id`, (c) => {
    const id = Number(c.req.param("id"));
    if (!(id >= 1 && id <= spec.cpus)) {
      return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
    }
    return json({
      "@odata.id": `${ROOT}/Systems/1/Processors/${id}`,
      "@odata.type": "#Processor.v1_0_2.Processor",
      Id: String(id),
      Name: `CPU${id}`,
      Socket: `CPU${id}`,
      ProcessorType: "CPU",
      ProcessorArchitecture: "x86",
      Manufacturer: "Intel(R) Corporation",
      Model: spec.cpuModel,
      Status: { State: "Enabled", Health: "OK" },
    });
  });
  app.get(`${ROOT}/Systems/1/Memory`, () =>
    json(
      collection(
        `${ROOT}/Systems/1/Memory`,
        "#MemoryCollection.MemoryCollection",
        "Memory Collection",
        Array.from({ length: 8 }, (_, i) => `${ROOT}/Systems/1/Memory/mainboardDIMM${i + 1}`),
      ),
    ));
  app.get(`${ROOT}/Systems/1/Memory/:id`, (c) => {
    const m = /^mainboardDIMM([1-8])$/.exec(c.req.param("id"));
    if (!m) return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
    return json({
      "@odata.id": `${ROOT}/Systems/1/Memory/${m[0]}`,
      "@odata.type": "#Memory.v1_0_0.Memory",
      Id: m[0],
      Name: `DIMM${m[1]}`,
      CapacityMiB: (spec.memoryGiB * 1024) / 8,
      MemoryDeviceType: "DDR4",
      Status: { State: "Enabled", Health: "OK" },
    });
  });
  app.get(`${ROOT}/Systems/1/EthernetInterfaces`, () =>
    json(
      collection(
        `${ROOT}/Systems/1/EthernetInterfaces`,
        "#EthernetInterfaceCollection.EthernetInterfaceCollection",
        "Ethernet Interface Collection",
        spec.nics.map((n) => `${ROOT}/Systems/1/EthernetInterfaces/${n.name}`),
      ),
    ));
  app.get(`${ROOT}/Systems/1/EthernetInterfaces/:id`, (c) => {
    const n = spec.nics.find((x) => x.name === c.req.param("id"));
    if (!n) return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
    return json({
      "@odata.id": `${ROOT}/Systems/1/EthernetInterfaces/${n.name}`,
      "@odata.type": "#EthernetInterface.v1_0_2.EthernetInterface",
      Id: n.name,
      Name: n.name,
      MACAddress: n.mac,
      PermanentMACAddress: n.mac,
      LinkStatus: blade.data.power === "On" ? "LinkUp" : "LinkDown",
      IPv4Addresses: spec.hostIps?.[n.name]
        ? [{ Address: spec.hostIps[n.name], SubnetMask: "255.255.0.0", AddressOrigin: "Static" }]
        : [],
      Oem: { Huawei: { SwitchName: n.switch ?? null, SwitchPort: n.port ?? null } },
    });
  });
  app.get(
    `${ROOT}/Systems/1/LogServices`,
    () =>
      json(
        collection(
          `${ROOT}/Systems/1/LogServices`,
          "#LogServiceCollection.LogServiceCollection",
          "Log Service Collection",
          [
            `${ROOT}/Systems/1/LogServices/Log1`,
          ],
        ),
      ),
  );
  app.get(`${ROOT}/Systems/1/LogServices/Log1`, () =>
    json({
      "@odata.id": `${ROOT}/Systems/1/LogServices/Log1`,
      "@odata.type": "#LogService.v1_0_2.LogService",
      Id: "Log1",
      Name: "System Event Log",
      MaxNumberOfRecords: 500,
      Entries: { "@odata.id": `${ROOT}/Systems/1/LogServices/Log1/Entries` },
    }));
  app.get(`${ROOT}/Systems/1/LogServices/Log1/Entries`, () => {
    const sel = blade.data.sel;
    return json({
      ...collection(
        `${ROOT}/Systems/1/LogServices/Log1/Entries`,
        "#LogEntryCollection.LogEntryCollection",
        "Log Entry Collection",
        [],
      ),
      "Members@odata.count": sel.length,
      Members: sel.map((e) => ({
        "@odata.id": `${ROOT}/Systems/1/LogServices/Log1/Entries/${e.id}`,
        "@odata.type": "#LogEntry.v1_0_2.LogEntry",
        Id: String(e.id),
        Name: "Log Entry",
        EntryType: "SEL",
        Severity: ["OK", "Warning", "Warning", "Critical"][e.level],
        Created: e.time,
        SensorType: e.sensor,
        Message: `${e.sensor} | ${e.description} | ${e.asserted ? "Asserted" : "Deasserted"}`,
      })),
    });
  });

  for (
    const [path, type, name] of [
      ["Systems/1/Storages", "#StorageCollection.StorageCollection", "Storage Collection"],
      [
        "Systems/1/NetworkInterfaces",
        "#NetworkInterfaceCollection.NetworkInterfaceCollection",
        "Network Interface Collection",
      ],
      [
        "Chassis/1/NetworkAdapters",
        "#NetworkAdapterCollection.NetworkAdapterCollection",
        "Network Adapter Collection",
      ],
    ]
  ) app.get(`${ROOT}/${path}`, () => json(collection(`${ROOT}/${path}`, type, name, [])));

  // ---- Chassis
  app.get(
    `${ROOT}/Chassis`,
    () =>
      json(
        collection(
          `${ROOT}/Chassis`,
          "#ChassisCollection.ChassisCollection",
          "Chassis Collection",
          [`${ROOT}/Chassis/1`],
        ),
      ),
  );
  app.get(`${ROOT}/Chassis/1`, () =>
    json({
      "@odata.context": "/redfish/v1/$metadata#Chassis/Members/$entity",
      "@odata.id": `${ROOT}/Chassis/1`,
      "@odata.type": "#Chassis.v1_4_0.Chassis",
      Id: "1",
      Name: "Computer System Chassis",
      ChassisType: "Blade",
      Model: spec.model,
      SerialNumber: spec.serial,
      IndicatorLED: "Off",
      PowerState: blade.data.power,
      Status: { State: "Enabled", Health: spec.health },
      Oem: { Huawei: { ChassisID: null, InletTemperatureCelsius: 26, SlotNumber: spec.slot } },
      Power: { "@odata.id": `${ROOT}/Chassis/1/Power` },
      Thermal: { "@odata.id": `${ROOT}/Chassis/1/Thermal` },
      NetworkAdapters: { "@odata.id": `${ROOT}/Chassis/1/NetworkAdapters` },
      Links: {
        ComputerSystems: [{ "@odata.id": `${ROOT}/Systems/1` }],
        ManagedBy: [{ "@odata.id": `${ROOT}/Managers/1` }],
      },
    }));
  app.get(`${ROOT}/Chassis/1/Power`, () =>
    json({
      "@odata.id": `${ROOT}/Chassis/1/Power`,
      "@odata.type": "#Power.v1_0_1.Power",
      Id: "Power",
      Name: "Power",
      PowerControl: [{
        "@odata.id": `${ROOT}/Chassis/1/Power#/PowerControl/0`,
        MemberId: "0",
        Name: "System Power Control 1",
        PowerConsumedWatts: blade.data.power === "On" ? 180 : 8,
        PowerLimit: { LimitInWatts: null, LimitException: "NoAction" },
      }],
    }));
  app.get(`${ROOT}/Chassis/1/Thermal`, () =>
    json({
      "@odata.id": `${ROOT}/Chassis/1/Thermal`,
      "@odata.type": "#Thermal.v1_0_1.Thermal",
      Id: "Thermal",
      Name: "Thermal",
      Temperatures: [{
        "@odata.id": `${ROOT}/Chassis/1/Thermal#/Temperatures/0`,
        MemberId: "0",
        Name: "Inlet Temp",
        ReadingCelsius: 26,
        UpperThresholdCritical: 46,
        Status: { State: "Enabled", Health: "OK" },
      }],
    }));

  // ---- Managers
  app.get(
    `${ROOT}/Managers`,
    () =>
      json(
        collection(
          `${ROOT}/Managers`,
          "#ManagerCollection.ManagerCollection",
          "Manager Collection",
          [`${ROOT}/Managers/1`],
        ),
      ),
  );
  app.get(`${ROOT}/Managers/1`, () =>
    json({
      "@odata.context": "/redfish/v1/$metadata#Managers/Members/$entity",
      "@odata.id": `${ROOT}/Managers/1`,
      "@odata.type": "#Manager.v1_0_2.Manager",
      Id: "1",
      Name: "Manager",
      ManagerType: "BMC",
      FirmwareVersion: blade.data.firmware.ibmc,
      Model: "iBMC",
      UUID: spec.uuid,
      DateTime: new Date(now()).toISOString().replace(/\.\d+Z$/, "+00:00"),
      DateTimeLocalOffset: "+00:00",
      Status: { State: "Enabled", Health: "OK" },
      EthernetInterfaces: { "@odata.id": `${ROOT}/Managers/1/EthernetInterfaces` },
      NetworkProtocol: { "@odata.id": `${ROOT}/Managers/1/NetworkProtocol` },
      VirtualMedia: { "@odata.id": `${ROOT}/Managers/1/VirtualMedia` },
      Links: {
        ManagerForServers: [{ "@odata.id": `${ROOT}/Systems/1` }],
        ManagerForChassis: [{ "@odata.id": `${ROOT}/Chassis/1` }],
      },
      Actions: {
        "#Manager.Reset": {
          target: `${ROOT}/Managers/1/Actions/Manager.Reset`,
          "ResetType@Redfish.AllowableValues": ["ForceRestart"],
        },
      },
      Oem: { Huawei: { SlotID: spec.slot, DeviceIPv4: spec.bmcIp } },
    }));
  app.post(`${ROOT}/Managers/1/Actions/Manager.Reset`, async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    if (body.ResetType !== undefined && body.ResetType !== "ForceRestart") {
      return redfishError(400, "Base.1.0.PropertyValueNotInList", [
        String(body.ResetType),
        "ResetType",
      ], [
        "#/ResetType",
      ]);
    }
    // Answer first, then go down for the reboot window.
    setTimeout(() => blade.startReboot(options.managerResetMs ?? 10_000), 0);
    return json(errorBody("Base.1.0.Success"), 200);
  });
  app.get(`${ROOT}/Managers/1/EthernetInterfaces`, () =>
    json(
      collection(
        `${ROOT}/Managers/1/EthernetInterfaces`,
        "#EthernetInterfaceCollection.EthernetInterfaceCollection",
        "Ethernet Network Interface Collection",
        [`${ROOT}/Managers/1/EthernetInterfaces/eth2`],
      ),
    ));
  app.get(`${ROOT}/Managers/1/EthernetInterfaces/eth2`, () =>
    json({
      "@odata.id": `${ROOT}/Managers/1/EthernetInterfaces/eth2`,
      "@odata.type": "#EthernetInterface.v1_0_2.EthernetInterface",
      Id: "eth2",
      Name: "Manager Ethernet Interface",
      MACAddress: spec.bmcMac,
      PermanentMACAddress: spec.bmcMac,
      IPv4Addresses: [{
        Address: spec.bmcIp,
        SubnetMask: "255.255.255.0",
        Gateway: "172.31.1.1",
        AddressOrigin: "Static",
      }],
    }));
  app.get(`${ROOT}/Managers/1/NetworkProtocol`, () =>
    json({
      "@odata.id": `${ROOT}/Managers/1/NetworkProtocol`,
      "@odata.type": "#ManagerNetworkProtocol.v1_0_2.ManagerNetworkProtocol",
      Id: "NetworkProtocol",
      Name: "Manager Network Protocol",
      HostName: `iBMC-slot${spec.slot}`,
      HTTPS: { ProtocolEnabled: true, Port: 443 },
      SSH: { ProtocolEnabled: true, Port: 22 },
      IPMI: { ProtocolEnabled: true, Port: 623 },
      VirtualMedia: { ProtocolEnabled: true, Port: 8208 },
    }));

  // ---- Virtual media (under Managers/1, as on Huawei iBMCs)
  const VM = `${ROOT}/Managers/1/VirtualMedia`;
  app.get(
    VM,
    () =>
      json(
        collection(VM, "#VirtualMediaCollection.VirtualMediaCollection", "Virtual Media Services", [
          `${VM}/CD`,
        ]),
      ),
  );
  const cdBody = () => {
    const m = blade.data.vmedia;
    return {
      "@odata.context": "/redfish/v1/$metadata#Managers/Members/1/VirtualMedia/Members/$entity",
      "@odata.id": `${VM}/CD`,
      "@odata.type": "#VirtualMedia.v1_2_0.VirtualMedia",
      Id: "CD",
      Name: "VirtualMedia",
      MediaTypes: ["CD", "DVD"],
      Image: m.image,
      ImageName: m.image ? m.image.split("/").pop() : null,
      ConnectedVia: m.inserted ? "URI" : "NotConnected",
      Inserted: m.inserted,
      WriteProtected: m.writeProtected,
      Actions: {
        "#VirtualMedia.InsertMedia": { target: `${VM}/CD/Actions/VirtualMedia.InsertMedia` },
        "#VirtualMedia.EjectMedia": { target: `${VM}/CD/Actions/VirtualMedia.EjectMedia` },
      },
      Oem: {
        Huawei: {
          Actions: {
            "#VirtualMedia.VmmControl": {
              target: `${VM}/CD/Oem/Huawei/Actions/VirtualMedia.VmmControl`,
              "VmmControlType@Redfish.AllowableValues": ["Connect", "Disconnect"],
            },
          },
        },
      },
    };
  };
  app.get(`${VM}/CD`, () => json(cdBody()));
  const IMAGE_RE = /^(https?|nfs|cifs|smb|ftp|sftp):\/\/[^\s]+$/i;
  app.post(`${VM}/CD/Actions/VirtualMedia.InsertMedia`, async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const action = "VirtualMedia.InsertMedia";
    if (typeof body.Image !== "string") {
      return redfishError(400, "Base.1.0.ActionParameterMissing", [action, "Image"], ["#/Image"]);
    }
    for (const k of Object.keys(body)) {
      if (
        ![
          "Image",
          "Inserted",
          "WriteProtected",
          "TransferProtocolType",
          "UserName",
          "Password",
          "TransferMethod",
        ].includes(k)
      ) {
        return redfishError(400, "Base.1.0.ActionParameterUnknown", [action, k], [`#/${k}`]);
      }
    }
    if (!IMAGE_RE.test(body.Image)) {
      return redfishError(400, "Base.1.0.ActionParameterValueFormatError", [
        body.Image,
        "Image",
        action,
      ], ["#/Image"]);
    }
    if (blade.data.vmedia.inserted) {
      return redfishError(400, "iBMC.1.0.VmmOperationNotAllowed", [
        "InsertMedia",
        "an image is already inserted",
      ]);
    }
    if (body.Inserted === false) return new Response(null, { status: 204 });
    blade.setMedia(body.Image, body.WriteProtected !== false);
    return new Response(null, { status: 204, headers: { "OData-Version": "4.0" } });
  });
  app.post(`${VM}/CD/Actions/VirtualMedia.EjectMedia`, async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    if (!blade.data.vmedia.inserted) {
      return redfishError(400, "iBMC.1.0.VmmOperationNotAllowed", [
        "EjectMedia",
        "no image is inserted",
      ]);
    }
    blade.setMedia(null);
    return new Response(null, { status: 204, headers: { "OData-Version": "4.0" } });
  });
  const newTask = (t: Omit<SimTask, "id" | "startedAt">): SimTask => {
    const task: SimTask = { ...t, id: String(++taskSeq), startedAt: now() };
    tasks.set(task.id, task);
    return task;
  };
  const taskResponse = (t: SimTask) =>
    json(taskBody(t, now(), blade.options.taskMessages), 202, {
      Location: `${ROOT}/TaskService/Tasks/${t.id}`,
    });
  app.post(`${VM}/CD/Oem/Huawei/Actions/VirtualMedia.VmmControl`, async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const action = "VirtualMedia.VmmControl";
    const type = body.VmmControlType;
    if (type === undefined) {
      return redfishError(400, "Base.1.0.ActionParameterMissing", [action, "VmmControlType"], [
        "#/VmmControlType",
      ]);
    }
    if (type !== "Connect" && type !== "Disconnect") {
      return redfishError(
        400,
        "Base.1.0.PropertyValueNotInList",
        [String(type), "VmmControlType"],
        [
          "#/VmmControlType",
        ],
      );
    }
    if (type === "Connect") {
      if (typeof body.Image !== "string") {
        return redfishError(400, "Base.1.0.ActionParameterMissing", [action, "Image"], ["#/Image"]);
      }
      if (!IMAGE_RE.test(body.Image)) {
        return redfishError(400, "Base.1.0.ActionParameterValueFormatError", [
          body.Image,
          "Image",
          action,
        ], ["#/Image"]);
      }
      if (blade.data.vmedia.inserted) {
        return redfishError(400, "iBMC.1.0.VmmOperationNotAllowed", [
          "Connect",
          "an image is already inserted",
        ]);
      }
      const image = body.Image;
      return taskResponse(newTask({
        name: "vmm connect task",
        durationMs: options.vmmTaskMs ?? 1500,
        onComplete: () => blade.setMedia(image, true),
      }));
    }
    if (!blade.data.vmedia.inserted) {
      return redfishError(400, "iBMC.1.0.VmmOperationNotAllowed", [
        "Disconnect",
        "no image is inserted",
      ]);
    }
    return taskResponse(newTask({
      name: "vmm disconnect task",
      durationMs: options.vmmTaskMs ?? 1500,
      onComplete: () => blade.setMedia(null),
    }));
  });

  // ---- TaskService
  app.get(`${ROOT}/TaskService`, () =>
    json({
      "@odata.id": `${ROOT}/TaskService`,
      "@odata.type": "#TaskService.v1_0_0.TaskService",
      Id: "TaskService",
      Name: "Task Service",
      ServiceEnabled: true,
      Status: { State: "Enabled", Health: "OK" },
      Tasks: { "@odata.id": `${ROOT}/TaskService/Tasks` },
    }));
  app.get(
    `${ROOT}/TaskService/Tasks`,
    () =>
      json(
        collection(
          `${ROOT}/TaskService/Tasks`,
          "#TaskCollection.TaskCollection",
          "Task Collection",
          [...tasks.keys()].map((id) => `${ROOT}/TaskService/Tasks/${id}`),
        ),
      ),
  );
  app.get(`${ROOT}/TaskService/Tasks/:id`, (c) => {
    const t = tasks.get(c.req.param("id"));
    if (!t) return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
    return json(taskBody(t, now(), blade.options.taskMessages));
  });

  // ---- UpdateService
  let updating: SimTask | undefined;
  app.get(`${ROOT}/UpdateService`, () =>
    json({
      "@odata.id": `${ROOT}/UpdateService`,
      "@odata.type": "#UpdateService.v1_0_2.UpdateService",
      Id: "UpdateService",
      Name: "Update Service",
      ServiceEnabled: true,
      Status: { State: "Enabled", Health: "OK" },
      FirmwareInventory: { "@odata.id": `${ROOT}/UpdateService/FirmwareInventory` },
      Actions: {
        "#UpdateService.SimpleUpdate": {
          target: `${ROOT}/UpdateService/Actions/UpdateService.SimpleUpdate`,
          "TransferProtocol@Redfish.AllowableValues": [
            "HTTP",
            "HTTPS",
            "SFTP",
            "TFTP",
            "SCP",
            "CIFS",
            "NFS",
          ],
        },
      },
    }));
  const FW = `${ROOT}/UpdateService/FirmwareInventory`;
  app.get(
    FW,
    () =>
      json(
        collection(
          FW,
          "#SoftwareInventoryCollection.SoftwareInventoryCollection",
          "Firmware Inventory",
          [
            `${FW}/ActiveBMC`,
            `${FW}/Bios`,
          ],
        ),
      ),
  );
  app.get(`${FW}/:id`, (c) => {
    const id = c.req.param("id");
    const version = id === "ActiveBMC"
      ? blade.data.firmware.ibmc
      : id === "Bios"
      ? blade.data.firmware.bios
      : undefined;
    if (version === undefined) {
      return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
    }
    return json({
      "@odata.id": `${FW}/${id}`,
      "@odata.type": "#SoftwareInventory.v1_0_0.SoftwareInventory",
      Id: id,
      Name: id,
      Version: version,
      Updateable: true,
      Status: { State: "Enabled", Health: "OK" },
    });
  });
  app.post(`${ROOT}/UpdateService/Actions/UpdateService.SimpleUpdate`, async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const action = "UpdateService.SimpleUpdate";
    if (typeof body.ImageURI !== "string") {
      return redfishError(400, "Base.1.0.ActionParameterMissing", [action, "ImageURI"], [
        "#/ImageURI",
      ]);
    }
    if (
      !/^(https?|sftp|tftp|scp|cifs|nfs):\/\/\S+$/i.test(body.ImageURI) &&
      !body.ImageURI.startsWith("/tmp/")
    ) {
      return redfishError(400, "Base.1.0.ActionParameterValueFormatError", [
        body.ImageURI,
        "ImageURI",
        action,
      ], [
        "#/ImageURI",
      ]);
    }
    if (updating && taskView(updating, now()).state === "Running") {
      return redfishError(400, "iBMC.1.0.UpgradeInProgress");
    }
    const fault = ctx.faults.named(device, "firmware-flash-failure");
    const atPercent = fault ? Number(fault.params?.atPercent ?? 50) : undefined;
    const image = body.ImageURI;
    const m = /(?:bios|BIOS)[_-]?([\w.]+?)\.(?:hpm|bin)$/.exec(image);
    const v = /([0-9]+\.[0-9]+(?:\.[0-9]+)?)/.exec(image.split("/").pop() ?? "");
    updating = newTask({
      name: "Upgarde Task", // sic: the iBMC's task name as reported by Huawei tooling
      durationMs: options.updateTaskMs ?? 20_000,
      failAtPercent: atPercent,
      failMessage: typeof fault?.params?.message === "string"
        ? fault.params.message
        : "flash write failed",
      onComplete: () => {
        if (v) blade.setFirmware(m ? "bios" : "ibmc", v[1]);
      },
    });
    return taskResponse(updating);
  });

  // ---- AccountService
  const ACC = `${ROOT}/AccountService/Accounts`;
  const accounts = (): Record<
    string,
    { userName: string; roleId: string; enabled: boolean; password: string }
  > => ({
    "2": {
      userName: ctx.credentials.username,
      roleId: "Administrator",
      enabled: true,
      password: "",
    },
    ...blade.data.accounts,
  });
  const accountBody = (id: string, a: { userName: string; roleId: string; enabled: boolean }) => ({
    "@odata.context": "/redfish/v1/$metadata#AccountService/Accounts/Members/$entity",
    "@odata.id": `${ACC}/${id}`,
    "@odata.type": "#ManagerAccount.v1_0_2.ManagerAccount",
    Id: id,
    Name: "User Account",
    UserName: a.userName,
    Password: null,
    RoleId: a.roleId,
    Locked: lockout.lockedFor(a.userName) > 0,
    Enabled: a.enabled,
    Links: { Role: { "@odata.id": `${ROOT}/AccountService/Roles/${a.roleId}` } },
    Oem: { Huawei: { LoginInterface: ["Web", "SNMP", "IPMI", "SSH", "SFTP", "Local", "Redfish"] } },
  });
  const ROLES = ["Administrator", "Operator", "Commonuser", "Noaccess"];
  app.get(`${ROOT}/AccountService`, () =>
    json({
      "@odata.id": `${ROOT}/AccountService`,
      "@odata.type": "#AccountService.v1_0_2.AccountService",
      Id: "AccountService",
      Name: "Account Service",
      ServiceEnabled: true,
      AuthFailureLoggingThreshold: lockout.threshold,
      MinPasswordLength: 8,
      MaxPasswordLength: 20,
      AccountLockoutThreshold: lockout.threshold,
      AccountLockoutDuration: Math.round(lockout.durationMs / 1000),
      Accounts: { "@odata.id": ACC },
      Roles: { "@odata.id": `${ROOT}/AccountService/Roles` },
    }));
  app.get(
    `${ROOT}/AccountService/Roles`,
    () =>
      json(
        collection(
          `${ROOT}/AccountService/Roles`,
          "#RoleCollection.RoleCollection",
          "Roles Collection",
          ROLES.map((r) => `${ROOT}/AccountService/Roles/${r}`),
        ),
      ),
  );
  app.get(
    ACC,
    () =>
      json(
        collection(
          ACC,
          "#ManagerAccountCollection.ManagerAccountCollection",
          "Accounts Collection",
          Object.keys(accounts()).sort((a, b) => Number(a) - Number(b)).map((id) => `${ACC}/${id}`),
        ),
      ),
  );
  app.get(`${ACC}/:id`, (c) => {
    const id = c.req.param("id");
    const a = accounts()[id];
    if (!a) return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
    return json(accountBody(id, a), 200, { ETag: `W/"${blade.data.generation}"` });
  });
  const validPassword = (p: unknown) => typeof p === "string" && p.length >= 8 && p.length <= 20;
  app.post(ACC, async (c) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    for (const k of ["UserName", "Password", "RoleId"]) {
      if (body[k] === undefined) {
        return redfishError(400, "Base.1.0.PropertyMissing", [k], [`#/${k}`]);
      }
    }
    if (typeof body.UserName !== "string" || !/^[A-Za-z0-9_.-]{1,16}$/.test(body.UserName)) {
      return redfishError(400, "Base.1.0.PropertyValueFormatError", [
        String(body.UserName),
        "UserName",
      ], ["#/UserName"]);
    }
    if (!validPassword(body.Password)) {
      return redfishError(400, "Base.1.0.PropertyValueFormatError", ["******", "Password"], [
        "#/Password",
      ]);
    }
    if (!ROLES.includes(body.RoleId as string)) {
      return redfishError(400, "Base.1.0.PropertyValueNotInList", [String(body.RoleId), "RoleId"], [
        "#/RoleId",
      ]);
    }
    if (Object.values(accounts()).some((a) => a.userName === body.UserName)) {
      return redfishError(400, "Base.1.0.ResourceAlreadyExists", [], ["#/UserName"]);
    }
    let id = 3;
    while (accounts()[String(id)]) id++;
    if (id > 17) return redfishError(400, "Base.1.0.CreateLimitReachedForResource");
    const a = {
      userName: body.UserName,
      password: body.Password as string,
      roleId: body.RoleId as string,
      enabled: body.Enabled !== false,
    };
    blade.setAccount(String(id), a);
    return json(accountBody(String(id), a), 201, { Location: `${ACC}/${id}` });
  });
  app.patch(`${ACC}/:id`, async (c) => {
    const id = c.req.param("id");
    const a = accounts()[id];
    if (!a) return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
    const pre = preconditionFailed(c, `W/"${blade.data.generation}"`);
    if (pre) return pre;
    const body = await readJson(c);
    if (body instanceof Response) return body;
    if (id === "2") return redfishError(400, "Base.1.0.InsufficientPrivilege");
    const next = { ...blade.data.accounts[id] };
    for (const [k, v] of Object.entries(body)) {
      if (k === "Password") {
        if (!validPassword(v)) {
          return redfishError(400, "Base.1.0.PropertyValueFormatError", ["******", k], [`#/${k}`]);
        }
        next.password = v as string;
      } else if (k === "RoleId") {
        if (!ROLES.includes(v as string)) {
          return redfishError(400, "Base.1.0.PropertyValueNotInList", [String(v), k], [`#/${k}`]);
        }
        next.roleId = v as string;
      } else if (k === "Enabled") {
        if (typeof v !== "boolean") {
          return redfishError(400, "Base.1.0.PropertyValueTypeError", [String(v), k], [`#/${k}`]);
        }
        next.enabled = v;
      } else if (k === "UserName") {
        if (typeof v !== "string" || !/^[A-Za-z0-9_.-]{1,16}$/.test(v)) {
          return redfishError(400, "Base.1.0.PropertyValueFormatError", [String(v), k], [`#/${k}`]);
        }
        next.userName = v;
      } else if (["Id", "Name", "Locked", "Links", "Oem"].includes(k)) {
        return redfishError(400, "Base.1.0.PropertyNotWritable", [k], [`#/${k}`]);
      } else return redfishError(400, "Base.1.0.PropertyUnknown", [k], [`#/${k}`]);
    }
    blade.setAccount(id, next);
    return json(accountBody(id, next));
  });
  app.delete(`${ACC}/:id`, (c) => {
    const id = c.req.param("id");
    if (!accounts()[id]) return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
    if (id === "2") return redfishError(400, "Base.1.0.ResourceCannotBeDeleted");
    blade.setAccount(id, null);
    return json(errorBody("Base.1.0.Success"));
  });

  // ---- EventService
  app.get(`${ROOT}/EventService`, () =>
    json({
      "@odata.id": `${ROOT}/EventService`,
      "@odata.type": "#EventService.v1_0_2.EventService",
      Id: "EventService",
      Name: "Event Service",
      ServiceEnabled: true,
      Status: { State: "Enabled", Health: "OK" },
      EventTypesForSubscription: [
        "StatusChange",
        "ResourceUpdated",
        "ResourceAdded",
        "ResourceRemoved",
        "Alert",
      ],
      Subscriptions: { "@odata.id": `${ROOT}/EventService/Subscriptions` },
    }));
  app.get(
    `${ROOT}/EventService/Subscriptions`,
    () =>
      json(
        collection(
          `${ROOT}/EventService/Subscriptions`,
          "#EventDestinationCollection.EventDestinationCollection",
          "Event Subscriptions",
          [],
        ),
      ),
  );

  // Known resource, wrong method.
  app.all(`${ROOT}/*`, (c) => {
    const routes = app.routes.filter((r) =>
      r.method !== "ALL" && r.path !== "*" && matchPath(r.path, c.req.path)
    );
    if (routes.length) {
      return redfishError(405, "Base.1.0.ActionNotSupported", [c.req.method], [], {
        Allow: [...new Set(routes.map((r) => r.method))].join(", "),
      });
    }
    return redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
  });
  return app;
}

function matchPath(pattern: string, path: string): boolean {
  const re = new RegExp(
    "^" + pattern.replace(/[.$]/g, "\\$&").replace(/:[A-Za-z]+/g, "[^/]+") + "/?$",
  );
  return re.test(path);
}
