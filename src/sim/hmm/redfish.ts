/**
 * The HMM's Redfish 1.0.2 service (chassis level only), after docs/hardware/redfish.md §1:
 * SessionService (X-Auth-Token, Location, DELETE logout, a session cap), Chassis/1,
 * Blade1..Blade24 (Absent where no blade), Swi1..Swi4, HMM1/HMM2, Managers/HMM1/HMM2 with their
 * sub-collections, AccountService with only Accounts/2, UpdateService, EventService, TaskService,
 * Registries (Base, HMM, HMMEvents), an empty Systems collection, and the 403s on
 * `Systems/<anything>` and `Chassis/Blade<N>/Power`.
 *
 * @module
 */
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import type { SimContext } from "../context.ts";
import { httpFaults } from "../faults.ts";
import type { BladeState } from "../ibmc/blade.ts";
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
} from "../ibmc/redfish_common.ts";
import type { HmmState } from "./state.ts";

/** Options of the HMM Redfish service. */
export interface HmmRedfishOptions {
  /** Maximum concurrent Redfish sessions (default 8; the real maximum is unknown). */
  sessionCap?: number;
  /** Bad passwords before lockout (default 5) and lock time (5 minutes). */
  lockoutThreshold?: number;
  lockoutMs?: number;
}

/** What the HMM Redfish service needs. */
export interface HmmRedfishDeps {
  ctx: Pick<SimContext, "faults" | "credentials" | "topology">;
  state: HmmState;
  blades: Map<number, BladeState>;
  now: () => number;
}

const ROOT = "/redfish/v1";
type Env = { Variables: { user: string } };

