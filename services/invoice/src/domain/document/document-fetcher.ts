/**
 * Port: obtains a document by URL. Adapters enforce the safety limits (size cap, timeouts, bounded
 * redirects, no private addresses) and classify every failure as permanent or transient, so the
 * processor knows whether to reject the invoice or try again later.
 */
export interface DocumentFetcher {
  fetch(url: string, signal?: AbortSignal): Promise<Uint8Array>;
}

/** Why a download did not yield a document; stable codes, reported as the rejection's problem. */
export type DownloadFailureCode =
  | 'http_status' // the host answered with an error status (4xx permanent; 5xx and 429 transient)
  | 'too_large' // the body exceeds the size cap
  | 'too_many_redirects'
  | 'forbidden_address' // private, loopback or link-local target (SSRF guard)
  | 'unsupported_scheme'
  | 'invalid_url'
  | 'timeout'
  | 'network' // connection refused, reset, DNS failure
  | 'circuit_open' // the host failed repeatedly; calls fail fast for a while
  | 'bulkhead_full'; // too many downloads waiting in this worker

export class DocumentDownloadError extends Error {
  constructor(
    readonly code: DownloadFailureCode,
    message: string,
    /** True when trying again cannot help (4xx, too large, forbidden address, bad URL). */
    readonly permanent: boolean,
    readonly details: { status?: number; url?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DocumentDownloadError';
  }

  /** HTTP status of the answer, when there was one (read by the transient-error classifier). */
  get status(): number | undefined {
    return this.details.status;
  }
}
