/**
 * A cache of JSON values in front of a slower source of truth. It is an optimisation only: every
 * adapter answers `undefined` (a miss) rather than fail, so an outage of the cache slows reads down
 * but never breaks them, and a lost `set` or `delete` leaves at worst a value as stale as its TTL.
 * Values come back as their JSON round-trip (a `Date` comes back as its ISO string).
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Serialises `value`, refusing what JSON cannot carry so both adapters fail the same way. */
export function encodeCacheValue(value: unknown, ttlMs: number): string {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`cache TTL must be a positive number of milliseconds, got ${ttlMs}`);
  }
  const encoded = JSON.stringify(value);
  if (encoded === undefined) throw new TypeError(`cache value of type ${typeof value} is not JSON`);
  return encoded;
}
