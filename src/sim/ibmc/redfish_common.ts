/**
 * Redfish building blocks shared by the HMM and iBMC services of the simulator: error bodies
 * in the Huawei iBMC shape (`Base.1.0.GeneralError` envelope with `@Message.ExtendedInfo`,
 * see testdata/redfish/ibmc), sessions with a cap and expiry, tasks whose progress is a pure
 * function of time (no timers to leak), and JSON helpers.
 *
 * @module
 */
import type { Context } from "hono";

/** One message of the registries the simulator uses. */
interface MessageDef {
  message: string;
  severity: "OK" | "Warning" | "Critical";
  resolution: string;
}

/**
 * The messages the simulator emits. `Base.1.0.*` follow the DMTF Base 1.0 registry; `iBMC.1.0.*`
 * follow the Huawei iBMC naming seen in the samples (exact texts of the Huawei registry are not
 * public: assumption, documented in docs/simulator.md).
 */
export const MESSAGES: Record<string, MessageDef> = {
  "Base.1.0.Success": {
    message: "Successfully Completed Request",
    severity: "OK",
    resolution: "None",
  },
  "Base.1.0.Created": {
    message: "The resource has been created successfully",
    severity: "OK",
    resolution: "None",
  },
  "Base.1.0.GeneralError": {
    message: "A general error has occurred. See ExtendedInfo for more information.",
    severity: "Critical",
    resolution: "See ExtendedInfo for more information.",
  },
  "Base.1.0.ResourceMissingAtURI": {
    message: "The resource at the URI %1 was not found.",
    severity: "Critical",
    resolution: "Place a valid resource at the URI or correct the URI and resubmit the request.",
  },
  "Base.1.0.InsufficientPrivilege": {
    message:
      "There are insufficient privileges for the account or credentials associated with the current session to perform the requested operation.",
    severity: "Critical",
    resolution:
      "Either abandon the operation or change the associated access rights and resubmit the request if the operation failed.",
  },
  "Base.1.0.NoValidSession": {
    message: "There is no valid session established with the implementation.",
    severity: "Critical",
    resolution: "Establish as session before attempting any operations.",
  },
  "Base.1.0.SessionLimitExceeded": {
    message:
      "The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.",
    severity: "Critical",
    resolution:
      "Reduce the number of other sessions before trying to establish the session or increase the limit of simultaneous sessions (if supported).",
  },
  "Base.1.0.MalformedJSON": {
    message:
      "The request body submitted was malformed JSON and could not be parsed by the receiving service.",
    severity: "Critical",
    resolution: "Ensure that the request body is valid JSON and resubmit the request.",
  },
  "Base.1.0.PropertyUnknown": {
    message: "The property %1 is not in the list of valid properties for the resource.",
    severity: "Warning",
    resolution:
      "Remove the unknown property from the request body and resubmit the request if the operation failed.",
  },
  "Base.1.0.PropertyNotWritable": {
    message: "The property %1 is a read only property and cannot be assigned a value.",
    severity: "Warning",
    resolution:
      "Remove the property from the request body and resubmit the request if the operation failed.",
  },
  "Base.1.0.PropertyValueNotInList": {
    message: "The value %1 for the property %2 is not in the list of acceptable values.",
    severity: "Warning",
    resolution:
      "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.",
  },
  "Base.1.0.PropertyValueTypeError": {
    message:
      "The value %1 for the property %2 is of a different type than the property can accept.",
    severity: "Warning",
    resolution:
      "Correct the value for the property in the request body and resubmit the request if the operation failed.",
  },
  "Base.1.0.PropertyValueFormatError": {
    message:
      "The value %1 for the property %2 is of a different format than the property can accept.",
    severity: "Warning",
    resolution:
      "Correct the value for the property in the request body and resubmit the request if the operation failed.",
  },
  "Base.1.0.CreateLimitReachedForResource": {
    message:
      "The create operation failed because the resource has reached the limit of possible resources.",
    severity: "Critical",
    resolution:
      "Either delete resources and resubmit the request if the operation failed or do not resubmit the request.",
  },
  "Base.1.0.PropertyMissing": {
    message: "The property %1 is a required property and must be included in the request.",
    severity: "Warning",
    resolution:
      "Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed.",
  },
  "Base.1.0.ActionNotSupported": {
    message: "The action %1 is not supported by the resource.",
    severity: "Critical",
    resolution:
      "The action supplied cannot be resubmitted to the implementation.  Perhaps the action was invalid, the wrong resource was the target or the implementation documentation may be of assistance.",
  },
  "Base.1.0.ActionParameterMissing": {
    message: "The action %1 requires the parameter %2 to be present in the request body.",
    severity: "Critical",
    resolution:
      "Supply the action with the required parameter in the request body when the request is resubmitted.",
  },
  "Base.1.0.ActionParameterUnknown": {
    message: "The action %1 was submitted with the invalid parameter %2.",
    severity: "Warning",
    resolution: "Correct the invalid parameter and resubmit the request if the operation failed.",
  },
  "Base.1.0.ActionParameterValueFormatError": {
    message:
      "The value %1 for the parameter %2 in the action %3 is of a different format than the parameter can accept.",
    severity: "Warning",
    resolution:
      "Correct the value for the parameter in the request body and resubmit the request if the operation failed.",
  },
  "Base.1.0.ServiceTemporarilyUnavailable": {
    message: "The service is temporarily unavailable.  Retry in %1 seconds.",
    severity: "Critical",
    resolution: "Wait for the indicated retry duration and retry the operation.",
  },
  "Base.1.0.ActionParameterNotSupported": {
    message: "The parameter %1 for the action %2 is not supported on the target resource.",
    severity: "Warning",
    resolution: "Remove the parameter supplied and resubmit the request if the operation failed.",
  },
  "Base.1.0.PreconditionFailed": {
    message: "The ETag supplied did not match the ETag required to change this resource.",
    severity: "Critical",
    resolution: "Try the operation again using the appropriate ETag.",
  },
  "Base.1.0.ResourceCannotBeDeleted": {
    message: "The delete request failed because the resource requested cannot be deleted.",
    severity: "Critical",
    resolution: "Do not attempt to delete a non-deletable resource.",
  },
  "Base.1.0.ResourceAlreadyExists": {
    message: "The requested resource already exists.",
    severity: "Critical",
    resolution: "Do not repeat the create operation as the resource has already been created.",
  },
  "Base.1.0.InternalError": {
    message:
      "The request failed due to an internal service error.  The service is still operational.",
    severity: "Critical",
    resolution: "Resubmit the request.  If the problem persists, consider resetting the service.",
  },
  "iBMC.1.0.AuthorizationFailed": {
    message:
      "The authentication failed because the user name or password is incorrect, or the user is locked.",
    severity: "Critical",
    resolution: "Check the user name and password and try again after the lockout period.",
  },
  "iBMC.1.0.UserLocked": {
    message: "The user %1 is locked.",
    severity: "Critical",
    resolution: "Try again after the lockout period.",
  },
  "iBMC.1.0.PowerOffNotAllowed": {
    message: "The system is already powered off.",
    severity: "Warning",
    resolution: "None",
  },
  "iBMC.1.0.PowerOnNotAllowed": {
    message: "The system is already powered on.",
    severity: "Warning",
    resolution: "None",
  },
  "iBMC.1.0.VmmOperationNotAllowed": {
    message: "The virtual media operation %1 is not allowed because %2.",
    severity: "Warning",
    resolution: "Eject the current image or insert one first, then resubmit the request.",
  },
  "iBMC.1.0.UpgradeInProgress": {
    message: "A firmware upgrade is already in progress.",
    severity: "Warning",
    resolution: "Wait until the current upgrade completes and resubmit the request.",
  },
  "iBMC.1.0.FirmwareUpgradeError": {
    message: "The firmware upgrade failed at %1 percent: %2.",
    severity: "Critical",
    resolution: "Check the image and upload it again.",
  },
  "iBMC.1.0.TaskCompleted": {
    message: "The task has completed successfully.",
    severity: "OK",
    resolution: "None",
  },
};

