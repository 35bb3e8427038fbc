import {
  type BreakerOptions,
  createPolicy,
  createPolicyRegistry,
  isTransientError,
  type Policy,
  PolicyRejection,
  type RetryOptions,
} from '@fiscal/kit/resilience';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import { DocumentDownloadError, type DocumentFetcher } from '../domain/document/index.js';

export interface ResilientDocumentFetcherOptions {
  fetcher: DocumentFetcher;
  /** Prometheus registry for the policies' metrics and `document_download_seconds`. */
  registry: Registry;
  logger?: Logger;
  /** Downloads running at once in this worker, whatever their host. */
  concurrency?: number;
  /** Downloads waiting for one of those slots; the next one fails at once with `bulkhead_full`. */
  queue?: number;
  /** Downloads running at once against one host. */
  perHostConcurrency?: number;
  /** Downloads waiting for one of a host's slots. */
  perHostQueue?: number;
  /** Per host, for transient failures only. */
  retry?: RetryOptions;
  /** Per host: consecutive failed downloads (each after its retries) that open the circuit. */
  breaker?: BreakerOptions;
  /** Deadline of each attempt once it has a slot; the fetcher's own connect/header/body limits apply too. */
  timeoutMs?: number;
}

type Outcome = 'success' | 'cancelled' | 'error' | DocumentDownloadError['code'];

const histogramsByRegistry = new WeakMap<Registry, Histogram<'outcome'>>();

function downloadSeconds(registry: Registry): Histogram<'outcome'> {
  let histogram = histogramsByRegistry.get(registry);
  if (!histogram) {
    histogram = new Histogram({
      name: 'document_download_seconds',
      help: 'Document downloads by outcome (success or failure code), queueing and retries included.',
      labelNames: ['outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    });
    histogramsByRegistry.set(registry, histogram);
  }
  return histogram;
}

/**
 * Wraps a fetcher in the kit's policies, outermost first:
 * - per host (`document-host:<host>`): bulkhead → breaker → retry, so a host's waiting downloads
 *   queue in its own bulkhead, a failing host fails fast once its circuit opens, and back-off waits
 *   happen before a worker slot is taken;
 * - worker-wide (`document-download`): bulkhead → timeout around each attempt, so at most
 *   `concurrency` downloads are in flight and the deadline counts transfer time, not queueing.
 * A slow host can therefore hold at most `perHostConcurrency` worker slots; the rest stay free for
 * the other hosts.
 */
export function createResilientDocumentFetcher(options: ResilientDocumentFetcherOptions): DocumentFetcher {
  const {
    fetcher,
    registry,
    logger,
    concurrency = 25,
    queue = 250,
    perHostConcurrency = 8,
    perHostQueue = 100,
    retry = { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 5_000 },
    breaker = { consecutiveFailures: 5, halfOpenAfterMs: 30_000 },
    timeoutMs,
  } = options;
  const worker = createPolicy({
    name: 'document-download',
    registry,
    bulkhead: { limit: concurrency, queue },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const hosts = createPolicyRegistry({
    name: 'document-host',
    registry,
    bulkhead: { limit: perHostConcurrency, queue: perHostQueue },
    breaker,
    retry,
    isTransient: (error) => isHostFailure(error, worker),
  });
  const duration = downloadSeconds(registry);

  return {
    async fetch(url, signal) {
      const host = hostOf(url);
      // A URL without a host fails in the fetcher at once; it has no upstream to protect.
      if (host === undefined) return fetcher.fetch(url, signal);
      const policy = hosts.forKey(host);
      const stopTimer = duration.startTimer();
      const stateBefore = policy.breakerState;
      try {
        const document = await policy.execute(
          (hostSignal) => worker.execute((attemptSignal) => fetcher.fetch(url, attemptSignal), hostSignal),
          signal,
        );
        stopTimer({ outcome: 'success' });
        return document;
      } catch (error) {
        const failure = signal?.aborted ? error : asDownloadError(error, url);
        stopTimer({ outcome: outcomeOf(failure, signal) });
        if (stateBefore !== 'open' && policy.breakerState === 'open') {
          logger?.warn({ host, code: codeOf(failure) }, 'document host keeps failing; its circuit is open');
        }
        throw failure;
      }
    },
  };
}

/**
 * What the per-host retry and breaker count as the host failing: a transient download error, or the
 * worker-wide deadline cutting an attempt short. The worker bulkhead being full says this worker is
 * busy, not that the host is sick, so it is neither retried nor held against the host.
 */
function isHostFailure(error: unknown, worker: Policy): boolean {
  if (error instanceof DocumentDownloadError) return !error.permanent;
  if (error instanceof PolicyRejection && error.policy === worker.name) return error.code === 'timeout';
  return isTransientError(error);
}

function asDownloadError(error: unknown, url: string): unknown {
  if (!(error instanceof PolicyRejection)) return error;
  return new DocumentDownloadError(error.code, error.message, false, { url, cause: error });
}

function outcomeOf(error: unknown, signal: AbortSignal | undefined): Outcome {
  if (signal?.aborted) return 'cancelled';
  return error instanceof DocumentDownloadError ? error.code : 'error';
}

function codeOf(error: unknown): string | undefined {
  return error instanceof DocumentDownloadError ? error.code : undefined;
}

/** `host[:port]`, lower-cased by URL parsing: one breaker per upstream, not per document. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}
