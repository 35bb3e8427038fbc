import type { EventEnvelope } from '@fiscal/contracts';
import { applyEvent, type SummaryStore } from '../domain/invoice-summary/index.js';

export const projectorGroup = 'query-projector';

/** Consumer of every `fiscal.invoice.*` event: keeps the invoice summaries current. */
export function projectInvoiceEventHandler(summaries: SummaryStore) {
  return (event: EventEnvelope) => summaries.applyOnce(event, (current) => applyEvent(current, event));
}
