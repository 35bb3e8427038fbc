import { InvoiceService } from '@fiscal/contracts/rpc/invoice';
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

/** A clock the test moves; views stay fresh for a second of it. */
const clock = { now: Date.parse(at) };
const aSecondLater = () => {
  clock.now += 1_000;
};

function cachedOver(queries: InvoiceQueries) {
  const cache = createMemoryCache({ name: 'views', registry: new Registry(), maxEntries: 100 });
  return createCachedInvoiceQueries(queries, { cache, logger, freshForMs: 1_000, now: () => clock.now });
}

/** Counts the reads that reach the query service. */
function counting(queries: InvoiceQueries) {
  const calls = { get: 0 };
  const counted: InvoiceQueries = {
    ...queries,
    get: (requester, id) => {
      calls.get += 1;
      return queries.get(requester, id);
    },
  };
  return { calls, counted };
}

describe('cached invoice queries', () => {
  it('answers from the query service while it is up, unmarked', async () => {
    const { state, queries } = switchableQueries();
    state.views.set('org_1/inv_1', viewOf('inv_1', 'pending'));
    const cached = cachedOver(queries);

    await cached.get(testRequester('org_1'), 'inv_1');
    state.views.set('org_1/inv_1', viewOf('inv_1', 'archived'));
    aSecondLater();
    const view = await cached.get(testRequester('org_1'), 'inv_1');

    expect(view.status).toBe('archived');
    expect(isStale(view)).toBe(false);
  });

  it('answers reads of a view it read less than a second ago without asking the query service', async () => {
    const { state, queries } = switchableQueries();
    state.views.set('org_1/inv_1', viewOf('inv_1', 'pending'));
    const { calls, counted } = counting(queries);
    const cached = cachedOver(counted);

    await cached.get(testRequester('org_1'), 'inv_1');
    state.views.set('org_1/inv_1', viewOf('inv_1', 'archived'));
    clock.now += 999;
    const within = await cached.get(testRequester('org_1'), 'inv_1');
    clock.now += 1;
    const after = await cached.get(testRequester('org_1'), 'inv_1');

    expect([within.status, after.status]).toEqual(['pending', 'archived']);
    expect(calls.get).toBe(2);
  });

  it('asks every time for an invoice the query service does not have yet, so a 202 reads its own write', async () => {
    const { state, queries } = switchableQueries();
    const { calls, counted } = counting(queries);
    const cached = cachedOver(counted);

    await expect(cached.get(testRequester('org_1'), 'inv_new')).rejects.toMatchObject({
      code: 'invoice_not_found',
    });
    state.views.set('org_1/inv_new', viewOf('inv_new', 'pending'));

    expect((await cached.get(testRequester('org_1'), 'inv_new')).status).toBe('pending');
    expect(calls.get).toBe(2);
  });

  it("never answers one organisation's read with another's fresh view", async () => {
    const { state, queries } = switchableQueries();
    state.views.set('org_1/inv_1', viewOf('inv_1'));
    const cached = cachedOver(queries);
    await cached.get(testRequester('org_1'), 'inv_1');

    await expect(cached.get(testRequester('org_2'), 'inv_1')).rejects.toMatchObject({
      code: 'invoice_not_found',
    });
  });

  it('asks the query service again for an invoice it was told changed', async () => {
    const { state, queries } = switchableQueries();
    state.views.set('org_1/inv_1', viewOf('inv_1', 'rejected'));
    const cached = cachedOver(queries);
    await cached.get(testRequester('org_1'), 'inv_1');

    state.views.set('org_1/inv_1', viewOf('inv_1', 'pending'));
    cached.forget('org_1', 'inv_1');

    expect((await cached.get(testRequester('org_1'), 'inv_1')).status).toBe('pending');
  });

  it('serves the last view read, marked stale, while the query service is unavailable', async () => {
    const { state, queries } = switchableQueries();
    state.views.set('org_1/inv_1', viewOf('inv_1'));
    const cached = cachedOver(queries);
    await cached.get(testRequester('org_1'), 'inv_1');

    state.down = true;
    aSecondLater();
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
    aSecondLater();

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
    // Every read reaches the query service, so the outage is seen at once.
    freshViewMs: 0,
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

describe('GET /api/v1/invoices/:id after a reprocessing through the same gateway', () => {
  const registry = new Registry();
  const invoice = { status: 'failed' };
  const transport = createInMemoryTransport(
    (router) => {
      router.service(QueryService, {
        async getInvoice({ id }) {
          return { invoice: { id, orgId: 'org_1', status: invoice.status, createdAt: at, updatedAt: at } };
        },
      });
      router.service(InvoiceService, {
        async reprocessInvoice({ id }) {
          invoice.status = 'pending';
          return { invoice: { id, uuid: 'a-uuid', status: 'pending' } };
        },
      });
    },
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
    callers: { resolve: async () => testCaller('org_1', { role: 'admin' }) },
  });

  afterAll(async () => {
    await app.close();
  });

  it('shows the reprocessing at once, not the view the gateway held', async () => {
    const read = () => app.inject({ method: 'GET', url: '/api/v1/invoices/inv_1' });
    expect((await read()).json()).toMatchObject({ status: 'failed' });

    const reprocess = await app.inject({ method: 'POST', url: '/api/v1/invoices/inv_1/reprocess' });

    expect(reprocess.statusCode).toBe(202);
    expect((await read()).json()).toMatchObject({ status: 'pending' });
  });
});
