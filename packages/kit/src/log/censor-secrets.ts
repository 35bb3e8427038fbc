const secretKeys = new Set([
  'authorization',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'apiKey',
  'cookie',
]);

const censored = '[redacted]';

/** Top-level fields, the objects they hold, and one level further (a request's `req.headers`). */
const deepestLevel = 2;

/**
 * The fields of a log line with every secret censored where a log call can put one: at the top
 * level, one object deep, or in the headers of a logged request. A line with no secret (nearly
 * every line) is returned as it is, without a copy; otherwise the copy is censored and the
 * caller's objects are left untouched. A loop over a line's own keys replaces pino's wildcard
 * redaction, which cost about 10 µs a line, three times the rest of writing it.
 */
export function censorSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  return censorLevel(fields, 0);
}

function censorLevel(fields: Record<string, unknown>, level: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    let replacement = value;
    if (secretKeys.has(key)) replacement = value === undefined ? value : censored;
    else if (level < deepestLevel && isPlainObject(value)) replacement = censorLevel(value, level + 1);
    if (replacement !== value) {
      copy ??= { ...fields };
      copy[key] = replacement;
    }
  }
  return copy ?? fields;
}

// Errors, buffers, dates and class instances have serializers or a JSON form of their own.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
