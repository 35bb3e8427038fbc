import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { probeService, serviceUrls } from '../testing/index.js';
import { createRedisCache } from './redis-cache.js';
import { runCacheConformance } from './testing/cache-conformance.js';

const available = await probeService('redis');
const keyPrefix = `fiscal-test:cache:${randomUUID()}:`;
const logger = pino({ level: 'silent' });

/** A loopback port nothing listens on: the port of a server just closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const unreachablePort = await closedPort();

describe.skipIf(!available)('redis cache', () => {
  const admin = new Redis(serviceUrls.redis, { lazyConnect: true });

  afterAll(async () => {
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  runCacheConformance({
    adapter: 'redis',
    create: ({ name, registry }) =>
      createRedisCache({ name, registry, logger, url: serviceUrls.redis, keyPrefix }),
    createUnreachable: ({ name, registry }) =>
      createRedisCache({
        name,
        registry,
        logger,
        url: `redis://127.0.0.1:${unreachablePort}`,
        keyPrefix,
        commandTimeoutMs: 100,
      }),
  });

  it('stores JSON under its key prefix with a millisecond expiry', async () => {
    const cache = createRedisCache({
      name: 'prefixed',
      registry: new Registry(),
      logger,
      url: serviceUrls.redis,
      keyPrefix,
    });
    await cache.set('invoice:7', { amount: '10.00' }, 30_000);
    expect(await admin.get(`${keyPrefix}invoice:7`)).toBe('{"amount":"10.00"}');
    const remainingMs = await admin.pttl(`${keyPrefix}invoice:7`);
    expect(remainingMs).toBeGreaterThan(25_000);
    expect(remainingMs).toBeLessThanOrEqual(30_000);
    await cache.close();
  });

  it('answers a miss when a stored value is not JSON', async () => {
    const registry = new Registry();
    const cache = createRedisCache({ name: 'corrupt', registry, logger, url: serviceUrls.redis, keyPrefix });
    await admin.set(`${keyPrefix}garbled`, '{not json', 'PX', 30_000);
    expect(await cache.get('garbled')).toBeUndefined();
    expect(await registry.metrics()).toContain('cache_requests_total{cache="corrupt",result="error"} 1');
    await cache.close();
  });
});