/** One `@Message.ExtendedInfo` entry. */
export function messageInfo(
  messageId: string,
  args: string[] = [],
  related: string[] = [],
): Record<string, unknown> {
  const def = MESSAGES[messageId] ?? MESSAGES["Base.1.0.GeneralError"];
  let text = def.message;
  args.forEach((a, i) => text = text.replaceAll(`%${i + 1}`, a));
  return {
    "@odata.type": "/redfish/v1/$metadata#MessageRegistry.1.0.0.MessageRegistry",
    MessageId: messageId,
    RelatedProperties: related,
    Message: text,
    MessageArgs: args,
    Severity: def.severity,
    Resolution: def.resolution,
  };
}

/** The error envelope of a Huawei iBMC (`Base.1.0.GeneralError` wrapping the real message). */
export function errorBody(
  messageId: string,
  args: string[] = [],
  related: string[] = [],
): Record<string, unknown> {
  return {
    error: {
      code: "Base.1.0.GeneralError",
      message: MESSAGES["Base.1.0.GeneralError"].message,
      "@Message.ExtendedInfo": [messageInfo(messageId, args, related)],
    },
  };
}

/** Standard Redfish response headers. */
export const REDFISH_HEADERS: Record<string, string> = {
  "OData-Version": "4.0",
  "Cache-Control": "no-cache",
};

