import type { IBackoff } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { jitteredExponentialBackoff } from './backoff.js';

function delays(count: number, initialDelayMs: number, maxDelayMs: number): number[] {
  const factory = jitteredExponentialBackoff({ maxAttempts: count + 1, initialDelayMs, maxDelayMs });
  const result: number[] = [];
  let backoff: IBackoff<unknown> | undefined;
  for (let index = 0; index < count; index++) {
    backoff = backoff ? backoff.next(undefined) : factory.next(undefined);
    result.push(backoff.duration);
  }
  return result;
}

describe('jittered exponential back-off', () => {
  it('keeps each delay between half and the whole of the doubled nominal delay', () => {
    for (let sample = 0; sample < 200; sample++) {
      delays(5, 100, 100_000).forEach((delay, index) => {
        const nominal = 100 * 2 ** index;
        expect(delay).toBeGreaterThanOrEqual(nominal / 2);
        expect(delay).toBeLessThan(nominal);
      });
    }
  });

  it('grows from one retry to the next until the cap', () => {
    for (let sample = 0; sample < 200; sample++) {
      const sequence = delays(6, 50, 100_000);
      for (let index = 1; index < sequence.length; index++) {
        expect(sequence[index]).toBeGreaterThan(sequence[index - 1]!);
      }
    }
  });

  it('spreads callers that fail together over different delays', () => {
    const firstDelays = new Set(Array.from({ length: 50 }, () => delays(1, 1_000, 10_000)[0]));
    expect(firstDelays.size).toBeGreaterThan(10);
  });

  it('never waits longer than the maximum delay', () => {
    const sequence = delays(12, 100, 1_000);
    expect(Math.max(...sequence)).toBeLessThanOrEqual(1_000);
    expect(sequence.at(-1)).toBeGreaterThanOrEqual(500);
  });
});
