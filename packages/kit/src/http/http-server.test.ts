import { Writable } from 'node:stream';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Type } from '@sinclair/typebox';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError, type ErrorKind } from '../errors/index.js';
import { HealthRegistry } from '../lifecycle/index.js';
import { createLogger, extendLogContext } from '../log/index.js';
import { startTelemetry, type Telemetry } from '../telemetry/index.js';
import { createAdminServer } from './admin-server.js';
import { createHttpServer, listen } from './http-server.js';

const logLines: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk, _encoding, done) {
      logLines.push(JSON.parse(String(chunk)));
      done();
    },
  }),
);
const registry = new Registry();
const app = createHttpServer({ service: 'test', logger, registry, bodyLimitBytes: 1_024 });

const Body = Type.Object(
  {
    amount: Type.String({ pattern: '^\\d+(\\.\\d+)?$' }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
  },
  { additionalProperties: false },
);
app.post('/things', { schema: { body: Body } }, async (_request, reply) =>
  reply.code(202).send({ ok: true }),
);
app.get(
  '/pages',
  { schema: { querystring: Type.Object({ limit: Type.Integer({ minimum: 1 }) }) } },
  async (request) => ({ limit: (request.query as { limit: number }).limit }),
);
app.get('/things/:id', async (request) => {
  const { id } = request.params as { id: string };
  if (id === 'busy')
    throw new AppError('unavailable', 'circuit_open', 'Upstream is unavailable.', { retryAfterSeconds: 5 });
  if (id === 'refused') throw new AppError('unavailable', 'upstream_unavailable', 'Upstream refused.');
  if (id === 'boom') throw new Error('database password is hunter2');
  throw new AppError('not_found', 'thing_not_found', `Thing ${id} does not exist.`);
});

const kinds: [ErrorKind, number][] = [
  ['invalid', 400],
  ['unauthenticated', 401],
  ['forbidden', 403],
  ['not_found', 404],
  ['conflict', 409],
  ['payload_too_large', 413],
  ['unsupported_media_type', 415],
  ['rate_limited', 429],
  ['unavailable', 503],
  ['internal', 500],
];
app.get('/kinds/:kind', async (request) => {
  const { kind } = request.params as { kind: ErrorKind };
  throw new AppError(kind, `example_${kind}`, `An example ${kind} error.`, {
    retryAfterSeconds: kind === 'rate_limited' || kind === 'unavailable' ? 2.5 : undefined,
  });
});

const handlerLines: Record<string, unknown>[] = [];
const handlerLogger = createLogger({
  service: 'test',
  destination: new Writable({
    write(chunk, _encoding, done) {
      handlerLines.push(JSON.parse(String(chunk)));
      done();
    },
  }),
});
app.post('/logged', async () => {
  await new Promise((resolve) => setImmediate(resolve));
  handlerLogger.info('handling');
  return { ok: true };
});

app.get('/authenticated', async () => {
  await new Promise((resolve) => setImmediate(resolve));
  extendLogContext({ tenant: 'org_7', subject: 'usr_7' });
  return { ok: true };
});

const spans = new InMemorySpanExporter();
let telemetry: Telemetry;

const post = (payload: string, contentType = 'application/json') =>
  app.inject({ method: 'POST', url: '/things', payload, headers: { 'content-type': contentType } });

describe('createHttpServer', () => {
  beforeAll(async () => {
    telemetry = startTelemetry({ service: 'test', spanProcessors: [new SimpleSpanProcessor(spans)] });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await telemetry.shutdown();
    trace.disable();
  });

  it.each(kinds)('answers an application error of kind %s with status %i', async (kind, status) => {
    const response = await app.inject({ method: 'GET', url: `/kinds/${kind}?debug=1` });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toEqual({
      type: `https://fiscal.dev/problems/example_${kind}`,
      title: expect.any(String),
      status,
      detail: `An example ${kind} error.`,
      code: `example_${kind}`,
      instance: `/kinds/${kind}`,
    });
    const retryable = kind === 'rate_limited' || kind === 'unavailable';
    expect(response.headers['retry-after']).toBe(retryable ? '3' : undefined);
  });

  it('continues the caller trace in a server span named by the route pattern', async () => {
    spans.reset();
    logLines.length = 0;
    const callerTraceId = '0af7651916cd43dd8448eb211c80319c';
    const callerSpanId = 'b7ad6b7169203331';
    await app.inject({
      method: 'GET',
      url: '/things/9',
      headers: { traceparent: `00-${callerTraceId}-${callerSpanId}-01` },
    });
    const [span] = spans.getFinishedSpans();
    expect(span).toMatchObject({ name: 'GET /things/:id', kind: SpanKind.SERVER });
    expect(span?.spanContext().traceId).toBe(callerTraceId);
    expect(span?.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(span?.attributes).toMatchObject({ 'http.route': '/things/:id', 'http.response.status_code': 404 });
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'request', trace_id: callerTraceId }));
  });

  it("creates no span for a request of a trace its caller did not sample, and logs the caller's trace", async () => {
    spans.reset();
    logLines.length = 0;
    const startSpan = vi.spyOn(trace.getTracerProvider().getTracer('fiscal-http'), 'startSpan');
    const callerTraceId = '5bf92f3577b34da6a3ce929d0e0e4736';
    const response = await app.inject({
      method: 'GET',
      url: '/things/1',
      headers: { traceparent: `00-${callerTraceId}-00f067aa0ba902b7-00` },
    });
    expect(response.statusCode).toBe(404);
    expect(startSpan).not.toHaveBeenCalled();
    startSpan.mockRestore();
    expect(spans.getFinishedSpans()).toEqual([]);
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'request', trace_id: callerTraceId }));
  });

  it('runs the handler inside the request span and log context', async () => {
    handlerLines.length = 0;
    spans.reset();
    const response = await app.inject({
      method: 'POST',
      url: '/logged',
      payload: { note: 'x'.repeat(500) },
      headers: { 'x-request-id': 'req-logged' },
    });
    expect(response.statusCode).toBe(200);
    const [span] = spans.getFinishedSpans();
    expect(handlerLines).toEqual([
      expect.objectContaining({
        message: 'handling',
        request_id: 'req-logged',
        trace_id: span?.spanContext().traceId,
        span_id: span?.spanContext().spanId,
      }),
    ]);
  });

  it('names every offending field of an invalid body, unknown fields included', async () => {
    const response = await post(JSON.stringify({ amount: 'lots', extra: 1 }));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed', instance: '/things' });
    expect(problem.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      '/amount',
      '/currency',
      '/extra',
    ]);
  });

  it('takes a JSON body as typed: a number where a string belongs is refused, not coerced', async () => {
    const response = await post(JSON.stringify({ amount: 1160.5, currency: 'MXN' }));
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      expect.objectContaining({ field: '/amount', code: 'invalid_type' }),
    ]);
  });

  it('still reads a query string as text with types', async () => {
    const response = await app.inject({ method: 'GET', url: '/pages?limit=10' });
    expect(response.json()).toEqual({ limit: 10 });
  });

  it.each([
    ['malformed JSON', () => post('{"amount": '), 400, 'malformed_json'],
    ['an empty JSON body', () => post(''), 400, 'malformed_json'],
    [
      'a body over the limit',
      () => post(JSON.stringify({ amount: '1'.repeat(2_000), currency: 'MXN' })),
      413,
      'payload_too_large',
    ],
    [
      'an unsupported content type',
      () => post('<a/>', 'application/x-unknown'),
      415,
      'unsupported_media_type',
    ],
    ['an unknown route', () => app.inject({ method: 'GET', url: '/nowhere' }), 404, 'route_not_found'],
    ['an application error', () => app.inject({ method: 'GET', url: '/things/42' }), 404, 'thing_not_found'],
  ])('answers %s with problem+json', async (_case, send, status, code) => {
    const response = await send();
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status, code, type: `https://fiscal.dev/problems/${code}` });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it.each([
    ['a JSON answer', '/pages?limit=1', 200],
    ['an unexpected error', '/things/boom', 500],
    ['an unknown route', '/nowhere', 404],
  ])('tells browsers never to sniff %s', async (_case, url, status) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('tells a caller when to retry an unavailable upstream', async () => {
    const response = await app.inject({ method: 'GET', url: '/things/busy' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
  });

  it('tells when to retry even when the failure named no time (a refused connection, a deadline)', async () => {
    const response = await app.inject({ method: 'GET', url: '/things/refused' });
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('hides unexpected errors from the client and logs them once', async () => {
    logLines.length = 0;
    const response = await app.inject({ method: 'GET', url: '/things/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
    expect(response.json()).toMatchObject({ code: 'internal' });
    const errorLines = logLines.filter((line) => line.msg === 'unexpected error handling request');
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatchObject({
      route: '/things/:id',
      request_id: response.headers['x-request-id'],
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('echoes a sane request id and replaces a hostile one', async () => {
    const kept = await app.inject({
      method: 'GET',
      url: '/things/1',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await app.inject({
      method: 'GET',
      url: '/things/1',
      headers: { 'x-request-id': 'a b\nc' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts requests by route pattern, not raw URL, and logs one access line each', async () => {
    logLines.length = 0;
    await app.inject({ method: 'GET', url: '/things/7', headers: { 'x-request-id': 'req-7' } });
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/things\/:id",status="404"\} \d+/);
    expect(metrics).not.toContain('route="/things/7"');
    expect(logLines).toContainEqual(
      expect.objectContaining({
        msg: 'request',
        method: 'GET',
        route: '/things/:id',
        status: 404,
        request_id: 'req-7',
      }),
    );
  });

  it('names in the access line the caller a handler authenticated, and times the request', async () => {
    logLines.length = 0;
    await app.inject({ method: 'GET', url: '/authenticated', headers: { 'x-request-id': 'req-8' } });
    await app.inject({ method: 'GET', url: '/things/8' });
    const [authenticated, anonymous] = logLines.filter((line) => line.msg === 'request');
    expect(authenticated).toMatchObject({
      route: '/authenticated',
      status: 200,
      request_id: 'req-8',
      tenant: 'org_7',
      subject: 'usr_7',
      latency_ms: expect.any(Number),
    });
    expect(anonymous).not.toHaveProperty('tenant');
    expect(anonymous).not.toHaveProperty('subject');
  });

  it('listens on a real loopback port', async () => {
    const server = createHttpServer({ service: 'test', logger, registry });
    server.get('/ping', async () => ({ pong: true }));
    const port = await listen(server, { host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(`http://127.0.0.1:${port}/ping`);
      expect(await response.json()).toEqual({ pong: true });
    } finally {
      await server.close();
    }
  });
});

describe('access-log sampling', () => {
  const lines: Record<string, unknown>[] = [];
  const sampledLogger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  const draws = [0.05, 0.5, 0.09, 0.99];
  const server = createHttpServer({
    service: 'test',
    logger: sampledLogger,
    registry: new Registry(),
    accessLog: { sampleRatio: 0.1, slowMs: 50, random: () => draws.shift() ?? 1 },
  });
  server.get('/fast', async () => ({ ok: true }));
  server.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 60));
    return { ok: true };
  });
  server.get('/failing', async () => {
    throw new AppError('not_found', 'thing_not_found', 'No such thing.');
  });
  const accessLines = () => lines.filter((line) => line.msg === 'request');

  afterAll(() => server.close());

  it('writes a line for the sampled share of successful fast requests only', async () => {
    lines.length = 0;
    for (const requestId of ['drawn-0.05', 'drawn-0.5', 'drawn-0.09', 'drawn-0.99'])
      await server.inject({ url: '/fast', headers: { 'x-request-id': requestId } });
    expect(accessLines().map((line) => line.request_id)).toEqual(['drawn-0.05', 'drawn-0.09']);
  });

  it('always writes a line for a failed or slow request', async () => {
    lines.length = 0;
    await server.inject({ url: '/failing' });
    await server.inject({ url: '/nowhere' });
    await server.inject({ url: '/slow' });
    expect(accessLines().map((line) => [line.route, line.status])).toEqual([
      ['/failing', 404],
      ['unmatched', 404],
      ['/slow', 200],
    ]);
  });
});

describe('createAdminServer', () => {
  it('serves liveness, readiness with its checks, and metrics', async () => {
    const health = new HealthRegistry();
    let databaseUp = true;
    health.addReadiness('database', async () => {
      if (!databaseUp) throw new Error('connection refused');
    });
    const admin = createAdminServer({ health, registry, logger, operatorToken: undefined });
    expect((await admin.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await admin.inject({ url: '/readyz' })).statusCode).toBe(200);
    databaseUp = false;
    const notReady = await admin.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().checks.database).toEqual({ ok: false, error: 'connection refused' });
    const metrics = await admin.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.headers['x-content-type-options']).toBe('nosniff');
    await admin.close();
  });
});
