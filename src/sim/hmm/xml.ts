/**
 * XML reply helpers of the simulated HMM web API (hmm-web-api.md §3): the `<result>` envelope
 * with `<retcode>` and `<desp>`, element builders, and the double-escaped version text.
 *
 * @module
 */

/** The XML declaration every reply starts with. */
export const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

/** Escape text for an XML element or attribute. */
export function esc(text: string | number | boolean): string {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** One element `<name>text</name>` with escaped text. */
export function el(name: string, text: string | number | boolean | null | undefined): string {
  return `<${name}>${esc(text ?? "")}</${name}>`;
}

/** One element per key of a record (keys are element names). */
export function fields(
  record: Record<string, string | number | boolean | null | undefined>,
): string {
  return Object.entries(record).map(([k, v]) => el(k, v)).join("");
}

/**
 * A `<result>` reply: `retcode`, optional `desp`, then the inner XML (already built).
 * @example
 * result(0, "The operation succeeded", el("state", 0))
 */
export function result(retcode: number, desp?: string, inner = ""): string {
  return `${XML_DECL}<result>${el("retcode", retcode)}${
    desp === undefined ? "" : el("desp", desp)
  }${inner}</result>`;
}

/**
 * The version text of `versionhandler.php`: lines joined by an escaped `<br>`, parentheses as
 * doubly escaped numeric entities (`&amp;#40;`), as the real HMM sends them.
 */
export function versionText(lines: string[]): string {
  const html = lines
    .map((l) => l.replaceAll("&", "&amp;").replaceAll("(", "&#40;").replaceAll(")", "&#41;"))
    .join("<br>");
  return esc(html).replaceAll("&apos;", "'").replaceAll("&quot;", '"');
}

/** C `asctime` layout without zone: `Wed Mar 11 06:42:18 2026`, day space-padded (UTC). */
export function asctime(ms: number): string {
  const d = new Date(ms);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${
    String(d.getUTCDate()).padStart(2, " ")
  } ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
