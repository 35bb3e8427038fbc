import { createHttpServer } from '@fiscal/kit/http';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvoiceListPage } from './invoice-list-routes.js';
import { InvoiceView } from './invoice-schemas.js';

const problems = Array.from({ length: 101 }, (_, index) => ({
  code: 'element_unexpected',
  path: `/cfdi:Comprobante/x[${index + 1}]`,
  message: 'x has no place in Comprobante',
}));
const rejected = {
  id: 'inv-1',
  uuid: '5c1a7a34-6f8b-4d5e-9b44-2f8f0a1e7c11',
  issuer: 'EKU9003173C9',
  receiver: 'CACX7605101P8',
  amount: '1160.00',
  currency: 'MXN',
  issuanceDate: '2026-11-20T10:00:00.000Z',
  status: 'rejected',
  reason: 'validation_failed',
  errors: problems,
  processingMs: null,
  originalSize: null,
  compressedSize: null,
  createdAt: '2026-11-20T10:00:01.000Z',
  updatedAt: '2026-11-20T10:00:02.000Z',
};

// The response schemas decide what leaves the gateway, whatever an upstream hands it.
const app = createHttpServer({
  service: 'gateway',
  logger: pino({ level: 'silent' }),
  registry: new Registry(),
});
app.get('/page', { schema: { response: { 200: InvoiceListPage } } }, async () => ({
  items: Array.from({ length: 50 }, () => rejected),
  nextCursor: null,
}));
app.get('/invoice', { schema: { response: { 200: InvoiceView } } }, async () => rejected);

describe('the invoice response schemas', () => {
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  it("answers a list page without its invoices' problems, so its size does not depend on them", async () => {
    const response = await app.inject({ method: 'GET', url: '/page' });
    const page = response.json();
    expect(page.items).toHaveLength(50);
    expect(page.items[0]).toMatchObject({ id: 'inv-1', status: 'rejected', reason: 'validation_failed' });
    for (const item of page.items) expect(item).not.toHaveProperty('errors');
    expect(response.body.length).toBeLessThan(50 * 600);
  });

  it('answers one invoice with its problems', async () => {
    const response = await app.inject({ method: 'GET', url: '/invoice' });
    expect(response.json().errors).toEqual(problems);
  });
});
