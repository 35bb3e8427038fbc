import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPolicy } from './policy.js';
import { deferred, httpError, metricValue, rejectionOf } from './testing/helpers.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('resilience metrics', () => {
  it('lets many policies share one registry, each under its own label', async () => {
    const registry = new Registry();
    const invoices = createPolicy({ name: 'invoice-service', registry, timeoutMs: 1_000 });
    const queries = createPolicy({ name: 'query-service', registry, timeoutMs: 1_000 });
    await invoices.execute(async () => 'created');
    await invoices.execute(async () => 'created');
    await rejectionOf(queries.execute(async () => Promise.reject(httpError(500))));

    const calls = (policy: string, outcome: string) =>
      metricValue(registry, 'resilience_calls_total', { policy, outcome });
    expect(await calls('invoice-service', 'success')).toBe(2);
    expect(await calls('query-service', 'success')).toBe(0);
    expect(await calls('query-service', 'failure')).toBe(1);
  });

  it('reports the breaker state as 0 closed, 2 open, 1 half-open', async () => {
    const registry = new Registry();
    const breaker = { consecutiveFailures: 1, halfOpenAfterMs: 1_000 };
    const policy = createPolicy({ name: 'upstream', registry, breaker });
    const state = () => metricValue(registry, 'resilience_breaker_state', { policy: 'upstream' });

    expect(await state()).toBe(0);
    await rejectionOf(policy.execute(async () => Promise.reject(httpError(503))));
    expect(await state()).toBe(2);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + breaker.halfOpenAfterMs + 1);
    const trial = deferred<string>();
    const call = policy.execute(() => trial.promise);
    expect(await state()).toBe(1);
    trial.resolve('ok');
    await call;
    expect(await state()).toBe(0);
  });

  it('exposes every resilience metric in the text exposition', async () => {
    const registry = new Registry();
    createPolicy({
      name: 'upstream',
      registry,
      breaker: { consecutiveFailures: 1, halfOpenAfterMs: 1_000 },
      bulkhead: { limit: 1, queue: 1 },
    });
    const exposition = await registry.metrics();
    for (const name of [
      'resilience_breaker_state{policy="upstream"} 0',
      'resilience_bulkhead_active{policy="upstream"} 0',
      'resilience_bulkhead_queued{policy="upstream"} 0',
      '# TYPE resilience_calls_total counter',
      '# TYPE resilience_retries_total counter',
      '# TYPE resilience_bulkhead_rejected_total counter',
      '# TYPE resilience_timeouts_total counter',
    ]) {
      expect(exposition).toContain(name);
    }
  });
});
