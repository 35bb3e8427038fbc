import { request as httpRequest } from 'node:http';
import { QueryService } from '@fiscal/contracts/rpc/query';
import { createMemoryCache } from '@fiscal/kit/cache';
import { createInMemoryTransport } from '@fiscal/kit/grpc';
import { listen } from '@fiscal/kit/http';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../adapters/flexible-rate-limiter.js';
import { createGatewayServer } from '../main.js';
import { startGateway } from '../testing/gateway-harness.js';
import { testCaller } from '../testing/requesters.js';

const logger = pino({ level: 'silent' });

describe('authentication before the body', () => {
  const { app } = startGateway({ authenticated: true });
  afterAll(() => app.close());

  it.each([
    ['a body that breaks the schema', 'application/json', '{"items":[{"amount":1.5}],"extra":true}'],
    ['malformed JSON', 'application/json', '{"items": ['],
    ['a content type no route takes', 'text/csv', 'a,b,c'],
    ['a document over the body limit', 'application/json', `{"items":["${'x'.repeat(20 * 1_048_576)}"]}`],
  ])(
    'answers an anonymous request with %s 401, never a schema error or 413',
    async (_name, type, payload) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/invoices/batch',
        headers: { 'content-type': type },
        payload,
      });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'unauthenticated' });
      expect(JSON.stringify(response.json())).not.toMatch(/items|amount|extra/);
    },
  );

  it('refuses a forged token before reading the body too', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/invoices',
      headers: { 'content-type': 'application/json', authorization: 'Bearer eyJ.forged.token' },
      payload: '{"uuid":"nope"}',
    });
    expect(response.statusCode).toBe(401);
  });
});

describe('failed credentials are charged to the client address', () => {
  const registry = new Registry();
  const quotas = { free: 100, pro: 100, enterprise: 100, anonymous: 5 };
  const { app } = startGateway({
    authenticated: true,
    rateLimiter: createMemoryRateLimiter({ quotas, registry }),
  });
  afterAll(() => app.close());

  it('answers 429 once an address has spent its anonymous quota on bad tokens', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const response = await app.inject({
        method: 'GET',
        url: '/api/v1/invoices/inv_1',
        headers: { authorization: `Bearer guess.${attempt}.token` },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });
});

describe('a client that goes away', () => {
  const registry = new Registry();
  const seen: { aborted: boolean }[] = [];
  const transport = createInMemoryTransport(
    (router) =>
      router.service(QueryService, {
        async getInvoice(_request, context) {
          const call = { aborted: false };
          seen.push(call);
          // A slow read: it ends only when the caller gives up on it.
          await new Promise<void>((resolve) => {
            context.signal.addEventListener('abort', () => {
              call.aborted = true;
              resolve();
            });
          });
          throw new Error('unreachable: the call was abandoned');
        },
      }),
    { logger, timeoutMs: 30_000 },
  );
  const app = createGatewayServer({
    logger,
    registry,
    invoiceTransport: transport,
    queryTransport: transport,
    authTransport: transport,
    analyticsTransport: transport,
    notificationTransport: transport,
    revocations: createMemoryCache({ name: 'revocations', registry, maxEntries: 10 }),
    callers: { resolve: async () => testCaller('org_1') },
  });
  afterAll(() => app.close());

  it('has its upstream call aborted instead of served to nobody', async () => {
    const port = await listen(app, { host: '127.0.0.1', port: 0 });
    const client = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/invoices/inv_1' });
    client.on('error', () => {});
    client.end();
    await expect.poll(() => seen.length, { timeout: 5_000 }).toBe(1);
    client.destroy();
    await expect.poll(() => seen[0]!.aborted, { timeout: 5_000 }).toBe(true);
  });
});
