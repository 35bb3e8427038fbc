import { createHttpServer } from '@fiscal/kit/http';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../adapters/flexible-rate-limiter.js';
import type { CallerResolver, Tier } from '../app/caller.js';
import type { QuotasPerMinute } from '../app/quotas.js';
import { testCaller } from '../testing/requesters.js';
import { installAuthentication, requesterOf } from './authentication.js';
import { installRateLimits } from './rate-limits.js';

const quotas: QuotasPerMinute = { free: 2, pro: 4, enterprise: 8, anonymous: 3 };

/** Callers by bearer token: `<tier>:<subject>`, all in one organisation. */
const callers: CallerResolver = {
  async resolve(headers) {
    const [tier, subject] = String(headers.authorization ?? '').split(':') as [Tier, string];
    return testCaller('org_1', { subject, tier });
  },
};

let app: FastifyInstance;
let registry: Registry;

function startServer({ trustProxy = false } = {}): FastifyInstance {
  registry = new Registry();
  const server = createHttpServer({
    service: 'gateway',
    logger: pino({ level: 'silent' }),
    registry,
    trustProxy,
  });
  installRateLimits(server, {
    limiter: createMemoryRateLimiter({ quotas, registry }),
    anonymousRoutePrefixes: ['/api/v1/auth/'],
  });
  installAuthentication(server, callers);
  server.register(async (scoped) => {
    scoped.get('/api/v1/things', { config: { scope: 'invoices:read' } }, async (request) => ({
      subject: requesterOf(request).caller.subject,
    }));
  });
  server.post('/api/v1/auth/login', async () => ({ accessToken: 'token' }));
  server.get('/.well-known/jwks.json', async () => ({ keys: [] }));
  return server;
}

const read = (authorization: string) =>
  app.inject({ method: 'GET', url: '/api/v1/things', headers: { authorization } });

async function statusesOf(requests: number, send: () => ReturnType<typeof read>): Promise<number[]> {
  const statuses: number[] = [];
  for (let index = 0; index < requests; index += 1) statuses.push((await send()).statusCode);
  return statuses;
}

afterEach(async () => {
  await app.close();
});

describe('per-caller rate limits', () => {
  it('counts down the caller quota in RateLimit headers, then refuses with 429 rate_limited and Retry-After', async () => {
    app = startServer();

    const first = await read('free:usr_a');
    const second = await read('free:usr_a');
    const refused = await read('free:usr_a');

    expect(first.statusCode).toBe(200);
    expect(first.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '1' });
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
    expect(Number(first.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
    expect(second.headers['ratelimit-remaining']).toBe('0');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(refused.headers).toMatchObject({ 'ratelimit-limit': '2', 'ratelimit-remaining': '0' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/gateway_rate_limit_charges_total\{bucket="free",outcome="limited"\} 1/);
  });

  it.each([
    ['free', 2],
    ['pro', 4],
    ['enterprise', 8],
  ])('gives a %s caller %i requests a minute', async (tier, limit) => {
    app = startServer();

    const statuses = await statusesOf(limit + 1, () => read(`${tier}:usr_a`));

    expect(statuses.slice(0, limit).every((status) => status === 200)).toBe(true);
    expect(statuses[limit]).toBe(429);
  });

  it('keeps each caller to its own quota', async () => {
    app = startServer();
    await statusesOf(3, () => read('free:usr_a'));

    const other = await read('free:usr_b');

    expect(other.statusCode).toBe(200);
    expect(other.headers['ratelimit-remaining']).toBe('1');
  });

  it('limits routes without credentials per client address, apart from any caller quota', async () => {
    app = startServer();
    await statusesOf(3, () => read('free:usr_a'));
    const login = () => app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '192.0.2.7' });

    const statuses = await statusesOf(4, login);
    const elsewhere = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '192.0.2.8',
    });

    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.headers['ratelimit-limit']).toBe('3');
  });

  it('behind a trusted proxy, counts each client by its forwarded address', async () => {
    app = startServer({ trustProxy: true });
    const login = (client: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': client },
      });

    const statuses = await statusesOf(4, () => login('198.51.100.1'));
    const another = await login('198.51.100.2');

    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(another.statusCode).toBe(200);
  });

  it('leaves responses that charged no quota without RateLimit headers', async () => {
    app = startServer();

    const response = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });

    expect(response.statusCode).toBe(200);
    expect(response.headers['ratelimit-limit']).toBeUndefined();
  });
});
