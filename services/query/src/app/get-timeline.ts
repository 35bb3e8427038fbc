import { InvoiceNotFound } from '../domain/invoice-summary/index.js';
import type { TimelineEntry, TimelineStore } from '../domain/timeline/index.js';

export interface GetTimeline {
  orgId: string;
  id: string;
}

/**
 * Every event of one of the caller's invoices, oldest first. An invoice with no recorded event is
 * unknown to the read model; another tenant's is not found either, never forbidden.
 */
export function getTimelineHandler(timelines: TimelineStore) {
  return async ({ orgId, id }: GetTimeline): Promise<TimelineEntry[]> => {
    const entries = await timelines.findByInvoice(orgId, id);
    if (entries.length === 0) throw new InvoiceNotFound(id);
    return entries;
  };
}
