import { startTelemetry, type Telemetry } from '@fiscal/kit/telemetry';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProcessingInstruments } from './prometheus-processing-instruments.js';

describe('processing instruments', () => {
  const spans = new InMemorySpanExporter();
  let telemetry: Telemetry;
  beforeAll(() => {
    telemetry = startTelemetry({ service: 'test', spanProcessors: [new SimpleSpanProcessor(spans)] });
  });
  afterAll(async () => {
    await telemetry.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('makes each step a span and a latency sample, failed steps included, and counts outcomes', async () => {
    const registry = new Registry();
    const instruments = createProcessingInstruments(registry);
    expect(await instruments.step('download', async () => 'bytes')).toBe('bytes');
    await expect(
      instruments.step('validate', async () => {
        throw new Error('invalid');
      }),
    ).rejects.toThrow('invalid');
    instruments.outcome('archived');

    const finished = spans.getFinishedSpans();
    expect(finished.map((span) => span.name)).toEqual(['invoice.download', 'invoice.validate']);
    expect(finished[1]?.status.code).toBe(2); // ERROR
    const metrics = await registry.getMetricsAsJSON();
    const steps = metrics.find((metric) => metric.name === 'invoice_processing_step_seconds');
    const counts = steps?.values.filter(
      (value) => (value as { metricName?: string }).metricName === 'invoice_processing_step_seconds_count',
    );
    expect(counts?.map((value) => [value.labels.step, value.labels.outcome, value.value])).toEqual([
      ['download', 'ok', 1],
      ['validate', 'error', 1],
    ]);
    const outcomes = metrics.find((metric) => metric.name === 'invoice_processing_outcomes_total');
    expect(outcomes?.values).toEqual([
      expect.objectContaining({ labels: { outcome: 'archived' }, value: 1 }),
    ]);
  });
});
