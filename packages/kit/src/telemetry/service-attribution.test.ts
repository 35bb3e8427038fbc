import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { startTelemetry, withSpan } from './tracing.js';

describe('spans of several services in one process', () => {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry({
    service: 'fiscal',
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    resourceAttributes: { 'deployment.environment': 'test' },
    serviceOfSpan: ({ kind, attributes }) =>
      kind === SpanKind.SERVER ? String(attributes['rpc.service'] ?? 'gateway') : undefined,
  });
  afterAll(async () => {
    await telemetry.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it("are exported under the service of the span that opened their work, children under their parent's", async () => {
    await withSpan('POST /api/v1/invoices', { kind: SpanKind.SERVER }, async () => {
      await withSpan('InvoiceService/CreateInvoice', { kind: SpanKind.CLIENT }, async () => {
        await withSpan(
          'InvoiceService/CreateInvoice',
          { kind: SpanKind.SERVER, attributes: { 'rpc.service': 'invoice' } },
          async () => {
            await withSpan('insert invoice', { kind: SpanKind.CLIENT }, async () => {});
          },
        );
      });
    });
    await withSpan('housekeeping', {}, async () => {});
    const services = exporter
      .getFinishedSpans()
      .map((span) => [span.name, span.kind, span.resource.attributes['service.name']]);
    expect(services).toEqual([
      ['insert invoice', SpanKind.CLIENT, 'invoice'],
      ['InvoiceService/CreateInvoice', SpanKind.SERVER, 'invoice'],
      ['InvoiceService/CreateInvoice', SpanKind.CLIENT, 'gateway'],
      ['POST /api/v1/invoices', SpanKind.SERVER, 'gateway'],
      ['housekeeping', SpanKind.INTERNAL, 'fiscal'],
    ]);
    const [insert] = exporter.getFinishedSpans();
    expect(insert?.resource.attributes['deployment.environment']).toBe('test');
  });
});
