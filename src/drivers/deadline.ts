/**
 * Deadlines for driver calls. Every device call in Vessel runs under a deadline: the caller's
 * `AbortSignal` and/or a timeout in milliseconds, whichever fires first. A timeout aborts with
 * a {@link TimeoutError} naming the operation and the device, so callers never see a bare
 * `AbortError` for a timeout.
 *
 * Own timers instead of `AbortSignal.timeout()`: they are cleared as soon as the call ends, so
 * nothing keeps the process alive and Deno's test sanitizers stay quiet.
 */
import { CancelledError, TimeoutError } from "../errors.ts";

/** Deadline options accepted by every driver call. */
export interface CallOptions {
  /** Abort the call when this signal fires (Ctrl-C, a parent deadline). */
  signal?: AbortSignal;
  /** Give up after this many milliseconds with a {@link TimeoutError}. */
  timeoutMs?: number;
}

/**
 * Runs `fn` with a signal that aborts at the deadline or when `opts.signal` aborts.
 *
 * @example
 * const out = await withDeadline("display vlan on swi2", { timeoutMs: 5000 }, (s) => shell.exec("display vlan", s));
 * @throws {TimeoutError} when `timeoutMs` passes first (with `what` in the message)
 */
export async function withDeadline<T>(
  what: string,
  opts: CallOptions,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const ctl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onParent = () => ctl.abort(abortReason(opts.signal!, what));
  if (opts.signal) {
    if (opts.signal.aborted) throw abortReason(opts.signal, what);
    opts.signal.addEventListener("abort", onParent, { once: true });
  }
  if (opts.timeoutMs !== undefined && Number.isFinite(opts.timeoutMs)) {
    timer = setTimeout(() => {
      ctl.abort(
        new TimeoutError(`Timed out after ${opts.timeoutMs} ms: ${what}`, {
          hint: "Raise the timeout or check that the device is reachable and responsive",
          details: { timeoutMs: opts.timeoutMs },
        }),
      );
    }, opts.timeoutMs);
  }
  try {
    return await fn(ctl.signal);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onParent);
  }
}

/** The error to throw for an aborted signal: its reason if it is an Error, else a CancelledError. */
export function abortReason(signal: AbortSignal, what: string): Error {
  const r = signal.reason;
  if (r instanceof Error && r.name !== "AbortError") return r;
  return new CancelledError(`Cancelled: ${what}`);
}

/**
 * Resolves after `ms` or rejects when `signal` aborts. Uses the global `setTimeout`, so fake
 * timers (@sinonjs/fake-timers) control it in tests.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal, "sleep"));
    const onAbort = () => {
      clearTimeout(t);
      reject(abortReason(signal!, "sleep"));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
