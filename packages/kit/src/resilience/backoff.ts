import { ExponentialBackoff, halfJitterGenerator, type IBackoffFactory } from 'cockatiel';

export interface RetryOptions {
  /** Attempts in all, the first one included; 1 means never retry. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Exponential back-off with "equal jitter": the n-th delay (from 0) is drawn from
 * [d/2, d) where d = min(maxDelayMs, initialDelayMs * 2^n). Half of each delay is random, so callers
 * that failed together do not retry together, while every delay stays at least half the nominal one
 * and so still grows until the cap.
 */
export function jitteredExponentialBackoff(options: RetryOptions): IBackoffFactory<unknown> {
  return new ExponentialBackoff({
    generator: halfJitterGenerator,
    exponent: 2,
    initialDelay: options.initialDelayMs,
    maxDelay: options.maxDelayMs,
  });
}
