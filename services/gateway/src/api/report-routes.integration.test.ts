import type { AnalyticsSchema } from '@fiscal/analytics';
import { createAnalyticsService } from '@fiscal/analytics';
import { createEvent, parseEvent } from '@fiscal/contracts';
import { createTestTokenIssuer } from '@fiscal/kit/auth/testing';
import { createInProcessBus, createMemoryQueueStore, type EventBus } from '@fiscal/kit/events';
import { createHttpServer } from '@fiscal/kit/http';
import { createPolicy } from '@fiscal/kit/resilience';
import type { ServiceModule } from '@fiscal/kit/runtime';
import { createTestDatabase, type TestDatabase } from '@fiscal/kit/testing';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrpcAnalyticsReports } from '../adapters/grpc-analytics-reports.js';
import { createSingleTenantCallerResolver } from '../adapters/single-tenant-caller-resolver.js';
import type { CallerResolver } from '../app/caller.js';
import type { DailyReport, DailyReportQuery, Reports } from '../app/reports.js';
import { installAuthentication } from './authentication.js';
import { registerReportRoutes } from './report-routes.js';

const logger = pino({ level: 'silent' });

function gatewayWith(reports: Reports, callers: CallerResolver = createSingleTenantCallerResolver('org_a')) {
  const app = createHttpServer({ service: 'gateway', logger, registry: new Registry() });
  installAuthentication(app, callers);
  registerReportRoutes(app, { reports });
  return app;
}

const emptyReport = (date: string): DailyReport => ({
  date,
  totals: [],
  statuses: [],
  topIssuers: [],
  originalBytes: 0,
  compressedBytes: 0,
  compressionRatio: 0,
  latency: null,
});

describe('GET /api/v1/reports/daily', () => {
  const asked: { orgId: string; query: DailyReportQuery }[] = [];
  const app = gatewayWith({
    async daily({ caller: { orgId } }, query) {
      asked.push({ orgId, query });
      return emptyReport(query.date);
    },
  });
  afterAll(() => app.close());

  it("asks for the caller's organisation only, whatever the query string says", async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/reports/daily?date=2026-11-24&issuer=EKU9003173C9&orgId=org_b',
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(emptyReport('2026-11-24'));
    expect(asked.at(-1)).toEqual({ orgId: 'org_a', query: { date: '2026-11-24', issuer: 'EKU9003173C9' } });
  });

  it.each([
    ['no date', '', '/querystring/date', 'required'],
    ['a date of another shape', '?date=24/11/2026', '/querystring/date', 'invalid_pattern'],
    ['a day that does not exist', '?date=2026-02-30', '/querystring/date', 'invalid_date'],
    ['an empty issuer', '?date=2026-11-24&issuer=', '/querystring/issuer', 'invalid_minLength'],
  ])('answers %s with a 400 naming the field', async (_case, query, field, code) => {
    const before = asked.length;
    const response = await app.inject({ method: 'GET', url: `/api/v1/reports/daily${query}` });

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      status: 400,
      code: 'validation_failed',
      errors: [{ field, code }],
    });
    expect(asked.length).toBe(before);
  });

  it('refuses a caller without the reports:read scope', async () => {
    const single = createSingleTenantCallerResolver('org_a');
    const withoutReports: CallerResolver = {
      async resolve(headers) {
        const caller = await single.resolve(headers);
        return { ...caller, scopes: caller.scopes.filter((scope) => scope !== 'reports:read') };
      },
    };
    const other = gatewayWith({ daily: async (_orgId, query) => emptyReport(query.date) }, withoutReports);

    const response = await other.inject({ method: 'GET', url: '/api/v1/reports/daily?date=2026-11-24' });
    await other.close();

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'insufficient_scope' });
  });
});

describe('GET /api/v1/reports/daily from the analytics service over gRPC', () => {
  let test: TestDatabase<AnalyticsSchema>;
  let bus: EventBus;
  let analytics: ServiceModule;
  let app: FastifyInstance;
  const day = new Date().toISOString().slice(0, 10);

  const archived = (orgId: string, invoiceId: string, amount: string, processingMs: number) =>
    createEvent({
      type: 'fiscal.invoice.archived',
      source: 'fiscal/invoice',
      subject: invoiceId,
      tenant: orgId,
      sequence: 4,
      time: `${day}T12:00:00.000Z`,
      data: {
        invoiceId,
        uuid: '5c1a7a34-6f8b-4d5e-9b44-2f8f0a1e7c11',
        issuer: 'EKU9003173C9',
        amount,
        currency: 'MXN',
        originalSize: 5_000,
        compressedSize: 2_000,
        storageKey: `${orgId}/${invoiceId}.xml.br`,
        archivedAt: new Date().toISOString(),
        processingMs,
      },
    });

  beforeAll(async () => {
    const registry = new Registry();
    test = await createTestDatabase('pglite', 'analytics');
    bus = createInProcessBus({ store: createMemoryQueueStore(), logger, registry, validate: parseEvent });
    analytics = await createAnalyticsService({ database: test.database, bus, registry });
    await analytics.start();
    // The analytics service verifies the token the gateway forwards, as it would over gRPC.
    const issuer = await createTestTokenIssuer();
    const transport = issuer.transport(analytics.registerRpc!, null);
    const policy = createPolicy({ name: 'analytics-service', registry, timeoutMs: 5_000 });
    const callers = createSingleTenantCallerResolver('org_a', await issuer.token({ orgId: 'org_a' }));
    app = gatewayWith(createGrpcAnalyticsReports(transport, policy), callers);
    await bus.publish([
      archived('org_a', 'inv-a1', '1000.10', 100),
      archived('org_a', 'inv-a2', '160.40', 300),
      archived('org_b', 'inv-b1', '99999.99', 5_000),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await analytics?.stop();
    await bus?.close();
    await test?.dispose();
  });

  it("returns the caller's day in camelCase with decimal-string amounts", async () => {
    const deadline = Date.now() + 10_000;
    let body: DailyReport;
    do {
      const response = await app.inject({ method: 'GET', url: `/api/v1/reports/daily?date=${day}` });
      expect(response.statusCode).toBe(200);
      body = response.json();
      if (body.statuses.find((status) => status.status === 'archived')?.count === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    } while (Date.now() < deadline);

    expect(body).toMatchObject({
      date: day,
      totals: [{ currency: 'MXN', amount: '1160.50', count: 2, rejectedAmount: '0.00', rejectedCount: 0 }],
      statuses: [
        { status: 'archived', count: 2 },
        { status: 'rejected', count: 0 },
      ],
      topIssuers: [{ issuer: 'EKU9003173C9', currency: 'MXN', amount: '1160.50', count: 2 }],
      originalBytes: 10_000,
      compressedBytes: 4_000,
      compressionRatio: 2.5,
    });
    expect(body.latency!.p50Ms).toBeGreaterThan(99);
    expect(body.latency!.p99Ms).toBeLessThan(303);
  });

  it('answers an issuer without invoices that day with an empty report', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/reports/daily?date=${day}&issuer=AAA010101AAA`,
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ totals: [], topIssuers: [], latency: null, compressionRatio: 0 });
  });
});
