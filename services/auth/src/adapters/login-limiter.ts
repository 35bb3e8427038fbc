import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

/** Failed logins counted per account email (existing or not) and per client address. */
export interface LoginLimiter {
  /** Seconds until this account or address may try again; undefined when neither is locked. */
  lockedFor(email: string, address: string): Promise<number | undefined>;
  recordFailure(email: string, address: string): Promise<void>;
  /** A successful login clears the account's count (not the address's: one good login in a spray proves nothing). */
  recordSuccess(email: string): Promise<void>;
}

export interface LoginLimits {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  /** Window in which failures are counted. */
  failureWindowMs: number;
  /** How long an account or address stays locked once past its limit. */
  lockoutMs: number;
}

/**
 * rate-limiter-flexible counters: the process's memory when embedded, Redis when distributed (so
 * every replica sees the same counts). A counter store that fails does not lock everyone out: the
 * failure is logged and the login proceeds unthrottled, as the password check still stands.
 */
export function createLoginLimiter(limits: LoginLimits, logger: Logger, redis?: Redis): LoginLimiter {
  const limiter = (name: string, points: number): RateLimiterAbstract => {
    const options = {
      keyPrefix: `fiscal-login-${name}`,
      points,
      duration: Math.max(1, Math.ceil(limits.failureWindowMs / 1000)),
    };
    return redis ? new RateLimiterRedis({ ...options, storeClient: redis }) : new RateLimiterMemory(options);
  };
  const accounts = {
    limiter: limiter('account', limits.maxFailuresPerAccount),
    points: limits.maxFailuresPerAccount,
  };
  const addresses = {
    limiter: limiter('address', limits.maxFailuresPerAddress),
    points: limits.maxFailuresPerAddress,
  };
  const lockoutSeconds = Math.max(1, Math.ceil(limits.lockoutMs / 1000));

  const counters = (email: string, address: string) => [
    { ...accounts, key: email },
    ...(address ? [{ ...addresses, key: address }] : []),
  ];

  const tolerate =
    <T>(fallback: T) =>
    (error: unknown): T => {
      if (error instanceof RateLimiterRes) throw error;
      logger.warn({ err: error }, 'login throttling store failed; login not throttled');
      return fallback;
    };

  return {
    async lockedFor(email, address) {
      let longest: number | undefined;
      for (const counter of counters(email, address)) {
        const state = await counter.limiter.get(counter.key).catch(tolerate(null));
        if (state && state.consumedPoints >= counter.points) {
          longest = Math.max(longest ?? 0, Math.ceil(state.msBeforeNext / 1000));
        }
      }
      return longest;
    },
    async recordFailure(email, address) {
      for (const counter of counters(email, address)) {
        const state = await counter.limiter
          .consume(counter.key)
          .catch((rejection: unknown) =>
            rejection instanceof RateLimiterRes ? rejection : tolerate(null)(rejection),
          );
        // Reaching the limit locks for the lockout period, however much of the window is left.
        if (state && state.consumedPoints >= counter.points) {
          await counter.limiter.block(counter.key, lockoutSeconds).catch(tolerate(null));
        }
      }
    },
    async recordSuccess(email) {
      await accounts.limiter.delete(email).catch(tolerate(false));
    },
  };
}
