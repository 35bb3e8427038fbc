/**
 * Processing times as a log-scale histogram (the DDSketch layout): bucket `k` holds the values in
 * (γ^(k-1), γ^k] with γ = (1 + α) / (1 - α), and answers with 2γ^k / (γ + 1), which is within a
 * relative error α of every value in the bucket. So any percentile read from it is within α of the
 * exact nearest-rank percentile of the recorded values, however many histograms were merged.
 * Values under 1 ms share one bucket answered with 0 (an absolute error under 1 ms).
 *
 * Buckets are sparse counts keyed by a string (they are stored as JSON): key `k + 1` for values of
 * 1 ms and more, key `0` for the rest. A day of processing times from 1 ms to one hour spans at most
 * ~760 buckets.
 */
export const relativeErrorBound = 0.01;

const gamma = (1 + relativeErrorBound) / (1 - relativeErrorBound);
const logGamma = Math.log(gamma);
const underOneMillisecond = '0';

/** Bucket key → number of values in it. */
export type LatencyBuckets = Readonly<Record<string, number>>;

export function bucketOf(milliseconds: number): string {
  if (!(milliseconds >= 1)) return underOneMillisecond;
  return String(Math.max(0, Math.ceil(Math.log(milliseconds) / logGamma)) + 1);
}

function representativeOf(key: string): number {
  if (key === underOneMillisecond) return 0;
  const index = Number(key) - 1;
  return (2 * gamma ** index) / (gamma + 1);
}

export function mergeBuckets(histograms: Iterable<LatencyBuckets>): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const histogram of histograms) {
    for (const [key, count] of Object.entries(histogram)) merged[key] = (merged[key] ?? 0) + count;
  }
  return merged;
}

export function countOf(histogram: LatencyBuckets): number {
  return Object.values(histogram).reduce((sum, count) => sum + count, 0);
}

/**
 * The nearest-rank `quantile` (0 < q ≤ 1): the value of rank ⌈q·n⌉ among the n recorded, within
 * the relative error bound; undefined for an empty histogram.
 */
export function percentileOf(histogram: LatencyBuckets, quantile: number): number | undefined {
  const total = countOf(histogram);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(quantile * total));
  const keys = Object.keys(histogram)
    .filter((key) => (histogram[key] ?? 0) > 0)
    .sort((left, right) => Number(left) - Number(right));
  let seen = 0;
  for (const key of keys) {
    seen += histogram[key] ?? 0;
    if (seen >= rank) return representativeOf(key);
  }
  return representativeOf(keys.at(-1)!);
}
