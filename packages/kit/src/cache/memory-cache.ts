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
  /**
   * Also evicts beyond this many characters of keys and JSON values, for caches whose values vary in
   * size (an invoice view with its problems); a value over a tenth of it is not kept at all.
   */
  maxBytes?: number;
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
  if (options.maxBytes !== undefined && (!Number.isInteger(options.maxBytes) || options.maxBytes < 10)) {
    throw new RangeError(`cache ${options.name}: maxBytes must be an integer of at least 10`);
  }
  const entries = new LRUCache<string, string>({
    max: options.maxEntries,
    ...(options.maxBytes === undefined
      ? {}
      : {
          maxSize: options.maxBytes,
          maxEntrySize: Math.floor(options.maxBytes / 10),
          sizeCalculation: (value: string, key: string) => value.length + key.length,
        }),
  });
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
