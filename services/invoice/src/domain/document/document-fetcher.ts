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

const publicCauses: Record<DownloadFailureCode, (failure: DocumentDownloadError) => string> = {
  http_status: ({ status }) =>
    status === undefined ? 'the server answered an error' : `the server answered ${status}`,
  too_large: () => 'it is larger than the limit',
  too_many_redirects: () => 'it was redirected too many times',
  forbidden_address: () => 'the address is not allowed',
  unsupported_scheme: () => 'only http and https URLs are supported',
  invalid_url: () => 'the URL is not valid',
  timeout: () => 'the server did not answer in time',
  network: () => 'the server could not be reached',
  circuit_open: () => 'the server keeps failing, so it is not called for a while',
  bulkhead_full: () => 'too many downloads are waiting',
};

/**
 * What the client is told about a failed download: its cause in general terms and the status the
 * server answered, never what only we can see from inside (addresses, DNS answers, where a redirect
 * led, sizes, limits). The error's own message has those details, for the log.
 */
export function describeDownloadFailure(failure: DocumentDownloadError): string {
  return `The document could not be downloaded: ${publicCauses[failure.code](failure)}`;
}
