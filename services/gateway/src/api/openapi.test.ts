import { createMemoryCache } from '@fiscal/kit/cache';
import { createInMemoryTransport } from '@fiscal/kit/grpc';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayServer } from '../main.js';

const logger = pino({ level: 'silent' });
const registry = new Registry();
const transport = createInMemoryTransport(() => {}, { logger });
const app = createGatewayServer({
  logger,
  registry,
  invoiceTransport: transport,
  queryTransport: transport,
  authTransport: transport,
  analyticsTransport: transport,
  notificationTransport: transport,
  revocations: createMemoryCache({ name: 'revocations', registry, maxEntries: 10 }),
});
// A route file registered after the gateway is built is documented too.
app.register(async (later) => {
  later.get(
    '/api/v1/registered-later',
    { schema: { response: { 200: { type: 'object' } } } },
    async () => ({}),
  );
});

interface Operation {
  tags?: string[];
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> };
  responses: Record<
    string,
    { content?: Record<string, { schema: { properties?: Record<string, unknown>; $ref?: string } }> }
  >;
}

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  components: {
    securitySchemes: Record<string, { type: string; scheme: string }>;
    schemas: Record<string, { properties?: Record<string, unknown> }>;
  };
  security: Record<string, unknown[]>[];
  paths: Record<string, Record<string, Operation>>;
}

let document: OpenApiDocument;

beforeAll(async () => {
  const response = await app.inject({ method: 'GET', url: '/docs/json' });
  expect(response.statusCode).toBe(200);
  document = response.json();
});

afterAll(async () => {
  await app.close();
});

describe('OpenAPI document at /docs/json', () => {
  it('is OpenAPI 3.1 with bearer authentication required by default', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'Fiscal API', version: expect.any(String) });
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearerAuth: [] }]);
  });

  it('lists the invoice routes with their request and response schemas', () => {
    const submit = document.paths['/api/v1/invoices']?.post;
    const read = document.paths['/api/v1/invoices/{id}']?.get;

    expect(submit?.tags).toEqual(['invoices']);
    expect(submit?.requestBody?.content['application/json']?.schema.properties).toHaveProperty('amount');
    expect(submit?.requestBody?.content['application/json']?.schema.properties).toHaveProperty('fileUrl');
    expect(read?.parameters).toContainEqual(expect.objectContaining({ in: 'path', name: 'id' }));
    expect(read?.responses['200']?.content?.['application/json']?.schema.properties).toHaveProperty('status');
    expect(document.paths['/api/v1/invoices/batch']?.post).toBeDefined();
    expect(document.paths['/api/v1/invoices/{id}/document']?.get?.responses['200']?.content).toHaveProperty(
      'application/xml',
    );
  });

  it('documents every error as problem+json with its stable code', () => {
    const { responses } = document.paths['/api/v1/invoices/{id}']!.get!;

    for (const status of ['404', 'default']) {
      expect(responses[status]?.content?.['application/problem+json']?.schema).toEqual({
        $ref: '#/components/schemas/Problem',
      });
    }
    expect(document.components.schemas.Problem?.properties).toHaveProperty('code');
  });

  it('includes routes registered after it, and leaves out its own', () => {
    expect(document.paths['/api/v1/registered-later']?.get?.tags).toEqual(['registered-later']);
    expect(document.paths['/api/v1/reports/daily']?.get?.tags).toEqual(['reports']);
    expect(Object.keys(document.paths).some((path) => path.startsWith('/docs'))).toBe(false);
  });

  it('documents login and the signing keys without the bearer requirement', () => {
    const login = document.paths['/api/v1/auth/login']?.post;
    const keys = document.paths['/.well-known/jwks.json']?.get;

    expect(login?.security).toEqual([]);
    expect(keys?.security).toEqual([]);
    expect(keys?.tags).toEqual(['auth']);
    expect(document.paths['/api/v1/invoices']?.post?.security).toBeUndefined();
  });
});

describe('/docs', () => {
  it('serves the browsable documentation and its assets from the gateway itself', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    const html =
      page.statusCode === 200 ? page : await app.inject({ method: 'GET', url: page.headers.location ?? '' });

    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).not.toMatch(/https?:\/\/(?:cdn|unpkg|cdnjs)/);
    const bundle = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
  });
});
