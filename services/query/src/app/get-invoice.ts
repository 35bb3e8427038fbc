import { InvoiceNotFound, type InvoiceSummary, type SummaryStore } from '../domain/invoice-summary/index.js';

export interface GetInvoice {
  orgId: string;
  id: string;
}

/** An invoice summary of the caller's organisation; another tenant's invoice is simply not found. */
export function getInvoiceHandler(summaries: SummaryStore) {
  return async ({ orgId, id }: GetInvoice): Promise<InvoiceSummary> => {
    const summary = await summaries.findById(orgId, id);
    if (!summary) throw new InvoiceNotFound(id);
    return summary;
  };
}
