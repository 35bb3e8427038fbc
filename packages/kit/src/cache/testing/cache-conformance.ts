import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Cache } from '../cache.js';

export interface CacheFactoryOptions {
  /** Metric label the cache must report under. */
  name: string;
  registry: Registry;
}

export interface CacheConformanceSubject {
  adapter: string;
  create(options: CacheFactoryOptions): Cache;
  /** A cache whose store cannot be reached; adapters without a remote store leave it out. */
  createUnreachable?(options: CacheFactoryOptions): Cache;
}

const cacheName = 'conformance';

async function counterValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const series = values.find((value) =>
    Object.entries(labels).every(([label, expected]) => value.labels[label] === expected),
  );
  return series?.value ?? 0;
}

/** The behaviour every `Cache` adapter promises, written once and run against each of them. */
export function runCacheConformance(subject: CacheConformanceSubject): void {
  describe(`${subject.adapter} cache conformance`, () => {
    const opened: Cache[] = [];
    const open = (factory: (options: CacheFactoryOptions) => Cache) => {
      const registry = new Registry();
      const cache = factory({ name: cacheName, registry });
      opened.push(cache);
      return { cache, registry };
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((cache) => cache.close()));
    });

    it('misses a key never set, then hits it once set, and counts both', async () => {
      const { cache, registry } = open(subject.create);
      expect(await cache.get('invoice:1')).toBeUndefined();
      await cache.set('invoice:1', { status: 'archived' }, 60_000);
      expect(await cache.get('invoice:1')).toEqual({ status: 'archived' });

      const requests = (result: string) =>
        counterValue(registry, 'cache_requests_total', { cache: cacheName, result });
      expect(await requests('miss')).toBe(1);
      expect(await requests('hit')).toBe(1);
    });

    it('forgets an entry once its TTL has passed but keeps a longer-lived one', async () => {
      const { cache } = open(subject.create);
      await cache.set('short', 'soon gone', 50);
      await cache.set('long', 'still here', 60_000);
      await vi.waitFor(async () => expect(await cache.get('short')).toBeUndefined(), {
        timeout: 3_000,
        interval: 20,
      });
      expect(await cache.get('long')).toBe('still here');
    });

    it('deletes every key given and leaves the others', async () => {
      const { cache } = open(subject.create);
      await cache.set('a', 1, 60_000);
      await cache.set('b', 2, 60_000);
      await cache.set('c', 3, 60_000);
      await cache.delete('a', 'b');
      await cache.delete();
      expect(await cache.get('a')).toBeUndefined();
      expect(await cache.get('b')).toBeUndefined();
      expect(await cache.get('c')).toBe(3);
    });

    it('returns values as their JSON round-trip, detached from the object that was stored', async () => {
      const { cache } = open(subject.create);
      const summary = {
        id: 'inv_01',
        amount: '1234.50',
        lines: [{ sku: 'A', quantity: 2 }],
        archived: true,
        note: null,
        issuedAt: new Date('2024-05-01T12:00:00.000Z'),
      };
      await cache.set('summary', summary, 60_000);
      summary.lines.push({ sku: 'B', quantity: 1 });

      const cached = await cache.get<Record<string, unknown>>('summary');
      expect(cached).toEqual({
        id: 'inv_01',
        amount: '1234.50',
        lines: [{ sku: 'A', quantity: 2 }],
        archived: true,
        note: null,
        issuedAt: '2024-05-01T12:00:00.000Z',
      });
    });

    it('refuses a value JSON cannot carry and a TTL that is not positive', async () => {
      const { cache } = open(subject.create);
      await expect(cache.set('nothing', undefined, 1_000)).rejects.toThrow(TypeError);
      await expect(cache.set('forever', 'x', 0)).rejects.toThrow(RangeError);
    });

    if (subject.createUnreachable) {
      const createUnreachable = subject.createUnreachable;
      it('answers a miss and counts an error when its store is unreachable', async () => {
        const { cache, registry } = open(createUnreachable);
        await expect(cache.set('invoice:1', { status: 'archived' }, 60_000)).resolves.toBeUndefined();
        expect(await cache.get('invoice:1')).toBeUndefined();
        expect(await cache.get('invoice:1')).toBeUndefined();
        await expect(cache.delete('invoice:1')).resolves.toBeUndefined();

        const labels = { cache: cacheName };
        expect(await counterValue(registry, 'cache_requests_total', { ...labels, result: 'error' })).toBe(2);
        expect(await counterValue(registry, 'cache_requests_total', { ...labels, result: 'miss' })).toBe(0);
        expect(await counterValue(registry, 'cache_errors_total', { ...labels, operation: 'get' })).toBe(2);
        expect(await counterValue(registry, 'cache_errors_total', { ...labels, operation: 'set' })).toBe(1);
      });
    }
  });
}
