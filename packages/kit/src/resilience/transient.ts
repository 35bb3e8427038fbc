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
 * gRPC status codes (Connect's numeric `Code`) that a retry may cure. ResourceExhausted is left out:
 * it also means "payload too large", which no retry cures; `fromConnectError` tells the two apart.
 */
const connectUnavailable = 14;
const connectDeadlineExceeded = 4;

/** Causes nest (`fetch failed` wraps `ECONNREFUSED`); a few levels is all real errors use. */
const maximumCauseDepth = 4;

/**
 * Whether retrying the same call later may succeed. Only failures of the path to the upstream or of
 * its capacity qualify (timeouts, resets, refusals, 5xx, 429, `unavailable`); an answer that says the
 * request itself is wrong (4xx, invalid, not_found, conflict, …) fails the same way every time, so
 * retrying it only adds load.
 */
export function isTransientError(error: unknown): boolean {
  return isTransientAtDepth(error, 0);
}

function isTransientAtDepth(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > maximumCauseDepth) return false;
  if (isAppError(error)) return error.kind === 'unavailable' || error.kind === 'rate_limited';

  const { name, code, status, statusCode, cause } = error as Record<string, unknown>;
  const httpStatus = typeof status === 'number' ? status : statusCode;
  if (typeof httpStatus === 'number') return httpStatus >= 500 || httpStatus === 429;
  if (name === 'TimeoutError') return true;
  if (name === 'ConnectError' && typeof code === 'number') {
    return code === connectUnavailable || code === connectDeadlineExceeded;
  }
  if (typeof code === 'string' && transientSystemCodes.has(code)) return true;
  return isTransientAtDepth(cause, depth + 1);
}
