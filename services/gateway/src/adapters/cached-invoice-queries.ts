import type { Cache } from '@fiscal/kit/cache';
import { AppError, isAppError } from '@fiscal/kit/errors';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { markStale } from '../app/stale-views.js';
import type { InvoiceQueries, InvoiceView } from '../app/upstreams.js';

export interface CachedInvoiceQueriesOptions {
  /** Memory (LRU, bounded) in embedded mode; Redis when distributed, so every replica shares it. */
  cache: Cache;
  logger: Logger;
  /** How old a view may be and still stand in for the query service while it is down. */
  retainMs?: number;
  /** How long a view read from the query service answers later reads by itself; 0 turns it off. */
  freshForMs?: number;
  now?: () => number;
}

/** Invoice reads of a replica, and what the replica must hear of to keep them true. */
export interface CachedInvoiceQueries extends InvoiceQueries {
  /** The invoice changed through this replica (reprocessed): its next read asks the query service. */
  forget(orgId: string, id: string): void;
}

const defaultRetainMs = 24 * 60 * 60 * 1_000;
export const defaultFreshForMs = 1_000;
const freshViews = 10_000;
// A view's problems can make it some 80 KB: the count alone would not bound the memory.
const freshViewCharacters = 16 * 1_048_576;
/** A timeout or refused connection says nothing of when to retry; the breaker's half-open delay is a fair guess. */
const defaultRetryAfterSeconds = 5;

/**
 * The read path's two uses of memory. A view the query service handed out answers the same
 * organisation's reads of that invoice for `freshForMs` (a second) without a hop, so a client
 * polling for a verdict, or a burst of reads of one invoice, costs the query service one call a
 * second; a status change reaches such a reader up to that much later. Only views the query
 * service found are kept: an invoice just accepted, which the read model does not have yet, is
 * asked for every time (the route then reads it from the invoice service), so a client answered
 * 202 reads its own write; a reprocessing through this replica forgets the view at once.
 *
 * And the fallback: every view read is remembered, and while the query service is unavailable
 * (breaker open, timeout, refused connection) the last view read is served instead of a 503,
 * marked stale. An invoice never read before still gets the 503, with its Retry-After. Answers
 * that are the service's own (not found, invalid) pass through untouched.
 */
export function createCachedInvoiceQueries(
  inner: InvoiceQueries,
  options: CachedInvoiceQueriesOptions,
): CachedInvoiceQueries {
  const { cache, logger } = options;
  const retainMs = options.retainMs ?? defaultRetainMs;
  const freshForMs = options.freshForMs ?? defaultFreshForMs;
  const now = options.now ?? Date.now;
  const keyOf = (orgId: string, id: string) => `invoice-view:${orgId}:${id}`;
  const fresh = new LRUCache<string, { view: InvoiceView; readAt: number }>({
    max: freshViews,
    maxSize: freshViewCharacters,
    sizeCalculation: ({ view }) => charactersOf(view),
  });

  return {
    ...inner,
    async get(requester, id) {
      const key = keyOf(requester.caller.orgId, id);
      const known = freshForMs > 0 ? fresh.get(key) : undefined;
      if (known && now() - known.readAt < freshForMs) return known.view;
      try {
        const view = await inner.get(requester, id);
        if (freshForMs > 0) fresh.set(key, { view, readAt: now() });
        await cache.set(key, view, retainMs);
        return view;
      } catch (error) {
        if (!isUnavailable(error) || requester.signal?.aborted) throw error;
        const remembered = await cache.get<InvoiceView>(key);
        if (remembered === undefined) throw upstreamUnavailable(error);
        logger.warn({ invoiceId: id, code: error.code }, 'served a remembered invoice view');
        return markStale(remembered);
      }
    },
    forget(orgId, id) {
      fresh.delete(keyOf(orgId, id));
    },
  };
}

/** About the characters a view holds, counted without serialising it. */
function charactersOf(view: InvoiceView): number {
  let characters = 512;
  for (const problem of view.errors)
    characters += 32 + problem.code.length + problem.path.length + problem.message.length;
  return characters;
}

function isUnavailable(error: unknown): error is AppError {
  return isAppError(error) && error.kind === 'unavailable';
}

/** One stable answer however the read failed (breaker open, timeout, refused), with a time to retry. */
function upstreamUnavailable(cause: AppError): AppError {
  return new AppError(
    'unavailable',
    'upstream_unavailable',
    'Invoice reads are unavailable for a moment; retry later.',
    { retryAfterSeconds: cause.retryAfterSeconds ?? defaultRetryAfterSeconds, cause },
  );
}
