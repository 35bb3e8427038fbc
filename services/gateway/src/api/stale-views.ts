import type { FastifyInstance } from 'fastify';
import { isStale } from '../app/stale-views.js';

/** A view served from memory while its source was down says so: `X-Fiscal-Stale: true`. */
export function installStaleViewHeader(app: FastifyInstance): void {
  app.addHook('preSerialization', (_request, reply, payload, done) => {
    if (isStale(payload)) reply.header('x-fiscal-stale', 'true');
    done(null, payload);
  });
}
