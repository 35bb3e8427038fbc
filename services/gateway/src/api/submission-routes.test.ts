import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { reusedIdempotencyKey, startGateway, uuidInDocument } from '../testing/gateway-harness.js';

const { app, service } = startGateway();

afterAll(async () => {
  await app.close();
});

const cfdi = readFileSync(new URL('../../../../fixtures/cfdi/cfdiutils-cfdi40-real.xml', import.meta.url));
const byteOrderMark = Buffer.from([0xef, 0xbb, 0xbf]);
// Non-ASCII in names and addresses is the rule in Mexican invoices, not the exception.
const accentedDocument = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<cfdi:Comprobante><cfdi:Emisor Nombre="PEÑA & CÍA, S.A. — Mérida"/></cfdi:Comprobante>\n',
);

const submission = {
  uuid: '5fb2822e-396d-4725-8521-cdc4bdd20ccf',
  issuer: 'AAA010101AAA',
  receiver: 'XAXX010101000',
  amount: '1160.00',
  currency: 'MXN',
  issuanceDate: '2025-01-24T10:10:41',
  fileUrl: 'https://erp.example.com/cfdi/1.xml',
  checksum: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};

function postInvoice(body: string | Buffer | object, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: '/api/v1/invoices', headers, payload: body });
}

function lastCreated() {
  return service.created.at(-1)!;
}

describe('POST /api/v1/invoices with the raw document', () => {
  it.each([
    ['a real CFDI as application/xml', cfdi, 'application/xml'],
    [
      'a document with a byte order mark',
      Buffer.concat([byteOrderMark, accentedDocument]),
      'application/xml',
    ],
    ['accented text as text/xml with a charset', accentedDocument, 'text/xml; charset=UTF-8'],
    ['a document with a quoted charset', accentedDocument, 'application/xml;charset="utf-8"'],
  ])('sends %s to the service as is, metadata to be read from it', async (_case, document, contentType) => {
    const response = await postInvoice(document, { 'content-type': contentType });

    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({
      id: expect.any(String),
      uuid: uuidInDocument,
      status: 'pending',
      created: true,
    });
    const received = lastCreated().submission!;
    expect(received.metadataFromDocument).toBe(true);
    expect(received.document.case).toBe('xml');
    expect(Buffer.from(received.document.value as string, 'utf8').equals(document)).toBe(true);
    expect(received).toMatchObject({
      uuid: '',
      issuer: '',
      receiver: '',
      amount: '',
      currency: '',
      issuanceDate: '',
    });
  });

  it.each([
    ['an empty body', Buffer.alloc(0), 'required'],
    [
      'only a byte order mark and white space',
      Buffer.concat([byteOrderMark, Buffer.from(' \n')]),
      'required',
    ],
    ['text that is not XML', Buffer.from('hello'), 'invalid_xml'],
    ['bytes that are not UTF-8', Buffer.from([0x3c, 0x61, 0xe9, 0x3e]), 'invalid_encoding'],
  ])('refuses %s with a 400 naming the body', async (_case, body, code) => {
    const before = service.created.length;
    const response = await postInvoice(body, { 'content-type': 'application/xml' });

    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: '/', code, message: expect.any(String) }],
    });
    expect(service.created).toHaveLength(before);
  });

  it('refuses a request with neither body nor content type with a 400', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/invoices' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: '/', code: 'required' }],
    });
  });

  it('refuses a document declared in another charset with a 415, since transcoding would change its bytes', async () => {
    const response = await postInvoice(accentedDocument, {
      'content-type': 'application/xml; charset=ISO-8859-1',
    });

    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'unsupported_charset', status: 415 });
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['a PDF', 'application/pdf'],
  ])('refuses %s with a 415 problem that names the types it accepts', async (_case, contentType) => {
    const response = await postInvoice('<cfdi:Comprobante/>', { 'content-type': contentType });

    expect(response.statusCode).toBe(415);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers.accept).toBe('application/json, application/xml, text/xml');
    expect(response.json()).toMatchObject({
      code: 'unsupported_media_type',
      status: 415,
      detail: `This endpoint accepts application/json, application/xml or text/xml, not ${contentType}.`,
    });
  });
});

describe('POST /api/v1/invoices with JSON', () => {
  it('still takes the metadata with a file reference', async () => {
    const response = await postInvoice(submission, { 'content-type': 'application/json' });

    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({ uuid: submission.uuid, status: 'pending', created: true });
    const received = lastCreated().submission!;
    expect(received.metadataFromDocument).toBe(false);
    expect(received.document).toMatchObject({ case: 'reference', value: { fileUrl: submission.fileUrl } });
  });

  it('names every offending field of a malformed body', async () => {
    const response = await postInvoice(
      { ...submission, amount: { value: '1160.00' }, extra: true },
      { 'content-type': 'application/json' },
    );

    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: '/amount' }),
        expect.objectContaining({ field: '/extra', code: 'unknown_field' }),
      ]),
    );
  });
});

describe('Idempotency-Key', () => {
  it('reaches the service with a JSON submission and with a raw document', async () => {
    await postInvoice(submission, {
      'content-type': 'application/json',
      'idempotency-key': 'erp-4711:attempt',
    });
    expect(lastCreated().idempotencyKey).toBe('erp-4711:attempt');

    await postInvoice(cfdi, { 'content-type': 'application/xml', 'idempotency-key': 'erp-4712' });
    expect(lastCreated().idempotencyKey).toBe('erp-4712');
  });

  it('answers 409 when the service saw the key with another request', async () => {
    const response = await postInvoice(submission, {
      'content-type': 'application/json',
      'idempotency-key': reusedIdempotencyKey,
    });

    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('is empty upstream when the client sends none', async () => {
    await postInvoice(submission, { 'content-type': 'application/json' });
    expect(lastCreated().idempotencyKey).toBe('');
  });

  it.each([
    ['longer than 255 characters', 'k'.repeat(256)],
    ['not ASCII', 'clé-1'],
  ])('is refused with a 400 naming the header when %s', async (_case, key) => {
    const before = service.created.length;
    const response = await postInvoice(submission, {
      'content-type': 'application/json',
      'idempotency-key': key,
    });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [expect.objectContaining({ field: '/headers/idempotency-key' })],
    });
    expect(service.created).toHaveLength(before);
  });
});
