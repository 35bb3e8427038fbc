import type { FastifyInstance } from 'fastify';

/**
 * Every 401 names the scheme to authenticate with (RFC 9110 §11.6.1); when credentials were sent
 * and refused, it says so (RFC 6750 §3.1).
 */
export function installAuthenticationChallenge(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 401 && !reply.hasHeader('www-authenticate')) {
      const refused = request.headers.authorization === undefined ? '' : ', error="invalid_token"';
      reply.header('www-authenticate', `Bearer realm="fiscal"${refused}`);
    }
    return payload;
  });
}
