import { createTestTokenIssuer } from '@fiscal/kit/auth/testing';
import { parseConfig } from '@fiscal/kit/config';
import { createInProcessBus, createMemoryQueueStore } from '@fiscal/kit/events';
import { createHttpServer } from '@fiscal/kit/http';
import { createPolicy } from '@fiscal/kit/resilience';
import { createTestDatabase } from '@fiscal/kit/testing';
import { createNotificationService, type NotificationSchema, notificationConfig } from '@fiscal/notification';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcWebhooks } from '../adapters/grpc-webhooks.js';
import { createSingleTenantCallerResolver } from '../adapters/single-tenant-caller-resolver.js';
import { installAuthentication } from './authentication.js';
import { registerWebhookRoutes } from './webhook-routes.js';

const logger = pino({ level: 'silent' });

/** The routes of one organisation, over gRPC to a real notification service on PGlite. */
async function startRoutes() {
  const test = await createTestDatabase<NotificationSchema>('pglite', 'notification');
  const bus = createInProcessBus({ store: createMemoryQueueStore(), logger, registry: new Registry() });
  const service = await createNotificationService({
    database: test.database,
    bus,
    registry: new Registry(),
    logger,
    settings: parseConfig(notificationConfig, {}),
  });
  // The notification service verifies the token the gateway forwards, as it would over gRPC.
  const issuer = await createTestTokenIssuer();
  const transport = issuer.transport((router) => service.registerRpc?.(router), null);
  const webhooks = createGrpcWebhooks(
    transport,
    createPolicy({ name: 'notification-service', registry: new Registry() }),
  );
  const appFor = async (orgId: string) => {
    const app = createHttpServer({ service: 'gateway', logger, registry: new Registry() });
    installAuthentication(app, createSingleTenantCallerResolver(orgId, await issuer.token({ orgId })));
    registerWebhookRoutes(app, { webhooks });
    return app;
  };
  return {
    orgA: await appFor('org_a'),
    orgB: await appFor('org_b'),
    async close() {
      await bus.close();
      await test.dispose();
    },
  };
}

let routes: Awaited<ReturnType<typeof startRoutes>>;
beforeAll(async () => {
  routes = await startRoutes();
});
afterAll(() => routes.close());

const create = (body: unknown) =>
  routes.orgA.inject({ method: 'POST', url: '/api/v1/webhooks', payload: body as object });

describe('/api/v1/webhooks', () => {
  it('creates a subscription with its secret shown once, then lists it without the secret', async () => {
    const created = await create({
      url: 'https://erp.example.com/hooks',
      events: ['fiscal.invoice.archived'],
    });

    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ channel: 'webhook', status: 'active', events: ['fiscal.invoice.archived'] });
    expect(body.secret).toMatch(/^whsec_/);
    const listed = await routes.orgA.inject({ method: 'GET', url: '/api/v1/webhooks' });
    expect(listed.json().items).toContainEqual({ ...body, secret: undefined });
    expect(JSON.stringify(listed.json())).not.toContain(body.secret);
  });

  it.each([
    [
      'a literal private address',
      { url: 'http://10.0.0.7/hooks', events: ['fiscal.invoice.archived'] },
      '/url',
      'forbidden_address',
    ],
    [
      'loopback by name',
      { url: 'http://localhost:8080/', events: ['fiscal.invoice.archived'] },
      '/url',
      'forbidden_address',
    ],
    [
      'an unsupported scheme',
      { url: 'ftp://files.example.com/', events: ['fiscal.invoice.archived'] },
      '/url',
      'unsupported_scheme',
    ],
    [
      'an unknown event type',
      { url: 'https://erp.example.com/', events: ['fiscal.invoice.created'] },
      '/events/0',
      'unknown_event_type',
    ],
    [
      'a phone number not in E.164',
      { url: 'tel:5512345678', events: ['fiscal.invoice.archived'] },
      '/url',
      'invalid_phone',
    ],
  ])('refuses %s with a 400 naming the field', async (_case, body, field, code) => {
    const response = await create(body);

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().errors).toContainEqual(expect.objectContaining({ field, code }));
  });

  it('refuses a body without events as a validation problem', async () => {
    const response = await create({ url: 'https://erp.example.com/' });

    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json())).toContain('events');
  });

  it("answers another organisation's subscription with 404, and deletes one's own", async () => {
    const { id } = (
      await create({ url: 'mailto:ops@example.com', events: ['fiscal.invoice.rejected'] })
    ).json();

    const foreign = await routes.orgB.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}` });
    const foreignLog = await routes.orgB.inject({ method: 'GET', url: `/api/v1/webhooks/${id}/deliveries` });
    const own = await routes.orgA.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}` });
    const again = await routes.orgA.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}` });

    expect([foreign.statusCode, foreignLog.statusCode, own.statusCode, again.statusCode]).toEqual([
      404, 404, 204, 404,
    ]);
    expect(foreign.json()).toMatchObject({ code: 'subscription_not_found' });
  });

  it('returns an empty delivery log page for a new subscription and refuses a forged cursor', async () => {
    const { id } = (
      await create({ url: 'https://erp.example.com/', events: ['fiscal.invoice.archived'] })
    ).json();

    const page = await routes.orgA.inject({
      method: 'GET',
      url: `/api/v1/webhooks/${id}/deliveries?limit=10`,
    });
    const forged = await routes.orgA.inject({
      method: 'GET',
      url: `/api/v1/webhooks/${id}/deliveries?cursor=bm9wZQ`,
    });

    expect(page.json()).toEqual({ items: [], nextCursor: null });
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toMatchObject({ code: 'invalid_cursor' });
  });
});
