/**
 * Redaction of secrets, the one place that decides what a secret looks like.
 *
 * Two complementary mechanisms, both applied by {@link Redactor.text} and {@link Redactor.value}:
 *
 * 1. **Key based**: a value whose key names a secret (`password`, `userpwd`, `token`, `SESSID`,
 *    `csrftoken`, `X-Auth-Token`, `Authorization`, `Cookie`, `secretkey`, `private_key`, ...)
 *    becomes `"***"`, at any depth of an object, inside arrays too. In free text the same names
 *    are recognised in `key=value`, `key: value`, `"key": "value"` and `<key>value</key>` forms,
 *    plus PEM private keys, URL user-info passwords and VRP cipher text (`cipher %^%#...%^%#`,
 *    `irreversible-cipher ...`, `password simple ...`).
 * 2. **Value based**: every secret value registered with {@link Redactor.addSecret} (the
 *    credentials in use) is replaced wherever it appears, also URL-encoded, JSON-escaped and
 *    base64-encoded (so `Authorization: Basic` headers built from it are caught too).
 *
 * The process-wide {@link defaultRedactor} is what logs, audit, errors and snapshots use;
 * whoever loads credentials calls {@link registerSecret} once.
 *
 * @example
 * registerSecret("S3cret!pw");
 * redactText("login root/S3cret!pw failed"); // "login root/*** failed"
 * redactValue({ user: "root", password: "x" }); // { user: "root", password: "***" }
 *
 * @module
 */

/** The replacement for every secret. */
export const REDACTED = "***";

/**
 * Key names (case-insensitive, matched anywhere in the key) that hold secrets.
 * `auth` alone is deliberately not here: `AuthenticationMode` and `Author` are not secrets.
 */
const SECRET_KEY_PARTS = [
  "password",
  "passwd",
  "passphrase",
  "userpwd",
  "pwd",
  "secret",
  "token",
  "sessid",
  "sessionid",
  "session_id",
  "session-id",
  "sessionkey",
  "cookie",
  "apikey",
  "api_key",
  "api-key",
  "privatekey",
  "private_key",
  "private-key",
  "credential",
  "bearer",
  "authorization",
  "community",
  "verifyvalue",
  "codekey",
  "psk",
  "pre-shared-key",
  "preshared",
];

/** Keys exactly equal to one of these (case-insensitive) are secrets too. */
const SECRET_KEYS_EXACT = new Set(["auth", "key", "pass", "pw", "sid", "vessel_sid"]);

/**
 * Keys that contain a secret word but describe a policy, not a secret
 * (`PasswordMinimumLength`, `PasswordChangeRequired`, `TokenType`, `CommunityAccessMode`).
 */
const NON_SECRET_SUFFIX =
  /(required|length|enabled?|policy|complexity|count|days|mode|type|expiration|expires|expiry|lockout\w*|check(ing)?|strength|rule|rules|history|period|duration|threshold|supported|allowed|status|state|format|algorithm|method|timeout|time|age|changed|set|@odata\.\w+)$/i;