/** A JSON response with the Redfish headers. */
export function json(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/json;charset=utf-8",
      ...REDFISH_HEADERS,
      ...headers,
    },
  });
}

/** A Redfish error response. */
export function redfishError(
  status: number,
  messageId: string,
  args: string[] = [],
  related: string[] = [],
  headers: Record<string, string> = {},
): Response {
  return json(errorBody(messageId, args, related), status, headers);
}

/** A collection resource. */
export function collection(
  odataId: string,
  type: string,
  name: string,
  members: string[],
): Record<string, unknown> {
  return {
    // iBMC style: the context names the collection path (`$metadata#Managers`).
    "@odata.context": `/redfish/v1/$metadata#${odataId.replace(/^\/redfish\/v1\/?/, "")}`,
    "@odata.id": odataId,
    "@odata.type": type,
    Name: name,
    "Members@odata.count": members.length,
    Members: members.map((m) => ({ "@odata.id": m })),
  };
}

/** Read a JSON body; returns a Response (400 MalformedJSON) when it cannot be parsed. */
export async function readJson(c: Context): Promise<Record<string, unknown> | Response> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      return redfishError(400, "Base.1.0.MalformedJSON");
    }
    return v as Record<string, unknown>;
  } catch {
    return redfishError(400, "Base.1.0.MalformedJSON");
  }
}

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

/** One Redfish session. */
export interface RedfishSession {
  id: string;
  token: string;
  userName: string;
  createdAt: number;
  lastUsed: number;
  /** Absolute expiry (session-expiry fault), ms since epoch. */
  expiresAt?: number;
}

/** Options of {@link SessionStore}. */
export interface SessionStoreOptions {
  /** Maximum concurrent sessions. */
  cap: number;
  /** Idle timeout in seconds (Redfish `SessionTimeout`). */
  idleSeconds: number;
  /** Clock. */
  now: () => number;
  /** Session TTL from the faults (ms), read at creation. */
  ttl: () => number | undefined;
}

/** Redfish sessions with a cap, idle timeout and fault-driven expiry. */
export class SessionStore {
  #sessions = new Map<string, RedfishSession>();
  #opts: SessionStoreOptions;
  #seq = 0;

  constructor(opts: SessionStoreOptions) {
    this.#opts = opts;
  }

  /** Options (read-only). */
  get options(): Readonly<SessionStoreOptions> {
    return this.#opts;
  }

