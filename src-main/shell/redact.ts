/**
 * "Copy diagnostics" goes to support by e-mail or chat, so nothing in it may let a reader act as
 * the user: tokens, passwords, cookies, proxy credentials, keys. Redaction is by key name and,
 * because secrets also hide inside free text (log lines, URLs, error messages), by value pattern.
 */
export const REDACTED = '[redacted]';

const SECRET_KEY =
  /pass(word|wd|phrase)?|secret|token|auth(orization)?|cookie|session[_-]?id|api[_-]?key|private[_-]?key|credential|signature/i;

const VALUE_PATTERNS: readonly [RegExp, string][] = [
  // Authorization headers and bearer tokens.
  [/\b(Bearer|Basic|Digest|Negotiate|NTLM)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // JWTs anywhere (header.payload.signature, base64url).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // user:password@ in any URL (proxy URLs, server URLs pasted with credentials).
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(:[^\s/@]*)?@/gi, `$1${REDACTED}@`],
  // Secret-looking query or form parameters.
  [
    /([?&;](?:access_token|refresh_token|token|password|passwd|secret|key|sig|signature|code)=)[^&#\s;]+/gi,
    `$1${REDACTED}`,
  ],
  // key=value / key: value in free text.
  [/\b((?:password|passwd|secret|token|api[_-]?key)\s*[:=]\s*)("[^"]*"|'[^']*'|\S+)/gi, `$1${REDACTED}`],
];

export function redactText(text: string): string {
  return VALUE_PATTERNS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
}

/** Deep copy of `value` with secrets replaced; cycles and depth are bounded so any object is safe. */
export function redactDiagnostics(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 12 || seen.has(value)) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDiagnostics(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      SECRET_KEY.test(key) && v !== null && v !== undefined && typeof v !== 'boolean'
        ? REDACTED
        : redactDiagnostics(v, depth + 1, seen);
  }
  return out;
}
