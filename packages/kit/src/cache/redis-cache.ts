import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type Cache, encodeCacheValue } from './cache.js';
import { type CacheOperation, cacheMetrics } from './metrics.js';

export interface RedisCacheOptions {
  /** Label of the cache metrics and of log lines. */
  name: string;
  registry: Registry;
  logger: Logger;
  url: string;
  /** Prepended to every key, so caches and deployments sharing a Redis never collide. */
  keyPrefix: string;
  /** How long a read may wait for Redis before it counts as a miss. */
  commandTimeoutMs?: number;
}

const defaultCommandTimeoutMs = 250;

/**
 * The distributed-mode cache. A cache that hangs is worse than no cache, so every command carries a
 * short timeout, and while the connection is known to be down commands are not even attempted:
 * reads answer a miss at once and the source of truth serves them.
 */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const { name, logger } = options;
  const metrics = cacheMetrics(options.registry);
  const client = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    commandTimeout: options.commandTimeoutMs ?? defaultCommandTimeoutMs,
    // A command queued while connecting fails after its timeout instead of piling up for retries.
    maxRetriesPerRequest: 1,
  });

  // Log transitions, not every failed command: an outage at full load would flood the logs.
  let reachable = true;
  client.on('error', (error: Error) => {
    if (!reachable) return;
    reachable = false;
    logger.warn({ cache: name, err: error }, 'cache unreachable; reads are served as misses');
  });
  client.on('ready', () => {
    if (reachable) return;
    reachable = true;
    logger.info({ cache: name }, 'cache reachable again');
  });

  const connectionDown = () =>
    client.status === 'reconnecting' || client.status === 'close' || client.status === 'end';

  async function absorbing<T>(operation: CacheOperation, run: () => Promise<T>): Promise<T | undefined> {
    if (connectionDown()) {
      metrics.errors.inc({ cache: name, operation });
      return undefined;
    }
    try {
      return await run();
    } catch (error) {
      metrics.errors.inc({ cache: name, operation });
      logger.warn({ cache: name, operation, err: error }, 'cache operation failed');
      return undefined;
    }
  }

  return {
    async get<T>(key: string) {
      let result: 'hit' | 'miss' | 'error' = 'error';
      const value = await absorbing('get', async () => {
        const encoded = await client.get(key);
        const decoded = encoded === null ? undefined : (JSON.parse(encoded) as T);
        result = encoded === null ? 'miss' : 'hit';
        return decoded;
      });
      metrics.requests.inc({ cache: name, result });
      return value;
    },
    async set(key, value, ttlMs) {
      // Outside `absorbing`: a value JSON cannot carry is a bug to surface, not an outage to absorb.
      const encoded = encodeCacheValue(value, ttlMs);
      await absorbing('set', () => client.set(key, encoded, 'PX', Math.ceil(ttlMs)));
    },
    async delete(...keys) {
      if (keys.length === 0) return;
      await absorbing('delete', () => client.del(...keys));
    },
    async close() {
      if (client.status === 'ready') {
        await client.quit().catch(() => client.disconnect());
      } else {
        client.disconnect();
      }
    },
  };
}
