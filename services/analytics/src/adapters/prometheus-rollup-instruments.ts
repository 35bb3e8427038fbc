import type { EventEnvelope } from '@fiscal/contracts';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { RollupInstruments } from '../app/record-final-invoice.js';

interface RollupMetrics {
  lag: Histogram<'type'>;
  /** Time (ms since the epoch) of the event this process applied last; never after it was applied. */
  lastEventTime: { value: number | undefined };
}

const metricsByRegistry = new WeakMap<Registry, RollupMetrics>();

function rollupMetrics(registry: Registry): RollupMetrics {
  let metrics = metricsByRegistry.get(registry);
  if (!metrics) {
    const lastEventTime: RollupMetrics['lastEventTime'] = { value: undefined };
    new Gauge({
      name: 'analytics_last_event_age_seconds',
      help: 'Age, at scrape time, of the last final event the analytics consumer applied',
      registers: [registry],
      collect() {
        // Computed when scraped, so a consumer that stopped applying shows a growing age.
        if (lastEventTime.value !== undefined)
          this.set(Math.max(0, (Date.now() - lastEventTime.value) / 1_000));
      },
    });
    metrics = {
      lag: new Histogram({
        name: 'analytics_event_lag_seconds',
        help: 'Seconds from a final event (its time) to its rollup being applied',
        labelNames: ['type'],
        buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
        registers: [registry],
      }),
      lastEventTime,
    };
    metricsByRegistry.set(registry, metrics);
  }
  return metrics;
}

/** Consumer lag as a histogram and the last applied event's age as a gauge read at scrape time. */
export function createRollupInstruments(registry: Registry): RollupInstruments {
  const metrics = rollupMetrics(registry);
  return {
    applied(event: EventEnvelope, appliedAt: Date) {
      const eventTime = Date.parse(event.time);
      metrics.lag.observe({ type: event.type }, Math.max(0, (appliedAt.getTime() - eventTime) / 1_000));
      metrics.lastEventTime.value = Math.min(eventTime, appliedAt.getTime());
    },
  };
}
