import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './metrics.js';
import {
  currentTraceparent,
  extractTraceContext,
  injectTraceContext,
  startTelemetry,
  type Telemetry,
  withSpan,
} from './tracing.js';

describe('telemetry', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;

  beforeAll(() => {
    telemetry = startTelemetry({ service: 'test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  });
  afterAll(async () => {
    await telemetry.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('keeps the trace id across inject and extract (one trace across processes)', async () => {
    const carrier: Record<string, string> = {};
    let traceId = '';
    await withSpan('client', { kind: SpanKind.CLIENT }, async (span) => {
      traceId = span.spanContext().traceId;
      injectTraceContext(carrier);
    });
    expect(carrier.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    await withSpan(
      'server',
      { kind: SpanKind.SERVER, parent: extractTraceContext(carrier) },
      async (span) => {
        expect(span.spanContext().traceId).toBe(traceId);
      },
    );
  });

  it('exposes the active traceparent for event envelopes, and none outside a span', async () => {
    expect(currentTraceparent()).toBeUndefined();
    await withSpan('outbox write', {}, async (span) => {
      expect(currentTraceparent()).toContain(span.spanContext().spanId);
    });
  });

  it('marks a failing span as an error and rethrows', async () => {
    exporter.reset();
    await expect(
      withSpan('download', {}, async () => {
        throw new Error('connection reset');
      }),
    ).rejects.toThrow('connection reset');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'connection reset' });
    expect(span?.events[0]?.name).toBe('exception');
  });

  it('hands each finished span, with its attributes, to the configured processors', async () => {
    exporter.reset();
    await withSpan('work', { attributes: { 'fiscal.invoice_id': 'inv-1' } }, async () => {});
    expect(exporter.getFinishedSpans().map((span) => [span.name, span.attributes])).toEqual([
      ['work', { 'fiscal.invoice_id': 'inv-1' }],
    ]);
  });
});

describe('createMetricsRegistry', () => {
  it('labels every series with the service and includes the default process metrics', async () => {
    const registry = createMetricsRegistry({ service: 'query' });
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total{service="query"}');
    expect(text).toContain('nodejs_eventloop_lag_seconds{service="query"}');
  });
});
