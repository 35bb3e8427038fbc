import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPolicy } from './policy.js';
import { PolicyRejection } from './rejection.js';
import { metricValue, rejectionOf } from './testing/helpers.js';

/** An upstream that never answers but, like real I/O, gives up when its signal aborts. */
function hangUntilAborted(signal: AbortSignal, seen: AbortSignal[]): Promise<never> {
  seen.push(signal);
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

describe('timeout', () => {
  it('aborts the attempt signal and fails as unavailable when the attempt runs too long', async () => {
    const registry = new Registry();
    const policy = createPolicy({ name: 'upstream', registry, timeoutMs: 30 });
    const signals: AbortSignal[] = [];
    const error = await rejectionOf(policy.execute((signal) => hangUntilAborted(signal, signals)));
    expect(error).toBeInstanceOf(PolicyRejection);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'timeout' });
    expect(signals[0]?.aborted).toBe(true);
    expect(await metricValue(registry, 'resilience_timeouts_total', { policy: 'upstream' })).toBe(1);
    expect(
      await metricValue(registry, 'resilience_calls_total', { policy: 'upstream', outcome: 'timeout' }),
    ).toBe(1);
  });

  it('fails on time even when the upstream ignores its signal', async () => {
    const policy = createPolicy({ name: 'upstream', registry: new Registry(), timeoutMs: 30 });
    const ignoring = new Promise<never>(() => undefined);
    expect(await rejectionOf(policy.execute(() => ignoring))).toMatchObject({ code: 'timeout' });
  });

  it('gives each retry its own deadline and signal', async () => {
    const registry = new Registry();
    const policy = createPolicy({
      name: 'upstream',
      registry,
      timeoutMs: 30,
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
    });
    const signals: AbortSignal[] = [];
    const result = await policy.execute(async (signal) => {
      if (signals.length < 2) return hangUntilAborted(signal, signals);
      signals.push(signal);
      return 'third time lucky';
    });
    expect(result).toBe('third time lucky');
    expect(new Set(signals).size).toBe(3);
    expect(await metricValue(registry, 'resilience_timeouts_total', { policy: 'upstream' })).toBe(2);
  });

  it('does not report a cancellation by the caller as a timeout', async () => {
    const registry = new Registry();
    const policy = createPolicy({ name: 'upstream', registry, timeoutMs: 5_000 });
    const caller = new AbortController();
    const signals: AbortSignal[] = [];
    const call = policy.execute((signal) => hangUntilAborted(signal, signals), caller.signal);
    caller.abort(new Error('client went away'));
    expect(await rejectionOf(call)).toMatchObject({ message: 'client went away' });
    expect(signals[0]?.aborted).toBe(true);
    expect(await metricValue(registry, 'resilience_timeouts_total', { policy: 'upstream' })).toBe(0);
    expect(
      await metricValue(registry, 'resilience_calls_total', { policy: 'upstream', outcome: 'cancelled' }),
    ).toBe(1);
  });
});
