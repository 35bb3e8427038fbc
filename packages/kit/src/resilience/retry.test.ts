import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { createPolicy } from './policy.js';
import { httpError, metricValue, rejectionOf } from './testing/helpers.js';

const retry = { maxAttempts: 4, initialDelayMs: 5, maxDelayMs: 100 };

describe('retry', () => {
  it('retries transient failures and returns the first success', async () => {
    const registry = new Registry();
    const policy = createPolicy({ name: 'upstream', registry, retry });
    let attempts = 0;
    const result = await policy.execute(async () => {
      attempts++;
      if (attempts < 3) throw httpError(503);
      return 'answer';
    });
    expect(result).toBe('answer');
    expect(attempts).toBe(3);
    expect(await metricValue(registry, 'resilience_retries_total', { policy: 'upstream' })).toBe(2);
    expect(
      await metricValue(registry, 'resilience_calls_total', { policy: 'upstream', outcome: 'success' }),
    ).toBe(1);
  });

  it.each([
    ['an HTTP 404', httpError(404)],
    ['an HTTP 400', httpError(400)],
    ['an invalid AppError', new AppError('invalid', 'invalid_amount', 'amount is not a decimal')],
    ['a conflict AppError', new AppError('conflict', 'version_conflict', 'stale version')],
  ])('does not retry %s and rethrows it untouched', async (_description, failure) => {
    const registry = new Registry();
    const policy = createPolicy({ name: 'upstream', registry, retry });
    let attempts = 0;
    const error = await rejectionOf(
      policy.execute(async () => {
        attempts++;
        throw failure;
      }),
    );
    expect(error).toBe(failure);
    expect(attempts).toBe(1);
    expect(await metricValue(registry, 'resilience_retries_total', { policy: 'upstream' })).toBe(0);
    expect(
      await metricValue(registry, 'resilience_calls_total', { policy: 'upstream', outcome: 'failure' }),
    ).toBe(1);
  });

  it('gives up after maxAttempts attempts with the last failure', async () => {
    const policy = createPolicy({ name: 'upstream', registry: new Registry(), retry });
    let attempts = 0;
    const error = await rejectionOf(
      policy.execute(async () => {
        attempts++;
        throw httpError(500 + attempts);
      }),
    );
    expect(attempts).toBe(4);
    expect(error).toMatchObject({ status: 504 });
  });

  it('waits longer before each retry than before the previous one', async () => {
    const initialDelayMs = 20;
    const policy = createPolicy({
      name: 'upstream',
      registry: new Registry(),
      retry: { maxAttempts: 4, initialDelayMs, maxDelayMs: 1_000 },
    });
    const startedAt: number[] = [];
    await rejectionOf(
      policy.execute(async () => {
        startedAt.push(performance.now());
        throw httpError(503);
      }),
    );
    const gaps = startedAt.slice(1).map((time, index) => time - startedAt[index]!);
    expect(gaps).toHaveLength(3);
    // The n-th delay is drawn from [initial·2ⁿ/2, initial·2ⁿ); 2 ms absorbs timer rounding.
    gaps.forEach((gap, index) => {
      expect(gap).toBeGreaterThanOrEqual((initialDelayMs * 2 ** index) / 2 - 2);
    });
  });

  it('uses a custom transient classifier when one is given', async () => {
    const policy = createPolicy({
      name: 'upstream',
      registry: new Registry(),
      retry,
      isTransient: (error) => error instanceof Error && error.message === 'flaky',
    });
    let attempts = 0;
    const result = await policy.execute(async () => {
      attempts++;
      if (attempts === 1) throw new Error('flaky');
      return attempts;
    });
    expect(result).toBe(2);
  });

  it('stops retrying once the caller aborts', async () => {
    const registry = new Registry();
    const policy = createPolicy({ name: 'upstream', registry, retry });
    const caller = new AbortController();
    let attempts = 0;
    await rejectionOf(
      policy.execute(async () => {
        attempts++;
        caller.abort();
        throw httpError(503);
      }, caller.signal),
    );
    expect(attempts).toBe(1);
    expect(
      await metricValue(registry, 'resilience_calls_total', { policy: 'upstream', outcome: 'cancelled' }),
    ).toBe(1);
  });
});
