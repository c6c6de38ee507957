/**
 * Retries for transient failures only, with capped exponential backoff and full jitter.
 *
 * Transient: connection reset/refused-while-running, HTTP 429/500/502/503/504, per-attempt
 * timeouts. Never: 4xx (bad request, auth, not found, conflict), validation, a changed key.
 * The overall deadline always wins: a retry never sleeps past the caller's signal.
 */
import { sleep } from "./deadline.ts";

/** How to retry. */
export interface RetryPolicy {
  /** Total attempts including the first; default 4. */
  attempts?: number;
  /** First backoff in ms; default 200. */
  baseMs?: number;
  /** Backoff cap in ms; default 5000. */
  maxMs?: number;
  /** Source of randomness in [0,1) (tests pin it); default Math.random. */
  random?: () => number;
  /** Told before each sleep (logging, tests). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** An error that says how long to wait (Retry-After). */
export interface RetryAfter {
  retryAfterMs?: number;
}

/**
 * Backoff before retry number `attempt` (1-based): a random value in
 * `[0, min(maxMs, baseMs * 2^(attempt-1))]` ("full jitter"), but at least `retryAfterMs`.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy = {},
  retryAfterMs?: number,
): number {
  const base = policy.baseMs ?? 200;
  const cap = policy.maxMs ?? 5000;
  const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
  const d = Math.floor((policy.random ?? Math.random)() * ceiling);
  return Math.min(cap, Math.max(d, retryAfterMs ?? 0));
}

/**
 * Runs `fn` until it succeeds, fails with a non-transient error, or attempts run out.
 *
 * @example
 * const body = await withRetry(() => get(url), isTransient, { attempts: 4 }, signal);
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  isTransient: (e: unknown) => boolean,
  policy: RetryPolicy = {},
  signal?: AbortSignal,
): Promise<T> {
  const attempts = Math.max(1, policy.attempts ?? 4);
  for (let attempt = 1;; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= attempts || !isTransient(e) || signal?.aborted) throw e;
      const delayMs = backoffDelay(attempt, policy, (e as RetryAfter).retryAfterMs);
      policy.onRetry?.({ attempt, delayMs, error: e });
      await sleep(delayMs, signal);
    }
  }
}

/** Network error codes that mean "try again". */
export const TRANSIENT_NET_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** HTTP statuses that mean "try again". */
export const TRANSIENT_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
