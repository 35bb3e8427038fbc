import { Counter, Histogram, type Registry } from 'prom-client';
import type { DeliveryMetrics } from '../app/dispatch-deliveries.js';

const metricsByRegistry = new WeakMap<Registry, DeliveryMetrics>();

/** Attempts by channel and outcome, their latency, and subscriptions disabled: what alerts watch. */
export function createPrometheusDeliveryMetrics(registry: Registry): DeliveryMetrics {
  const known = metricsByRegistry.get(registry);
  if (known) return known;
  const attempts = new Counter({
    name: 'notification_delivery_attempts_total',
    help: 'Delivery attempts by channel and outcome: delivered, retry (scheduled again) or dead_lettered',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'notification_delivery_seconds',
    help: 'Duration of one delivery attempt (the receiver, SMTP server or SMS provider answering)',
    labelNames: ['channel'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const disabled = new Counter({
    name: 'notification_subscriptions_disabled_total',
    help: 'Subscriptions disabled after their deliveries kept being dead-lettered',
    registers: [registry],
  });
  const metrics: DeliveryMetrics = {
    attempted(channel, outcome, durationMs) {
      attempts.inc({ channel, outcome });
      latency.observe({ channel }, durationMs / 1000);
    },
    subscriptionDisabled: () => disabled.inc(),
  };
  metricsByRegistry.set(registry, metrics);
  return metrics;
}