/** Create the HMM Redfish app (routes under `/redfish`). */
export function createHmmRedfishApp(
  deps: HmmRedfishDeps,
  options: HmmRedfishOptions = {},
): Hono<Env> {
  const { ctx, state, blades, now } = deps;
  const t = ctx.topology;
  const sessions = new SessionStore({
    cap: options.sessionCap ?? 8,
    idleSeconds: 1800,
    now,
    ttl: () => ctx.faults.effective("hmm", "redfish").sessionTtlMs,
  });
  const lockout = new Lockout(options.lockoutThreshold ?? 5, options.lockoutMs ?? 300_000, now);
  const app = new Hono<Env>();
  const missing = (c: Context) => redfishError(404, "Base.1.0.ResourceMissingAtURI", [c.req.path]);
  const forbidden = () => redfishError(403, "Base.1.0.InsufficientPrivilege");

  app.onError(() => redfishError(500, "Base.1.0.InternalError"));
  app.notFound((c) => missing(c));
  app.use("/redfish/*", httpFaults(ctx, "hmm", "redfish"));
  app.use("/redfish", httpFaults(ctx, "hmm", "redfish"));

  app.get("/redfish", (c) => c.json({ v1: "/redfish/v1/" }));
  app.get("/redfish/", (c) => c.json({ v1: "/redfish/v1/" }));
  const root = () =>
    json({
      "@odata.context": "/redfish/v1/$metadata#ServiceRoot",
      "@odata.id": "/redfish/v1/",
      "@odata.type": "#ServiceRoot.1.0.0.ServiceRoot",
      Id: "RootService",
      Name: "Root Service",
      RedfishVersion: "1.0.2",
      UUID: "8a3e9d10-0c4f-4f52-9b6a-" +
        t.chassis.serial.toLowerCase().replace(/[^0-9a-f]/g, "0").padEnd(12, "0").slice(0, 12),
      Systems: { "@odata.id": `${ROOT}/Systems` },
      Chassis: { "@odata.id": `${ROOT}/Chassis` },
      Managers: { "@odata.id": `${ROOT}/Managers` },
      AccountService: { "@odata.id": `${ROOT}/AccountService` },
      UpdateService: { "@odata.id": `${ROOT}/UpdateService` },
      EventService: { "@odata.id": `${ROOT}/EventService` },
      Tasks: { "@odata.id": `${ROOT}/TaskService` },
      SessionService: { "@odata.id": `${ROOT}/SessionService` },
      Registries: { "@odata.id": `${ROOT}/Registries` },
      Links: { Sessions: { "@odata.id": `${ROOT}/SessionService/Sessions` } },
    });
  app.get(ROOT, root);
  app.get(`${ROOT}/`, root);

  const login = async (c: Context<Env>) => {
    const body = await readJson(c);
    if (body instanceof Response) return body;
    const user = body.UserName, password = body.Password;
    if (typeof user !== "string") {
      return redfishError(400, "Base.1.0.PropertyMissing", ["UserName"], ["#/UserName"]);
    }
    if (typeof password !== "string") {
      return redfishError(400, "Base.1.0.PropertyMissing", ["Password"], ["#/Password"]);
    }
    if (lockout.lockedFor(user)) return redfishError(401, "Base.1.0.NoValidSession");
    if (
      !(sameSecret(user, ctx.credentials.username) &&
        sameSecret(password, ctx.credentials.password))
    ) {
      lockout.fail(user);
      return redfishError(401, "Base.1.0.NoValidSession");
    }
    lockout.success(user);
    const s = sessions.create(user);
    if (!s) return redfishError(503, "Base.1.0.SessionLimitExceeded");
    return json(sessionBody(s), 201, {
      "X-Auth-Token": s.token,
      Location: `${ROOT}/SessionService/Sessions/${s.id}`,
    });
  };
  app.post(`${ROOT}/SessionService/Sessions`, login);
  app.post(`${ROOT}/SessionService/Sessions/`, login);

  const auth: MiddlewareHandler<Env> = async (c, next) => {
    const s = sessions.byToken(c.req.header("X-Auth-Token"));
    if (!s) return redfishError(401, "Base.1.0.NoValidSession");
    c.set("user", s.userName);
    await next();
  };
  app.use(`${ROOT}/*`, auth);

  app.get(`${ROOT}/SessionService`, () =>
    json({
      "@odata.id": `${ROOT}/SessionService`,
      "@odata.type": "#SessionService.1.0.0.SessionService",
      Id: "SessionService",
      Name: "Session Service",
      Status: { State: "Enabled", Health: "OK" },
      ServiceEnabled: true,
      SessionTimeout: sessions.options.idleSeconds,
      Sessions: { "@odata.id": `${ROOT}/SessionService/Sessions` },
    }));
  app.get(
    `${ROOT}/SessionService/Sessions`,
    () =>
      json(
        collection(
          `${ROOT}/SessionService/Sessions`,
          "#SessionCollection.SessionCollection",
          "Session Collection",
          sessions.list().map((s) => `${ROOT}/SessionService/Sessions/${s.id}`),
        ),
      ),
  );
  app.get(`${ROOT}/SessionService/Sessions/:id`, (c) => {
    const s = sessions.get(c.req.param("id"));
    return s ? json(sessionBody(s)) : missing(c);
  });
  app.delete(
    `${ROOT}/SessionService/Sessions/:id`,
    (c) => sessions.delete(c.req.param("id")) ? json(errorBody("Base.1.0.Success")) : missing(c),
  );

  // ---- Systems: empty; any member is forbidden (observed 403 for Systems/Blade1).
  app.get(
    `${ROOT}/Systems`,
    () =>
      json(
        collection(
          `${ROOT}/Systems`,
          "#ComputerSystemCollection.ComputerSystemCollection",
          "Computer System Collection",
          [],
        ),
      ),
  );
  app.all(`${ROOT}/Systems/*`, forbidden);

  // ---- Chassis
  const chassisIds = [
    "1",
    ...Array.from({ length: 24 }, (_, i) => `Blade${i + 1}`),
    ...[1, 2, 3, 4].map((n) => `Swi${n}`),
    ...t.hmm.modules.map((m) => m.name),
  ];
  app.get(
    `${ROOT}/Chassis`,
    () =>
      json(
        collection(
          `${ROOT}/Chassis`,
          "#ChassisCollection.ChassisCollection",
          "Chassis Collection",
          chassisIds.map((id) => `${ROOT}/Chassis/${id}`),
        ),
      ),
  );
  const base = (id: string, type: string) => ({
    "@odata.context": "/redfish/v1/$metadata#Chassis/Members/$entity",
    "@odata.id": `${ROOT}/Chassis/${id}`,
    "@odata.type": "#Chassis.1.0.0.Chassis",
    Id: id,
    ChassisType: type,
  });
  app.get(`${ROOT}/Chassis/1`, () =>
    json({
      ...base("1", "Enclosure"),
      Name: t.chassis.model,
      Model: t.chassis.model,
      Manufacturer: "Huawei",
      SerialNumber: t.chassis.serial,
      AssetTag: state.data.records.basic.assettag,
      IndicatorLED: "Off",
      PowerState: "On",
      Status: {
        State: "Enabled",
        Health: t.psus.some((p) => p.present && p.health !== "OK") ? "Warning" : "OK",
      },
      Power: { "@odata.id": `${ROOT}/Chassis/1/Power` },
      Thermal: { "@odata.id": `${ROOT}/Chassis/1/Thermal` },
      Links: {
        Contains: chassisIds.filter((id) => id !== "1").map((id) => ({
          "@odata.id": `${ROOT}/Chassis/${id}`,
        })),
        ManagedBy: t.hmm.modules.map((m) => ({ "@odata.id": `${ROOT}/Managers/${m.name}` })),
      },
    }));
  app.get(`${ROOT}/Chassis/1/Power`, () => {
    const cap = state.data.records.powerCapping;
    const consumed = [...blades.values()].reduce(
      (w, b) => w + (b.data.power === "On" ? 180 : 8),
      300,
    );
    return json({
      "@odata.id": `${ROOT}/Chassis/1/Power`,
      "@odata.type": "#Power.1.0.0.Power",
      Id: "Power",
      Name: "Power",
      PowerControl: [{
        "@odata.id": `${ROOT}/Chassis/1/Power#/PowerControl/0`,
        MemberId: "0",
        Name: "Chassis Power Control",
        PowerConsumedWatts: consumed,
        PowerLimit: {
          LimitInWatts: cap.enabled === "1" ? Number(cap.limit) : null,
          LimitException: cap.failaction === "poweroff" ? "HardPowerOff" : "NoAction",
        },
      }],
      PowerSupplies: t.psus.map((p, i) => ({
        "@odata.id": `${ROOT}/Chassis/1/Power#/PowerSupplies/${i}`,
        MemberId: String(i),
        Name: `PSU${p.id}`,
        PowerCapacityWatts: p.ratedWatts,
        Status: {
          State: p.present ? "Enabled" : "Absent",
          ...(p.present ? { Health: p.health } : {}),
        },
      })),
    });
  });
  // Fan speed control (web `fanhandler.php setfancontrol`, assumption): in manual mode every fan
  // runs at `speed` percent, the topology's RPM being the automatic level of about 40 %.
  const fanRpm = (auto: number): number => {
    const c = state.data.records.fanControl;
    return c?.mode === "manual" ? Math.round(auto / 0.4 * Number(c.speed) / 100) : auto;
  };
  app.get(`${ROOT}/Chassis/1/Thermal`, () =>
    json({
      "@odata.id": `${ROOT}/Chassis/1/Thermal`,
      "@odata.type": "#Thermal.1.0.0.Thermal",
      Id: "Thermal",
      Name: "Thermal",
      Fans: t.fans.map((f, i) => ({
        "@odata.id": `${ROOT}/Chassis/1/Thermal#/Fans/${i}`,
        MemberId: String(i),
        FanName: `Fan${f.id}`,
        Reading: f.present ? fanRpm(f.rpm) : null,
        ReadingUnits: "RPM",
        Status: {
          State: f.present ? "Enabled" : "Absent",
          ...(f.present ? { Health: f.health } : {}),
        },
      })),
      Temperatures: [{
        "@odata.id": `${ROOT}/Chassis/1/Thermal#/Temperatures/0`,
        MemberId: "0",
        Name: "Inlet Temp",
        ReadingCelsius: 24,
        Status: { State: "Enabled", Health: "OK" },
      }],
    }));
  app.get(`${ROOT}/Chassis/:id`, (c) => {
    const id = c.req.param("id");
    const blade = /^Blade(\d+)$/.exec(id);
    if (blade) {
      const n = Number(blade[1]);
      if (n < 1 || n > 24) return missing(c);
      const b = blades.get(n);
      if (!b) return json({ ...base(id, "Blade"), Name: id, Status: { State: "Absent" } });
      return json({
        ...base(id, "Blade"),
        Name: id,
        Model: b.spec.model,
        Manufacturer: "Huawei",
        SerialNumber: b.spec.serial,
        PowerState: b.data.power,
        Status: { State: "Enabled", Health: b.spec.health },
        Oem: { Huawei: { SlotNumber: n, BMCIPv4Address: b.spec.bmcIp, UUID: b.spec.uuid } },
        Links: { ContainedBy: { "@odata.id": `${ROOT}/Chassis/1` } },
      });
    }
    const swi = /^Swi([1-4])$/.exec(id);
    if (swi) {
      const s = t.switches.find((x) => x.slot === Number(swi[1]));
      if (!s) return json({ ...base(id, "Module"), Name: id, Status: { State: "Absent" } });
      return json({
        ...base(id, "Module"),
        Name: id,
        Model: s.model,
        Manufacturer: "Huawei",
        SerialNumber: s.serial,
        PowerState: "On",
        Status: { State: "Enabled", Health: "OK" },
        Oem: { Huawei: { SlotNumber: s.slot, ManagementIPv4Address: s.mgmt.ip } },
        Links: { ContainedBy: { "@odata.id": `${ROOT}/Chassis/1` } },
      });
    }
    const m = t.hmm.modules.find((x) => x.name === id);
    if (m) {
      return json({
        ...base(id, "Module"),
        Name: id,
        Model: "MM910",
        Manufacturer: "Huawei",
        SerialNumber: m.serial,
        PowerState: "On",
        Status: { State: m.role === "active" ? "Enabled" : "StandbySpare", Health: "OK" },
        Links: {
          ContainedBy: { "@odata.id": `${ROOT}/Chassis/1` },
          ManagedBy: [{ "@odata.id": `${ROOT}/Managers/${id}` }],
        },
      });
    }
    return missing(c);
  });
  // Per-blade and per-module sub-resources are forbidden (observed 403 for Chassis/Blade1/Power).
  app.all(`${ROOT}/Chassis/:id{(Blade\\d+|Swi\\d|HMM\\d)}/*`, forbidden);

  // ---- Managers
  app.get(
    `${ROOT}/Managers`,
    () =>
      json(
        collection(
          `${ROOT}/Managers`,
          "#ManagerCollection.ManagerCollection",
          "Manager Collection",
          t.hmm.modules.map((m) => `${ROOT}/Managers/${m.name}`),
        ),
      ),
  );
  const moduleOf = (c: Context) => t.hmm.modules.find((m) => m.name === c.req.param("id"));
  app.get(`${ROOT}/Managers/:id`, (c) => {
    const m = moduleOf(c);
    if (!m) return missing(c);
    const M = `${ROOT}/Managers/${m.name}`;
    return json({
      "@odata.context": "/redfish/v1/$metadata#Managers/Members/$entity",
      "@odata.id": M,
      "@odata.type": "#Manager.1.0.0.Manager",
      Id: m.name,
      Name: m.name,
      ManagerType: "EnclosureManager",
      Model: "MM910",
      FirmwareVersion: state.data.versions.smm ?? t.hmm.version,
      DateTime: new Date(now()).toISOString().replace(/\.\d+Z$/, "+00:00"),
      DateTimeLocalOffset: "+00:00",
      Status: { State: m.role === "active" ? "Enabled" : "StandbySpare", Health: "OK" },
      EthernetInterfaces: { "@odata.id": `${M}/EthernetInterfaces` },
      SerialInterfaces: { "@odata.id": `${M}/SerialInterfaces` },
      NetworkProtocol: { "@odata.id": `${M}/NetworkProtocol` },
      LogServices: { "@odata.id": `${M}/LogServices` },
      Links: { ManagerForChassis: [{ "@odata.id": `${ROOT}/Chassis/1` }] },
      Oem: { Huawei: { Role: m.role === "active" ? "Active" : "Standby" } },
    });
  });
  app.get(`${ROOT}/Managers/:id/EthernetInterfaces`, (c) => {
    const m = moduleOf(c);
    if (!m) return missing(c);
    const ids = m.role === "active" ? ["StaticEth0", "FloatEth0"] : ["StaticEth0"];
    return json(
      collection(
        `${ROOT}/Managers/${m.name}/EthernetInterfaces`,
        "#EthernetInterfaceCollection.EthernetInterfaceCollection",
        "Ethernet Interface Collection",
        ids.map((i) => `${ROOT}/Managers/${m.name}/EthernetInterfaces/${i}`),
      ),
    );
  });
  app.get(`${ROOT}/Managers/:id/EthernetInterfaces/:eth`, (c) => {
    const m = moduleOf(c);
    const eth = c.req.param("eth");
    if (!m || !(eth === "StaticEth0" || (eth === "FloatEth0" && m.role === "active"))) {
      return missing(c);
    }
    const net = state.data.records.mmNetwork;
    const idx = t.hmm.modules.indexOf(m);
    const ip = eth === "FloatEth0" ? net.floatip : idx === 0 ? net.smm1ip : net.smm2ip;
    return json({
      "@odata.id": `${ROOT}/Managers/${m.name}/EthernetInterfaces/${eth}`,
      "@odata.type": "#EthernetInterface.1.0.0.EthernetInterface",
      Id: eth,
      Name: eth,
      MACAddress: m.mac,
      PermanentMACAddress: m.mac,
      IPv4Addresses: [{
        Address: ip,
        SubnetMask: net.netmask,
        Gateway: net.gateway,
        AddressOrigin: net.ipmode === "dhcp" ? "DHCP" : "Static",
      }],
      Status: { State: "Enabled", Health: "OK" },
    });
  });
  app.get(`${ROOT}/Managers/:id/SerialInterfaces`, (c) => {
    const m = moduleOf(c);
    if (!m) return missing(c);
    return json(
      collection(
        `${ROOT}/Managers/${m.name}/SerialInterfaces`,
        "#SerialInterfaceCollection.SerialInterfaceCollection",
        "Serial Interface Collection",
        [`${ROOT}/Managers/${m.name}/SerialInterfaces/1`],
      ),
    );
  });
  app.get(`${ROOT}/Managers/:id/SerialInterfaces/1`, (c) => {
    const m = moduleOf(c);
    if (!m) return missing(c);
    return json({
      "@odata.id": `${ROOT}/Managers/${m.name}/SerialInterfaces/1`,
      "@odata.type": "#SerialInterface.1.0.0.SerialInterface",
      Id: "1",
      Name: "Serial Interface",
      InterfaceEnabled: true,
      SignalType: "Rs232",
      BitRate: "115200",
      Parity: "None",
      DataBits: "8",
      StopBits: "1",
    });
  });
  app.get(`${ROOT}/Managers/:id/NetworkProtocol`, (c) => {
    const m = moduleOf(c);
    if (!m) return missing(c);
    const ntp = state.data.records.ntp;
    return json({
      "@odata.id": `${ROOT}/Managers/${m.name}/NetworkProtocol`,
      "@odata.type": "#ManagerNetworkProtocol.1.0.0.ManagerNetworkProtocol",
      Id: "NetworkProtocol",
      Name: "Manager Network Protocol",
      HostName: m.name,
      HTTP: { ProtocolEnabled: true, Port: 80 },
      HTTPS: { ProtocolEnabled: true, Port: 443 },
      SSH: { ProtocolEnabled: true, Port: 22 },
      Telnet: { ProtocolEnabled: false, Port: 23 },
      SNMP: { ProtocolEnabled: false, Port: 161 },
      IPMI: { ProtocolEnabled: false, Port: 623 },
      KVMIP: { ProtocolEnabled: true, Port: 2198 },
      VirtualMedia: { ProtocolEnabled: true, Port: 8500 },
      Oem: {
        Huawei: {
          NTP: {
            Enabled: ntp.enabled === "1",
            Servers: [ntp.server1, ntp.server2].filter(Boolean),
          },
        },
      },
    });
  });
  app.get(`${ROOT}/Managers/:id/LogServices`, (c) => {
    const m = moduleOf(c);
    if (!m) return missing(c);
    return json(
      collection(
        `${ROOT}/Managers/${m.name}/LogServices`,
        "#LogServiceCollection.LogServiceCollection",
        "Log Service Collection",
        [`${ROOT}/Managers/${m.name}/LogServices/Log1`],
      ),
    );
  });
  app.get(`${ROOT}/Managers/:id/LogServices/Log1`, (c) => {
    const m = moduleOf(c);
    if (!m) return missing(c);
    return json({
      "@odata.id": `${ROOT}/Managers/${m.name}/LogServices/Log1`,
      "@odata.type": "#LogService.1.0.0.LogService",
      Id: "Log1",
      Name: "System Event Log",
      MaxNumberOfRecords: 2000,
      ServiceEnabled: true,
      Status: { State: "Enabled", Health: "OK" },
    });
  });

  // ---- AccountService: only Accounts/2 (Accounts/1 is 404, observed).
  app.get(`${ROOT}/AccountService`, () =>
    json({
      "@odata.id": `${ROOT}/AccountService`,
      "@odata.type": "#AccountService.1.0.0.AccountService",
      Id: "AccountService",
      Name: "Account Service",
      ServiceEnabled: true,
      AuthFailureLoggingThreshold: lockout.threshold,
      MinPasswordLength: 8,
      MaxPasswordLength: 20,
      Accounts: { "@odata.id": `${ROOT}/AccountService/Accounts` },
    }));
  app.get(
    `${ROOT}/AccountService/Accounts`,
    () =>
      json(
        collection(
          `${ROOT}/AccountService/Accounts`,
          "#ManagerAccountCollection.ManagerAccountCollection",
          "Accounts Collection",
          [`${ROOT}/AccountService/Accounts/2`],
        ),
      ),
  );
  app.get(`${ROOT}/AccountService/Accounts/2`, () =>
    json({
      "@odata.id": `${ROOT}/AccountService/Accounts/2`,
      "@odata.type": "#ManagerAccount.1.0.0.ManagerAccount",
      Id: "2",
      Name: "User Account",
      UserName: ctx.credentials.username,
      RoleId: "Administrator",
      Enabled: true,
      Oem: {
        Huawei: {
          UserInterfaces: ["WEB", "SNMP", "SSH/TELNET", "SFTP", "KVM", "REDFISH"],
          UserDomain: "superdomain",
        },
      },
    }));

  // ---- UpdateService (inventory only; SimpleUpdate on the HMM is unproven: not offered).
  app.get(`${ROOT}/UpdateService`, () =>
    json({
      "@odata.id": `${ROOT}/UpdateService`,
      "@odata.type": "#UpdateService.1.0.0.UpdateService",
      Id: "UpdateService",
      Name: "Update Service",
      ServiceEnabled: true,
      Status: { State: "Enabled", Health: "OK" },
      FirmwareInventory: { "@odata.id": `${ROOT}/UpdateService/FirmwareInventory` },
    }));
  const fwIds = () => [
    ...t.hmm.modules.map((m) => m.name),
    ...t.switches.map((s) => `Swi${s.slot}`),
    ...[...blades.keys()].sort((a, b) => a - b).map((n) => `Blade${n}`),
  ];
  app.get(
    `${ROOT}/UpdateService/FirmwareInventory`,
    () =>
      json(
        collection(
          `${ROOT}/UpdateService/FirmwareInventory`,
          "#SoftwareInventoryCollection.SoftwareInventoryCollection",
          "Firmware Inventory Collection",
          fwIds().map((i) => `${ROOT}/UpdateService/FirmwareInventory/${i}`),
        ),
      ),
  );
  app.get(`${ROOT}/UpdateService/FirmwareInventory/:id`, (c) => {
    const id = c.req.param("id");
    if (!fwIds().includes(id)) return missing(c);
    const b = /^Blade(\d+)$/.exec(id);
    const version = b
      ? blades.get(Number(b[1]))!.data.firmware.ibmc
      : id.startsWith("Swi")
      ? state.data.versions[id] ?? t.switches.find((s) => `Swi${s.slot}` === id)!.software.release
      : state.data.versions.smm ?? t.hmm.version;
    return json({
      "@odata.id": `${ROOT}/UpdateService/FirmwareInventory/${id}`,
      "@odata.type": "#SoftwareInventory.1.0.0.SoftwareInventory",
      Id: id,
      Name: id,
      Version: version,
      Updateable: true,
      Status: { State: "Enabled", Health: "OK" },
    });
  });
  app.post(
    `${ROOT}/UpdateService/Actions/*`,
    (c) => redfishError(400, "Base.1.0.ActionNotSupported", [c.req.path.split("/").pop() ?? ""]),
  );

  app.get(`${ROOT}/EventService`, () =>
    json({
      "@odata.id": `${ROOT}/EventService`,
      "@odata.type": "#EventService.1.0.0.EventService",
      Id: "EventService",
      Name: "Event Service",
      ServiceEnabled: true,
      DeliveryRetryAttempts: 3,
      DeliveryRetryIntervalSeconds: 60,
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
  app.get(`${ROOT}/TaskService`, () =>
    json({
      "@odata.id": `${ROOT}/TaskService`,
      "@odata.type": "#TaskService.1.0.0.TaskService",
      Id: "TaskService",
      Name: "Task Service",
      ServiceEnabled: true,
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
          [],
        ),
      ),
  );
  const REGISTRIES = ["Base", "HMM", "HMMEvents"];
  app.get(
    `${ROOT}/Registries`,
    () =>
      json(
        collection(
          `${ROOT}/Registries`,
          "#MessageRegistryFileCollection.MessageRegistryFileCollection",
          "Registry File Collection",
          REGISTRIES.map((r) => `${ROOT}/Registries/${r}`),
        ),
      ),
  );
  app.get(`${ROOT}/Registries/:id`, (c) => {
    const id = c.req.param("id");
    if (!REGISTRIES.includes(id)) return missing(c);
    return json({
      "@odata.id": `${ROOT}/Registries/${id}`,
      "@odata.type": "#MessageRegistryFile.1.0.0.MessageRegistryFile",
      Id: id,
      Name: `${id} Message Registry File`,
      Registry: `${id}.1.0`,
      Languages: ["en"],
      Location: [{ Language: "en", Uri: `${ROOT}/RegistryStore/${id}.json` }],
    });
  });
  app.all(
    `${ROOT}/*`,
    (c) =>
      c.req.method === "GET"
        ? missing(c)
        : redfishError(405, "Base.1.0.ActionNotSupported", [c.req.method]),
  );
  return app;
}
