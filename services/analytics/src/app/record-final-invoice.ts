import type { EventEnvelope } from '@fiscal/contracts';
import { PermanentError } from '@fiscal/kit/events';
import { type FinalEvent, finalInvoiceOf, type RollupStore } from '../domain/rollup/index.js';

export const analyticsGroup = 'analytics';
/**
 * Final events added to the rollups in one transaction. The bus hands over what is at hand up to
 * this many, so a quiet stream still goes one event at a time; 200 events cost four statements
 * instead of 800.
 */
export const analyticsBatchSize = 200;
/** Deliveries held unacknowledged: a second batch gathers while the first commits. */
export const analyticsPrefetch = 2 * analyticsBatchSize;

/** What the consumer reports about each event it applied (lag, last event's time). */
export interface RollupInstruments {
  applied(event: EventEnvelope, appliedAt: Date): void;
}

/**
 * Consumer of the final events (`archived`, `rejected`), a batch at a time: adds each invoice to its
 * daily rollup once. Resolves to the number of events applied (the rest were duplicates).
 */
export function recordFinalInvoicesHandler(dependencies: {
  rollups: RollupStore;
  instruments: RollupInstruments;
  clock?: () => Date;
}) {
  const { rollups, instruments } = dependencies;
  const clock = dependencies.clock ?? (() => new Date());
  return async (events: readonly EventEnvelope[]): Promise<number> => {
    const finals = events.map((event): FinalEvent => {
      const invoice = finalInvoiceOf(event);
      if (!invoice) throw new PermanentError(`analytics does not roll up ${event.type} events`);
      return { event, invoice };
    });
    const applied = await rollups.addOnce(finals);
    const appliedAt = clock();
    for (const { event } of applied) instruments.applied(event, appliedAt);
    return applied.length;
  };
}
