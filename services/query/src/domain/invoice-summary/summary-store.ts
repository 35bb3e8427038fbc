import type { EventEnvelope } from '@fiscal/contracts';
import type { InvoiceListQuery, InvoicePage } from './invoice-list.js';
import type { InvoiceSummary } from './invoice-summary.js';

/** Port: the query service's own store of invoice summaries, their search index and timelines. */
export interface SummaryStore {
  findById(orgId: string, id: string): Promise<InvoiceSummary | undefined>;
  list(query: InvoiceListQuery): Promise<InvoicePage>;
  /**
   * In one transaction, for the events never applied before (each event id once: a redelivered
   * event has no second effect): applies `fold` to the held summary of each invoice they concern,
   * with that invoice's events, saves the summaries that advanced and records the events on the
   * timelines. A summary never moves back to an older version, even when another projector saved
   * the invoice meanwhile. Returns the events applied.
   */
  applyOnce(
    events: readonly EventEnvelope[],
    fold: (
      current: InvoiceSummary | undefined,
      events: readonly EventEnvelope[],
    ) => InvoiceSummary | undefined,
  ): Promise<readonly EventEnvelope[]>;
}
