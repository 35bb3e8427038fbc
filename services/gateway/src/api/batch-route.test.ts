import { afterAll, describe, expect, it } from 'vitest';
import { refusedAmount, reusedIdempotencyKey, startGateway } from '../testing/gateway-harness.js';

const { app, service } = startGateway();

afterAll(async () => {
  await app.close();
});

function submission(index: number) {
  return {
    uuid: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    issuer: 'AAA010101AAA',
    receiver: 'XAXX010101000',
    amount: '1160.00',
    currency: 'MXN',
    issuanceDate: '2025-01-24T10:10:41',
    fileUrl: `https://erp.example.com/cfdi/${index}.xml`,
    checksum: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  };
}

function submissions(count: number): unknown[] {
  return Array.from({ length: count }, (_, index) => submission(index));
}

function postBatch(payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/invoices/batch',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(payload),
  });
}

// Malformed in shape, so refused at the gateway: position, item, and the field and code expected.
const { uuid: _withoutUuid, ...missingUuid } = submission(499);
const malformed: [number, unknown, string, string][] = [
  [3, { ...submission(3), amount: 1160 }, '/items/3/amount', 'invalid_type'],
  [17, { ...submission(17), notes: 'urgent' }, '/items/17/notes', 'unknown_field'],
  [101, 'AAA010101AAA,1160.00,MXN', '/items/101', 'invalid_type'],
  [250, null, '/items/250', 'invalid_type'],
  [333, [submission(333)], '/items/333', 'invalid_type'],
  [499, missingUuid, '/items/499/uuid', 'required'],
  [500, { ...submission(500), xml: 42 }, '/items/500/xml', 'invalid_type'],
  [640, { ...submission(640), issuer: { rfc: 'AAA010101AAA' } }, '/items/640/issuer', 'invalid_type'],
  [777, 7, '/items/777', 'invalid_type'],
  [998, { ...submission(998), uuid: 'u'.repeat(65) }, '/items/998/uuid', 'invalid_maxLength'],
];
// Well shaped, but refused by the invoice service.
const refusedUpstream = [1, 42, 600, 901, 999];

