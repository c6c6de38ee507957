/**
 * Menu operations no transport is known for: neither the HMM Redfish service, nor a captured HMM
 * web dispatcher (hmm-web-api.md "Facts still unknown"), nor the HMM shell's `smmget`/`smmset`
 * dictionary offers them. They exist in the SDK so callers get one typed answer naming the missing
 * capability instead of a missing method.
 */
import { UnsupportedError } from "../errors.ts";

/**
 * Throws the {@link UnsupportedError} for a menu operation without a known transport.
 *
 * @throws {UnsupportedError} always, `details.capability` = `capability`
 */
export function noTransport(what: string, capability: string): never {
  throw new UnsupportedError(`${what} is not available: no known HMM interface offers it`, {
    details: { capability },
    hint:
      "Neither HMM Redfish, a known HMM web dispatcher nor the HMM shell covers this menu; use the HMM GUI",
  });
}
