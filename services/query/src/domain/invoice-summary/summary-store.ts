import type { EventEnvelope } from '@fiscal/contracts';
import type { InvoiceListQuery, InvoicePage } from './invoice-list.js';
import type { InvoiceSummary } from './invoice-summary.js';

/** Port: the query service's own store of invoice summaries, their search index and timelines. */
export interface SummaryStore {
  findById(orgId: string, id: string): Promise<InvoiceSummary | undefined>;
  list(query: InvoiceListQuery): Promise<InvoicePage>;
  /**
   * Applies `fold` to the held summary of the event's invoice, saves the result and records the
   * event on the invoice's timeline, once per event id: a redelivered event has no second effect.
   */
  applyOnce(
    event: EventEnvelope,
    fold: (current: InvoiceSummary | undefined) => InvoiceSummary,
  ): Promise<'processed' | 'duplicate'>;
}
