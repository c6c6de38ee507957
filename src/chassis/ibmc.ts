/**
 * Reaching a blade's iBMC: Redfish directly when it answers, otherwise its CLI (`ipmcget` /
 * `ipmcset`) over SSH, directly when the endpoints document gives an address, else through the
 * HMM shell's own `ssh` command (the real HMM refuses TCP forwarding; redfish.md §2.2).
 *
 * Addressing (redfish.md §2.1): blade N's iBMC sits at `172.31.1.(128 + N)` on the internal
 * fabric. Decisions are remembered per slot (a blade without Redfish is not asked again).
 */
import { TimeoutError, TransportError, UnsupportedError } from "../errors.ts";
import type { CallOptions } from "../drivers/deadline.ts";
import type { RedfishResponse } from "../drivers/redfish/client.ts";
import { checkSlot, type DeviceHub, isNoService } from "./hub.ts";
import type { IbmcShell } from "../drivers/ibmccli/shell.ts";

/** iBMC address of blade `slot` on the E9000 internal fabric (`172.31.1.(128+slot)`). */
export function ibmcFabricIp(slot: number): string {
  checkSlot(slot);
  return `172.31.1.${128 + slot}`;
}

/** Blade slot of an iBMC fabric address, or undefined (inverse of {@link ibmcFabricIp}). */
export function slotOfIbmcIp(ip: string): number | undefined {
  const m = /^172\.31\.1\.(\d+)$/.exec(ip.trim());
  if (!m) return undefined;
  const n = Number(m[1]) - 128;
  return n >= 1 && n <= 16 ? n : undefined;
}

/** How an iBMC was reached. */
export type IbmcPath = "redfish" | "ssh-direct" | "ssh-via-hmm";

/** iBMC access for one chassis (one per hub). */
export class IbmcAccess {
  readonly hub: DeviceHub;
  #systems = new Map<number, Promise<string>>();
  #managers = new Map<number, Promise<string>>();
  #direct = new Map<number, Promise<IbmcShell>>();
  #slotLocks = new Map<number, Promise<unknown>>();
  /** How each slot was last reached. */
  readonly paths = new Map<number, IbmcPath>();

  constructor(hub: DeviceHub) {
    this.hub = hub;
    // Direct shells are closed by the chassis (the context registered them).
  }

  /** True when Redfish should be tried for this slot (endpoint known and not proven absent). */
  hasRedfish(slot: number): boolean {
    const ep = this.hub.context.endpoints.ibmc[String(slot)];
    return !!ep?.redfish && ep.via !== "hmm" && !this.hub.noRedfish.has(`ibmc${slot}`);
  }

  /**
   * Runs the Redfish strategy, or the shell strategy when the iBMC has no Redfish (no endpoint,
   * 404, connection refused). Auth errors and device errors are never turned into a fallback.
   */
  async either<T>(
    slot: number,
    redfish: () => Promise<T>,
    shell: () => Promise<T>,
    o: CallOptions = {},
  ): Promise<T> {
    checkSlot(slot);
    if (this.hasRedfish(slot)) {
      // Only the service itself decides the fallback (no endpoint, refused connection, 404 or
      // 501 on login): a missing sub-resource later is the caller's NotFoundError, not "no Redfish".
      let reachable = true;
      try {
        await this.hub.ibmcRedfish(slot, o);
      } catch (e) {
        if (!isNoService(e)) throw e;
        this.hub.noRedfish.add(`ibmc${slot}`);
        reachable = false;
      }
      if (reachable) {
        const r = await redfish();
        this.paths.set(slot, "redfish");
        return r;
      }
    }
    return await shell();
  }

  /** Path of the ComputerSystem (first member of `Systems`), cached. */
  systemPath(slot: number, o: CallOptions = {}): Promise<string> {
    return this.#memberPath(this.#systems, slot, "/redfish/v1/Systems", o);
  }

  /** Path of the Manager (first member of `Managers`), cached. */
  managerPath(slot: number, o: CallOptions = {}): Promise<string> {
    return this.#memberPath(this.#managers, slot, "/redfish/v1/Managers", o);
  }

