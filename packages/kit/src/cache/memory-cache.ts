import { LRUCache } from 'lru-cache';
import type { Registry } from 'prom-client';
import { type Cache, encodeCacheValue } from './cache.js';
import { cacheMetrics } from './metrics.js';

export interface MemoryCacheOptions {
  /** Label of the cache metrics. */
  name: string;
  registry: Registry;
  /** The least recently used entry is evicted beyond this many, so memory stays bounded. */
  maxEntries: number;
}

/**
 * The embedded-mode cache. It stores the JSON text, not the object, so it behaves exactly like the
 * Redis adapter: callers cannot mutate a cached value through a reference they kept or received.
 */
export function createMemoryCache(options: MemoryCacheOptions): Cache {
  if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
    throw new RangeError(`cache ${options.name}: maxEntries must be a positive integer`);
  }
  const metrics = cacheMetrics(options.registry);
  const entries = new LRUCache<string, string>({ max: options.maxEntries });
  const count = (result: 'hit' | 'miss') => metrics.requests.inc({ cache: options.name, result });

  return {
    async get<T>(key: string) {
      const encoded = entries.get(key);
      count(encoded === undefined ? 'miss' : 'hit');
      return encoded === undefined ? undefined : (JSON.parse(encoded) as T);
    },
    async set(key, value, ttlMs) {
      entries.set(key, encodeCacheValue(value, ttlMs), { ttl: Math.ceil(ttlMs) });
    },
    async delete(...keys) {
      for (const key of keys) entries.delete(key);
    },
    async close() {
      entries.clear();
    },
  };
}
