import type { PolicyOptions } from './policy.js';

/** A policy built from a typo (0 attempts, negative delays) fails at start-up, not under load. */
export function validatePolicyOptions(options: PolicyOptions): void {
  const problems: string[] = [];
  const require = (condition: boolean, problem: string) => {
    if (!condition) problems.push(problem);
  };
  require(options.name.length > 0, 'name must not be empty');
  if (options.timeoutMs !== undefined) require(options.timeoutMs > 0, 'timeoutMs must be positive');
  if (options.retry) {
    const { maxAttempts, initialDelayMs, maxDelayMs } = options.retry;
    require(Number.isInteger(maxAttempts) && maxAttempts >= 1, 'retry.maxAttempts must be an integer ≥ 1');
    require(initialDelayMs >= 0, 'retry.initialDelayMs must not be negative');
    require(maxDelayMs >= initialDelayMs, 'retry.maxDelayMs must be at least retry.initialDelayMs');
  }
  if (options.breaker) {
    const { consecutiveFailures, halfOpenAfterMs } = options.breaker;
    require(Number.isInteger(consecutiveFailures) &&
      consecutiveFailures >= 1, 'breaker.consecutiveFailures must be an integer ≥ 1');
    require(halfOpenAfterMs > 0, 'breaker.halfOpenAfterMs must be positive');
  }
  if (options.bulkhead) {
    const { limit, queue } = options.bulkhead;
    require(Number.isInteger(limit) && limit >= 1, 'bulkhead.limit must be an integer ≥ 1');
    require(Number.isInteger(queue) && queue >= 0, 'bulkhead.queue must be an integer ≥ 0');
  }
  if (problems.length > 0) {
    throw new RangeError(`Invalid resilience policy "${options.name}": ${problems.join('; ')}`);
  }
}
