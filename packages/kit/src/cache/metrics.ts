import { Counter, type Registry } from 'prom-client';

export type CacheLookupResult = 'hit' | 'miss' | 'error';
export type CacheOperation = 'get' | 'set' | 'delete';

export interface CacheMetrics {
  readonly requests: Counter<'cache' | 'result'>;
  readonly errors: Counter<'cache' | 'operation'>;
}

/** One set per registry: several caches (and both adapters) share a registry under the `cache` label. */
const metricsByRegistry = new WeakMap<Registry, CacheMetrics>();

export function cacheMetrics(registry: Registry): CacheMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const metrics: CacheMetrics = {
    requests: new Counter({
      name: 'cache_requests_total',
      help: 'Cache lookups by result: hit, miss, or error (answered as a miss).',
      labelNames: ['cache', 'result'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'cache_errors_total',
      help: 'Cache operations that failed and were absorbed.',
      labelNames: ['cache', 'operation'],
      registers: [registry],
    }),
  };
  metricsByRegistry.set(registry, metrics);
  return metrics;
}
