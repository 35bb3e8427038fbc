import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type ConsumeOutcome = 'ok' | 'retried' | 'dead_lettered' | 'rejected';

export interface EventMetrics {
  published: Counter<'type'>;
  consumed: Counter<'group' | 'type' | 'outcome'>;
  handlerDuration: Histogram<'group' | 'type'>;
  deadLetterDepth: Gauge<'group'>;
  consumerLag: Gauge<'group'>;
}

const byRegistry = new WeakMap<Registry, EventMetrics>();

/** Bus metrics, created once per registry whichever adapters share it. */
export function eventMetrics(registry: Registry): EventMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = {
      published: new Counter({
        name: 'events_published_total',
        help: 'Events accepted by the broker',
        labelNames: ['type'],
        registers: [registry],
      }),
      consumed: new Counter({
        name: 'events_consumed_total',
        help: 'Deliveries handled, by consumer group, type and outcome',
        labelNames: ['group', 'type', 'outcome'],
        registers: [registry],
      }),
      handlerDuration: new Histogram({
        name: 'event_handler_duration_seconds',
        help: 'Time handlers take per delivery',
        labelNames: ['group', 'type'],
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
        registers: [registry],
      }),
      deadLetterDepth: new Gauge({
        name: 'dead_letter_depth',
        help: 'Messages waiting in a consumer group dead-letter queue',
        labelNames: ['group'],
        registers: [registry],
      }),
      consumerLag: new Gauge({
        name: 'consumer_lag_seconds',
        help: 'Age of the last event a consumer group handled (now minus event time)',
        labelNames: ['group'],
        registers: [registry],
      }),
    };
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
