import type { Cache } from '@fiscal/kit/cache';
import type { InvoiceSummary } from '../domain/invoice-summary/index.js';

/**
 * The summaries GetInvoice has read, by invoice id. The projector drops the entries of the invoices
 * of each batch it applies (after the commit), so a read after that goes to the database; the TTL
 * bounds what a read racing the projector may leave behind.
 */
export interface SummaryCache {
  get(id: string): Promise<InvoiceSummary | undefined>;
  remember(summary: InvoiceSummary): Promise<void>;
  forget(ids: readonly string[]): Promise<void>;
}

export const summaryCacheTtlMs = 30_000;

export function createSummaryCache(cache: Cache, ttlMs = summaryCacheTtlMs): SummaryCache {
  const keyOf = (id: string) => `invoice-summary:${id}`;
  return {
    get: (id) => cache.get<InvoiceSummary>(keyOf(id)),
    remember: (summary) => cache.set(keyOf(summary.id), summary, ttlMs),
    forget: async (ids) => {
      if (ids.length > 0) await cache.delete(...ids.map(keyOf));
    },
  };
}

/** Every read goes to the database. */
export const noSummaryCache: SummaryCache = {
  get: async () => undefined,
  remember: async () => {},
  forget: async () => {},
};
