import { pino } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createInProcessBus, createMemoryQueueStore } from '../events/index.js';
import { HealthRegistry } from '../lifecycle/index.js';
import { createAdminServer } from './admin-server.js';

const logger = pino({ level: 'silent' });
const operatorToken = 'a-long-enough-operator-token-for-tests-0001';

function adminServer(token: string | undefined) {
  const bus = createInProcessBus({ store: createMemoryQueueStore(), logger, registry: new Registry() });
  return createAdminServer({
    health: new HealthRegistry(),
    registry: new Registry(),
    logger,
    operatorToken: token,
    deadLetters: () => bus.deadLetters,
  });
}

const guardedRequests = [
  { method: 'GET', url: '/dead-letters' },
  { method: 'GET', url: '/dead-letters/projector' },
  { method: 'POST', url: '/dead-letters/projector/redrive', payload: { all: true } },
  { method: 'POST', url: '/dead-letters/projector/purge', payload: { all: true } },
  { method: 'GET', url: '/no-such-route' },
] as const;

describe('admin port authentication', () => {
  const admin = adminServer(operatorToken);

  it.each(['/healthz', '/readyz', '/metrics'])('serves %s to anyone, token or not', async (url) => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }]) {
      const response = await admin.inject({ url, headers });
      expect(response.statusCode).toBe(200);
    }
    const withoutToken = adminServer(undefined);
    expect((await withoutToken.inject({ url })).statusCode).toBe(200);
  });

  it.each(guardedRequests)('asks for the operator token on $method $url', async (request) => {
    const response = await admin.inject(request);

    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="fiscal-admin"');
    expect(response.json()).toMatchObject({ status: 401, code: 'operator_token_required' });
  });

  it.each([
    ['another token', `Bearer ${operatorToken.replace('0001', '0002')}`],
    ['a prefix of the token', `Bearer ${operatorToken.slice(0, -1)}`],
    ['the token with more after it', `Bearer ${operatorToken}x`],
  ])('refuses %s with invalid_token', async (_case, authorization) => {
    const response = await admin.inject({ url: '/dead-letters/projector', headers: { authorization } });

    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="fiscal-admin", error="invalid_token"');
    expect(response.json()).toMatchObject({ code: 'operator_token_invalid' });
  });

  it.each([
    ['Basic credentials', `Basic ${Buffer.from(`operator:${operatorToken}`).toString('base64')}`],
    ['the bare token', operatorToken],
  ])('takes %s for no token at all', async (_case, authorization) => {
    const response = await admin.inject({ url: '/dead-letters/projector', headers: { authorization } });

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'operator_token_required' });
  });

  it('lets the operator token through, whatever the case of the scheme', async () => {
    for (const scheme of ['Bearer', 'bearer']) {
      const response = await admin.inject({
        url: '/dead-letters',
        headers: { authorization: `${scheme} ${operatorToken}` },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ groups: [] });
    }
  });

  it('answers an unknown route with the token as a 404 problem', async () => {
    const response = await admin.inject({
      url: '/no-such-route',
      headers: { authorization: `Bearer ${operatorToken}` },
    });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'route_not_found' });
  });

  it.each(guardedRequests)(
    'answers $method $url with 403 when no operator token is configured',
    async (request) => {
      const response = await adminServer(undefined).inject({
        ...request,
        headers: { authorization: `Bearer ${operatorToken}` },
      });

      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 403, code: 'operator_token_not_configured' });
    },
  );
});

describe('readiness metrics', () => {
  it('exports readiness as scraped and counts every flip the probes see', async () => {
    const health = new HealthRegistry();
    let ready = true;
    health.addReadiness('engine', async () => {
      if (!ready) throw new Error('engine unreachable');
    });
    const registry = new Registry();
    const admin = createAdminServer({ health, registry, logger, operatorToken: undefined });
    const metrics = async () => (await admin.inject({ url: '/metrics' })).body;

    expect(await metrics()).toMatch(/^readiness_status 1$/m);
    ready = false;
    expect((await admin.inject({ url: '/readyz' })).statusCode).toBe(503);
    ready = true;
    expect((await admin.inject({ url: '/readyz' })).statusCode).toBe(200);
    const text = await metrics();
    expect(text).toMatch(/^readiness_status 1$/m);
    expect(text).toMatch(/^readiness_changes_total 2$/m);
  });
});

describe('metrics by name', () => {
  it('serves only the metrics named, without collecting the others', async () => {
    const registry = new Registry();
    let collected = 0;
    new Gauge({
      name: 'costly_backlog',
      help: 'A gauge that counts rows when collected',
      registers: [registry],
      collect() {
        collected += 1;
        this.set(3);
      },
    });
    new Counter({ name: 'events_total', help: 'Events', registers: [registry] }).inc(2);
    new Counter({ name: 'other_total', help: 'Others', registers: [registry] }).inc();
    const admin = createAdminServer({
      health: new HealthRegistry(),
      registry,
      logger,
      operatorToken: undefined,
    });

    const named = await admin.inject({ url: '/metrics?name=events_total&name=unknown_total' });
    expect(named.statusCode).toBe(200);
    expect(named.body).toMatch(/^events_total 2$/m);
    expect(named.body).not.toMatch(/other_total|costly_backlog/);
    expect(collected).toBe(0);

    // A scrape names at most 50 metrics, each at most 200 characters.
    const tooMany = Array.from({ length: 51 }, (_, n) => `name=m${n}`).join('&');
    expect((await admin.inject({ url: `/metrics?${tooMany}` })).statusCode).toBe(400);
    expect((await admin.inject({ url: `/metrics?name=${'m'.repeat(201)}` })).statusCode).toBe(400);

    const all = await admin.inject({ url: '/metrics' });
    expect(all.body).toMatch(/^costly_backlog 3$/m);
    expect(collected).toBe(1);
  });
});
