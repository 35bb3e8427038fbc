import { Type } from '@sinclair/typebox';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from './http-server.js';

const app = createHttpServer({
  service: 'test',
  logger: pino({ level: 'silent' }),
  registry: new Registry(),
  bodyLimitBytes: 4 * 1_048_576,
});
let handled = 0;
app.get(
  '/invoices/:id',
  { schema: { params: Type.Object({ id: Type.String({ maxLength: 40 }) }) } },
  async (request) => {
    handled++;
    return { id: (request.params as { id: string }).id };
  },
);
app.get('/invoices', async (request) => {
  handled++;
  return request.query;
});
app.post('/things', async (request) => {
  handled++;
  return { received: request.body };
});
app.addContentTypeParser('application/xml', { parseAs: 'string' }, (_request, body, done) =>
  done(null, body),
);
app.post('/documents', async (request) => {
  handled++;
  return { length: String(request.body).length };
});

const postJson = (payload: string) =>
  app.inject({ method: 'POST', url: '/things', payload, headers: { 'content-type': 'application/json' } });

describe('control characters at the edge', () => {
  beforeAll(() => app.ready());
  afterAll(() => app.close());

  it.each([
    ['a path parameter', () => app.inject({ method: 'GET', url: '/invoices/abc%00' }), '/params/id'],
    [
      'a query value',
      () => app.inject({ method: 'GET', url: '/invoices?status=archived&q=ab%00c' }),
      '/querystring/q',
    ],
    [
      'a repeated query value',
      () => app.inject({ method: 'GET', url: '/invoices?q=a&q=%1b' }),
      '/querystring/q/1',
    ],
    [
      'a query value with a tab',
      () => app.inject({ method: 'GET', url: '/invoices?q=a%09b' }),
      '/querystring/q',
    ],
    ['a body string', () => postJson('{"email":"a\\u0000@x.com","password":"secret"}'), '/email'],
    [
      'a string deep in the body',
      () => postJson(JSON.stringify({ items: [{}, {}, {}, { issuer: 'EKU9003173C9\u0007' }] })),
      '/items/3/issuer',
    ],
    ['a body key', () => postJson('{"a\\u0000b":1}'), '/a\u0000b'],
    ['a whole body that is a string', () => postJson('"\\u0000"'), '/'],
  ])(
    'refuses a NUL or control character in %s, naming the field, before the handler',
    async (_, send, field) => {
      const before = handled;
      const response = await send();
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'validation_failed',
        errors: [{ field, code: 'control_character', message: expect.any(String) }],
      });
      expect(handled).toBe(before);
    },
  );

  it('refuses control characters before the route schema speaks, so the field is named first', async () => {
    const response = await app.inject({ method: 'GET', url: `/invoices/${'a'.repeat(50)}%00` });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([expect.objectContaining({ field: '/params/id' })]);
  });

  it('accepts tabs, line feeds and carriage returns inside JSON strings (an inline document has lines)', async () => {
    const xml = '<?xml version="1.0"?>\r\n<cfdi:Comprobante>\n\t<cfdi:Emisor/>\n</cfdi:Comprobante>';
    const response = await postJson(JSON.stringify({ xml }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: { xml } });
  });

  it('accepts ordinary text, accents and emoji anywhere', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/invoices?q=${encodeURIComponent('Peña & Ñandú 🧾')}`,
    });
    expect(response.statusCode).toBe(200);
  });

  it('names at most ten fields however many carry control characters', async () => {
    const response = await postJson(JSON.stringify({ items: Array.from({ length: 5_000 }, () => '\u0000') }));
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toHaveLength(10);
  });

  it('walks a body nested far deeper than the call stack allows without failing', async () => {
    const depth = 200_000;
    const response = await postJson(`${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('validation_failed');
  });

  it('leaves a raw XML body to the parser that reads it', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/documents',
      payload: '<cfdi:Comprobante>\u0000</cfdi:Comprobante>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(response.statusCode).toBe(200);
  });
});
