import { AppError } from '@fiscal/kit/errors';
import { createHttpServer } from '@fiscal/kit/http';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSingleTenantCallerResolver } from '../adapters/single-tenant-caller-resolver.js';
import type { InvoiceListFilter, InvoiceQueries, InvoiceView, TimelineEntry } from '../app/upstreams.js';
import { installAuthentication } from './authentication.js';
import { registerInvoiceListRoutes } from './invoice-list-routes.js';

const view: InvoiceView = {
  id: 'inv-1',
  uuid: '5c1a7a34-6f8b-4d5e-9b44-2f8f0a1e7c11',
  issuer: 'EKU9003173C9',
  receiver: 'CACX7605101P8',
  amount: '1160.00',
  currency: 'MXN',
  issuanceDate: '2026-11-20T10:00:00.000Z',
  status: 'archived',
  reason: null,
  errors: [],
  processingMs: 120,
  originalSize: 5000,
  compressedSize: 2400,
  createdAt: '2026-11-20T10:00:01.000Z',
  updatedAt: '2026-11-20T10:00:02.000Z',
};
const entries: TimelineEntry[] = [
  {
    eventId: 'e-1',
    type: 'fiscal.invoice.created',
    sequence: 1,
    occurredAt: view.createdAt,
    detail: { amount: '1160.00' },
  },
];

/** The query service as the routes see it: org_a owns inv-1, nothing else exists. */
function fakeQueries() {
  const lists: { orgId: string; filter: InvoiceListFilter }[] = [];
  const queries: InvoiceQueries = {
    get: async () => view,
    async list({ caller: { orgId } }, filter) {
      lists.push({ orgId, filter });
      if (filter.cursor === 'forged') {
        throw new AppError('invalid', 'invalid_cursor', 'The cursor is not one this list handed out.', {
          errors: [{ field: 'cursor', code: 'invalid_cursor', message: 'is not a cursor of this list' }],
        });
      }
      return { items: orgId === 'org_a' ? [view] : [], nextCursor: 'next-page' };
    },
    async timeline({ caller: { orgId } }, id) {
      if (orgId !== 'org_a' || id !== 'inv-1')
        throw new AppError('not_found', 'invoice_not_found', `Invoice ${id} does not exist.`);
      return entries;
    },
  };
  return { queries, lists };
}

function startRoutes(orgId: string) {
  const app = createHttpServer({
    service: 'gateway',
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
  });
  const fake = fakeQueries();
  installAuthentication(app, createSingleTenantCallerResolver(orgId));
  registerInvoiceListRoutes(app, { queries: fake.queries });
  return { app, ...fake };
}

describe('GET /api/v1/invoices', () => {
  const { app, lists } = startRoutes('org_a');
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  it("lists the caller's invoices with the filters it sent, and the next page's cursor", async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/v1/invoices?status=archived&issuer=EKU9003173C9&q=EKU9&from=2026-11-01&to=2026-11-30T23:59:59Z&limit=20&cursor=abc',
    });

    expect(response.statusCode).toBe(200);
    // A list shows each invoice without its problems; the invoice itself shows them.
    const { errors: _problems, ...listed } = view;
    expect(response.json()).toEqual({ items: [listed], nextCursor: 'next-page' });
    expect(lists.at(-1)).toEqual({
      orgId: 'org_a',
      filter: {
        status: 'archived',
        issuer: 'EKU9003173C9',
        q: 'EKU9',
        from: '2026-11-01',
        to: '2026-11-30T23:59:59Z',
        limit: 20,
        cursor: 'abc',
      },
    });
  });

  it('asks for 50 when no limit is given', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/invoices' });
    expect(lists.at(-1)?.filter.limit).toBe(50);
  });

  it.each([
    ['status=lost', '/querystring/status'],
    ['limit=0', '/querystring/limit'],
    ['limit=501', '/querystring/limit'],
    ['limit=ten', '/querystring/limit'],
    ['from=yesterday', '/querystring/from'],
    ['to=2026-11-30T25', '/querystring/to'],
    ['sort=amount', '/querystring/sort'],
  ])('answers %s with 400 naming the field', async (query, field) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/invoices?${query}` });

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'validation_failed' });
    expect(response.json().errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('answers a cursor the query service refuses with 400 invalid_cursor', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/invoices?cursor=forged' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'invalid_cursor', errors: [{ field: 'cursor' }] });
  });
});

describe('GET /api/v1/invoices/:id/timeline', () => {
  const owner = startRoutes('org_a');
  const other = startRoutes('org_b');
  afterAll(async () => {
    await owner.app.close();
    await other.app.close();
  });

  it('returns the events of an invoice of the caller', async () => {
    const response = await owner.app.inject({ method: 'GET', url: '/api/v1/invoices/inv-1/timeline' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ entries });
  });

  it("answers 404 for another organisation's invoice", async () => {
    const response = await other.app.inject({ method: 'GET', url: '/api/v1/invoices/inv-1/timeline' });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'invoice_not_found' });
  });
});
