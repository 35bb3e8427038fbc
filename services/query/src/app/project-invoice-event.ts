import type { EventEnvelope } from '@fiscal/contracts';
import { applyEvent, type SummaryStore } from '../domain/invoice-summary/index.js';
import type { SummaryCache } from './summary-cache.js';

export const projectorGroup = 'query-projector';

/**
 * Consumer of every `fiscal.invoice.*` event: keeps the summaries, search index and timelines
 * current, then drops the invoice's cached summary. A duplicate drops it too: the first delivery
 * may have committed and died before it could.
 */
export function projectInvoiceEventHandler(summaries: SummaryStore, cache?: SummaryCache) {
  return async (event: EventEnvelope): Promise<'processed' | 'duplicate'> => {
    const outcome = await summaries.applyOnce(event, (current) => applyEvent(current, event));
    await cache?.forget(event.subject);
    return outcome;
  };
}
