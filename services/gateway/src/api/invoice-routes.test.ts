import { afterAll, describe, expect, it } from 'vitest';
import { invoices, startGateway, uuidInDocument } from '../testing/gateway-harness.js';

// A byte order mark, accents, an em dash and an emoji: any re-encoding on the way would show.
const archivedDocument = Buffer.concat([
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\r\n<cfdi:Comprobante><cfdi:Emisor Nombre="PEÑA & CÍA — Mérida 🧾"/></cfdi:Comprobante>',
  ),
]);

const { app, service } = startGateway({ archivedDocument });

afterAll(async () => {
  await app.close();
});

describe('GET /api/v1/invoices/:id/document', () => {
  it('returns the archived original byte for byte, with its type, length and checksum as entity tag', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/invoices/${invoices.archived}/document`,
    });

    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(archivedDocument)).toBe(true);
    expect(response.headers['content-type']).toBe('application/xml');
    expect(response.headers['content-length']).toBe(String(archivedDocument.byteLength));
    expect(response.headers.etag).toBe('"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"');
  });

  it('does not decode the bytes on the way, whatever they are', async () => {
    const latin1 = Buffer.from([0x3c, 0x61, 0x20, 0x6e, 0x3d, 0x22, 0xd1, 0x22, 0x2f, 0x3e]);
    const other = startGateway({ archivedDocument: latin1 });

    const response = await other.app.inject({
      method: 'GET',
      url: `/api/v1/invoices/${invoices.archived}/document`,
    });
    await other.app.close();

    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.equals(latin1)).toBe(true);
  });

  it.each([
    ['an unknown invoice', invoices.missing, 404, 'invoice_not_found'],
    ['an invoice not archived yet', invoices.pending, 409, 'document_not_archived'],
  ])('answers %s with a problem', async (_case, id, status, code) => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/invoices/${id}/document` });

    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers.etag).toBeUndefined();
    expect(response.json()).toMatchObject({ status, code, instance: `/api/v1/invoices/${id}/document` });
  });
});

describe('POST /api/v1/invoices/:id/reprocess', () => {
  it('puts a failed invoice back to pending with a 202', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoices.failed}/reprocess`,
    });

    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ id: invoices.failed, uuid: uuidInDocument, status: 'pending' });
    expect(service.reprocessed.at(-1)).toBe(invoices.failed);
  });

  it.each([
    ['an invoice that has not failed', invoices.archived, 409, 'invoice_not_reprocessable'],
    ['an unknown invoice', invoices.missing, 404, 'invoice_not_found'],
  ])('answers %s with a problem', async (_case, id, status, code) => {
    const response = await app.inject({ method: 'POST', url: `/api/v1/invoices/${id}/reprocess` });

    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status, code });
  });
});

describe('GET /api/v1/invoices/:id', () => {
  it('reads the invoice from the query service', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/invoices/${invoices.archived}` });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: invoices.archived, uuid: uuidInDocument, issuer: null });
  });

  it('reads a just-accepted invoice from the invoice service while the read model catches up', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/invoices/${invoices.pending}` });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: invoices.pending,
      status: 'pending',
      issuer: 'EKU9003173C9',
      reason: null,
      errors: [],
    });
  });

  it('answers 404 for an invoice neither the read model nor the invoice service has', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/invoices/${invoices.missing}` });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'invoice_not_found' });
  });
});
