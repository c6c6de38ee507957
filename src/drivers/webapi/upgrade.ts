/**
 * Polling an HMM firmware job (`smmupgradehandler.php` `get`, root `<upgrade>`) to a deadline.
 * A target is finished at progress 100 or a non-zero retcode; the job is done when every target
 * is finished (../shared/docs/hardware/hmm-web-api.md §4.4). Upstream's GUI polled every 3 s.
 */
import { TimeoutError } from "../../errors.ts";
import { type CallOptions, sleep } from "../deadline.ts";
import { type HmmWebClient, UPLOAD_REFERER_PAGES, WebApiError } from "./client.ts";
import { parseUpgradeProgress, type UpgradeTarget } from "./envelope.ts";
import type { XmlNode } from "./xml.ts";

/** Options of {@link pollUpgrade}. */
export interface UpgradePollOptions extends CallOptions {
  /** Give up after this long; default 60 minutes (switch and SMM images take long). */
  deadlineMs?: number;
  /** Between polls; default 3000 ms. */
  intervalMs?: number;
  /** Told after every poll. */
  onProgress?: (targets: UpgradeTarget[]) => void;
  /** Polls that may return an empty list before the job shows up; default 5. */
  emptyPolls?: number;
}

/**
 * Polls `get` until every target finished. Pure (the caller supplies the request), so fake timers
 * drive it in tests.
 *
 * @throws {WebApiError} a target failed (its `desp` in the message, retcode as messageId)
 * @throws {TimeoutError} not finished at the deadline (the job keeps running on the HMM)
 */
export async function pollUpgrade(
  get: () => Promise<XmlNode | undefined>,
  opts: UpgradePollOptions = {},
): Promise<UpgradeTarget[]> {
  const deadline = Date.now() + (opts.deadlineMs ?? 60 * 60_000);
  const interval = opts.intervalMs ?? 3000;
  let empty = 0;
  while (true) {
    const p = parseUpgradeProgress(await get());
    opts.onProgress?.(p.targets);
    if (p.done) {
      const bad = p.targets.filter((t) => t.failed);
      if (bad.length) {
        throw new WebApiError(
          `Firmware upgrade failed on ${
            bad.map((t) => `${t.name} (retcode ${t.retcode}${t.desp ? `: ${t.desp}` : ""})`).join(
              ", ",
            )
          }`,
          {
            status: 200,
            retcode: bad[0].retcode,
            desp: bad[0].desp,
            handler: "smmupgradehandler.php",
            actiontype: "get",
          },
        );
      }
      return p.targets;
    }
    if (p.targets.length === 0 && ++empty > (opts.emptyPolls ?? 5)) {
      throw new WebApiError("No firmware upgrade is in progress on the HMM", {
        status: 200,
        handler: "smmupgradehandler.php",
        actiontype: "get",
      });
    }
    if (Date.now() + interval > deadline) {
      const where = p.targets.map((t) => `${t.name} ${t.progress}%`).join(", ");
      throw new TimeoutError(
        `Firmware upgrade still running at the deadline${where ? `: ${where}` : ""}`,
        {
          hint: "The job continues on the HMM; poll again or raise the deadline",
        },
      );
    }
    await sleep(interval, opts.signal);
  }
}

/** Polls the HMM's current upgrade job through a logged-in client. */
export function waitUpgrade(
  web: HmmWebClient,
  opts: UpgradePollOptions = {},
): Promise<UpgradeTarget[]> {
  return pollUpgrade(async () =>
    (await web.call("smmupgradehandler.php", { actiontype: "get" }, {
      referer: UPLOAD_REFERER_PAGES.smm,
      idempotent: true,
      signal: opts.signal,
    })).doc, opts);
}
