import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMemoryCache } from './memory-cache.js';
import { runCacheConformance } from './testing/cache-conformance.js';

runCacheConformance({
  adapter: 'memory',
  create: ({ name, registry }) => createMemoryCache({ name, registry, maxEntries: 1_000 }),
});

describe('memory cache', () => {
  it('evicts the least recently used entry beyond its bound', async () => {
    const cache = createMemoryCache({ name: 'bounded', registry: new Registry(), maxEntries: 2 });
    await cache.set('first', 1, 60_000);
    await cache.set('second', 2, 60_000);
    await cache.get('first');
    await cache.set('third', 3, 60_000);
    expect(await cache.get('second')).toBeUndefined();
    expect(await cache.get('first')).toBe(1);
    expect(await cache.get('third')).toBe(3);
  });

  it('lets several caches report to one registry', async () => {
    const registry = new Registry();
    const summaries = createMemoryCache({ name: 'summaries', registry, maxEntries: 10 });
    const reports = createMemoryCache({ name: 'reports', registry, maxEntries: 10 });
    await summaries.get('missing');
    await reports.get('missing');
    expect(await registry.metrics()).toContain('cache_requests_total{cache="reports",result="miss"} 1');
  });
});
