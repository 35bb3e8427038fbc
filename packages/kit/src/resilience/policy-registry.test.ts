import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPolicyRegistry } from './policy-registry.js';
import { httpError, rejectionOf } from './testing/helpers.js';

describe('policy registry', () => {
  it('hands out one policy per key', () => {
    const policies = createPolicyRegistry({ name: 'fetch', registry: new Registry(), timeoutMs: 1_000 });
    expect(policies.forKey('sat.gob.mx')).toBe(policies.forKey('sat.gob.mx'));
    expect(policies.forKey('sat.gob.mx')).not.toBe(policies.forKey('erp.example.com'));
    expect(policies.forKey('sat.gob.mx').name).toBe('fetch:sat.gob.mx');
  });

  it('keeps a failing upstream from opening the breaker of a healthy one', async () => {
    const policies = createPolicyRegistry({
      name: 'fetch',
      registry: new Registry(),
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 },
    });
    const failing = policies.forKey('down.example.com');
    await rejectionOf(failing.execute(async () => Promise.reject(httpError(502))));
    await rejectionOf(failing.execute(async () => Promise.reject(httpError(502))));

    expect(failing.breakerState).toBe('open');
    expect(policies.forKey('up.example.com').breakerState).toBe('closed');
    expect(await policies.forKey('up.example.com').execute(async () => 'fine')).toBe('fine');
  });

  it('keeps at most maxKeys policies, retiring the least recently used with its gauges', async () => {
    const registry = new Registry();
    const policies = createPolicyRegistry(
      { name: 'fetch', registry, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 } },
      { maxKeys: 2 },
    );
    const first = policies.forKey('a.example.com');
    policies.forKey('b.example.com');
    policies.forKey('c.example.com');
    const gauge = await registry.getSingleMetric('resilience_breaker_state')!.get();
    expect(gauge.values.map((value) => value.labels.policy).sort()).toEqual([
      'fetch:b.example.com',
      'fetch:c.example.com',
    ]);
    expect(policies.forKey('a.example.com')).not.toBe(first);
  });

  it('retires the counters of a retired policy too, so hosts from client input cannot grow /metrics', async () => {
    const registry = new Registry();
    const policies = createPolicyRegistry(
      { name: 'fetch', registry, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 } },
      { maxKeys: 10 },
    );
    for (let n = 0; n < 500; n++) {
      const policy = policies.forKey(`host-${n}.example.com`);
      await rejectionOf(policy.execute(async () => Promise.reject(httpError(503))));
    }
    for (const name of ['resilience_calls_total', 'resilience_retries_total']) {
      const series = (await registry.getSingleMetric(name)!.get()).values;
      expect(new Set(series.map((value) => value.labels.policy)).size).toBeLessThanOrEqual(10);
    }
  });
});
