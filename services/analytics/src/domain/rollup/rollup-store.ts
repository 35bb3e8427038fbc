import type { EventEnvelope } from '@fiscal/contracts';
import type { LatencyBuckets } from '../latency/latency-histogram.js';
import type { FinalInvoice, FinalStatus } from './final-invoice.js';

/** One organisation's final invoices of one UTC day, issuer, currency and status, summed. */
export interface DailyRollup {
  issuer: string;
  currency: string;
  status: FinalStatus;
  count: number;
  /** Decimal string. */
  amount: string;
  originalBytes: number;
  compressedBytes: number;
  latency: LatencyBuckets;
}

/** Port: the analytics service's own store of daily rollups. */
export interface RollupStore {
  /**
   * Adds the invoice to its rollup, once per event id: a redelivered event has no second effect.
   * Additions commute, so any delivery order converges to the same rollups.
   */
  addOnce(event: EventEnvelope, invoice: FinalInvoice): Promise<'processed' | 'duplicate'>;
  /** The rollups of one organisation's UTC day, of one issuer when given. */
  rollupsOfDay(orgId: string, day: string, issuer?: string): Promise<DailyRollup[]>;
}
