/**
 * Parsers for HMM shell and iBMC shell output (../shared/docs/hardware/hmm-cli.md §3, §6).
 * Pure functions over the text a command printed (echo and prompt already removed).
 */

/**
 * `smmget [-l …] -d presence`: `Blade3 is present.` / `Swi2 is present.` / `SMM is present.`
 * Returns undefined when the text says neither.
 */
export function parsePresence(text: string): boolean | undefined {
  if (/\bis not present\b|\babsent\b|\bnot in position\b/i.test(text)) return false;
  if (/\bis present\b/i.test(text)) return true;
  return undefined;
}

/** `smmget -l … -d health`: `blade1 has no problem.` = healthy; anything else is the problem text. */
export function parseHealth(text: string): { ok: boolean; text: string } {
  const t = text.trim();
  return { ok: /has no problem/i.test(t), text: t };
}

/**
 * `smmget -d version` (SMM): `Software Version :(U54)7.63` lines into a map, plus the bare
 * software version with the chip-position prefix removed (`7.63`).
 *
 * @example
 * parseSmmVersion("Software Version :(U54)7.63").software // "7.63"
 */
export function parseSmmVersion(
  text: string,
): { fields: Record<string, string>; software?: string } {
  const fields: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z][\w ]*?)\s*:\s*(.*?)\s*$/.exec(line);
    if (m && m[2]) fields[m[1].replace(/\s+/g, " ")] = m[2];
  }
  const sw = fields["Software Version"];
  return { fields, ...(sw ? { software: sw.replace(/^\([^)]*\)/, "").trim() } : {}) };
}

/**
 * Power state from the iBMC SEL (`ipmcget -d sel -v list`, newest first): the first line with
 * `ACPI State` and `S<n> state`; `S0` = on, any other = off; none = unknown (iMana 6.05 has no
 * direct power-state getter).
 */
export function parseSelPowerState(text: string): "on" | "off" | "unknown" {
  for (const line of text.split("\n")) {
    if (!/ACPI State/i.test(line)) continue;
    const m = /\bS(\d)(?:\/G\d)?\s*state/i.exec(line) ?? /\|\s*S(\d)\b/i.exec(line);
    if (m) return m[1] === "0" ? "on" : "off";
  }
  return "unknown";
}

/** `ipmcget -d bootdevice` text to the Redfish-style target (None, Pxe, Hdd, Cd, Floppy). */
export function parseBootDevice(
  text: string,
): "None" | "Pxe" | "Hdd" | "Cd" | "Floppy" | undefined {
  const t = text.toLowerCase();
  if (/no override|none/.test(t)) return "None";
  if (/pxe/.test(t)) return "Pxe";
  if (/hdd|hard ?dis[ck]/.test(t)) return "Hdd";
  if (/cd|dvd/.test(t)) return "Cd";
  if (/floppy/.test(t)) return "Floppy";
  return undefined;
}

/** Values of `ipmcset -d bootdevice -v <v>` (iMana 6.05). */
export const BOOT_DEVICE_VALUES = {
  None: "0",
  Pxe: "1",
  Hdd: "2",
  Cd: "5",
  Floppy: "0xF",
} as const;
