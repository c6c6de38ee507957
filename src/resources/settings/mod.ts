/**
 * Chassis-wide settings pages as resources (one of each per chassis): `vessel_chassis_settings`
 * (name, location, asset tag, contact), `vessel_power_policy` (power capping) and
 * `vessel_alarm_subscription` (SNMP trap and e-mail reporting; the community is write-only).
 *
 * @example HCL
 * resource "vessel_chassis_settings" "this" {
 *   name     = "rack12-e9000"
 *   location = "DC1 row 3 rack 12"
 * }
 */
import { basic, BASIC_FIELDS } from "../../chassis/basic.ts";
import { CAPPING_FIELDS, power } from "../../chassis/power.ts";
import { ALARM_SETTINGS_FIELDS, alarms } from "../../chassis/alarms.ts";
import { singletonResource } from "../webform.ts";
import type { ResourceDefinition } from "../../engine/types.ts";

type Attrs = Record<string, unknown>;

/** `vessel_chassis_settings` (id `chassis`). */
export const chassisSettingsResource: ResourceDefinition = singletonResource({
  type: "vessel_chassis_settings",
  description: "Basic chassis settings: name, location, asset tag, contact (one per chassis)",
  fields: BASIC_FIELDS,
  id: "chassis",
  read: (ctx) => basic(ctx.chassis).get({ signal: ctx.signal }) as Promise<Attrs>,
  write: (ctx, v) => basic(ctx.chassis).set(v, { signal: ctx.signal }) as Promise<Attrs>,
});

/** `vessel_power_policy` (id `power_policy`). */
export const powerPolicyResource: ResourceDefinition = singletonResource({
  type: "vessel_power_policy",
  description:
    "Power capping of the chassis: on/off, budget sharing, limit, action on failure (one per chassis)",
  fields: CAPPING_FIELDS,
  id: "power_policy",
  read: (ctx) => power(ctx.chassis).capping({ signal: ctx.signal }) as Promise<Attrs>,
  write: (ctx, v) => power(ctx.chassis).setCapping(v, { signal: ctx.signal }) as Promise<Attrs>,
  refine(d, issue) {
    if (d.enabled === true && typeof d.limit === "number" && d.limit < 1000) {
      issue("limit", "the HMM needs a limit of at least 1000 W when capping is on");
    }
  },
  disruption(action, desired, prior) {
    if (desired?.enabled === true && (prior?.enabled !== true || desired.limit !== prior?.limit)) {
      return {
        kind: "none",
        summary: `blades are throttled when the chassis draws more than ${
          desired.limit ?? prior?.limit
        } W`,
      };
    }
    void action;
    return undefined;
  },
});

/** `vessel_alarm_subscription` (id `alarm_subscription`). */
export const alarmSubscriptionResource: ResourceDefinition = singletonResource({
  type: "vessel_alarm_subscription",
  description: "Where the chassis reports alarms: SNMP trap receiver and e-mail (one per chassis)",
  fields: ALARM_SETTINGS_FIELDS,
  id: "alarm_subscription",
  read: (ctx) => alarms(ctx.chassis).settings({ signal: ctx.signal }) as Promise<Attrs>,
  write: (ctx, v) => alarms(ctx.chassis).setSettings(v, { signal: ctx.signal }) as Promise<Attrs>,
});
