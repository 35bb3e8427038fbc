import type { InvoiceRepository } from '../domain/invoice/index.js';
import type { ProcessingResult, ProcessOptions } from './process-invoice.js';

export interface ResumeLapsedClaimsDependencies {
  invoices: InvoiceRepository;
  process(key: { orgId: string; id: string }, options: ProcessOptions): Promise<ProcessingResult>;
  clock: () => Date;
  batchSize?: number;
}

/**
 * No stuck work: an invoice whose processor crashed stays `processing` with a claim that lapses;
 * this finds such invoices and processes them again (the claim is taken over, attempts counted).
 * Run periodically by every worker; the optimistic lock lets only one worker take each invoice.
 */
export function resumeLapsedClaimsHandler({
  invoices,
  process,
  clock,
  batchSize = 20,
}: ResumeLapsedClaimsDependencies) {
  return async function resume(): Promise<number> {
    const lapsed = await invoices.findLapsedClaims(clock(), batchSize);
    for (const key of lapsed) await process(key, { finalAttempt: false });
    return lapsed.length;
  };
}
