import { ConnectError, type Interceptor } from '@connectrpc/connect';

/** Tries of a call the server refused before reading it; more means the server is not coming back soon. */
const attemptsWhenRefused = 3;

/**
 * A server that is shutting down, or a load balancer closing an idle connection, sends GOAWAY;
 * calls already on their way over that connection come back REFUSED_STREAM: the server never read
 * them, so sending them again on a new connection is safe whatever they do. (gRPC clients call this
 * a transparent retry.) Connect reports them as internal errors, which the caller would otherwise
 * take for a fault of the service.
 */
export function retryRefusedStreams(): Interceptor {
  return (next) => async (request) => {
    if (request.stream) return next(request);
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(request);
      } catch (error) {
        if (attempt >= attemptsWhenRefused || request.signal.aborted || !wasRefused(error)) throw error;
      }
    }
  };
}

function wasRefused(error: unknown): boolean {
  const cause = error instanceof ConnectError ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : '';
  return code === 'ERR_HTTP2_STREAM_ERROR' && message.includes('NGHTTP2_REFUSED_STREAM');
}
