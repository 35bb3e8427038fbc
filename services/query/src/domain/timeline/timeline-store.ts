import type { TimelineEntry } from './timeline-entry.js';

/** Port: reads of the timelines the projector records beside the summaries. */
export interface TimelineStore {
  /** The invoice's entries in timeline order; empty for an unknown invoice or another tenant's. */
  findByInvoice(orgId: string, invoiceId: string): Promise<TimelineEntry[]>;
}
