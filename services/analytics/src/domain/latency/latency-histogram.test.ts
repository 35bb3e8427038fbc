import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  type LatencyBuckets,
  mergeBuckets,
  percentileOf,
  relativeErrorBound,
} from './latency-histogram.js';

function record(values: readonly number[]): LatencyBuckets {
  const buckets: Record<string, number> = {};
  for (const value of values) buckets[bucketOf(value)] = (buckets[bucketOf(value)] ?? 0) + 1;
  return buckets;
}

function exactPercentile(values: readonly number[], quantile: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.max(1, Math.ceil(quantile * sorted.length)) - 1]!;
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function randomSequence(seed: number) {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('latency histogram', () => {
  it.each([1, 2, 3, 7])('answers every percentile within the stated relative error (seed %i)', (seed) => {
    const random = randomSequence(seed);
    // Log-uniform from 1 ms to 10 minutes, integers as the events carry them.
    const values = Array.from({ length: 2_000 }, () => Math.round(Math.exp(random() * Math.log(600_000))));
    const histogram = record(values);
    for (const quantile of [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1]) {
      const exact = exactPercentile(values, quantile);
      const estimate = percentileOf(histogram, quantile)!;
      expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(exact * relativeErrorBound * (1 + 1e-9));
    }
  });

  it('gives the same percentiles merged from parts as recorded at once', () => {
    const random = randomSequence(11);
    const values = Array.from({ length: 900 }, () => Math.floor(random() * 50_000));
    const parts = [values.slice(0, 100), values.slice(100, 650), values.slice(650)].map(record);
    expect(mergeBuckets(parts)).toEqual(record(values));
  });

  it('answers 0 for times under a millisecond and nothing for an empty histogram', () => {
    expect(percentileOf(record([0, 0, 0]), 0.99)).toBe(0);
    expect(percentileOf({}, 0.5)).toBeUndefined();
  });

  it('puts each exact power of the base in a bucket that still answers within the bound', () => {
    for (const value of [1, 10, 100, 1_000, 86_400_000]) {
      const estimate = percentileOf(record([value]), 0.5)!;
      expect(Math.abs(estimate - value)).toBeLessThanOrEqual(value * relativeErrorBound * (1 + 1e-9));
    }
  });
});
