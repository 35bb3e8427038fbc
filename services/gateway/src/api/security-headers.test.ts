import { createAdminServer, createHttpServer } from '@fiscal/kit/http';
import { HealthRegistry } from '@fiscal/kit/lifecycle';
import type { InjectOptions } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultOrganisation } from '../main.js';
import { invoices, startGateway } from '../testing/gateway-harness.js';
import {
  docsPolicy,
  installSecurityHeaders,
  invoiceDocumentPolicy,
  invoiceDocumentRoute,
} from './security-headers.js';

const { app, auth } = startGateway();
const credentials = { email: 'ops@a.test', password: 'correct horse battery staple' };
auth.addUser({ orgId: defaultOrganisation, ...credentials, role: 'admin', platformAdmin: false });
const admin = createAdminServer({
  health: new HealthRegistry(),
  registry: new Registry(),
  logger: pino({ level: 'silent' }),
  operatorToken: 'a-long-enough-operator-token-for-tests-0001',
  deadLetters: () => undefined,
});

afterAll(async () => {
  await Promise.all([app.close(), admin.close()]);
});

const json = (method: 'POST', url: string, body: unknown): InjectOptions => ({
  method,
  url,
  headers: { 'content-type': 'application/json' },
  payload: JSON.stringify(body),
});

/** `undefined`: the header must be absent. */
type Expected = Record<string, string | RegExp | undefined>;
const apiAnswer = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
const notAPage = { 'content-security-policy': undefined, 'x-frame-options': undefined };
const docsPage = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': docsPolicy,
  'x-frame-options': 'DENY',
};

const gatewayCases: [string, InjectOptions, number, Expected][] = [
  ['an invoice (JSON)', { url: `/api/v1/invoices/${invoices.archived}` }, 200, { ...apiAnswer, ...notAPage }],
  ['tokens from a login', json('POST', '/api/v1/auth/login', credentials), 200, apiAnswer],
  [
    'a refused login (problem+json)',
    json('POST', '/api/v1/auth/login', { ...credentials, password: 'wrong password' }),
    401,
    apiAnswer,
  ],
  [
    'an invalid submission (problem+json)',
    json('POST', '/api/v1/invoices', { uuid: 'nope' }),
    400,
    apiAnswer,
  ],
  ['an unknown invoice (problem+json)', { url: `/api/v1/invoices/${invoices.missing}` }, 404, apiAnswer],
  ['an unknown /api route', { url: '/api/v1/nowhere' }, 404, apiAnswer],
  ['an unknown route elsewhere', { url: '/nowhere' }, 404, { 'x-content-type-options': 'nosniff' }],
  [
    'the public signing keys, cacheable by choice of their route',
    { url: '/api/v1/.well-known/jwks.json' },
    200,
    { 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=300' },
  ],
  [
    'an archived document',
    { url: `/api/v1/invoices/${invoices.archived}/document` },
    200,
    {
      ...apiAnswer,
      'content-type': /^application\/xml/,
      'content-disposition': `attachment; filename="${invoices.archived}.xml"`,
      'content-security-policy': invoiceDocumentPolicy,
    },
  ],
  [
    'a document not archived yet (problem+json)',
    { url: `/api/v1/invoices/${invoices.pending}/document` },
    409,
    { ...apiAnswer, 'content-disposition': undefined, 'content-security-policy': invoiceDocumentPolicy },
  ],
  ['the API documentation', { url: '/docs' }, 200, { ...docsPage, 'content-type': /^text\/html/ }],
  ['the OpenAPI document', { url: '/docs/json' }, 200, docsPage],
  [
    'a documentation asset',
    { url: '/docs/static/swagger-ui-bundle.js' },
    200,
    { ...docsPage, 'content-type': /javascript/ },
  ],
];

const adminCases: [string, InjectOptions, number, Expected][] = [
  ['a probe', { url: '/healthz' }, 200, { 'x-content-type-options': 'nosniff' }],
  ['the metrics', { url: '/metrics' }, 200, { 'x-content-type-options': 'nosniff' }],
  [
    'dead letters without the operator token (problem+json)',
    { url: '/dead-letters/projector' },
    401,
    { 'x-content-type-options': 'nosniff', 'content-type': /^application\/problem\+json/ },
  ],
];

function expectHeaders(headers: Record<string, unknown>, expected: Expected): void {
  for (const [name, value] of Object.entries(expected)) {
    if (value === undefined) expect(headers[name], name).toBeUndefined();
    else if (value instanceof RegExp) expect(headers[name], name).toMatch(value);
    else expect(headers[name], name).toBe(value);
  }
}

describe('security headers', () => {
  it.each(gatewayCases)('gateway: %s', async (_case, request, status, expected) => {
    const response = await app.inject(request);
    expect(response.statusCode).toBe(status);
    expectHeaders(response.headers, expected);
  });

  it.each(adminCases)('admin port: %s', async (_case, request, status, expected) => {
    const response = await admin.inject(request);
    expect(response.statusCode).toBe(status);
    expectHeaders(response.headers, expected);
  });
});

describe('the API documentation under its content security policy', () => {
  const policy = new Map(
    docsPolicy.split('; ').map((directive) => {
      const [name, ...sources] = directive.split(' ');
      return [name!, sources];
    }),
  );

  it('loads only scripts, styles and images of its own, each served', async () => {
    const page = (await app.inject({ url: '/docs' })).body;
    const scripts = [...page.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1]!);
    const styles = [...page.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map(
      (match) => match[1]!,
    );
    const images = [...page.matchAll(/<link\b[^>]*rel="icon"[^>]*href="([^"]+)"/g)].map((match) => match[1]!);
    expect(scripts.map((src) => src.split('/').pop())).toEqual([
      'swagger-ui-bundle.js',
      'swagger-ui-standalone-preset.js',
      'swagger-initializer.js',
    ]);
    expect(styles.length).toBeGreaterThan(0);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);

    for (const [url, type] of [
      ...scripts.map((url) => [url, /javascript/] as const),
      ...styles.map((url) => [url, /^text\/css/] as const),
      ...images.map((url) => [url, /^image\//] as const),
    ]) {
      // Same origin ('self'): a path on this server, never another host.
      expect(url, url).toMatch(/^\/docs\/static\//);
      const asset = await app.inject({ url });
      expect(asset.statusCode, url).toBe(200);
      expect(asset.headers['content-type'], url).toMatch(type);
    }
  });

  it('has no inline script, style or event handler the policy would block', async () => {
    const page = (await app.inject({ url: '/docs' })).body;

    expect(page).not.toMatch(/<script\b(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/<style\b/);
    expect(page).not.toMatch(/\sstyle=/);
    expect(page).not.toMatch(/\son[a-z]+=/);
  });

  it('fetches its OpenAPI document from this origin, and shows its logo as a data: image', async () => {
    const initializer = (await app.inject({ url: '/docs/static/swagger-initializer.js' })).body;

    expect(initializer).toContain("resolveUrl('./json')");
    expect(initializer).toContain('validatorUrl: null');
    expect(initializer).toMatch(/img\.src = 'data:image\//);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:']);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  });
});

describe('the archived document', () => {
  it('is named after its id, and a hostile id cannot leave the quoted filename', async () => {
    const server = createHttpServer({
      service: 'test',
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
    });
    installSecurityHeaders(server);
    server.get(invoiceDocumentRoute, async (_request, reply) => reply.type('application/xml').send('<a/>'));

    const response = await server.inject({
      url: `/api/v1/invoices/${encodeURIComponent('a"; b\\c\u00e9')}/document`,
    });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment; filename="a___b_c_.xml"');
    await server.close();
  });
});
