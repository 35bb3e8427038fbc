import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { docsPrefix } from './openapi.js';

/** The route that serves an archived original as it was uploaded. */
export const invoiceDocumentRoute = '/api/v1/invoices/:id/document';

/**
 * An uploaded document is data to save, never a page of the API's origin: even opened in a
 * browser it runs no script, loads nothing, and has an opaque origin of its own.
 */
export const invoiceDocumentPolicy = "sandbox; default-src 'none'";

/**
 * Swagger UI as the gateway serves it: its own scripts and styles only (no inline ones, no CDN),
 * images of its own or inlined as data: URLs (its logo and icons), requests to this API only,
 * and never inside a frame (so no page can overlay it to steal clicks).
 */
export const docsPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** An id as it may appear in a quoted filename: anything else becomes `_`. */
const unsafeInFilename = /[^A-Za-z0-9._-]/g;

/**
 * Headers that keep browsers from mistaking the API's answers for something else, keyed on the
 * route. `X-Content-Type-Options: nosniff` is set for every response by the shared HTTP server.
 *
 * - Every `/api/` answer is `Cache-Control: no-store` unless its route chose a policy of its own
 *   (the public signing keys are cacheable): tokens, API keys and webhook secrets travel in
 *   bodies, and invoices are tax data; no shared or browser cache may keep any of it.
 * - The archived document is an attachment, under a sandboxing CSP.
 * - The documentation under `/docs` runs under a CSP that allows its own assets and nothing
 *   else, and may not be framed (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for
 *   browsers that predate it).
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
    const route = request.routeOptions.url;
    if (route === invoiceDocumentRoute) protectDocument(request, reply);
    else if (route === docsPrefix || route?.startsWith(`${docsPrefix}/`)) {
      reply.header('content-security-policy', docsPolicy);
      reply.header('x-frame-options', 'DENY');
    }
    done(null, payload);
  });
}

function protectDocument(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('content-security-policy', invoiceDocumentPolicy);
  if (reply.statusCode !== 200) return;
  const { id } = request.params as { id: string };
  reply.header('content-disposition', `attachment; filename="${id.replace(unsafeInFilename, '_')}.xml"`);
}
