import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors/index.js';
import { createPolicy } from './policy.js';
import { PolicyRejection } from './rejection.js';
import { deferred, httpError, metricValue, rejectionOf } from './testing/helpers.js';

const breaker = { consecutiveFailures: 3, halfOpenAfterMs: 5_000 };
const failing = async (): Promise<never> => {
  throw httpError(503);
};

async function openCircuit(policy: { execute(fn: () => Promise<never>): Promise<unknown> }) {
  for (let failure = 0; failure < breaker.consecutiveFailures; failure++) {
    await rejectionOf(policy.execute(failing));
  }
}

/** The breaker reads `Date.now()`; moving only the clock avoids waiting out the open period. */
function moveClockPastHalfOpen() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + breaker.halfOpenAfterMs + 1);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('circuit breaker', () => {
  it('opens after the configured number of consecutive transient failures', async () => {
    const policy = createPolicy({ name: 'upstream', registry: new Registry(), breaker });
    await rejectionOf(policy.execute(failing));
    await rejectionOf(policy.execute(failing));
    expect(policy.breakerState).toBe('closed');
    await rejectionOf(policy.execute(failing));
    expect(policy.breakerState).toBe('open');
  });

  it('rejects at once while open, without calling the upstream, as unavailable with Retry-After', async () => {
    const registry = new Registry();
    const policy = createPolicy({ name: 'upstream', registry, breaker });
    await openCircuit(policy);
    const upstream = vi.fn(async () => 'never');
    const error = await rejectionOf(policy.execute(upstream));
    expect(upstream).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(PolicyRejection);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'circuit_open', retryAfterSeconds: 5 });
    expect(
      await metricValue(registry, 'resilience_calls_total', { policy: 'upstream', outcome: 'circuit_open' }),
    ).toBe(1);
  });

  it('lets one trial call through after the open period and closes when it succeeds', async () => {
    const policy = createPolicy({ name: 'upstream', registry: new Registry(), breaker });
    await openCircuit(policy);
    moveClockPastHalfOpen();
    const trial = deferred<string>();
    const call = policy.execute(() => trial.promise);
    expect(policy.breakerState).toBe('half-open');
    trial.resolve('recovered');
    expect(await call).toBe('recovered');
    expect(policy.breakerState).toBe('closed');
  });

  it('opens again when the trial call fails', async () => {
    const policy = createPolicy({ name: 'upstream', registry: new Registry(), breaker });
    await openCircuit(policy);
    moveClockPastHalfOpen();
    await rejectionOf(policy.execute(failing));
    expect(policy.breakerState).toBe('open');
    expect(await rejectionOf(policy.execute(failing))).toMatchObject({ code: 'circuit_open' });
  });

  it('does not count answers that reject the request itself, such as a 404', async () => {
    const policy = createPolicy({ name: 'upstream', registry: new Registry(), breaker });
    for (let call = 0; call < breaker.consecutiveFailures * 2; call++) {
      await rejectionOf(policy.execute(async () => Promise.reject(httpError(404))));
    }
    expect(policy.breakerState).toBe('closed');
  });

  it.each([
    ['an HTTP 429', () => httpError(429)],
    ['a locked login (rate_limited)', () => new AppError('rate_limited', 'login_locked', 'locked')],
    ['a quota refusal (rate_limited)', () => new AppError('rate_limited', 'rate_limited', 'slow down')],
    ['an invalid request', () => new AppError('invalid', 'validation_failed', 'bad')],
    ['a refused credential', () => new AppError('unauthenticated', 'invalid_credentials', 'no')],
    ['a Connect ResourceExhausted', () => Object.assign(new Error('x'), { name: 'ConnectError', code: 8 })],
  ])('never counts an answer about the caller, such as %s', async (_name, answer) => {
    const policy = createPolicy({ name: 'upstream', registry: new Registry(), breaker });
    for (let call = 0; call < breaker.consecutiveFailures * 3; call++) {
      await rejectionOf(policy.execute(async () => Promise.reject(answer())));
    }
    expect(policy.breakerState).toBe('closed');
  });

  it.each([
    ['an internal error', () => new AppError('internal', 'internal', 'bug upstream')],
    ['a Connect Internal', () => Object.assign(new Error('x'), { name: 'ConnectError', code: 13 })],
    ['an unavailable answer', () => new AppError('unavailable', 'database_unavailable', 'down')],
  ])('counts %s, which says the upstream is unwell', async (_name, answer) => {
    const policy = createPolicy({ name: 'upstream', registry: new Registry(), breaker });
    for (let call = 0; call < breaker.consecutiveFailures; call++) {
      await rejectionOf(policy.execute(async () => Promise.reject(answer())));
    }
    expect(policy.breakerState).toBe('open');
  });

  it('does not count calls their callers cancelled (a client that went away)', async () => {
    const policy = createPolicy({ name: 'upstream', registry: new Registry(), breaker });
    for (let call = 0; call < breaker.consecutiveFailures * 2; call++) {
      const caller = new AbortController();
      const running = policy.execute(
        (signal) =>
          new Promise<never>((_resolve, reject) =>
            signal.addEventListener('abort', () => reject(new AppError('unavailable', 'cancelled', 'gone'))),
          ),
        caller.signal,
      );
      caller.abort();
      expect(await rejectionOf(running)).toMatchObject({ code: 'cancelled' });
    }
    expect(policy.breakerState).toBe('closed');
  });

  it('judges a call once after its retries, so a failure cured by a retry does not count', async () => {
    const policy = createPolicy({
      name: 'upstream',
      registry: new Registry(),
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 5_000 },
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
    });
    for (let call = 0; call < 5; call++) {
      let attempts = 0;
      await policy.execute(async () => {
        attempts++;
        if (attempts === 1) throw httpError(503);
        return attempts;
      });
    }
    expect(policy.breakerState).toBe('closed');
  });
});
