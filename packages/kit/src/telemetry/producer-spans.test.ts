import type { EventEnvelope } from '@fiscal/contracts';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProducerSpans } from './producer-spans.js';
import { startTelemetry, type Telemetry } from './tracing.js';

const event = (traceparent?: string): EventEnvelope => ({
  specversion: '1.0',
  id: '0193a5f0-0000-7000-8000-000000000001',
  source: 'fiscal/test',
  type: 'fiscal.invoice.created',
  subject: 'inv-1',
  time: new Date().toISOString(),
  datacontenttype: 'application/json',
  dataschema: 'urn:fiscal:schema:fiscal.invoice.created:1.0',
  data: {},
  sequence: 1,
  tenant: 'org-1',
  partitionkey: 'inv-1',
  ...(traceparent ? { traceparent } : {}),
});

describe('producer spans of the outbox relay', () => {
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

  it('makes the hop a child of the span that raised the event, and hands the broker its context', () => {
    const raisedBy = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) };
    const sampled = event(`00-${raisedBy.traceId}-${raisedBy.spanId}-01`);
    const unsampled = event(`00-${'c'.repeat(32)}-${'d'.repeat(16)}-00`);
    const untraced = event();

    const publishing = startProducerSpans('outbox publish', [sampled, unsampled, untraced]);
    publishing.end();

    const [span] = exporter.getFinishedSpans();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(span?.name).toBe('outbox publish fiscal.invoice.created');
    expect(span?.kind).toBe(SpanKind.PRODUCER);
    expect(span?.spanContext().traceId).toBe(raisedBy.traceId);
    expect(
      span?.parentSpanContext?.spanId ?? (span as unknown as { parentSpanId?: string }).parentSpanId,
    ).toBe(raisedBy.spanId);
    expect(publishing.events[0]?.traceparent).toBe(`00-${raisedBy.traceId}-${span?.spanContext().spanId}-01`);
    expect(publishing.events[1]).toBe(unsampled);
    expect(publishing.events[2]).toBe(untraced);
  });
});
