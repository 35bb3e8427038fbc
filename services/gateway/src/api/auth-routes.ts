import { revokedAccessTokenKey } from '@fiscal/contracts';
import type { JwksKeyStore } from '@fiscal/kit/auth';
import type { Cache } from '@fiscal/kit/cache';
import { clientGoneSignal } from '@fiscal/kit/http';
import type { FastifyInstance } from 'fastify';
import type { CallerResolver } from '../app/caller.js';
import type { Identity } from '../app/identity.js';
import { JsonWebKeySet, LoginBody, RefreshTokenBody, TokenPair } from './identity-schemas.js';

export interface AuthRoutesDependencies {
  identity: Identity;
  callers: CallerResolver;
  keys: JwksKeyStore;
  revocations: Cache;
  now: () => number;
}

/** A revoked token's entry outlives the token by this much, for clocks a little behind. */
const revocationMarginMs = 60_000;

/** Logging in and out, refreshing, and the keys that verify access tokens. */
export function registerAuthRoutes(app: FastifyInstance, dependencies: AuthRoutesDependencies): void {
  const { identity, callers, keys, revocations, now } = dependencies;

  app.post<{ Body: LoginBody }>(
    '/api/v1/auth/login',
    {
      config: { problems: ['unauthenticated'] },
      schema: {
        operationId: 'logIn',
        summary: 'Log in with an email and password',
        body: LoginBody,
        response: { 200: TokenPair },
      },
    },
    // The client address lets the auth service throttle and lock out repeated failures.
    async (request) => identity.login(request.body.email, request.body.password, request.ip),
  );

  app.post<{ Body: RefreshTokenBody }>(
    '/api/v1/auth/refresh',
    {
      config: { problems: ['unauthenticated'] },
      schema: {
        operationId: 'refreshTokens',
        summary: 'Trade a refresh token for a new token pair',
        body: RefreshTokenBody,
        response: { 200: TokenPair },
      },
    },
    async (request) => identity.refresh(request.body.refreshToken),
  );

  app.post<{ Body: RefreshTokenBody }>(
    '/api/v1/auth/logout',
    {
      // A bearer token that does not verify is refused, as on any route.
      config: { problems: ['unauthenticated'] },
      schema: {
        operationId: 'logOut',
        summary: 'End a login: revoke its refresh tokens and the access token sent with the call',
        body: RefreshTokenBody,
        response: { 204: { type: 'null', description: 'Logged out' } },
      },
    },
    async (request, reply) => {
      const caller = await callers.resolve(request.headers);
      const accessToken = caller.accessToken;
      await identity.logout(request.body.refreshToken, { caller, signal: clientGoneSignal(reply) });
      if (accessToken) {
        // The auth service records the revocation too; writing it here as well means this
        // gateway refuses the token from its next request, whatever the auth service does with it.
        const ttlMs = accessToken.expiresAtSeconds * 1_000 - now() + revocationMarginMs;
        if (ttlMs > 0) await revocations.set(revokedAccessTokenKey(accessToken.id), true, ttlMs);
      }
      return reply.code(204).send();
    },
  );

  const keySetRoutes = [
    { url: '/.well-known/jwks.json', operationId: 'getSigningKeys' },
    { url: '/api/v1/.well-known/jwks.json', operationId: 'getSigningKeysUnderApi' },
  ];
  for (const { url, operationId } of keySetRoutes) {
    const summary = 'The public keys that verify access tokens (JWKS)';
    app.get(
      url,
      { schema: { operationId, summary, response: { 200: JsonWebKeySet } } },
      async (_request, reply) => {
        const document = await keys.document();
        return reply.header('cache-control', 'public, max-age=300').send(document);
      },
    );
  }
}
