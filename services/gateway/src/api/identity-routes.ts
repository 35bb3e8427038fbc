import type { JwksKeyStore } from '@fiscal/kit/auth';
import type { Cache } from '@fiscal/kit/cache';
import type { FastifyInstance } from 'fastify';
import type { CallerResolver } from '../app/caller.js';
import type { Identity } from '../app/identity.js';
import { registerAccountRoutes } from './account-routes.js';
import { registerAuthRoutes } from './auth-routes.js';

export interface IdentityRoutesDependencies {
  identity: Identity;
  callers: CallerResolver;
  keys: JwksKeyStore;
  revocations: Cache;
  now: () => number;
  onApiKeyRevoked: (keyId: string) => Promise<void>;
}

/** Authentication, users, API keys and organisations: the auth service's public face. */
export function registerIdentityRoutes(app: FastifyInstance, dependencies: IdentityRoutesDependencies): void {
  app.register(async (identityRoutes) => {
    // JSON only: Fastify's default text/plain parser would hand a JSON route a string instead of a 415.
    identityRoutes.removeContentTypeParser('text/plain');
    registerAuthRoutes(identityRoutes, dependencies);
    registerAccountRoutes(identityRoutes, dependencies);
  });
}
