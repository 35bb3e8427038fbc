import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPolicy, type PolicyOptions } from './policy.js';

describe('policy options', () => {
  it.each<[string, Partial<PolicyOptions>, RegExp]>([
    ['zero attempts', { retry: { maxAttempts: 0, initialDelayMs: 1, maxDelayMs: 1 } }, /maxAttempts/],
    [
      'a maximum delay below the initial one',
      { retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 1 } },
      /maxDelayMs/,
    ],
    [
      'a breaker that never opens',
      { breaker: { consecutiveFailures: 0, halfOpenAfterMs: 1 } },
      /consecutiveFailures/,
    ],
    ['a bulkhead without slots', { bulkhead: { limit: 0, queue: 0 } }, /bulkhead.limit/],
    ['a negative timeout', { timeoutMs: -1 }, /timeoutMs/],
  ])('refuses %s at creation', (_description, overrides, problem) => {
    expect(() => createPolicy({ name: 'upstream', registry: new Registry(), ...overrides })).toThrow(problem);
  });
});
