import {
  BulkheadPolicy,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  type RetryPolicy,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
} from 'cockatiel';
import type { Registry } from 'prom-client';
import { jitteredExponentialBackoff, type RetryOptions } from './backoff.js';
import { type CallOutcome, resilienceMetrics } from './metrics.js';
import { bulkheadFull, circuitOpen, PolicyRejection, timedOut } from './rejection.js';
import { isTransientError, isUpstreamFailure } from './transient.js';
import { validatePolicyOptions } from './validate-options.js';

export interface BreakerOptions {
  /** Transient failures in a row (each after its retries) that open the circuit. */
  consecutiveFailures: number;
  /** How long the circuit stays open before one trial call is let through. */
  halfOpenAfterMs: number;
}

export interface BulkheadOptions {
  /** Calls running at once. */
  limit: number;
  /** Calls allowed to wait for a slot; the next one is refused at once. */
  queue: number;
}

export interface PolicyOptions {
  /** Label of every metric; one per upstream (`query-service`, `sat.gob.mx`). */
  name: string;
  registry: Registry;
  /** Deadline of each attempt, not of the whole call with its retries. */
  timeoutMs?: number;
  retry?: RetryOptions;
  breaker?: BreakerOptions;
  bulkhead?: BulkheadOptions;
  /** Which failures are worth a retry; defaults to `isTransientError`. */
  isTransient?: (error: unknown) => boolean;
  /**
   * Which failures (after their retries) count against the breaker. Defaults to `isTransient` when
   * that is given (a caller with its own notion of a failing upstream), else `isUpstreamFailure`:
   * never an answer about the caller's request. A call its caller cancelled never counts.
   */
  countsAsFailure?: (error: unknown) => boolean;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface Policy {
  readonly name: string;
  readonly breakerState: BreakerState;
  /**
   * Runs `fn` under the policy. `fn` receives a signal that aborts when its attempt times out or
   * the caller's `signal` aborts; it should pass it on to the I/O it starts.
   */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

const breakerStates: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
};
const breakerGaugeValues: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };
const neverAborted = new AbortController().signal;

/**
 * Layers, outermost first: bulkhead → breaker → retry → timeout.
 * - The bulkhead is outermost so it caps whole calls, back-off waits included: retries cannot swell
 *   the load on a struggling upstream beyond `limit`, and a call refused because *we* are saturated
 *   never counts as a failure of the upstream in the breaker.
 * - The breaker sits outside the retry so it judges each call once, after its retries: a blip that a
 *   retry cured is not a failure, and while the circuit is open a call fails fast without spending
 *   any attempts or back-off.
 * - The timeout is innermost so each attempt gets its own deadline and a fresh signal: a hung attempt
 *   is abandoned and retried instead of one deadline swallowing every later attempt.
 */
