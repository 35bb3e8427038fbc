import { QueryService } from '@fiscal/contracts/rpc/query';
import { createMemoryCache } from '@fiscal/kit/cache';
import { AppError } from '@fiscal/kit/errors';
import { createInMemoryTransport } from '@fiscal/kit/grpc';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { isStale } from '../app/stale-views.js';
import type { InvoiceQueries, InvoiceView } from '../app/upstreams.js';
import { createGatewayServer } from '../main.js';
import { testCaller, testRequester } from '../testing/requesters.js';
import { createCachedInvoiceQueries } from './cached-invoice-queries.js';

const logger = pino({ level: 'silent' });
const at = '2025-01-24T10:10:41.000Z';

function viewOf(id: string, status = 'archived'): InvoiceView {
  return {
    id,
    uuid: null,
    issuer: 'EKU9003173C9',
    receiver: null,
    amount: '1160.00',
    currency: 'MXN',
    issuanceDate: null,
    status,
    reason: null,
    errors: [],
    processingMs: null,
    originalSize: null,
    compressedSize: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** A query service that can be taken down: it then fails every read as unavailable. */
function switchableQueries() {
  const state = { down: false, views: new Map<string, InvoiceView>() };
  const queries: InvoiceQueries = {
    async get({ caller: { orgId } }, id) {
      if (state.down)
        throw new AppError('unavailable', 'timeout', 'query-service did not answer within 5000 ms');
      const view = state.views.get(`${orgId}/${id}`);
      if (!view) throw new AppError('not_found', 'invoice_not_found', `Invoice ${id} does not exist.`);
      return view;
    },
    list: () => Promise.reject(new Error('not under test')),
    timeline: () => Promise.reject(new Error('not under test')),
  };
  return { state, queries };
}

function cachedOver(queries: InvoiceQueries) {
  const cache = createMemoryCache({ name: 'views', registry: new Registry(), maxEntries: 100 });
  return createCachedInvoiceQueries(queries, { cache, logger });
}

describe('cached invoice queries', () => {
  it('answers from the query service while it is up, unmarked', async () => {
    const { state, queries } = switchableQueries();
    state.views.set('org_1/inv_1', viewOf('inv_1', 'pending'));
    const cached = cachedOver(queries);

    await cached.get(testRequester('org_1'), 'inv_1');
    state.views.set('org_1/inv_1', viewOf('inv_1', 'archived'));
    const view = await cached.get(testRequester('org_1'), 'inv_1');

    expect(view.status).toBe('archived');
    expect(isStale(view)).toBe(false);
  });

  it('serves the last view read, marked stale, while the query service is unavailable', async () => {
    const { state, queries } = switchableQueries();
    state.views.set('org_1/inv_1', viewOf('inv_1'));
    const cached = cachedOver(queries);
    await cached.get(testRequester('org_1'), 'inv_1');

    state.down = true;
    const view = await cached.get(testRequester('org_1'), 'inv_1');

    expect(view).toEqual(viewOf('inv_1'));
    expect(isStale(view)).toBe(true);
    expect(JSON.stringify(view)).toBe(JSON.stringify(viewOf('inv_1')));
  });

  it('answers upstream_unavailable with a Retry-After for an invoice it never read', async () => {
    const { state, queries } = switchableQueries();
    state.down = true;

    const failure = await cachedOver(queries)
      .get(testRequester('org_1'), 'inv_unknown')
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({
      kind: 'unavailable',
      code: 'upstream_unavailable',
      retryAfterSeconds: 5,
    });
  });

  it("never serves one organisation's invoice to another", async () => {
    const { state, queries } = switchableQueries();
    state.views.set('org_1/inv_1', viewOf('inv_1'));
    const cached = cachedOver(queries);
    await cached.get(testRequester('org_1'), 'inv_1');

    state.down = true;

    await expect(cached.get(testRequester('org_2'), 'inv_1')).rejects.toMatchObject({
      code: 'upstream_unavailable',
    });
  });

  it("passes the service's own answers through, remembered view or not", async () => {
    const { state, queries } = switchableQueries();
    state.views.set('org_1/inv_1', viewOf('inv_1'));
    const cached = cachedOver(queries);
    await cached.get(testRequester('org_1'), 'inv_1');

    state.views.delete('org_1/inv_1');

    await expect(cached.get(testRequester('org_1'), 'inv_1')).rejects.toMatchObject({
      code: 'invoice_not_found',
    });
  });

  it('keeps the methods it does not wrap', async () => {
    const { queries } = switchableQueries();
    const list = async () => ['listed'];

    const cached = cachedOver({
      ...queries,
      list,
    } as unknown as InvoiceQueries) as unknown as InvoiceQueries & {
      list: typeof list;
    };

    expect(await cached.list()).toEqual(['listed']);
  });
});

describe('GET /api/v1/invoices/:id while the query service is down', () => {
  const service = { down: false };
  const registry = new Registry();
  const transport = createInMemoryTransport(
    (router) =>
      router.service(QueryService, {
        async getInvoice({ id }) {
          const orgId = 'org_1';
          if (service.down)
            throw new AppError('unavailable', 'database_unavailable', 'The read model is down.');
          if (id !== 'inv_archived') throw new AppError('not_found', 'invoice_not_found', `Invoice ${id}?`);
          return { invoice: { id, orgId, status: 'archived', createdAt: at, updatedAt: at } };
        },
      }),
    { logger },
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
    callers: { resolve: async () => testCaller('org_1', { role: 'viewer' }) },
  });
  const read = (id: string) => app.inject({ method: 'GET', url: `/api/v1/invoices/${id}` });

  afterAll(async () => {
    await app.close();
  });

  it('answers invoices read before from memory, and others 503 at once, before and after the breaker opens', async () => {
    const fresh = await read('inv_archived');
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers['x-fiscal-stale']).toBeUndefined();

    service.down = true;
    const started = performance.now();
    // Enough failures in a row to open the query service's breaker.
    const unknown = await Promise.all(Array.from({ length: 8 }, () => read('inv_never_read')));
    const remembered = await read('inv_archived');
    const elapsedMs = performance.now() - started;

    for (const response of unknown) {
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ code: 'upstream_unavailable' });
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(await registry.metrics()).toMatch(/resilience_breaker_state\{policy="query-service"\} 2/);
    expect(remembered.statusCode).toBe(200);
    expect(remembered.headers['x-fiscal-stale']).toBe('true');
    expect(remembered.json()).toEqual(fresh.json());
    expect(elapsedMs).toBeLessThan(2_000);
  });
});
