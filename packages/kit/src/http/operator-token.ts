import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/index.js';
import { sendProblem } from './problem-handler.js';

export interface OperatorTokenOptions {
  /** Undefined: no token is configured, and every guarded route answers 403. */
  token: string | undefined;
  /** Routes anyone may call (probes, the Prometheus scrape). */
  openRoutes: readonly string[];
}

const bearerCredentials = /^Bearer +(\S+) *$/i;
const challenge = 'Bearer realm="fiscal-admin"';
const digestOf = (text: string) => createHash('sha256').update(text).digest();

/**
 * Requires `Authorization: Bearer <operator token>` on every route of `app` but the open ones,
 * unknown routes included, so a caller without the token learns nothing about the port.
 */
export function requireOperatorToken(app: FastifyInstance, options: OperatorTokenOptions): void {
  const expected = options.token === undefined ? undefined : digestOf(options.token);
  const open = new Set(options.openRoutes);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && open.has(route)) return;
    if (expected === undefined) return sendProblem(reply, request, operatorTokenNotConfigured());
    const presented = bearerCredentials.exec(request.headers.authorization ?? '')?.[1];
    // Digests all have one length, so comparing them takes the same time whatever was sent.
    if (presented !== undefined && timingSafeEqual(digestOf(presented), expected)) return;
    reply.header(
      'www-authenticate',
      presented === undefined ? challenge : `${challenge}, error="invalid_token"`,
    );
    return sendProblem(
      reply,
      request,
      presented === undefined
        ? new AppError(
            'unauthenticated',
            'operator_token_required',
            'This endpoint needs the operator token: Authorization: Bearer <FISCAL_ADMIN_TOKEN>.',
          )
        : new AppError('unauthenticated', 'operator_token_invalid', 'The operator token is not valid.'),
    );
  });
}

function operatorTokenNotConfigured(): AppError {
  return new AppError(
    'forbidden',
    'operator_token_not_configured',
    'No operator token is configured (FISCAL_ADMIN_TOKEN), so this process serves only /healthz, /readyz and /metrics.',
  );
}
