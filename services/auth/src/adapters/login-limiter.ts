import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { LoginLimiter } from '../domain/index.js';

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
    async attempt(email, address) {
      let longest: number | undefined;
      for (const counter of counters(email, address)) {
        const state = await counter.limiter
          .consume(counter.key)
          .catch((rejection: unknown) =>
            rejection instanceof RateLimiterRes ? rejection : tolerate(null)(rejection),
          );
        if (!state || state.consumedPoints <= counter.points) continue;
        // Past the limit: locked for the lockout period, however much of the window is left.
        if (state.consumedPoints === counter.points + 1) {
          await counter.limiter.block(counter.key, lockoutSeconds).catch(tolerate(null));
          longest = Math.max(longest ?? 0, lockoutSeconds);
        } else {
          longest = Math.max(longest ?? 0, Math.ceil(state.msBeforeNext / 1000));
        }
      }
      return longest;
    },
    async recordSuccess(email, address) {
      await accounts.limiter.delete(email).catch(tolerate(false));
      if (address) await addresses.limiter.reward(address, 1).catch(tolerate(null));
    },
  };
}
