import type { EventEnvelope } from '@fiscal/contracts';
import { applyEvents, type SummaryStore } from '../domain/invoice-summary/index.js';
import type { SummaryCache } from './summary-cache.js';

export const projectorGroup = 'query-projector';
/**
 * Events projected in one transaction. The bus hands over what is at hand up to this many, so a
 * quiet stream still goes one event at a time; 200 events cost six statements instead of 1,200.
 */
export const projectorBatchSize = 200;
/** Deliveries held unacknowledged: a second batch gathers while the first commits. */
export const projectorPrefetch = 2 * projectorBatchSize;

/**
 * Consumer of every `fiscal.invoice.*` event, a batch at a time: keeps the summaries, search index
 * and timelines current in one transaction, then drops the cached summaries of the invoices the
 * batch names. Duplicates drop theirs too: the first delivery may have committed and died before
 * it could. Resolves to the number of events applied (the rest were duplicates).
 */
export function projectInvoiceEventsHandler(summaries: SummaryStore, cache?: SummaryCache) {
  return async (events: readonly EventEnvelope[]): Promise<number> => {
    const applied = await summaries.applyOnce(events, applyEvents);
    await cache?.forget([...new Set(events.map((event) => event.subject))]);
    return applied.length;
  };
}
