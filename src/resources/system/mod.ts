/**
 * HMM system settings as resources, through the SDK's system module: `vessel_user` (accounts;
 * the password is write-only: a salted hash in state, never printed), `vessel_ntp_server` and
 * `vessel_ldap_domain` (one of each per chassis; the LDAP bind password is write-only).
 *
 * @example HCL
 * variable "ops_password" {
 *   type      = string
 *   sensitive = true
 * }
 * resource "vessel_user" "ops" {
 *   username = "ops"
 *   password = var.ops_password
 *   role     = "operator"
 * }
 */
import { ACCOUNT_FIELDS, LDAP_FIELDS, NTP_FIELDS, system } from "../../chassis/system.ts";
import { collectionResource, singletonResource } from "../webform.ts";
import type { ResourceDefinition } from "../../engine/types.ts";

type Attrs = Record<string, unknown>;

/** `vessel_user`. */
export const userResource: ResourceDefinition = collectionResource({
  type: "vessel_user",
  description: "An HMM account: role, enabled, write-only password",
  fields: ACCOUNT_FIELDS,
  key: "username",
  list: (ctx) => system(ctx.chassis).accounts({ signal: ctx.signal }) as Promise<Attrs[]>,
  create: (ctx, v) =>
    system(ctx.chassis).createAccount(
      v as { username: string; password: string },
      { signal: ctx.signal },
    ) as Promise<Attrs>,
  update: (ctx, key, patch) =>
    system(ctx.chassis).updateAccount(key, patch, { signal: ctx.signal }) as Promise<Attrs>,
  delete: (ctx, key) =>
    system(ctx.chassis).deleteAccount(key, { signal: ctx.signal, missingOk: true }),
  canDelete: (live) =>
    live.username === "root"
      ? "root is the built-in administrator and cannot be deleted (disable it instead)"
      : undefined,
  disruption(action, desired, prior) {
    if (
      action === "delete" ||
      (action === "update" && desired?.enabled === false && prior?.enabled !== false)
    ) {
      return {
        kind: "management_loss",
        summary: `${(desired ?? prior)?.username} can no longer log in; its open sessions end`,
      };
    }
    return undefined;
  },
});

/** `vessel_ntp_server` (one per chassis; id `ntp`). */
export const ntpResource: ResourceDefinition = singletonResource({
  type: "vessel_ntp_server",
  description: "NTP of the chassis: servers and time zone (one per chassis)",
  fields: NTP_FIELDS,
  id: "ntp",
  read: (ctx) => system(ctx.chassis).ntp({ signal: ctx.signal }) as Promise<Attrs>,
  write: (ctx, v) => system(ctx.chassis).setNtp(v, { signal: ctx.signal }) as Promise<Attrs>,
});

/** `vessel_ldap_domain` (one per chassis; id `ldap`). */
export const ldapResource: ResourceDefinition = singletonResource({
  type: "vessel_ldap_domain",
  description:
    "LDAP login of the chassis: server, base and bind DN, group and role (one per chassis)",
  fields: LDAP_FIELDS,
  id: "ldap",
  read: (ctx) => system(ctx.chassis).ldap({ signal: ctx.signal }) as Promise<Attrs>,
  write: (ctx, v) => system(ctx.chassis).setLdap(v, { signal: ctx.signal }) as Promise<Attrs>,
  disruption(action, desired, prior) {
    if (action === "update" && prior?.enabled === true && desired?.enabled === false) {
      return { kind: "management_loss", summary: "LDAP users can no longer log in to the HMM" };
    }
    return undefined;
  },
});
