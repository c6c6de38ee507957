/**
 * Fault injection of the simulator: per device and per interface (web, redfish, ssh) latency,
 * error rate, 5xx, timeouts, session expiry, SSH disconnect in the middle of a command, and named
 * device faults (`firmware-flash-failure`, `ibmc-reboot`, ...) that modules consume.
 *
 * Set by SimOptions, the seed file, `vessel sim` flags, the admin API (`/admin/faults`) and
 * in-process (`sim.faults.set({ device: "swi2", iface: "ssh", latencyMs: 200 })`).
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type {
  EffectiveFaults,
  Fault,
  FaultIface,
  FaultInput,
  FaultRegistry,
  PersistStore,
  SimContext,
} from "./context.ts";

const IFACES: FaultIface[] = ["web", "redfish", "ssh", "*"];

/** Canonical device id: lower case, `ibmc<N>` -> `blade<N>`. */
export function canonicalDevice(device: string): string {
  const d = device.trim().toLowerCase();
  const m = /^ibmc(\d+)$/.exec(d);
  return m ? `blade${m[1]}` : d;
}

/** Check a fault input; throws an Error naming the field and the rule. */
export function validateFault(input: FaultInput): void {
  if (!input || typeof input !== "object") throw new Error("A fault must be an object");
  if (
    typeof input.device !== "string" || !/^(\*|hmm|blade\d+|ibmc\d+|swi\d)$/i.test(input.device)
  ) {
    throw new Error(
      `Fault field "device" must be hmm, blade<N>, ibmc<N>, swi<N> or *, got ${
        JSON.stringify(input.device)
      }`,
    );
  }
  if (input.iface !== undefined && !IFACES.includes(input.iface)) {
    throw new Error(`Fault field "iface" must be one of ${IFACES.join(", ")}, got ${input.iface}`);
  }
  const num = (k: keyof FaultInput, min: number, max: number) => {
    const v = input[k];
    if (v === undefined) return;
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
      throw new Error(`Fault field "${k}" must be a number in ${min}..${max}, got ${v}`);
    }
  };
  num("latencyMs", 0, 600_000);
  num("errorRate", 0, 1);
  num("status", 400, 599);
  num("sessionTtlMs", 1, 86_400_000);
  for (const k of ["timeout", "disconnectMidCommand"] as const) {
    if (input[k] !== undefined && typeof input[k] !== "boolean") {
      throw new Error(`Fault field "${k}" must be true or false`);
    }
  }
  if (input.name !== undefined && (typeof input.name !== "string" || !input.name)) {
    throw new Error(`Fault field "name" must be a non-empty string`);
  }
}

/** The registry plus lifecycle hooks used by the simulator itself. */
export interface FaultRegistryImpl extends FaultRegistry {
  /** Resolves when the simulator closes (releases hung requests). */
  readonly closed: Promise<void>;
  close(): void;
}

/** Create a fault registry, persisted in `store` when given. */
export function createFaultRegistry(
  store?: PersistStore<Fault[]>,
  initial: FaultInput[] = [],
): FaultRegistryImpl {
  let faults: Fault[] = store?.load() ?? [];
  let seq = faults.reduce((m, f) => Math.max(m, Number(f.id.replace(/\D/g, "")) || 0), 0);
  const listeners = new Set<() => void>();
  let closeFn!: () => void;
  const closed = new Promise<void>((r) => closeFn = r);
  const changed = () => {
    store?.save(faults);
    for (const l of [...listeners]) {
      try {
        l();
      } catch { /* listeners must not break the registry */ }
    }
  };
  const matches = (f: Fault, device: string, iface: FaultIface) =>
    (f.device === "*" || f.device === device) &&
    (f.iface === "*" || iface === "*" || f.iface === iface);
  const reg: FaultRegistryImpl = {
    closed,
    close: () => closeFn(),
    list: () => faults.map((f) => ({ ...f })),
    set(input) {
      validateFault(input);
      const f: Fault = {
        ...input,
        id: `f${++seq}`,
        device: input.device === "*" ? "*" : canonicalDevice(input.device),
        iface: input.iface ?? "*",
      };
      faults.push(f);
      changed();
      return { ...f };
    },
    clear(filter) {
      const before = faults.length;
      const dev = filter?.device ? canonicalDevice(filter.device) : undefined;
      faults = faults.filter((f) =>
        !((!filter?.id || f.id === filter.id) && (!dev || f.device === dev) &&
          (!filter?.iface || f.iface === filter.iface) && (!filter?.name || f.name === filter.name))
      );
      const n = before - faults.length;
      if (n) changed();
      return n;
    },
    effective(device, iface) {
      const d = canonicalDevice(device);
      const out: EffectiveFaults = {
        latencyMs: 0,
        errorRate: 0,
        status: 500,
        timeout: false,
        disconnectMidCommand: false,
      };
      for (const f of faults) {
        if (!matches(f, d, iface) || f.name) continue;
        out.latencyMs += f.latencyMs ?? 0;
        if (f.errorRate !== undefined) out.errorRate = Math.max(out.errorRate, f.errorRate);
        if (f.status !== undefined) out.status = f.status;
        out.timeout ||= f.timeout ?? false;
        out.disconnectMidCommand ||= f.disconnectMidCommand ?? false;
        if (f.sessionTtlMs !== undefined) {
          out.sessionTtlMs = Math.min(out.sessionTtlMs ?? Infinity, f.sessionTtlMs);
        }
      }
      return out;
    },
    named(device, name) {
      const d = canonicalDevice(device);
      const f = faults.find((x) => x.name === name && (x.device === d || x.device === "*"));
      return f ? { ...f } : undefined;
    },
    take(device, iface, flag) {
      const d = canonicalDevice(device);
      const f = faults.find((x) => !x.name && x[flag] && matches(x, d, iface));
      if (!f) return false;
      delete f[flag];
      const { id: _id, device: _d, iface: _i, ...rest } = f;
      if (Object.values(rest).every((v) => v === undefined)) {
        faults = faults.filter((x) => x !== f);
      }
      changed();
      return true;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  for (const f of initial) reg.set(f);
  return reg;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Hono middleware applying the faults of `device`/`iface` to every request: added latency,
 * `timeout` (never answers until the client gives up or the simulator closes), `errorRate`
 * (answers `status`, default 500, with a small JSON body). Session expiry is up to the module:
 * read `ctx.faults.effective(device, iface).sessionTtlMs` when creating sessions.
 */
export function httpFaults(
  ctx: Pick<SimContext, "faults">,
  device: string,
  iface: "web" | "redfish",
): MiddlewareHandler {
  return async (c, next) => {
    const eff = ctx.faults.effective(device, iface);
    // Read `request.signal` only when a fault needs it: reading it at all makes Deno.serve print
    // its "legacy abort behavior" warning, and `info.completed` does not settle when the client
    // aborts before any response exists (Deno 2.9.6), so it cannot replace the signal here.
    if (eff.timeout) {
      const signal = c.req.raw.signal;
      const closed = (ctx.faults as Partial<FaultRegistryImpl>).closed;
      await Promise.race([
        new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true })),
        ...(closed ? [closed] : []),
      ]);
      return c.text("", 503);
    }
    // Latency without the request's signal: reading it prints Deno's legacy-abort warning.
    if (eff.latencyMs > 0) await delay(eff.latencyMs);
    if (eff.errorRate > 0 && Math.random() < eff.errorRate) {
      return c.json({
        error: {
          code: "Base.1.0.InternalError",
          message: `Simulated fault on ${device} ${iface}`,
        },
      }, eff.status as 500);
    }
    await next();
  };
}