/** True when `key` names a secret (see the module description). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  if (SECRET_KEYS_EXACT.has(k)) return true;
  if (!SECRET_KEY_PARTS.some((p) => k.includes(p))) return false;
  return !NON_SECRET_SUFFIX.test(k);
}

// ---------------------------------------------------------------------------------------------
// Text patterns
// ---------------------------------------------------------------------------------------------

const KEY_ALT =
  "[\\w.-]*(?:password|passwd|passphrase|userpwd|pwd|secret|token|sessid|sessionid|session_id|cookie|apikey|api_key|api-key|private_key|privatekey|credential|bearer|verifyvalue|codekey)[\\w.-]*|auth|sid|vessel_sid";

interface TextRule {
  re: RegExp;
  replace: (substring: string, ...groups: string[]) => string;
}

const TEXT_RULES: TextRule[] = [
  // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, plain PKCS#8).
  {
    re: /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: () => REDACTED,
  },
  // VRP cipher text in its delimited forms: %^%#...%^%#, %@%@...%@%@, %$%$...%$%$, %#%#...%#%#.
  { re: /%\^%#[^\r\n]*?%\^%#/g, replace: () => REDACTED },
  { re: /%@%@[^\r\n]*?%@%@/g, replace: () => REDACTED },
  { re: /%\$%\$[^\r\n]*?%\$%\$/g, replace: () => REDACTED },
  { re: /%#%#[^\r\n]*?%#%#/g, replace: () => REDACTED },
  // VRP: `password cipher X`, `irreversible-cipher X`, `simple plain X`, `password simple X`.
  {
    re: /\b(irreversible-cipher|cipher)([ \t]+)(?!\*\*\*)(\S+)/gi,
    replace: (_m, k, sp) => `${k}${sp}${REDACTED}`,
  },
  {
    re: /\b(simple[ \t]+plain)([ \t]+)(?!\*\*\*)(\S+)/gi,
    replace: (_m, k, sp) => `${k}${sp}${REDACTED}`,
  },
  {
    re:
      /\b((?:password|pre-shared-key|key|authentication-mode(?:[ \t]+\S+)?)[ \t]+simple)([ \t]+)(?!plain\b|cipher\b|\*\*\*)(\S+)/gi,
    replace: (_m, k, sp) => `${k}${sp}${REDACTED}`,
  },
  // HTTP headers: Authorization (scheme + credentials), Cookie / Set-Cookie lines, token headers.
  {
    re:
      /\b((?:proxy-)?authorization[ \t]*[:=][ \t]*)(?:(basic|bearer|digest|negotiate|token)[ \t]+)?(?!\*\*\*)[^\r\n"',]+/gi,
    replace: (_m, k, scheme) => `${k}${scheme ? scheme + " " : ""}${REDACTED}`,
  },
  {
    re: /\b((?:set-)?cookie[ \t]*:[ \t]*)[^\r\n]+/gi,
    replace: (_m, k) => `${k}${REDACTED}`,
  },
  // XML elements: <csrftoken>..</csrftoken>, <password>..</password>.
  {
    re: new RegExp(`<(${KEY_ALT})>([^<]*)</\\1>`, "gi"),
    replace: (_m, k) => `<${k}>${REDACTED}</${k}>`,
  },
  // JSON text: "password": "x"  (also numbers).
  {
    re: new RegExp(
      `("(?:${KEY_ALT})"[ \\t]*:[ \\t]*)("(?:[^"\\\\]|\\\\.)*"|-?\\d[\\d.eE+-]*)`,
      "gi",
    ),
    replace: (m, k, v) => {
      const key = k.replace(/^"|"[ \t]*:[ \t]*$/g, "");
      return v === `"${REDACTED}"` || !isSecretKey(key) ? m : `${k}"${REDACTED}"`;
    },
  },
  // key=value (query strings, forms, env) and key: value (YAML, headers). Quoted or bare.
  {
    re: new RegExp(
      `(^|[\\s?&;,{(\\[])((?:${KEY_ALT})[ \\t]*(?:=|:(?!//))[ \\t]*)(?:"[^"\\r\\n]*"|'[^'\\r\\n]*'|[^\\s&;,"'})\\]]+)`,
      "gim",
    ),
    replace: (m, pre, k) => {
      const key = k.replace(/[ \t]*[:=][ \t]*$/, "");
      if (!isSecretKey(key)) return m;
      return `${pre}${k}${REDACTED}`;
    },
  },
  // URL user-info: scheme://user:password@host
  {
    re: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi,
    replace: (m, k, v) => (v === REDACTED ? m : `${k}${REDACTED}@`),
  },
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function base64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Shortest value accepted as a secret for value-based redaction (shorter ones garble text). */
export const MIN_SECRET_LENGTH = 3;

/**
 * A redactor: key-based rules plus a set of known secret values.
 *
 * @example
 * const r = new Redactor(["hunter22"]);
 * r.text("pw hunter22"); // "pw ***"
 */
export class Redactor {
  #secrets = new Set<string>();
  #variants: string[] = [];
  #re: RegExp | null = null;

