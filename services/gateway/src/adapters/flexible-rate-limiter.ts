import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { QuotaBucket, QuotasPerMinute, QuotaUsage, RateLimiter } from '../app/quotas.js';
import { rateLimiterMetrics } from './rate-limiter-metrics.js';
import { createQuotaBudgets } from './redis-quota-budgets.js';

const windowSeconds = 60;
const buckets: readonly QuotaBucket[] = ['free', 'pro', 'enterprise', 'anonymous'];

export interface MemoryRateLimiterOptions {
  quotas: QuotasPerMinute;
  registry: Registry;
}

export interface RedisRateLimiterOptions extends MemoryRateLimiterOptions {
  /** Shared by every gateway replica, so a caller's quota is one however its requests spread. */
  client: Redis;
  logger: Logger;
  /** Prepended to every counter key, so deployments sharing a Redis never collide. */
  keyPrefix?: string;
  /** How long a charge may wait for Redis before the replica counts it in memory instead. */
  commandTimeoutMs?: number;
  /** The largest share of a caller's quota a replica takes from Redis at a time (0.02). */
  budgetShare?: number;
  /** The most requests a replica takes from Redis at a time (100). */
  maximumBudget?: number;
  /** A replica gives back what a caller left unspent after this long without its requests (1 s). */
  idleReturnMs?: number;
  /** The clock that decides when a caller is idle and a window ends (`Date.now`). */
  now?: () => number;
}

/** A limiter holding resources that graceful shutdown releases. */
export interface ClosableRateLimiter extends RateLimiter {
  close(): Promise<void>;
}

const defaultKeyPrefix = 'fiscal:rate-limit:';
const defaultCommandTimeoutMs = 250;

/**
 * Embedded mode: one process, so counters in memory are the whole truth. They are counted as
 * rate-limiter-flexible's memory limiter counts (a window of a minute from a key's first request),
 * in a map answered at once: its API would cost every request a promise.
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions): RateLimiter {
  const windows = Object.fromEntries(
    buckets.map((bucket) => [bucket, memoryWindows(options.quotas[bucket], windowSeconds * 1_000)]),
  ) as Record<QuotaBucket, (key: string) => QuotaUsage>;
  const metrics = rateLimiterMetrics(options.registry);
  const chargeNow = (bucket: QuotaBucket, key: string) => {
    const usage = windows[bucket](key);
    metrics.charges.inc({ bucket, outcome: usage.exceeded ? 'limited' : 'allowed' });
    return usage;
  };
  return { chargeNow, charge: async (bucket, key) => chargeNow(bucket, key) };
}

/** Fixed windows per key in memory; a key whose window ended is dropped at the next sweep. */
function memoryWindows(limit: number, windowMs: number, now: () => number = Date.now) {
  const windows = new Map<string, { count: number; endsAt: number }>();
  let nextSweep = 0;
  return (key: string): QuotaUsage => {
    const at = now();
    if (at >= nextSweep) {
      for (const [held, window] of windows) if (window.endsAt <= at) windows.delete(held);
      nextSweep = at + windowMs;
    }
    let window = windows.get(key);
    if (!window || window.endsAt <= at) {
      window = { count: 0, endsAt: at + windowMs };
      windows.set(key, window);
    }
    // A refused request counts too, as rate-limiter-flexible counts it: hammering does not refill.
    window.count += 1;
    return {
      limit,
      remaining: Math.max(0, limit - window.count),
      resetSeconds: Math.max(1, Math.ceil((window.endsAt - at) / 1_000)),
      exceeded: window.count > limit,
    };
  };
}

/**
 * Distributed mode: counters in Redis, shared by the replicas, charged from a local budget each
 * replica takes from them (redis-quota-budgets.ts), so most requests cost no round trip and the
 * quota still holds across replicas. When Redis is down or slow the gateway must not fail (or
 * stall) every request on a counter, so each replica falls back to its own in-memory counters, the
 * insurance limiter: quotas still hold per replica, a little looser in total, and the failures are
 * logged (on each transition, not each request) and counted.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): ClosableRateLimiter {
  const { client, logger, quotas } = options;
  const metrics = rateLimiterMetrics(options.registry);
  const timeoutMs = options.commandTimeoutMs ?? defaultCommandTimeoutMs;
  const shared = createQuotaBudgets({
    client,
    keyPrefix: options.keyPrefix ?? defaultKeyPrefix,
    windowMs: windowSeconds * 1_000,
    budgetShare: options.budgetShare,
    maximumBudget: options.maximumBudget,
    idleReturnMs: options.idleReturnMs,
    now: options.now,
  });
  const insurance = limitersByBucket(
    quotas,
    (bucket, points) => new RateLimiterMemory(windowOf(bucket, points)),
  );

  let storeReachable = true;
  const counted = (bucket: QuotaBucket, usage: QuotaUsage) => {
    metrics.charges.inc({ bucket, outcome: usage.exceeded ? 'limited' : 'allowed' });
    return usage;
  };
  const limiter = countingCharges(options, async (bucket, key) => {
    // Most charges are decided in memory: no deadline (a timer) is needed for them.
    const local = shared.chargeLocally(bucket, key);
    if (local) return local;
    try {
      const usage = await withDeadline(shared.charge(bucket, key, quotas[bucket]), timeoutMs);
      if (!storeReachable) {
        storeReachable = true;
        logger.info('rate-limit store reachable again; quotas are shared by the replicas');
      }
      return usage;
    } catch (error) {
      metrics.storeFailures.inc();
      if (storeReachable) {
        storeReachable = false;
        logger.warn({ err: error }, 'rate-limit store unreachable; quotas are counted per replica');
      }
      return charge(insurance[bucket], quotas[bucket], key);
    }
  });
  return {
    ...limiter,
    chargeNow(bucket, key) {
      const usage = shared.chargeLocally(bucket, key);
      return usage && counted(bucket, usage);
    },
    close: () => shared.close(),
  };
}

function limitersByBucket(
  quotas: QuotasPerMinute,
  create: (bucket: QuotaBucket, points: number) => RateLimiterAbstract,
): Record<QuotaBucket, RateLimiterAbstract> {
  return Object.fromEntries(buckets.map((bucket) => [bucket, create(bucket, quotas[bucket])])) as Record<
    QuotaBucket,
    RateLimiterAbstract
  >;
}

function windowOf(keyPrefix: string, points: number) {
  return { keyPrefix, points, duration: windowSeconds };
}

function countingCharges(
  options: MemoryRateLimiterOptions,
  charge: (bucket: QuotaBucket, key: string) => Promise<QuotaUsage>,
): RateLimiter {
  const metrics = rateLimiterMetrics(options.registry);
  return {
    async charge(bucket, key) {
      const usage = await charge(bucket, key);
      metrics.charges.inc({ bucket, outcome: usage.exceeded ? 'limited' : 'allowed' });
      return usage;
    },
  };
}

/** rate-limiter-flexible resolves an allowed request and rejects a refused one with the same facts. */
async function charge(limiter: RateLimiterAbstract, limit: number, key: string): Promise<QuotaUsage> {
  try {
    return usageOf(limit, await limiter.consume(key), false);
  } catch (outcome) {
    if (outcome instanceof RateLimiterRes) return usageOf(limit, outcome, true);
    throw outcome;
  }
}

function usageOf(limit: number, result: RateLimiterRes, exceeded: boolean): QuotaUsage {
  return {
    limit,
    remaining: Math.max(0, result.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1_000)),
    exceeded,
  };
}

function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`rate-limit store did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