  #memberPath(
    cache: Map<number, Promise<string>>,
    slot: number,
    collection: string,
    o: CallOptions,
  ): Promise<string> {
    let p = cache.get(slot);
    if (!p) {
      p = this.hub.redfish<{ Members?: { "@odata.id": string }[] }>(
        slot,
        "GET",
        collection,
        undefined,
        o,
      )
        .then((r) => {
          const id = r.data?.Members?.[0]?.["@odata.id"];
          if (!id) {
            throw new UnsupportedError(
              `The iBMC of slot ${slot} lists no member in ${collection}`,
              {
                details: {
                  capability: `ibmc${slot}.redfish${collection.replace("/redfish/v1", "")}`,
                },
              },
            );
          }
          return id;
        });
      cache.set(slot, p);
      p.catch(() => cache.delete(slot));
    }
    return p;
  }

  /** GET on an iBMC. */
  get<T = Record<string, unknown>>(
    slot: number,
    path: string,
    o: CallOptions = {},
  ): Promise<RedfishResponse<T>> {
    return this.hub.redfish<T>(slot, "GET", path, undefined, o);
  }

  /**
   * Runs `fn` with an iBMC shell (the drivers' `IbmcShell` through the chassis context): a cached
   * direct SSH session, or for `via: "hmm"` a fresh HMM shell that jumps with
   * `ssh <ip> NoStricHostKeyChecking` and is closed afterwards (HMM shell sessions are capped).
   * One dialogue at a time per slot.
   */
  withShell<T>(slot: number, fn: (sh: IbmcShell) => Promise<T>, o: CallOptions = {}): Promise<T> {
    checkSlot(slot);
    const prev = this.#slotLocks.get(slot) ?? Promise.resolve();
    const run = prev.then(() => this.#withShell(slot, fn, o));
    this.#slotLocks.set(slot, run.catch(() => {}));
    return run;
  }

  async #withShell<T>(slot: number, fn: (sh: IbmcShell) => Promise<T>, o: CallOptions): Promise<T> {
    const ctx = this.hub.context;
    const oo = this.hub.opts(o);
    const device = `ibmc${slot}`;
    const ep = ctx.endpoints.ibmc[String(slot)];
    if (!ep?.ssh) {
      throw new UnsupportedError(
        `The iBMC of slot ${slot} cannot be reached: no Redfish and no shell address`,
        {
          details: { capability: `${device}.ssh` },
          hint:
            "Give the iBMC an ssh address in the endpoints document (via hmm for a real chassis)",
        },
      );
    }
    if (ep.via !== "hmm") {
      let p = this.#direct.get(slot);
      if (!p) {
        p = this.hub.login(device, "ssh", () => ctx.ibmcShell(slot, oo), oo);
        this.#direct.set(slot, p);
      }
      let sh: IbmcShell;
      try {
        sh = await p;
      } catch (e) {
        this.#direct.delete(slot);
        throw e;
      }
      this.paths.set(slot, "ssh-direct");
      try {
        return await fn(sh);
      } catch (e) {
        if (e instanceof TransportError || e instanceof TimeoutError) {
          this.#direct.delete(slot);
          await sh.close().catch(() => {});
        }
        throw e;
      }
    }
    return await this.hub.withHmmShellSlot(async () => {
      let sh: IbmcShell | undefined;
      try {
        sh = await this.hub.login(device, "ssh", () => ctx.ibmcShell(slot, oo), oo);
        this.paths.set(slot, "ssh-via-hmm");
        return await fn(sh);
      } finally {
        await sh?.close().catch(() => {});
      }
    }, oo);
  }

  /** One iBMC shell command (a `[Y/N]` question is answered Y only with `confirm`), traced. */
  exec(
    slot: number,
    command: string,
    opts: CallOptions & { confirm?: boolean } = {},
  ): Promise<string> {
    const o = this.hub.opts(opts);
    return this.withShell(
      slot,
      (sh) =>
        this.hub.call(`ibmc${slot}`, "ssh", command, () => sh.exec(command, { ...opts, ...o }), o),
      o,
    );
  }
}

const access = new WeakMap<DeviceHub, IbmcAccess>();

/** The iBMC access of a hub (one per chassis). */
export function ibmcAccess(hub: DeviceHub): IbmcAccess {
  let a = access.get(hub);
  if (!a) {
    a = new IbmcAccess(hub);
    access.set(hub, a);
  }
  return a;
}
