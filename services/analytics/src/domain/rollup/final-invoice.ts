import { type EventEnvelope, isEventOfType } from '@fiscal/contracts';
import { bucketOf } from '../latency/latency-histogram.js';

export const finalEventTypes = ['fiscal.invoice.archived', 'fiscal.invoice.rejected'] as const;

export type FinalStatus = 'archived' | 'rejected';

/** Stands in for an issuer or currency an event did not carry (rejections published before 1.1). */
export const unknownDimension = 'unknown';

/**
 * What one invoice that reached its final state adds to the daily rollup of its organisation,
 * issuer, currency, status and UTC day (the day of the event's time).
 */
export interface FinalInvoice {
  orgId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  issuer: string;
  currency: string;
  status: FinalStatus;
  /** Decimal string; "0" for a rejection that did not say. */
  amount: string;
  originalBytes: number;
  compressedBytes: number;
  /** Latency histogram bucket of the processing time, when the event carried one. */
  latencyBucket: string | undefined;
}

export function utcDayOf(time: string): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** The rollup contribution of a final event; undefined for any other event. */
export function finalInvoiceOf(event: EventEnvelope): FinalInvoice | undefined {
  const placement = { orgId: event.tenant, day: utcDayOf(event.time) };
  if (isEventOfType(event, 'fiscal.invoice.archived')) {
    const { data } = event;
    return {
      ...placement,
      issuer: data.issuer,
      currency: data.currency,
      status: 'archived',
      amount: data.amount,
      originalBytes: data.originalSize,
      compressedBytes: data.compressedSize,
      latencyBucket: bucketOf(data.processingMs),
    };
  }
  if (isEventOfType(event, 'fiscal.invoice.rejected')) {
    const { data } = event;
    return {
      ...placement,
      issuer: data.issuer ?? unknownDimension,
      currency: data.currency ?? unknownDimension,
      status: 'rejected',
      amount: data.amount ?? '0',
      originalBytes: 0,
      compressedBytes: 0,
      latencyBucket: data.processingMs === undefined ? undefined : bucketOf(data.processingMs),
    };
  }
  return undefined;
}
