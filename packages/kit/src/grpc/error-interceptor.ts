import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { isAppError } from '../errors/index.js';
import { toConnectError } from './error-mapping.js';
import { observeResponse } from './response-end.js';

/**
 * Server side: an AppError becomes the ConnectError `fromConnectError` rebuilds on the client; a
 * ConnectError raised on purpose passes through; anything else is a bug, logged here once with the
 * trace id and answered as a bare Internal, so no message, stack or SQL leaks to the caller.
 */
export function errorInterceptor(logger: Logger): Interceptor {
  return (next) => (request) => {
    const procedure = `${request.service.typeName}/${request.method.name}`;
    const mapError = (error: unknown): unknown => {
      if (isAppError(error)) return toConnectError(error);
      if (error instanceof ConnectError) return error;
      const spanContext = trace.getActiveSpan()?.spanContext();
      logger.error(
        { err: error, procedure, trace_id: spanContext?.traceId, span_id: spanContext?.spanId },
        'unexpected error in gRPC handler',
      );
      return new ConnectError('internal error', Code.Internal);
    };
    return observeResponse(next(request), { mapError, onEnd: () => undefined });
  };
}