  /** @param secrets initial secret values (see {@link Redactor.addSecret}). */
  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.addSecret(s);
  }

  /**
   * Register a secret value; it will be replaced wherever it appears (plain, URL-encoded,
   * JSON-escaped, base64 and inside `user:secret` base64 pairs is covered by the base64 of the
   * whole value only when it is the whole token). Values shorter than {@link MIN_SECRET_LENGTH}
   * are ignored. Returns this redactor.
   */
  addSecret(secret: string | undefined | null): this {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) return this;
    if (this.#secrets.has(secret)) return this;
    this.#secrets.add(secret);
    const v = new Set<string>([
      secret,
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
      base64(secret),
      base64(secret).replace(/=+$/, ""),
    ]);
    this.#variants.push(...[...v].filter((x) => x.length >= MIN_SECRET_LENGTH));
    // Longest first so that a variant containing another is replaced whole.
    this.#variants.sort((a, b) => b.length - a.length);
    this.#re = new RegExp(this.#variants.map(escapeRegExp).join("|"), "g");
    return this;
  }

  /** Register `user:password` pairs as used by HTTP Basic authentication. */
  addBasicPair(user: string, password: string): this {
    if (password && password.length >= MIN_SECRET_LENGTH) {
      this.addSecret(base64(`${user}:${password}`));
    }
    return this.addSecret(password);
  }

  /** Number of registered secret values. */
  get size(): number {
    return this.#secrets.size;
  }

  /** True when `text` contains a registered secret (any variant). */
  contains(text: string): boolean {
    if (!this.#re) return false;
    this.#re.lastIndex = 0;
    return this.#re.test(text);
  }

  /** Redact free text: key-based patterns, VRP cipher text, PEM keys, then known values. */
  text(input: string): string {
    let out = input;
    if (this.#re) out = out.replace(this.#re, REDACTED);
    for (const rule of TEXT_RULES) {
      out = out.replace(rule.re, rule.replace as (s: string, ...a: unknown[]) => string);
    }
    return out;
  }

  /**
   * Redact a value deeply: secret keys become `"***"` (booleans and null are kept: they say
   * whether a secret is set, not what it is); every string is passed through {@link text}.
   * Returns a new value; the input is not modified. Errors become `{name, message}`.
   */
  value<T>(input: T): T {
    return this.#value(input, new WeakSet()) as T;
  }

  #value(v: unknown, seen: WeakSet<object>): unknown {
    if (typeof v === "string") return this.text(v);
    if (v === null || typeof v !== "object") return v;
    if (seen.has(v)) return "[circular]";
    seen.add(v);
    if (v instanceof Error) {
      return { name: v.name, message: this.text(v.message) };
    }
    if (Array.isArray(v)) return v.map((x) => this.#value(x, seen));
    if (v instanceof Uint8Array) return v;
    if (v instanceof Date) return v.toISOString();
    if (v instanceof Map) {
      return Object.fromEntries(
        [...v.entries()].map(([k, x]) => [String(k), x]).map(([k, x]) => [
          k,
          isSecretKey(k as string) && !keepAsIs(x) ? REDACTED : this.#value(x, seen),
        ]),
      );
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out[k] = isSecretKey(k) && !keepAsIs(x) ? REDACTED : this.#value(x, seen);
    }
    return out;
  }
}

function keepAsIs(x: unknown): boolean {
  return x === null || x === undefined || typeof x === "boolean" || x === REDACTED;
}

/** The process-wide redactor used by logs, audit, errors and snapshots. */
export const defaultRedactor: Redactor = new Redactor();

/** Register a secret value (for example the password in use) with {@link defaultRedactor}. */
export function registerSecret(secret: string | undefined | null): void {
  defaultRedactor.addSecret(secret);
}

/** Register credentials (password and its HTTP Basic form) with {@link defaultRedactor}. */
export function registerCredentials(c: { username?: string; password?: string }): void {
  if (c.password) defaultRedactor.addBasicPair(c.username ?? "", c.password);
}

/** {@link Redactor.text} of the {@link defaultRedactor}. */
export function redactText(text: string): string {
  return defaultRedactor.text(text);
}

/** {@link Redactor.value} of the {@link defaultRedactor}. */
export function redactValue<T>(value: T): T {
  return defaultRedactor.value(value);
}

/**
 * Redact an error in place, with its `cause` chain: `message` and every own string property
 * (a device error's `output`, `command`, `hint`). Returns the same error, for `throw scrubError(e)`.
 */
export function scrubError<T>(err: T, redactor: Redactor = defaultRedactor): T {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e instanceof Error && !seen.has(e)) {
    seen.add(e);
    try {
      e.message = redactor.text(e.message);
      for (const k of Object.keys(e)) {
        const v = (e as unknown as Record<string, unknown>)[k];
        if (typeof v === "string") (e as unknown as Record<string, unknown>)[k] = redactor.text(v);
        else if (v && typeof v === "object" && k !== "cause") {
          (e as unknown as Record<string, unknown>)[k] = redactor.value(v);
        }
      }
    } catch { /* frozen or read-only fields: leave them */ }
    e = e.cause;
  }
  return err;
}

/** Redacted message of any thrown value, for error output and audit evidence. */
export function redactError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return defaultRedactor.text(msg);
}
