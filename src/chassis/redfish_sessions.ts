/**
 * Redfish session hygiene (upstream `hmm sessions list|clean`): list the sessions a device's
 * Redfish service holds and log out the orphaned ones, never the sessions of this process.
 *
 * BMC session slots are few (field lesson 4): a crashed tool leaves sessions behind until the
 * device's idle timeout, and a full table locks everyone out. A session counts as *own* when its
 * URL is one the chassis' shared {@link RedfishClient} holds ({@link RedfishClient.sessionUrls});
 * everything else is *foreign*. Foreign is not the same as orphaned: another Vessel process or an
 * operator's browser may be using it, so {@link RedfishSessions.clean} takes filters (user, minimum
 * age) and a dry run.
 *
 * Session records are not configuration (snapshots skip `SessionService`), so cleaning does not
 * run inside the change envelope; callers should write an audit event (like `snapshot.create`).
 *
 * @example
 * const rs = redfishSessions(chassis);
 * const rows = await rs.list("hmm"); // [{ device, id, url, user, createdAt, own }]
 * const r = await rs.clean("hmm", { user: "root", olderThanMs: 10 * 60_000 });
 * // r.deleted: [{ id, url, user, ... }], r.kept: own and filtered-out sessions, r.errors
 *
 * @module
 */
import { z } from "zod";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { RedfishClient } from "../drivers/redfish/client.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import { redactError } from "../util/redact.ts";
import type { Chassis } from "./chassis.ts";
import { checkSlot, type DeviceHub, perChassis } from "./hub.ts";

/** One Redfish session as the device lists it. */
export const RedfishSessionSchema = z.object({
  device: z.string().describe("Device holding the session: hmm or ibmc<slot>"),
  id: z.string().describe("Session Id"),
  url: z.string().describe("Absolute URL of the session resource (DELETE logs it out)"),
  user: z.string().optional().describe("UserName of the session"),
  createdAt: z.string().optional().describe(
    "Login time (Huawei Oem LoginTime or CreatedTime) when the device reports one",
  ),
  own: z.boolean().describe("True when this Vessel process holds the session"),
});
/** One Redfish session as the device lists it. */
export type RedfishSession = z.infer<typeof RedfishSessionSchema>;

/** Options of {@link RedfishSessions.clean}. */
export interface CleanSessionsOptions extends CallOptions {
  /** Only sessions of this user (default: every user). */
  user?: string;
  /** Only sessions whose login time is at least this old; sessions without a time are kept. */
  olderThanMs?: number;
  /** List what would be deleted, delete nothing. */
  dryRun?: boolean;
  /** Clock for `olderThanMs` (tests). */
  now?: () => number;
}

/** Result of {@link RedfishSessions.clean}. */
export interface CleanSessionsResult {
  device: string;
  /** Sessions logged out (or, with `dryRun`, that would be). */
  deleted: RedfishSession[];
  /** Sessions left alone: own ones and those the filters excluded. */
  kept: (RedfishSession & { reason: string })[];
  /** Sessions whose logout failed (message redacted). */
  errors: { id: string; message: string }[];
  dryRun: boolean;
}

/** Redfish session hygiene of one chassis. Get it with {@link redfishSessions}. */
export interface RedfishSessions {
  /**
   * Every session of `device` (`hmm` or `ibmc<slot>`), own ones marked.
   *
   * @throws {NotFoundError} unknown device
   * @throws {UnsupportedError} the device has no Redfish service
   */
  list(device: string, o?: CallOptions): Promise<RedfishSession[]>;
  /**
   * Logs out the foreign sessions of `device` that pass the filters; never an own one.
   *
   * @throws {NotFoundError} unknown device
   * @throws {ValidationError} a negative `olderThanMs`
   */
  clean(device: string, opts?: CleanSessionsOptions): Promise<CleanSessionsResult>;
}

const MemberList = z.object({ Members: z.array(z.object({ "@odata.id": z.string() })) });
const SessionBody = z.object({
  Id: z.string().optional(),
  UserName: z.string().optional(),
  CreatedTime: z.string().optional(),
  Oem: z.object({ Huawei: z.object({ LoginTime: z.string().optional() }).loose().optional() })
    .loose().optional(),
}).loose();

