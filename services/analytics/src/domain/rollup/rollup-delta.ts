import { Decimal } from 'decimal.js';
import type { LatencyBuckets } from '../latency/latency-histogram.js';
import type { FinalInvoice, FinalStatus } from './final-invoice.js';

/**
 * What some final invoices add to one rollup: those of one organisation, UTC day, issuer, currency
 * and status. Additions commute, so deltas added in any order, by any number of consumers at once,
 * give the same totals as the invoices added one at a time.
 */
export interface RollupDelta {
  orgId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  issuer: string;
  currency: string;
  status: FinalStatus;
  count: number;
  /** Decimal string: the exact sum of the amounts. */
  amount: string;
  originalBytes: number;
  compressedBytes: number;
  latency: LatencyBuckets;
}

/**
 * Amounts carry up to 18 integer and 6 decimal digits: at this precision no sum of a batch, nor of
 * billions of them, is ever rounded (decimal.js rounds to 20 significant digits by default).
 */
const ExactDecimal = Decimal.clone({ precision: 100 });

interface Running {
  delta: Omit<RollupDelta, 'amount' | 'latency'>;
  amount: Decimal;
  /** Decimals of the most precise amount added: PostgreSQL's numeric sum keeps as many ("0.50"). */
  scale: number;
  latency: Record<string, number>;
}

/**
 * The invoices summed per rollup, ordered by rollup key, so that consumers adding to shared rollups
 * at once take their rows in one order and never wait on each other crosswise.
 */
export function rollupDeltasOf(invoices: readonly FinalInvoice[]): RollupDelta[] {
  const byKey = new Map<string, Running>();
  for (const invoice of invoices) {
    const { orgId, day, issuer, currency, status } = invoice;
    const key = JSON.stringify([orgId, day, issuer, currency, status]);
    let running = byKey.get(key);
    if (!running) {
      running = {
        delta: { orgId, day, issuer, currency, status, count: 0, originalBytes: 0, compressedBytes: 0 },
        amount: new ExactDecimal(0),
        scale: 0,
        latency: {},
      };
      byKey.set(key, running);
    }
    running.delta.count += 1;
    running.delta.originalBytes += invoice.originalBytes;
    running.delta.compressedBytes += invoice.compressedBytes;
    running.amount = running.amount.plus(invoice.amount);
    running.scale = Math.max(running.scale, invoice.amount.split('.')[1]?.length ?? 0);
    if (invoice.latencyBucket !== undefined)
      running.latency[invoice.latencyBucket] = (running.latency[invoice.latencyBucket] ?? 0) + 1;
  }
  return [...byKey.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([, { delta, amount, scale, latency }]) => ({ ...delta, amount: amount.toFixed(scale), latency }));
}
