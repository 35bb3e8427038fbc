import type { EventEnvelope } from '@fiscal/contracts';
import type { InvoiceSummary } from './invoice-summary.js';

/** Port: the query service's own store of invoice summaries. */
export interface SummaryStore {
  findById(orgId: string, id: string): Promise<InvoiceSummary | undefined>;
  /**
   * Applies `fold` to the held summary of the event's invoice and saves the result, once per event
   * id: a redelivered event has no second effect.
   */
  applyOnce(
    event: EventEnvelope,
    fold: (current: InvoiceSummary | undefined) => InvoiceSummary,
  ): Promise<'processed' | 'duplicate'>;
}
