import { Counter, type Registry } from 'prom-client';

export interface RateLimiterMetrics {
  readonly charges: Counter<'bucket' | 'outcome'>;
  readonly storeFailures: Counter;
}

/** One set per registry, however many limiters (gateway replicas in one test process) share it. */
const metricsByRegistry = new WeakMap<Registry, RateLimiterMetrics>();

export function rateLimiterMetrics(registry: Registry): RateLimiterMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const metrics: RateLimiterMetrics = {
    charges: new Counter({
      name: 'gateway_rate_limit_charges_total',
      help: 'Requests counted against a quota, by bucket (tier or anonymous) and outcome (allowed, limited).',
      labelNames: ['bucket', 'outcome'],
      registers: [registry],
    }),
    storeFailures: new Counter({
      name: 'gateway_rate_limiter_store_failures_total',
      help: 'Quota charges the shared store (Redis) could not count; the replica counted them in memory instead.',
      registers: [registry],
    }),
  };
  metricsByRegistry.set(registry, metrics);
  return metrics;
}
