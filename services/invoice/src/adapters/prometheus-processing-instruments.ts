import { withSpan } from '@fiscal/kit/telemetry';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ProcessingInstruments, ProcessingResult, ProcessingStep } from '../app/process-invoice.js';

interface ProcessingMetrics {
  steps: Histogram<'step' | 'outcome'>;
  outcomes: Counter<'outcome'>;
}

const metricsByRegistry = new WeakMap<Registry, ProcessingMetrics>();

function processingMetrics(registry: Registry): ProcessingMetrics {
  let metrics = metricsByRegistry.get(registry);
  if (!metrics) {
    metrics = {
      steps: new Histogram({
        name: 'invoice_processing_step_seconds',
        help: 'Duration of each processing step (claim, download, checksum, validate, compress, store)',
        labelNames: ['step', 'outcome'],
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
      outcomes: new Counter({
        name: 'invoice_processing_outcomes_total',
        help: 'Processing runs by result: archived, rejected, failed, retry, skipped',
        labelNames: ['outcome'],
        registers: [registry],
      }),
    };
    metricsByRegistry.set(registry, metrics);
  }
  return metrics;
}

/** Each processing step is a span (child of the event's consumer span) and a latency sample. */
export function createProcessingInstruments(registry: Registry): ProcessingInstruments {
  const metrics = processingMetrics(registry);
  return {
    step<T>(step: ProcessingStep, work: () => Promise<T>): Promise<T> {
      return withSpan(`invoice.${step}`, { attributes: { 'fiscal.processing.step': step } }, async () => {
        const stopTimer = metrics.steps.startTimer({ step });
        try {
          const result = await work();
          stopTimer({ outcome: 'ok' });
          return result;
        } catch (error) {
          stopTimer({ outcome: 'error' });
          throw error;
        }
      });
    },
    outcome(result: ProcessingResult) {
      metrics.outcomes.inc({ outcome: result });
    },
  };
}
