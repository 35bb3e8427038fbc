import { randomUUID } from 'node:crypto';
import { fromConnectError } from '@fiscal/kit/grpc';
import { probeService, serviceUrls } from '@fiscal/kit/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapEmail, bootstrapPassword, startAuthHarness } from '../testing/index.js';

const redisAvailable = await probeService('redis');
const redisClients: Redis[] = [];
afterAll(async () => {
  for (const client of redisClients) client.disconnect();
});

const stores = [
  { store: 'memory', available: true },
  { store: 'redis', available: redisAvailable },
] as const;

describe.each(stores)('login lockout with the $store store', ({ store, available }) => {
  it.skipIf(!available)(
    'after 10 failures the 11th login is refused even with the right password, as for an unknown email',
    async () => {
      // A fresh key space per run: counters left in Redis by an earlier run must not leak in.
      const client =
        store === 'redis'
          ? new Redis(serviceUrls.redis, { keyPrefix: `fiscal-test:${randomUUID()}:` })
          : undefined;
      if (client) redisClients.push(client);
      const auth = await startAuthHarness('pglite', client ? { loginLimiterRedis: client } : {});
      try {
        const attempt = (email: string, password: string, clientIp: string) =>
          auth.client.login({ email, password, clientIp }).then(
            () => undefined,
            (error: unknown) => fromConnectError(error),
          );
        for (let failure = 0; failure < 10; failure++) {
          expect((await attempt(bootstrapEmail, 'wrong password', `10.1.0.${failure}`))?.code).toBe(
            'invalid_credentials',
          );
          expect((await attempt('nobody@example.test', 'wrong password', `10.2.0.${failure}`))?.code).toBe(
            'invalid_credentials',
          );
        }
        const known = await attempt(bootstrapEmail, bootstrapPassword, '10.3.0.1');
        const unknown = await attempt('nobody@example.test', bootstrapPassword, '10.3.0.2');
        for (const refusal of [known, unknown]) {
          expect(refusal).toMatchObject({
            kind: 'rate_limited',
            code: 'login_locked',
            message: known?.message,
          });
          expect(refusal?.retryAfterSeconds).toBeGreaterThan(14 * 60);
        }
        const events = await auth.outboxEvents();
        expect(
          events.filter((event) => (event.data as { reason?: string }).reason === 'locked'),
        ).toHaveLength(2);
      } finally {
        await auth.close();
      }
    },
  );

  it.skipIf(!available)(
    'parallel guesses get no more than the limit: the attempt is counted before the password is checked',
    async () => {
      const client =
        store === 'redis'
          ? new Redis(serviceUrls.redis, { keyPrefix: `fiscal-test:${randomUUID()}:` })
          : undefined;
      if (client) redisClients.push(client);
      const auth = await startAuthHarness('pglite', client ? { loginLimiterRedis: client } : {});
      try {
        const outcomes = await Promise.all(
          Array.from({ length: 30 }, (_, index) =>
            auth.client
              .login({ email: bootstrapEmail, password: `guess ${index}`, clientIp: `10.5.0.${index}` })
              .then(
                () => 'signed in',
                (error: unknown) => fromConnectError(error).code,
              ),
          ),
        );
        expect(outcomes.filter((outcome) => outcome === 'invalid_credentials')).toHaveLength(10);
        expect(outcomes.filter((outcome) => outcome === 'login_locked')).toHaveLength(20);
      } finally {
        await auth.close();
      }
    },
  );

  it.skipIf(!available)(
    'one address failing against many accounts is locked past its own limit',
    async () => {
      const client =
        store === 'redis'
          ? new Redis(serviceUrls.redis, { keyPrefix: `fiscal-test:${randomUUID()}:` })
          : undefined;
      if (client) redisClients.push(client);
      const auth = await startAuthHarness('pglite', {
        settings: { FISCAL_LOGIN_MAX_FAILURES_PER_ADDRESS: '3' },
        ...(client ? { loginLimiterRedis: client } : {}),
      });
      try {
        for (let failure = 0; failure < 3; failure++) {
          await auth.client
            .login({ email: `user${failure}@example.test`, password: 'x', clientIp: '10.4.0.1' })
            .catch(() => {});
        }
        const refusal = await auth.client
          .login({ email: bootstrapEmail, password: bootstrapPassword, clientIp: '10.4.0.1' })
          .then(() => undefined, fromConnectError);
        expect(refusal?.code).toBe('login_locked');
        const elsewhere = await auth.client.login({
          email: bootstrapEmail,
          password: bootstrapPassword,
          clientIp: '10.4.0.2',
        });
        expect(elsewhere.tokens?.accessToken).toBeTruthy();
      } finally {
        await auth.close();
      }
    },
  );
});
