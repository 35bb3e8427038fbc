import type { InvoiceRepository } from '../domain/invoice/index.js';
import type { ProcessingReport, ProcessingRequest } from './process-invoice.js';

export interface ResumeLapsedClaimsDependencies {
  invoices: InvoiceRepository;
  /** The batch processor (processInvoicesHandler). */
  process(requests: readonly ProcessingRequest[]): Promise<ProcessingReport[]>;
  clock: () => Date;
  /** Invoices taken up per batch. */
  batchSize?: number;
  /** Batches per run, so one run ends even while claims keep lapsing. */
  maxBatches?: number;
}

/**
 * No stuck work: an invoice whose processor crashed stays `processing` with a claim that lapses, and
 * one that failed transiently keeps its claim until its back-off is over; this finds such invoices
 * and processes them again in batches (the claim is taken over, attempts counted), until none is left.
 * Run periodically by every worker; the optimistic lock lets only one worker take each invoice.
 */
export function resumeLapsedClaimsHandler({
  invoices,
  process,
  clock,
  batchSize = 20,
  maxBatches = 50,
}: ResumeLapsedClaimsDependencies) {
  return async function resume(): Promise<number> {
    let resumed = 0;
    for (let batch = 0; batch < maxBatches; batch++) {
      const lapsed = await invoices.findLapsedClaims(clock(), batchSize);
      if (lapsed.length === 0) break;
      const reports = await process(lapsed.map((key) => ({ key, finalAttempt: false })));
      resumed += lapsed.length;
      // A batch that could not even claim (the database is down) would only find the same invoices again.
      if (lapsed.length < batchSize || reports.every((report) => report.result === 'error')) break;
    }
    return resumed;
  };
}
