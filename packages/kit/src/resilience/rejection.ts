import { AppError } from '../errors/index.js';

export type RejectionCode = 'circuit_open' | 'bulkhead_full' | 'timeout';

/**
 * A call the policy refused or cut short, as opposed to a failure of the call itself. It is an
 * `unavailable` AppError so every edge answers 503 (with Retry-After when `retryAfterSeconds` is set)
 * without knowing about resilience; `policy` lets the policy that raised it tell its own rejections
 * apart from ones raised by a nested policy inside the wrapped call.
 */
export class PolicyRejection extends AppError {
  constructor(
    readonly policy: string,
    override readonly code: RejectionCode,
    message: string,
    retryAfterSeconds?: number,
  ) {
    super('unavailable', code, message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
  }
}

export function circuitOpen(policy: string, retryAfterSeconds: number): PolicyRejection {
  return new PolicyRejection(
    policy,
    'circuit_open',
    `${policy} is failing; calls are suspended for a while`,
    retryAfterSeconds,
  );
}

export function bulkheadFull(policy: string): PolicyRejection {
  // One second is only a hint: a slot frees as soon as any call in flight finishes.
  return new PolicyRejection(policy, 'bulkhead_full', `${policy} is at its concurrency limit`, 1);
}

export function timedOut(policy: string, timeoutMs: number): PolicyRejection {
  return new PolicyRejection(policy, 'timeout', `${policy} did not answer within ${timeoutMs} ms`);
}
