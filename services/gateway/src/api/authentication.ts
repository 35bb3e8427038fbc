import { AppError, isAppError } from '@fiscal/kit/errors';
import { clientGoneSignal } from '@fiscal/kit/http';
import { extendLogContext } from '@fiscal/kit/log';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallerResolver, Requester, Scope } from '../app/caller.js';
import { chargeAnonymousQuota, chargeCallerQuota } from './rate-limits.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route needs; a route without one is open to anyone (login, key set, docs). */
    scope?: Scope;
  }
  interface FastifyRequest {
    requester?: Requester;
  }
}

/**
 * Authentication comes first: a route that names a scope resolves its caller when the request
 * arrives, before a byte of its body is read or validated, so an anonymous client can neither make
 * the gateway parse 16 MiB nor learn a route's schema. The caller is then charged its quota (even
 * when the scope is missing: a refused request still costs the gateway), and credentials that fail
 * are charged to the client address, so guessing tokens is throttled like logging in.
 * Install before registering routes.
 */
export function installAuthentication(app: FastifyInstance, callers: CallerResolver): void {
  app.addHook('onRequest', async (request, reply) => {
    const scope = request.routeOptions.config.scope;
    if (scope === undefined) return;
    let caller: Requester['caller'];
    try {
      caller = await callers.resolve(request.headers);
    } catch (error) {
      if (isAppError(error) && error.kind === 'unauthenticated') await chargeAnonymousQuota(request);
      throw error;
    }
    extendLogContext({ tenant: caller.orgId, subject: caller.subject });
    await chargeCallerQuota(request, caller);
    if (!caller.scopes.includes(scope)) {
      throw new AppError('forbidden', 'insufficient_scope', `This route needs the ${scope} scope.`);
    }
    let signal: AbortSignal | undefined;
    request.requester = {
      caller,
      // Made on first use: a read answered from the gateway's memory never needs one.
      get signal() {
        signal ??= clientGoneSignal(reply);
        return signal;
      },
    };
  });
}

/** The authenticated requester of a route that names a scope. */
export function requesterOf(request: FastifyRequest): Requester {
  if (!request.requester) {
    throw new AppError('internal', 'route_without_scope', `${request.routeOptions.url} names no scope.`);
  }
  return request.requester;
}
