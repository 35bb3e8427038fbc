import type { Cache } from '@fiscal/kit/cache';
import { AppError, isAppError } from '@fiscal/kit/errors';
import type { Logger } from 'pino';
import { markStale } from '../app/stale-views.js';
import type { InvoiceQueries, InvoiceView } from '../app/upstreams.js';

export interface CachedInvoiceQueriesOptions {
  /** Memory (LRU, bounded) in embedded mode; Redis when distributed, so every replica shares it. */
  cache: Cache;
  logger: Logger;
  /** How old a view may be and still stand in for the query service while it is down. */
  retainMs?: number;
}

const defaultRetainMs = 24 * 60 * 60 * 1_000;
/** A timeout or refused connection says nothing of when to retry; the breaker's half-open delay is a fair guess. */
const defaultRetryAfterSeconds = 5;

/**
 * The fallback of the read path: every invoice read from the query service is remembered, and
 * while the query service is unavailable (breaker open, timeout, refused connection) the last view
 * read is served instead of a 503, marked stale. An invoice never read before still gets the 503, with its
 * Retry-After. Answers that are the service's own (not found, invalid) pass through untouched.
 */
export function createCachedInvoiceQueries(
  inner: InvoiceQueries,
  options: CachedInvoiceQueriesOptions,
): InvoiceQueries {
  const { cache, logger } = options;
  const retainMs = options.retainMs ?? defaultRetainMs;
  const keyOf = (orgId: string, id: string) => `invoice-view:${orgId}:${id}`;

  return {
    ...inner,
    async get(requester, id) {
      const key = keyOf(requester.caller.orgId, id);
      try {
        const view = await inner.get(requester, id);
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
  };
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
