import { Counter, Histogram, type Registry } from 'prom-client';

export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route' | 'status'>;
}

const byRegistry = new WeakMap<Registry, HttpMetrics>();

/** RED metrics per route, created once per registry however many servers share it. */
export function httpMetrics(registry: Registry): HttpMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = {
      requests: new Counter({
        name: 'http_requests_total',
        help: 'HTTP requests handled, by route pattern and status',
        labelNames: ['method', 'route', 'status'],
        registers: [registry],
      }),
      duration: new Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP request latency, by route pattern and status',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    };
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
