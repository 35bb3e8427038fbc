import type { FastifyInstance } from 'fastify';

/**
 * Every response says `X-Content-Type-Options: nosniff`: a browser takes it as the type it
 * declares and never guesses, so JSON or an XML document that happens to look like HTML or
 * script is never run as such. On `onSend`, so errors and 404s carry it too.
 */
export function installNoSniff(app: FastifyInstance): void {
  // Callback hooks: an async one costs every response a promise for nothing to wait on.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });
}
