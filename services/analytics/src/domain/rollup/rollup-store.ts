import type { EventEnvelope } from '@fiscal/contracts';
import type { LatencyBuckets } from '../latency/latency-histogram.js';
import type { FinalInvoice, FinalStatus } from './final-invoice.js';

/** A final event with what its invoice adds to the rollups. */
export interface FinalEvent {
  event: EventEnvelope;
  invoice: FinalInvoice;
}

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
   * Adds the invoices of the events never seen before to their rollups, in one transaction that
   * records every event id: a redelivered event has no second effect. Additions commute, so any
   * delivery order, and any number of consumers at once, converge to the same rollups. Returns the
   * events applied.
   */
  addOnce(finals: readonly FinalEvent[]): Promise<readonly FinalEvent[]>;
  /** The rollups of one organisation's UTC day, of one issuer when given. */
  rollupsOfDay(orgId: string, day: string, issuer?: string): Promise<DailyRollup[]>;
}
