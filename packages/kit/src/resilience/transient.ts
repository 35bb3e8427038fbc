import { isAppError } from '../errors/index.js';

/** Socket and resolver failures that say "try again", not "you asked for something wrong". */
const transientSystemCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * gRPC status codes (Connect's numeric `Code`). ResourceExhausted is in neither set: it means "too
 * many requests from you" or "payload too large", both answers about the caller's request.
 */
const connectUnavailable = 14;
const connectDeadlineExceeded = 4;
const connectUpstreamFaults = new Set([2 /* Unknown */, 13 /* Internal */, 15 /* DataLoss */]);

/** Causes nest (`fetch failed` wraps `ECONNREFUSED`); a few levels is all real errors use. */
const maximumCauseDepth = 4;

/**
 * - transient: retry, and count against the breaker (the upstream or the path to it is unwell);
 * - throttled: a foreign host asking us to slow down: retry after a pause, but it is not sick;
 * - upstream_fault: the upstream failed (internal error): count it, but the same call would fail again;
 * - caller_fault: an answer about the request: neither.
 */
type Verdict = 'transient' | 'throttled' | 'upstream_fault' | 'caller_fault';

/**
 * Whether retrying the same call later may succeed: failures of the path to the upstream or of its
 * capacity (timeouts, resets, refusals, 5xx, an HTTP 429 from a foreign host, `unavailable`). An
 * answer that says the request itself is wrong (4xx, invalid, not_found, conflict, a Fiscal
 * `rate_limited` such as a locked login) fails the same way every time, so retrying it only adds load.
 */
export function isTransientError(error: unknown): boolean {
  const verdict = classify(error, 0);
  return verdict === 'transient' || verdict === 'throttled';
}

/**
 * Whether the failure says the upstream is unwell, which is all a circuit breaker may count:
 * transport errors, deadlines, `unavailable` and internal errors (5xx, gRPC Internal/Unknown). An
 * answer about the caller's request (any 4xx, 429, `rate_limited`, `invalid`, `unauthenticated`, …)
 * never counts, or one client could open the breaker for everyone by sending refused requests.
 */
export function isUpstreamFailure(error: unknown): boolean {
  const verdict = classify(error, 0);
  return verdict === 'transient' || verdict === 'upstream_fault';
}

function classify(error: unknown, depth: number): Verdict {
  if (typeof error !== 'object' || error === null || depth > maximumCauseDepth) return 'caller_fault';
  if (isAppError(error)) {
    if (error.kind === 'unavailable') return 'transient';
    return error.kind === 'internal' ? 'upstream_fault' : 'caller_fault';
  }

  const { name, code, status, statusCode, cause } = error as Record<string, unknown>;
  const httpStatus = typeof status === 'number' ? status : statusCode;
  if (typeof httpStatus === 'number') {
    if (httpStatus >= 500) return 'transient';
    return httpStatus === 429 ? 'throttled' : 'caller_fault';
  }
  if (name === 'TimeoutError') return 'transient';
  if (name === 'ConnectError' && typeof code === 'number') {
    if (code === connectUnavailable || code === connectDeadlineExceeded) return 'transient';
    return connectUpstreamFaults.has(code) ? 'upstream_fault' : 'caller_fault';
  }
  if (typeof code === 'string' && transientSystemCodes.has(code)) return 'transient';
  return classify(cause, depth + 1);
}
