/**
 * Secret redaction for recordings (and anything else that leaves the process). Every secret is
 * replaced by the literal `***`, keeping the shape of the text so recordings stay diffable.
 *
 * Covered: passwords (form fields `userpasswd`, `userpwd`, `password`; JSON `Password`), tokens
 * (`X-Auth-Token`, `Custom-Token`, `X-CSRF-Token`, `Authorization`, `<csrftoken>`,
 * `"csrftoken"`), the `SESSID` cookie, and VRP cipher text (`cipher %^%#…%^%#`, `irreversible-cipher`,
 * `password cipher …`).
 */
import { defaultRedactor, isSecretKey } from "../../util/redact.ts";

/** What replaces every secret. */
export const REDACTED = "***";

/** Header names (lower case) whose values are always secret. */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "x-auth-token",
  "custom-token",
  "x-csrf-token",
  "cookie",
  "set-cookie",
  "proxy-authorization",
]);

/** JSON keys (compared case-insensitively) whose values are secret. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  "password",
  "userpasswd",
  "userpwd",
  "passwd",
  "csrftoken",
  "token",
  "x-auth-token",
  "sessid",
  "secretkey",
  "secretiv",
  "codekey_ext",
  "verifyvalue",
  "mmverifyvalue",
  "verifyvalueext",
]);

/**
 * Redacts a header map. Cookies keep their names (`SESSID=***`) so a reader sees what was sent.
 *
 * @example
 * redactHeaders({ "X-Auth-Token": "abc" }) // { "X-Auth-Token": "***" }
 */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const lk = k.toLowerCase();
    if (lk === "cookie" || lk === "set-cookie") {
      out[k] = v.replace(/(^|[;,]\s*)([^=;,\s]+)=([^;,]*)/g, (_m, p, n) => `${p}${n}=${REDACTED}`);
    } else if (SECRET_HEADERS.has(lk)) out[k] = REDACTED;
    else out[k] = v;
  }
  return out;
}

/** Redacts secret values anywhere in a JSON-like value (returns a copy). */
export function redactJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJson);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = secretKey(k) && v !== null && v !== "" ? REDACTED : redactJson(v);
    }
    return out;
  }
  return value;
}

/**
 * Redacts a request or response body of any content type: JSON, form-encoded, XML or VRP text.
 */
export function redactBody(body: string, contentType = ""): string {
  const ct = contentType.toLowerCase();
  if (ct.includes("json") || /^\s*[{[]/.test(body)) {
    try {
      return JSON.stringify(redactJson(JSON.parse(body)));
    } catch { /* not JSON after all: fall through to text rules */ }
  }
  if (ct.includes("x-www-form-urlencoded") || /^[\w.-]+=[^&\s]*(?:&[\w.-]+=[^&\s]*)*$/.test(body)) {
    const params = new URLSearchParams(body);
    for (const k of [...params.keys()]) {
      if (secretKey(k)) params.set(k, REDACTED);
    }
    // Other fields may still carry a PEM key or a known password (URL-encoding undone first).
    for (const [k, v] of [...params.entries()]) {
      const clean = redactText(v);
      if (clean !== v) params.set(k, clean);
    }
    return params.toString();
  }
  return redactText(body);
}

/** A secret key name: the recorder's exact list, or any name the project redactor calls secret. */
function secretKey(k: string): boolean {
  return SECRET_KEYS.has(k.toLowerCase()) || isSecretKey(k);
}

/** Redacts secrets embedded in free text (XML, CLI output, log lines). */
export function redactText(text: string): string {
  return text
    // XML elements such as <csrftoken>…</csrftoken>
    .replace(
      /<(csrftoken|password|userpasswd|token|secretkey|secretiv)>[^<]*<\/\1>/gi,
      (_m, tag) => `<${tag}>${REDACTED}</${tag}>`,
    )
    // "csrftoken": "…" inside non-JSON text
    .replace(/("(?:csrftoken|password|token)"\s*:\s*")[^"]*"/gi, `$1${REDACTED}"`)
    // key=value secrets (form bodies inside text, cookies)
    .replace(/\b(userpasswd|userpwd|password|SESSID|csrftoken)=([^&;\s]*)/gi, `$1=${REDACTED}`)
    // VRP cipher text: %^%#…%^%# (VRP8) and %$%$…%$%$ (VRP5), and "cipher <token>"
    .replace(/%\^%#[\s\S]*?%\^%#/g, REDACTED)
    .replace(/%\$%\$[\s\S]*?%\$%\$/g, REDACTED)
    .replace(
      /\b((?:irreversible-)?cipher|password (?:simple|cipher)|sha256)\s+(\S+)/gi,
      `$1 ${REDACTED}`,
    )
    // Then the project-wide rules: PEM private keys, key=value secrets, and the secret values in
    // use (the credentials registered by the CLI), wherever they appear.
    .replace(/[\s\S]+/, (t) => defaultRedactor.text(t));
}
