/**
 * A view served from what the gateway remembered while its source was down. The mark is a symbol,
 * so it never reaches the JSON body; the edge turns it into an `X-Fiscal-Stale: true` header.
 */
const stale = Symbol('stale view');

export function markStale<T extends object>(view: T): T {
  // Not enumerable: a copy or comparison of the view sees only its fields.
  return Object.defineProperty(view, stale, { value: true });
}

export function isStale(value: unknown): boolean {
  return typeof value === 'object' && value !== null && stale in value;
}
