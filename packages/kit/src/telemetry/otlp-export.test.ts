import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentTraceparent, runInTrace, startTelemetry, withSpan } from './tracing.js';

/** A loopback stand-in for an OpenTelemetry collector that keeps what it receives. */
function startCollector(): Promise<{
  server: Server;
  url: string;
  requests: { path: string; body: string }[];
}> {
  const requests: { path: string; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      requests.push({ path: request.url ?? '', body });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, requests });
    }),
  );
}

describe('startTelemetry with an OTLP endpoint', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(() => new Promise<void>((resolve) => collector.server.close(() => resolve())));
  afterEach(() => {
    trace.disable();
    context.disable();
    propagation.disable();
    collector.requests.length = 0;
  });

  it('sends the buffered spans to <endpoint>/v1/traces when it shuts down', async () => {
    const telemetry = startTelemetry({ service: 'invoice', otlpEndpoint: collector.url });
    let traceId = '';
    await withSpan('archive invoice', {}, async (span) => {
      traceId = span.spanContext().traceId;
    });
    expect(collector.requests).toEqual([]);
    await telemetry.shutdown();
    expect(collector.requests.map((request) => request.path)).toEqual(['/v1/traces']);
    const [exported] = collector.requests;
    expect(exported?.body).toContain('archive invoice');
    expect(exported?.body).toContain(traceId);
    expect(exported?.body).toMatch(/"service\.name","value":\{"stringValue":"invoice"\}/);
  });

  it('with a sample ratio of 0 still propagates the trace but exports nothing', async () => {
    const telemetry = startTelemetry({ service: 'invoice', otlpEndpoint: collector.url, sampleRatio: 0 });
    let traceparent: string | undefined;
    await withSpan('unsampled', {}, async () => {
      traceparent = currentTraceparent();
    });
    await telemetry.shutdown();
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(collector.requests).toEqual([]);
  });

  it('makes no child span in a trace another process left unsampled, and records one in a sampled trace', async () => {
    const telemetry = startTelemetry({ service: 'invoice', otlpEndpoint: collector.url });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const unsampled = `00-${traceId}-b7ad6b7169203331-00`;
    let inside: string | undefined;
    await runInTrace(unsampled, () =>
      withSpan('invoice.validate', {}, async (span) => {
        expect(span.isRecording()).toBe(false);
        inside = currentTraceparent();
      }),
    );
    // The caller's context carries on: same trace, same parent, nothing new to record.
    expect(inside).toBe(unsampled);
    await runInTrace(`00-${traceId}-b7ad6b7169203331-01`, () =>
      withSpan('invoice.store', {}, async (span) => {
        expect(span.isRecording()).toBe(true);
      }),
    );
    await telemetry.shutdown();
    const bodies = collector.requests.map((request) => request.body).join('');
    expect(bodies).toContain('invoice.store');
    expect(bodies).not.toContain('invoice.validate');
  });

  it('without an endpoint records no span, yet gives each trace ids that propagate', async () => {
    const telemetry = startTelemetry({ service: 'invoice' });
    let recording = true;
    let traceparent: string | undefined;
    await withSpan('unexported', {}, async (span) => {
      recording = span.isRecording();
      traceparent = currentTraceparent();
    });
    await telemetry.shutdown();
    expect(recording).toBe(false);
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(collector.requests).toEqual([]);
  });

  it('adds the resource attributes and honours the standard sampler names', async () => {
    const telemetry = startTelemetry({
      service: 'gateway',
      otlpEndpoint: collector.url,
      resourceAttributes: { 'deployment.environment': 'production' },
      sampler: 'always_on',
      sampleRatio: 0,
    });
    await withSpan('sampled despite a ratio of 0', {}, async () => {});
    await telemetry.shutdown();
    const [exported] = collector.requests;
    expect(exported?.body).toMatch(/"deployment\.environment","value":\{"stringValue":"production"\}/);
    expect(exported?.body).toContain('sampled despite a ratio of 0');
    trace.disable();
    context.disable();
    propagation.disable();
    collector.requests.length = 0;

    const off = startTelemetry({
      service: 'gateway',
      otlpEndpoint: collector.url,
      sampler: 'parentbased_always_off',
    });
    await withSpan('never sampled', {}, async () => {});
    await off.shutdown();
    expect(collector.requests).toEqual([]);
  });
});
