/**
 * A call that carries the submissions of several requests (the gateway sends concurrent ones of a
 * caller together) names each item's `traceparent`, in item order, so the service continues each
 * request's own trace instead of the call's.
 */
export const itemTraceparentsHeader = 'fiscal-item-traceparents';

const traceparentPattern = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The header's value for these items; an item outside any trace is named by an empty entry. */
export function itemTraceparentsValue(traceparents: readonly (string | undefined)[]): string {
  return traceparents.map((traceparent) => traceparent ?? '').join(',');
}

/**
 * The `traceparent` of each of `count` items, or none when the call carries no such header or one
 * that does not name exactly `count` items (a malformed entry is read as no trace).
 */
export function itemTraceparentsOf(headers: Headers, count: number): (string | undefined)[] | undefined {
  const value = headers.get(itemTraceparentsHeader);
  if (value === null) return undefined;
  const entries = value.split(',');
  if (entries.length !== count) return undefined;
  return entries.map((entry) => (traceparentPattern.test(entry) ? entry : undefined));
}
