import { randomUUID } from 'node:crypto';
import { type Cache, createMemoryCache, createRedisCache } from '@fiscal/kit/cache';
import { probeService, serviceUrls } from '@fiscal/kit/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOrganisation } from '../main.js';
import { FakeAuthService } from '../testing/fake-auth-service.js';
import { invoices, startGateway } from '../testing/gateway-harness.js';

const redisAvailable = await probeService('redis');
const registry = new Registry();

const adapters: { name: string; available: boolean; create: () => Cache }[] = [
  {
    name: 'memory (embedded)',
    available: true,
    create: () => createMemoryCache({ name: 'revocations', registry, maxEntries: 1_000 }),
  },
  {
    name: 'redis (distributed)',
    available: redisAvailable,
    create: () =>
      createRedisCache({
        name: 'revocations',
        registry,
        logger: pino({ level: 'silent' }),
        url: serviceUrls.redis,
        keyPrefix: `fiscal-test:revocations:${randomUUID()}:`,
      }),
  },
];

describe.each(adapters)('revocation shared through the $name cache', ({ available, create }) => {
  const revocations = available ? create() : undefined;

  afterAll(async () => {
    await revocations?.close();
  });

  it.skipIf(!available)(
    'a replica refuses a token another replica logged out, though it had verified it',
    async () => {
      const auth = new FakeAuthService({ now: Date.now() });
      const user = auth.addUser({
        orgId: defaultOrganisation,
        email: 'admin@a.test',
        password: 'password',
        role: 'admin',
        platformAdmin: false,
      });
      const [first, second] = [1, 2].map(() => startGateway({ authenticated: true, auth, revocations }));
      const login = await first!.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: user.email, password: user.password },
      });
      const { accessToken, refreshToken } = login.json();
      const read = () =>
        second!.app.inject({
          method: 'GET',
          url: `/api/v1/invoices/${invoices.archived}`,
          headers: { authorization: `Bearer ${accessToken}` },
        });
      expect((await read()).statusCode).toBe(200);

      const logout = await first!.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { authorization: `Bearer ${accessToken}` },
        payload: { refreshToken },
      });
      expect(logout.statusCode).toBe(204);

      const refused = await read();
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ code: 'unauthenticated' });
      await Promise.all([first!.app.close(), second!.app.close()]);
    },
  );

  it.skipIf(!available)(
    'a replica refuses an API key another replica revoked, though it had verified it',
    async () => {
      const auth = new FakeAuthService({ now: Date.now() });
      const user = auth.addUser({
        orgId: defaultOrganisation,
        email: 'admin@b.test',
        password: 'password',
        role: 'admin',
        platformAdmin: false,
      });
      const [first, second] = [1, 2].map(() => startGateway({ authenticated: true, auth, revocations }));
      const admin = { authorization: `Bearer ${await auth.tokenFor(user)}` };
      const created = await first!.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: admin,
        payload: { name: 'erp', scopes: ['invoices:read'] },
      });
      const { id, secret } = created.json();
      const read = () =>
        second!.app.inject({
          method: 'GET',
          url: `/api/v1/invoices/${invoices.archived}`,
          headers: { authorization: `Bearer ${secret}` },
        });
      expect((await read()).statusCode).toBe(200);

      const revoked = await first!.app.inject({
        method: 'DELETE',
        url: `/api/v1/api-keys/${id}`,
        headers: admin,
      });
      expect(revoked.statusCode).toBe(204);

      const refused = await read();
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({
        code: 'unauthenticated',
        detail: expect.stringMatching(/revoked/),
      });
      await Promise.all([first!.app.close(), second!.app.close()]);
    },
  );
});