export function createPolicy(options: PolicyOptions): Policy {
  validatePolicyOptions(options);
  const { name } = options;
  const metrics = resilienceMetrics(options.registry);
  const isTransient = options.isTransient ?? isTransientError;
  const transientOnly = handleWhen((error) => isTransient(error));
  const countsAsFailure = options.countsAsFailure ?? options.isTransient ?? isUpstreamFailure;
  const upstreamFailuresOnly = handleWhen(
    (error) => !(error instanceof CancelledByCaller) && countsAsFailure(error),
  );

  const bulkhead = options.bulkhead && new BulkheadPolicy(options.bulkhead.limit, options.bulkhead.queue);
  const breaker = options.breaker && createBreaker(upstreamFailuresOnly, options.breaker);
  const retrying = options.retry && createRetry(transientOnly, options.retry);
  // Aggressive: the caller gets its answer on time even when `fn` ignores its signal. The signal is
  // not aborted on return, so an aborted attempt signal means the deadline fired, nothing else.
  const deadline =
    options.timeoutMs === undefined
      ? undefined
      : timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });

  let openedAt = 0;
  breaker?.onBreak(() => {
    openedAt = Date.now();
  });
  retrying?.onRetry(() => metrics.retries.inc({ policy: name }));

  const breakerState = (): BreakerState => (breaker ? breakerStates[breaker.state] : 'closed');
  metrics.probes.set(name, {
    breakerState: () => (breaker ? breakerGaugeValues[breakerState()] : undefined),
    bulkheadActive: () => (bulkhead ? options.bulkhead!.limit - bulkhead.executionSlots : undefined),
    bulkheadQueued: () => (bulkhead ? options.bulkhead!.queue - bulkhead.queueSlots : undefined),
  });

  async function attempt<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (!deadline) return fn(signal);
    let attemptSignal: AbortSignal | undefined;
    try {
      return await deadline.execute((_context, derivedSignal) => {
        attemptSignal = derivedSignal;
        return fn(derivedSignal);
      }, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      // The attempt signal aborts only on the deadline (see `abortOnReturn` below), whatever error
      // `fn` made of it; cockatiel's own `isTaskCancelledError` tests the wrong marker in 3.2.
      if (!attemptSignal?.aborted && !(error instanceof TaskCancelledError)) throw error;
      metrics.timeouts.inc({ policy: name });
      throw timedOut(name, options.timeoutMs!);
    }
  }

  function withRetry<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (!retrying) return attempt(fn, signal);
    return retrying.execute((context) => attempt(fn, context.signal), signal);
  }

  async function withBreaker<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (!breaker) return withRetry(fn, signal);
    try {
      return await breaker.execute(async (context) => {
        try {
          return await withRetry(fn, context.signal);
        } catch (error) {
          // A client that went away says nothing about the upstream's health.
          throw signal.aborted ? new CancelledByCaller(error) : error;
        }
      }, signal);
    } catch (error) {
      if (error instanceof CancelledByCaller) throw error.original;
      if (!isBrokenCircuitError(error)) throw error;
      const remainingMs = options.breaker!.halfOpenAfterMs - (Date.now() - openedAt);
      throw circuitOpen(name, Math.max(1, Math.ceil(remainingMs / 1000)));
    }
  }

  async function withBulkhead<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (!bulkhead) return withBreaker(fn, signal);
    try {
      return await bulkhead.execute((context) => withBreaker(fn, context.signal), signal);
    } catch (error) {
      if (!isBulkheadRejectedError(error)) throw error;
      metrics.bulkheadRejected.inc({ policy: name });
      throw bulkheadFull(name);
    }
  }

  return {
    name,
    get breakerState() {
      return breakerState();
    },
    async execute(fn, signal = neverAborted) {
      try {
        const result = await withBulkhead(fn, signal);
        metrics.calls.inc({ policy: name, outcome: 'success' });
        return result;
      } catch (error) {
        metrics.calls.inc({ policy: name, outcome: outcomeOf(error, name, signal) });
        throw error;
      }
    },
  };
}

/** Carries a failure of a call its caller cancelled past the breaker, which must not count it. */
class CancelledByCaller extends Error {
  constructor(readonly original: unknown) {
    super('cancelled by the caller');
  }
}

function outcomeOf(error: unknown, policy: string, signal: AbortSignal): CallOutcome {
  if (signal.aborted) return 'cancelled';
  if (error instanceof PolicyRejection && error.policy === policy) return error.code;
  return 'failure';
}

function createBreaker(filter: ReturnType<typeof handleWhen>, options: BreakerOptions): CircuitBreakerPolicy {
  return circuitBreaker(filter, {
    breaker: new ConsecutiveBreaker(options.consecutiveFailures),
    halfOpenAfter: options.halfOpenAfterMs,
  });
}

function createRetry(filter: ReturnType<typeof handleWhen>, options: RetryOptions): RetryPolicy {
  // cockatiel counts retries, not attempts.
  return retry(filter, {
    maxAttempts: options.maxAttempts - 1,
    backoff: jitteredExponentialBackoff(options),
  });
}
