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

  it('bounds the characters it holds when told to, and keeps no value over a tenth of them', async () => {
    const cache = createMemoryCache({
      name: 'sized',
      registry: new Registry(),
      maxEntries: 1_000,
      maxBytes: 10_000,
    });
    const view = (n: number) => ({ id: n, problems: 'x'.repeat(900) });
    for (let n = 0; n < 100; n++) await cache.set(`view:${n}`, view(n), 60_000);
    let kept = 0;
    for (let n = 0; n < 100; n++) if (await cache.get(`view:${n}`)) kept++;
    expect(kept).toBeGreaterThan(5);
    expect(kept).toBeLessThanOrEqual(10);
    expect(await cache.get('view:99')).toEqual(view(99));

    await cache.set('huge', 'y'.repeat(2_000), 60_000);
    expect(await cache.get('huge')).toBeUndefined();
  });
});
