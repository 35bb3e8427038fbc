import type { Interceptor } from '@connectrpc/connect';
import type { Logger } from 'pino';
import { errorInterceptor } from './error-interceptor.js';
import { retryRefusedStreams } from './refused-streams.js';
import { clientTraceInterceptor, serverTraceInterceptor } from './trace-interceptors.js';

/**
 * The first interceptor is the outermost. Tracing wraps error mapping so the span records the
 * status the client receives and the error log line carries the span's trace id.
 */
export function serverInterceptors(logger: Logger, extra: Interceptor[] = []): Interceptor[] {
  return [serverTraceInterceptor(), errorInterceptor(logger), ...extra];
}

/** Refused streams are retried inside the client span, so one call is one span however it went. */
export function clientInterceptors(extra: Interceptor[] = []): Interceptor[] {
  return [clientTraceInterceptor(), retryRefusedStreams(), ...extra];
}
