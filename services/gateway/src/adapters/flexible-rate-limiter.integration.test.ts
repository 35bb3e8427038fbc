import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { QueryService } from '@fiscal/contracts/rpc/query';
import { createMemoryCache } from '@fiscal/kit/cache';
import { createInMemoryTransport } from '@fiscal/kit/grpc';
import { probeService, serviceUrls } from '@fiscal/kit/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { CallerResolver } from '../app/caller.js';
import type { QuotasPerMinute } from '../app/quotas.js';
import { createGatewayServer } from '../main.js';
import { testCaller } from '../testing/requesters.js';
import {
  type ClosableRateLimiter,
  createMemoryRateLimiter,
  createRedisRateLimiter,
} from './flexible-rate-limiter.js';

const available = await probeService('redis');
const keyPrefix = `fiscal-test:rate-limit:${randomUUID()}:`;
const logger = pino({ level: 'silent' });
const quotas: QuotasPerMinute = { free: 5, pro: 50, enterprise: 500, anonymous: 5 };

const freeCaller: CallerResolver = { resolve: async () => testCaller('org_1', { tier: 'free' }) };

/** A loopback port nothing listens on: the port of a server just closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One gateway replica as `main.ts` builds it, counting quotas in `client`'s Redis. */
function startReplica(client: Redis, registry = new Registry()): FastifyInstance {
  const transport = createInMemoryTransport(
    (router) =>
      router.service(QueryService, {
        async getInvoice({ id }) {
          const at = '2025-01-24T10:10:41.000Z';
          return { invoice: { id, orgId: 'org_1', status: 'archived', createdAt: at, updatedAt: at } };
        },
      }),
    { logger },
  );
  return createGatewayServer({
    logger,
    registry,
    invoiceTransport: transport,
    queryTransport: transport,
    authTransport: transport,
    analyticsTransport: transport,
    notificationTransport: transport,
    revocations: createMemoryCache({ name: 'revocations', registry, maxEntries: 10 }),
    callers: freeCaller,
    rateLimiter: createRedisRateLimiter({ quotas, registry, client, logger, keyPrefix }),
  });
}

const read = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/api/v1/invoices/inv_1' });