function clientFor(hub: DeviceHub, device: string, o: CallOptions): Promise<RedfishClient> {
  if (device === "hmm") return hub.hmmRedfish(o);
  const m = /^ibmc(\d{1,2})$/.exec(device);
  if (!m) {
    throw new NotFoundError(`Unknown Redfish device ${device}`, {
      hint: "Use hmm or ibmc<slot>, for example ibmc3",
    });
  }
  checkSlot(Number(m[1]));
  return hub.ibmcRedfish(Number(m[1]), o);
}

/** Path part of a URL (own URLs are absolute, collection members usually relative). */
function pathOf(url: string): string {
  return /^https?:\/\//.test(url) ? new URL(url).pathname : url;
}

/**
 * Redfish session hygiene for a chassis (one instance per chassis).
 *
 * @example
 * const own = (await redfishSessions(chassis).list("hmm")).filter((s) => s.own);
 */
export const redfishSessions: (c: Chassis) => RedfishSessions = perChassis((_c, hub) => {
  async function list(device: string, o: CallOptions = {}): Promise<RedfishSession[]> {
    const rf = await clientFor(hub, device, o);
    const opts = hub.opts(o);
    return await hub.call(device, "redfish", "sessions.list", async () => {
      const col = await rf.get("/redfish/v1/SessionService/Sessions", {
        ...opts,
        schema: MemberList,
      });
      // After the GET: the client now holds the session it used for it.
      const own = new Set(rf.sessionUrls.map(pathOf));
      const rows: RedfishSession[] = [];
      for (const m of col.data.Members) {
        const path = pathOf(m["@odata.id"]);
        const body = await rf.get(path, { ...opts, schema: SessionBody }).then(
          (r) => r.data,
          (e) => {
            if (e instanceof NotFoundError) return undefined; // logged out meanwhile
            throw e;
          },
        );
        if (!body) continue;
        rows.push({
          device,
          id: body.Id ?? path.slice(path.lastIndexOf("/") + 1),
          url: new URL(path, rf.origin).href,
          user: body.UserName,
          createdAt: body.CreatedTime ?? body.Oem?.Huawei?.LoginTime,
          own: own.has(path),
        });
      }
      return rows;
    }, opts);
  }

  async function clean(
    device: string,
    opts: CleanSessionsOptions = {},
  ): Promise<CleanSessionsResult> {
    if (opts.olderThanMs !== undefined && !(opts.olderThanMs >= 0)) {
      throw new ValidationError(
        `Cannot clean Redfish sessions on ${device}: olderThanMs ${opts.olderThanMs} is negative`,
        { field: "olderThanMs" },
      );
    }
    const now = (opts.now ?? Date.now)();
    const rows = await list(device, opts);
    const res: CleanSessionsResult = {
      device,
      deleted: [],
      kept: [],
      errors: [],
      dryRun: !!opts.dryRun,
    };
    const doomed: RedfishSession[] = [];
    for (const s of rows) {
      const reason = s.own
        ? "own session"
        : opts.user !== undefined && s.user !== opts.user
        ? `user ${s.user ?? "unknown"} is not ${opts.user}`
        : opts.olderThanMs !== undefined &&
            !(s.createdAt && now - Date.parse(s.createdAt) >= opts.olderThanMs)
        ? `younger than ${opts.olderThanMs} ms or no login time`
        : undefined;
      if (reason) res.kept.push({ ...s, reason });
      else doomed.push(s);
    }
    if (opts.dryRun) {
      res.deleted = doomed;
      return res;
    }
    const rf = await clientFor(hub, device, opts);
    for (const s of doomed) {
      try {
        await hub.call(
          device,
          "redfish",
          "sessions.delete",
          () => rf.delete(pathOf(s.url), hub.opts(opts)),
          opts,
        );
        res.deleted.push(s);
      } catch (e) {
        if (e instanceof NotFoundError) res.deleted.push(s); // gone already: same outcome
        else res.errors.push({ id: s.id, message: redactError(e) });
      }
    }
    return res;
  }

  return { list, clean };
});
