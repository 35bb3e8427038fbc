import { InvoiceNotFound, type InvoiceSummary, type SummaryStore } from '../domain/invoice-summary/index.js';
import type { SummaryCache } from './summary-cache.js';

export interface GetInvoice {
  orgId: string;
  id: string;
}

/**
 * An invoice summary of the caller's organisation, cache-aside; another tenant's invoice is simply
 * not found, from the cache as from the database.
 */
export function getInvoiceHandler(summaries: SummaryStore, cache: SummaryCache) {
  return async ({ orgId, id }: GetInvoice): Promise<InvoiceSummary> => {
    const cached = await cache.get(id);
    if (cached) {
      if (cached.orgId !== orgId) throw new InvoiceNotFound(id);
      return cached;
    }
    const summary = await summaries.findById(orgId, id);
    if (!summary) throw new InvoiceNotFound(id);
    await cache.remember(summary);
    return summary;
  };
}
