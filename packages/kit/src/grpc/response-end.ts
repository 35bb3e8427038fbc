import type { StreamResponse, UnaryResponse } from '@connectrpc/connect';

export interface ResponseEndHooks {
  /** Replaces a failure with the error the caller should see. */
  mapError?(error: unknown): unknown;
  /** Runs once, when the call has finished: the unary answer arrived or the stream ended. */
  onEnd(error: unknown | undefined): void;
}

/**
 * A streaming call is not over when the interceptor's `next` resolves: its messages, and possibly
 * its failure, come later. This wraps the message stream so interceptors see the real end.
 */
export async function observeResponse<Response extends UnaryResponse | StreamResponse>(
  pending: Promise<Response>,
  hooks: ResponseEndHooks,
): Promise<Response> {
  const mapError = hooks.mapError ?? ((error: unknown) => error);
  let response: Response;
  try {
    response = await pending;
  } catch (error) {
    const mapped = mapError(error);
    hooks.onEnd(mapped);
    throw mapped;
  }
  if (!response.stream) {
    hooks.onEnd(undefined);
    return response;
  }
  const messages = response.message;
  async function* observed() {
    try {
      yield* messages;
    } catch (error) {
      const mapped = mapError(error);
      hooks.onEnd(mapped);
      throw mapped;
    }
    hooks.onEnd(undefined);
  }
  return { ...response, message: observed() };
}
