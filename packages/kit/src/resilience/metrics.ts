import { Counter, Gauge, type Registry } from 'prom-client';

export const callOutcomes = [
  'success',
  'failure',
  'cancelled',
  'timeout',
  'circuit_open',
  'bulkhead_full',
] as const;
export type CallOutcome = (typeof callOutcomes)[number];

/** What the gauges read at scrape time, so they show the state now rather than at the last event. */
export interface PolicyProbe {
  breakerState(): number | undefined;
  bulkheadActive(): number | undefined;
  bulkheadQueued(): number | undefined;
}

export interface ResilienceMetrics {
  readonly calls: Counter<'policy' | 'outcome'>;
  readonly retries: Counter<'policy'>;
  readonly bulkheadRejected: Counter<'policy'>;
  readonly timeouts: Counter<'policy'>;
  /** Live policies by name; a newer policy with the same name replaces the older one. */
  readonly probes: Map<string, PolicyProbe>;
  /**
   * Drops a retired policy's series, gauges and counters: policies can be named after client input
   * (the hosts of submitted URLs), and only a bounded set of live policies keeps /metrics bounded.
   */
  forget(policy: string): void;
}

/**
 * prom-client refuses a second metric with the same name in one registry, and many policies (one per
 * upstream) share a registry, so the metrics exist once per registry and carry the policy as a label.
 */
const metricsByRegistry = new WeakMap<Registry, ResilienceMetrics>();

export function resilienceMetrics(registry: Registry): ResilienceMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const probes = new Map<string, PolicyProbe>();
  const gauges: Gauge<'policy'>[] = [];
  const gaugeOf = (name: string, help: string, read: (probe: PolicyProbe) => number | undefined) => {
    const gauge: Gauge<'policy'> = new Gauge({
      name,
      help,
      labelNames: ['policy'],
      registers: [registry],
      collect() {
        for (const [policy, probe] of probes) {
          const value = read(probe);
          if (value !== undefined) this.set({ policy }, value);
        }
      },
    });
    gauges.push(gauge);
  };
  gaugeOf('resilience_breaker_state', 'Circuit breaker state: 0 closed, 1 half-open, 2 open.', (probe) =>
    probe.breakerState(),
  );
  gaugeOf('resilience_bulkhead_active', 'Calls running inside the bulkhead.', (probe) =>
    probe.bulkheadActive(),
  );
  gaugeOf('resilience_bulkhead_queued', 'Calls waiting for a bulkhead slot.', (probe) =>
    probe.bulkheadQueued(),
  );
  const metrics: ResilienceMetrics = {
    calls: new Counter({
      name: 'resilience_calls_total',
      help: 'Calls through a resilience policy by final outcome.',
      labelNames: ['policy', 'outcome'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'resilience_retries_total',
      help: 'Attempts repeated after a transient failure.',
      labelNames: ['policy'],
      registers: [registry],
    }),
    bulkheadRejected: new Counter({
      name: 'resilience_bulkhead_rejected_total',
      help: 'Calls refused because the bulkhead and its queue were full.',
      labelNames: ['policy'],
      registers: [registry],
    }),
    timeouts: new Counter({
      name: 'resilience_timeouts_total',
      help: 'Attempts cut short by the policy timeout.',
      labelNames: ['policy'],
      registers: [registry],
    }),
    probes,
    forget(policy) {
      probes.delete(policy);
      for (const gauge of gauges) gauge.remove({ policy });
      for (const outcome of callOutcomes) metrics.calls.remove({ policy, outcome });
      for (const counter of [metrics.retries, metrics.bulkheadRejected, metrics.timeouts])
        counter.remove({ policy });
    },
  };
  metricsByRegistry.set(registry, metrics);
  return metrics;
}
