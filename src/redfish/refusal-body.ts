/** What replaces a secret in a refused request's recorded body. */
export const REDACTED = '[redacted]';

/** Keys whose values are secrets wherever they appear: passwords, tokens, private keys. */
const SECRET_KEY = /password|passphrase|token|secret|privatekey/i;

/** Whether a property's value is a secret, never to be echoed or recorded. */
export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);
/** The user name given with an image server's password (virtual media, SimpleUpdate) is a credential too. */
const USER_NAME_KEY = /^user_?name$/i;
/** user:password@ in a URL (an ImageURI, a subscription Destination). */
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i;

function redact(value: unknown, keepUserName: boolean): unknown {
  if (typeof value === 'string') {
    if (value.includes('PRIVATE KEY-----')) return REDACTED;
    return value.replace(URL_USERINFO, `$1${REDACTED}@`);
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, keepUserName));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      isSecretKey(key) || (!keepUserName && USER_NAME_KEY.test(key)) ? REDACTED : redact(inner, keepUserName),
    ]),
  );
}

/**
 * A refused request's body as the log keeps it: secrets replaced (any key naming a password,
 * token, secret or private key, at any depth; user names but a login's, which say who tried;
 * credentials in URLs; PEM private keys), then bounded: over `limitBytes` of JSON, its first
 * `limitBytes` as text with the whole size beside them. Undefined for a request without one.
 */
export function recordedBody(
  body: unknown,
  options: { limitBytes: number; isLogin: boolean },
): { body?: unknown; bodyBytes?: number } {
  if (body === undefined || body === null || body === '') return {};
  const kept = redact(body, options.isLogin);
  const text = JSON.stringify(kept);
  const bytes = Buffer.byteLength(text);
  if (bytes <= options.limitBytes) return { body: kept };
  // Cut on a character boundary: the last partial character is dropped by the decoder.
  const head = Buffer.from(text)
    .subarray(0, options.limitBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return { body: head, bodyBytes: bytes };
}
