import type { FastifyInstance } from 'fastify';
import { isStale } from '../app/stale-views.js';

/** A view served from memory while its source was down says so: `X-Fiscal-Stale: true`. */
export function installStaleViewHeader(app: FastifyInstance): void {
  app.addHook('preSerialization', async (_request, reply, payload) => {
    if (isStale(payload)) reply.header('x-fiscal-stale', 'true');
    return payload;
  });
}
