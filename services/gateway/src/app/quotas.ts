import { AppError } from '@fiscal/kit/errors';
import type { Caller, Tier } from './caller.js';

/**
 * Whose quota a request is charged to: an authenticated caller's tier, or `anonymous` for the
 * routes anyone may call without credentials (login), charged per client address.
 */
export type QuotaBucket = Tier | 'anonymous';

/** Requests allowed per minute, per key, in each bucket. */
export type QuotasPerMinute = Record<QuotaBucket, number>;

export const defaultQuotasPerMinute: QuotasPerMinute = {
  free: 60,
  pro: 1_200,
  enterprise: 12_000,
  anonymous: 60,
};

/** Where a key stands in its current one-minute window, after this request was counted. */
export interface QuotaUsage {
  limit: number;
  remaining: number;
  /** Seconds until the window resets and the full quota is available again. */
  resetSeconds: number;
  exceeded: boolean;
}

/** Port: counts one request against `key`'s quota in `bucket`. */
export interface RateLimiter {
  charge(bucket: QuotaBucket, key: string): Promise<QuotaUsage>;
  /**
   * The same charge, when it can be decided at once (a count in this process's memory); undefined
   * when it cannot, and then nothing was charged: `charge` decides.
   */
  chargeNow?(bucket: QuotaBucket, key: string): QuotaUsage | undefined;
}

/**
 * A caller's quota is its own, not its organisation's: one integration's runaway loop must not
 * lock out the organisation's analysts, and the organisation id keeps subjects of different
 * tenants apart.
 */
export function quotaKeyOf(caller: Pick<Caller, 'orgId' | 'subject'>): string {
  return `${caller.orgId}:${caller.subject}`;
}

export function rateLimited(usage: QuotaUsage): AppError {
  return new AppError(
    'rate_limited',
    'rate_limited',
    `Rate limit of ${usage.limit} requests per minute reached; retry in ${usage.resetSeconds} s.`,
    { retryAfterSeconds: usage.resetSeconds },
  );
}
