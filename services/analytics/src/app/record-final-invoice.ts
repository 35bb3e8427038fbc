import type { EventEnvelope } from '@fiscal/contracts';
import { PermanentError } from '@fiscal/kit/events';
import { finalInvoiceOf, type RollupStore } from '../domain/rollup/index.js';

export const analyticsGroup = 'analytics';

/** What the consumer reports about each event it applied (lag, last event's time). */
export interface RollupInstruments {
  applied(event: EventEnvelope, appliedAt: Date): void;
}

/** Consumer of the final events (`archived`, `rejected`): adds each invoice to its daily rollup once. */
export function recordFinalInvoiceHandler(dependencies: {
  rollups: RollupStore;
  instruments: RollupInstruments;
  clock?: () => Date;
}) {
  const { rollups, instruments } = dependencies;
  const clock = dependencies.clock ?? (() => new Date());
  return async (event: EventEnvelope): Promise<'processed' | 'duplicate'> => {
    const invoice = finalInvoiceOf(event);
    if (!invoice) throw new PermanentError(`analytics does not roll up ${event.type} events`);
    const outcome = await rollups.addOnce(event, invoice);
    if (outcome === 'processed') instruments.applied(event, clock());
    return outcome;
  };
}
