import type { FastifyReply } from 'fastify';
import { AppError } from '../errors/index.js';

/**
 * A signal that aborts when the client goes away before its answer is written, so the work done on
 * its behalf (an upstream call, a bulkhead slot) stops instead of serving nobody.
 */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const response = reply.raw;
  const abortIfGone = () => {
    if (!response.writableFinished) {
      controller.abort(new AppError('unavailable', 'client_closed_request', 'The client went away.'));
    }
  };
  // Asked for late (on first use), the client may already have gone.
  if (response.destroyed) abortIfGone();
  else response.once('close', abortIfGone);
  return controller.signal;
}