  #prune(): void {
    const now = this.#opts.now();
    for (const [k, s] of this.#sessions) {
      if (
        (s.expiresAt !== undefined && now >= s.expiresAt) ||
        now - s.lastUsed > this.#opts.idleSeconds * 1000
      ) {
        this.#sessions.delete(k);
      }
    }
  }

  /** Create a session, or undefined when the cap is reached. */
  create(userName: string): RedfishSession | undefined {
    this.#prune();
    if (this.#sessions.size >= this.#opts.cap) return undefined;
    const now = this.#opts.now();
    const ttl = this.#opts.ttl();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const id = `${(++this.#seq).toString(16)}${token.slice(0, 12)}`;
    const s: RedfishSession = {
      id,
      token,
      userName,
      createdAt: now,
      lastUsed: now,
      ...(ttl ? { expiresAt: now + ttl } : {}),
    };
    this.#sessions.set(id, s);
    return s;
  }

  /** The live session for a token (touches it), or undefined. */
  byToken(token: string | undefined): RedfishSession | undefined {
    if (!token) return undefined;
    this.#prune();
    for (const s of this.#sessions.values()) {
      if (s.token === token) {
        s.lastUsed = this.#opts.now();
        return s;
      }
    }
    return undefined;
  }

  /** A session by id. */
  get(id: string): RedfishSession | undefined {
    this.#prune();
    return this.#sessions.get(id);
  }

  /** Delete a session; true when it existed. */
  delete(id: string): boolean {
    return this.#sessions.delete(id);
  }

  /** Drop every session (the service restarted). */
  clear(): void {
    this.#sessions.clear();
  }

  /** All live sessions. */
  list(): RedfishSession[] {
    this.#prune();
    return [...this.#sessions.values()];
  }
}

/** A Redfish session resource body. */
export function sessionBody(s: RedfishSession): Record<string, unknown> {
  return {
    "@odata.context": "/redfish/v1/$metadata#SessionService/Sessions/Members/$entity",
    "@odata.id": `/redfish/v1/SessionService/Sessions/${s.id}`,
    "@odata.type": "#Session.v1_0_2.Session",
    Id: s.id,
    Name: `User Session`,
    UserName: s.userName,
    Oem: { Huawei: { UserAccount: s.userName, LoginTime: new Date(s.createdAt).toISOString() } },
  };
}

// ---------------------------------------------------------------------------------------------
// Tasks: state is computed from the clock, so nothing runs in the background.
// ---------------------------------------------------------------------------------------------

/** A long-running operation. */
export interface SimTask {
  id: string;
  name: string;
  startedAt: number;
  durationMs: number;
  /** Fail when progress reaches this percentage (firmware flash failure fault). */
  failAtPercent?: number;
  /** Message of the failure. */
  failMessage?: string;
  /** Called once when the task completes successfully (on the first read after the end). */
  onComplete?: () => void;
  /** Called once when the task fails. */
  onFail?: () => void;
  /** Set when finished and the hooks ran. */
  settled?: "Completed" | "Exception";
  /** Message id for success. */
  successMessageId?: string;
}

/** Task state at a moment. */
export interface TaskView {
  state: "Running" | "Completed" | "Exception";
  percent: number;
}

/** Evaluate a task at `now` (runs its hooks once when it ends). */
export function taskView(t: SimTask, now: number): TaskView {
  const raw = t.durationMs <= 0 ? 100 : Math.floor(((now - t.startedAt) / t.durationMs) * 100);
  const percent = Math.max(0, Math.min(100, raw));
  if (t.failAtPercent !== undefined && percent >= t.failAtPercent) {
    if (!t.settled) {
      t.settled = "Exception";
      t.onFail?.();
    }
    return { state: "Exception", percent: t.failAtPercent };
  }
  if (percent >= 100) {
    if (!t.settled) {
      t.settled = "Completed";
      t.onComplete?.();
    }
    return { state: "Completed", percent: 100 };
  }
  return { state: "Running", percent };
}

/** A Redfish Task body; `messagesShape` picks DMTF array or the iBMC object form. */
export function taskBody(
  t: SimTask,
  now: number,
  messagesShape: "array" | "object",
): Record<string, unknown> {
  const v = taskView(t, now);
  const msg = v.state === "Exception"
    ? messageInfo("iBMC.1.0.FirmwareUpgradeError", [
      String(v.percent),
      t.failMessage ?? "operation failed",
    ])
    : v.state === "Completed"
    ? messageInfo(t.successMessageId ?? "Base.1.0.Success")
    : undefined;
  const messages = msg ? [msg] : [];
  return {
    "@odata.context": "/redfish/v1/$metadata#TaskService/Tasks/Members/$entity",
    "@odata.id": `/redfish/v1/TaskService/Tasks/${t.id}`,
    "@odata.type": "#Task.v1_0_2.Task",
    Id: t.id,
    Name: t.name,
    Description: `Task ${t.id}: ${t.name}`,
    TaskState: v.state,
    StartTime: new Date(t.startedAt).toISOString(),
    ...(v.state !== "Running" ? { EndTime: new Date(now).toISOString() } : {}),
    TaskStatus: v.state === "Exception" ? "Critical" : v.state === "Completed" ? "OK" : "OK",
    Messages: messagesShape === "object" ? (messages[0] ?? {}) : messages,
    Oem: { Huawei: { TaskPercentage: v.state === "Running" ? `${v.percent}%` : `${v.percent}%` } },
    PercentComplete: v.percent,
  };
}

// ---------------------------------------------------------------------------------------------
// Login lockout
// ---------------------------------------------------------------------------------------------

/** Per-user lockout after repeated bad passwords. */
export class Lockout {
  #fails = new Map<string, { count: number; until: number }>();
  constructor(
    readonly threshold: number,
    readonly durationMs: number,
    private readonly now: () => number,
  ) {}

  /** Milliseconds left of a lockout for `user`, 0 when not locked. */
  lockedFor(user: string): number {
    const f = this.#fails.get(user);
    if (!f || f.until === 0) return 0;
    const left = f.until - this.now();
    if (left <= 0) {
      this.#fails.delete(user);
      return 0;
    }
    return left;
  }

  /** Record a failure; returns true when this failure locked the account. */
  fail(user: string): boolean {
    const f = this.#fails.get(user) ?? { count: 0, until: 0 };
    f.count++;
    if (f.count >= this.threshold) f.until = this.now() + this.durationMs;
    this.#fails.set(user, f);
    return f.until > 0;
  }

  /** A successful login clears the counter. */
  success(user: string): void {
    this.#fails.delete(user);
  }
}

/** Constant-time-ish string comparison for passwords. */
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}