describe('POST /api/v1/invoices/batch', () => {
  it('accepts the good items of 1,000 and refuses each bad one on its own, in the order sent', async () => {
    const items = submissions(1_000);
    for (const [index, item] of malformed) items[index] = item;
    for (const index of refusedUpstream) items[index] = { ...submission(index), amount: refusedAmount };

    const response = await postBatch({ items });

    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body).toMatchObject({ accepted: 985, rejected: 15 });
    expect(body.results).toHaveLength(1_000);
    body.results.forEach((result: { index: number }, position: number) => {
      expect(result.index).toBe(position);
    });

    for (const [index, , field, code] of malformed) {
      expect(body.results[index]).toEqual({
        index,
        status: 'rejected',
        code: 'validation_failed',
        detail: expect.any(String),
        errors: [{ field, code, message: expect.any(String) }],
      });
    }
    for (const index of refusedUpstream) {
      expect(body.results[index]).toEqual({
        index,
        status: 'rejected',
        code: 'validation_failed',
        detail: 'The invoice has invalid fields.',
        errors: [
          { field: `/items/${index}/amount`, code: 'invalid_decimal', message: 'must be a positive decimal' },
        ],
      });
    }
    expect(body.results[0]).toEqual({
      index: 0,
      status: 'accepted',
      id: 'inv_batch_0',
      uuid: submission(0).uuid,
      invoiceStatus: 'pending',
      created: true,
    });
    // Each accepted result answers its own item, though the service skipped the malformed ones.
    expect(body.results[997]).toMatchObject({ status: 'accepted', uuid: submission(997).uuid });

    const sent = service.batches.at(-1)!.submissions;
    expect(sent).toHaveLength(990);
    const malformedIndexes = new Set(malformed.map(([index]) => index));
    const expectedUuids = items
      .map((_item, index) => index)
      .filter((index) => !malformedIndexes.has(index))
      .map((index) => submission(index).uuid);
    expect(sent.map((item) => item.uuid)).toEqual(expectedUuids);
  });

  it.each([
    ['{"items": [...]}', (items: unknown[]) => ({ items }), '/items'],
    ['{"invoices": [...]}', (items: unknown[]) => ({ invoices: items }), '/invoices'],
    ['a bare array', (items: unknown[]) => items, ''],
  ])('takes %s, naming bad fields where they are in that body', async (_shape, wrap, pointer) => {
    const items = [submission(0), { ...submission(1), currency: 484 }];

    const response = await postBatch(wrap(items));

    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({
      accepted: 1,
      rejected: 1,
      results: [
        { index: 0, status: 'accepted', uuid: submission(0).uuid },
        { index: 1, status: 'rejected', errors: [{ field: `${pointer}/1/currency`, code: 'invalid_type' }] },
      ],
    });
  });

  it('takes 1,000 invoices with their documents inline, well past the default body limit', async () => {
    const document = `<cfdi:Comprobante Nombre="PEÑA">${'x'.repeat(5_000)}</cfdi:Comprobante>`;
    const items = Array.from({ length: 1_000 }, (_, index) => {
      const { fileUrl: _url, checksum: _checksum, ...metadata } = submission(index);
      return { ...metadata, xml: document };
    });

    const response = await postBatch({ items });

    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ accepted: 1_000, rejected: 0 });
    expect(service.batches.at(-1)!.submissions[999]!.document).toEqual({ case: 'xml', value: document });
  });

  it('answers 413 for a body past the configured batch limit', async () => {
    const small = startGateway({ batchBodyLimitBytes: 64 * 1_024 });
    const response = await small.app.inject({
      method: 'POST',
      url: '/api/v1/invoices/batch',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ items: submissions(1_000) }),
    });
    await small.app.close();

    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'payload_too_large' });
    expect(small.service.batches).toHaveLength(0);
  });

  it.each([
    ['1,001 invoices', 1_001, 413, 'batch_too_large'],
    ['no invoice', 0, 400, 'batch_empty'],
  ])('refuses a batch of %s as a whole', async (_case, count, status, code) => {
    const before = service.batches.length;

    const response = await postBatch({ items: submissions(count) });

    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status, code, errors: [{ field: '/items' }] });
    expect(service.batches).toHaveLength(before);
  });

  it.each([
    ['an object without items', { submissions: [submission(0)] }],
    ['items that are not an array', { items: { 0: submission(0) } }],
    ['both items and invoices', { items: [submission(0)], invoices: [submission(1)] }],
  ])('refuses %s with a 400', async (_case, payload) => {
    const response = await postBatch(payload);

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('does not call the service when every item is malformed', async () => {
    const before = service.batches.length;

    const response = await postBatch({ items: [1, 'two', null] });

    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ accepted: 0, rejected: 3 });
    expect(service.batches).toHaveLength(before);
  });

  it('passes the Idempotency-Key on, and answers 409 when the service saw it with another batch', async () => {
    await postBatch({ items: submissions(2) }, { 'idempotency-key': 'batch-2025-01-24' });
    expect(service.batches.at(-1)!.idempotencyKey).toBe('batch-2025-01-24');

    const reused = await postBatch({ items: submissions(2) }, { 'idempotency-key': reusedIdempotencyKey });
    expect(reused.statusCode).toBe(409);
    expect(reused.json()).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('refuses a bad Idempotency-Key with a 400 naming the header', async () => {
    const response = await postBatch({ items: submissions(1) }, { 'idempotency-key': 'x'.repeat(256) });

    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([expect.objectContaining({ field: '/headers/idempotency-key' })]);
  });

  it('refuses XML with a 415: documents travel inside the JSON items', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/invoices/batch',
      headers: { 'content-type': 'application/xml' },
      payload: '<cfdi:Comprobante/>',
    });

    expect(response.statusCode).toBe(415);
    expect(response.headers.accept).toBe('application/json');
    expect(response.json()).toMatchObject({
      code: 'unsupported_media_type',
      detail: 'This endpoint accepts application/json, not application/xml.',
    });
  });
});