describe.skipIf(!available)('Redis rate limiter', () => {
  const clients: Redis[] = [];
  const replicas: FastifyInstance[] = [];
  const closables: ClosableRateLimiter[] = [];
  const connect = (url = serviceUrls.redis) => {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    clients.push(client);
    return client;
  };
  const replica = (client: Redis, registry?: Registry) => {
    const app = startReplica(client, registry);
    replicas.push(app);
    return app;
  };

  afterAll(async () => {
    await Promise.all(replicas.map((app) => app.close()));
    await Promise.all(closables.map((limiter) => limiter.close()));
    const admin = connect();
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    for (const client of clients) client.disconnect();
  });

  it('shares one caller quota between gateway replicas', async () => {
    const [firstClient, secondClient] = [connect(), connect()];
    // Until a client is connected its replica counts in memory; a deployment's readiness waits too.
    await Promise.all([firstClient.ping(), secondClient.ping()]);
    const registry = new Registry();
    const first = replica(firstClient, registry);
    const second = replica(secondClient, registry);

    const statuses: number[] = [];
    for (let index = 0; index < quotas.free; index += 1) {
      statuses.push((await read(index % 2 === 0 ? first : second)).statusCode);
    }
    const refusedByFirst = await read(first);
    const refusedBySecond = await read(second);

    expect(statuses).toEqual(Array(quotas.free).fill(200));
    expect(refusedByFirst.statusCode).toBe(429);
    expect(refusedBySecond.statusCode).toBe(429);
    expect(refusedBySecond.json()).toMatchObject({ code: 'rate_limited' });
    expect(refusedBySecond.headers['ratelimit-remaining']).toBe('0');
    expect(await registry.metrics()).toMatch(/gateway_rate_limiter_store_failures_total 0/);
  });

  /** Two replicas' limiters on one Redis, charging a pro caller whose quota is 500 a minute. */
  async function twoReplicas(options: { idleReturnMs?: number; now?: () => number } = {}) {
    const prefix = `${keyPrefix}${randomUUID()}:`;
    const [first, second] = [connect(), connect()];
    await Promise.all([first.ping(), second.ping()]);
    const limiterOf = (client: Redis) =>
      createRedisRateLimiter({
        quotas: { ...quotas, pro: 500 },
        registry: new Registry(),
        client,
        logger,
        keyPrefix: prefix,
        // On a loaded machine a charge may wait long for Redis; counting in memory would muddle the count.
        commandTimeoutMs: 10_000,
        ...options,
      });
    const limiters = [limiterOf(first), limiterOf(second)] as const;
    closables.push(...limiters);
    return { limiters, clients: [first, second] as const };
  }

  const allowedOf = async (charges: Promise<{ exceeded: boolean }>[]) =>
    (await Promise.all(charges)).filter((usage) => !usage.exceeded).length;

  it('never lets a caller past its quota, however its concurrent requests spread over the replicas', async () => {
    const { limiters } = await twoReplicas();
    const charges = Array.from({ length: 800 }, (_, index) =>
      limiters[index % 3 === 0 ? 0 : 1].charge('pro', 'org_1:usr_busy'),
    );
    expect(await allowedOf(charges)).toBe(500);
  });

  it('asks Redis once per slice of the quota, not once per request', async () => {
    const { limiters, clients } = await twoReplicas();
    const sent = vi.spyOn(clients[0], 'sendCommand');
    for (let index = 0; index < 25; index += 1) await limiters[0].charge('pro', 'org_1:usr_steady');
    // A slice is 2 % of the quota: 10 requests of 500.
    expect(sent.mock.calls.filter(([command]) => /^eval/.test(command.name))).toHaveLength(3);
    sent.mockRestore();
  });

  it('refuses early by at most the slice another replica holds, until that replica gives it back', async () => {
    // The replicas' clock stands still while the caller moves: however long the charges take on a
    // busy machine, nobody is idle until the test says so.
    let clock = Date.now();
    const { limiters } = await twoReplicas({ idleReturnMs: 100, now: () => clock });
    const caller = 'org_1:usr_moving';
    // The first replica takes a slice of 10 and spends one; its caller then moves to the second.
    expect((await limiters[0].charge('pro', caller)).exceeded).toBe(false);
    const serial = async (count: number) => {
      let allowed = 0;
      for (let index = 0; index < count; index += 1)
        if (!(await limiters[1].charge('pro', caller)).exceeded) allowed += 1;
      return allowed;
    };
    expect(await serial(600)).toBe(490);
    // Idle for its idle period, the first replica gives its 9 unspent requests back.
    // Each try moves the clock on: past that idle period, and past the second replica's recheck of
    // a caller it found spent (a try may come before the first replica's give-back).
    await vi.waitFor(
      async () => {
        clock += 100;
        expect(await serial(1)).toBe(1);
      },
      { timeout: 2_000, interval: 50 },
    );
    expect(1 + 490 + 1 + (await serial(20))).toBe(500);
  });

  it('counts per replica, without failing or stalling requests, while Redis is unreachable', async () => {
    const registry = new Registry();
    const unreachable = connect(`redis://127.0.0.1:${await closedPort()}`);
    const app = replica(unreachable, registry);

    const started = performance.now();
    const statuses: number[] = [];
    for (let index = 0; index <= quotas.free; index += 1) statuses.push((await read(app)).statusCode);
    const elapsedMs = performance.now() - started;

    expect(statuses).toEqual([...Array(quotas.free).fill(200), 429]);
    expect(elapsedMs).toBeLessThan(2_000);
    expect(await registry.metrics()).toMatch(/gateway_rate_limiter_store_failures_total \d+/);
    expect(await registry.metrics()).not.toMatch(/gateway_rate_limiter_store_failures_total 0/);
  });
});

describe('the memory rate limiter (embedded mode)', () => {
  it('answers at once, refuses past the quota, counts refusals too, and opens a new window a minute after a key first came', () => {
    vi.useFakeTimers({ now: new Date('2026-12-03T12:00:00Z') });
    try {
      const limiter = createMemoryRateLimiter({ quotas, registry: new Registry() });
      const chargeNow = (key: string) => limiter.chargeNow?.('free', key);
      const charge = () => chargeNow('org_1:user_1');
      const first = Array.from({ length: 6 }, charge);
      expect(first.map((usage) => usage?.exceeded)).toEqual([false, false, false, false, false, true]);
      expect(first[4]).toMatchObject({ limit: 5, remaining: 0, resetSeconds: 60 });
      expect(chargeNow('org_1:user_2')?.exceeded).toBe(false);

      vi.advanceTimersByTime(59_000);
      expect(charge()).toMatchObject({ exceeded: true, resetSeconds: 1 });
      vi.advanceTimersByTime(1_000);
      expect(charge()).toMatchObject({ exceeded: false, remaining: 4, resetSeconds: 60 });
    } finally {
      vi.useRealTimers();
    }
  });
});
