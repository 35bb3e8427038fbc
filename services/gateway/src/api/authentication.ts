import { AppError, isAppError } from '@fiscal/kit/errors';
import { clientGoneSignal } from '@fiscal/kit/http';
import { extendLogContext } from '@fiscal/kit/log';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
  // A callback hook: once the caller is known, a quota charged in memory and the scope check cost
  // no further promise.
  app.addHook('onRequest', (request, reply, done) => {
    const scope = request.routeOptions.config.scope;
    if (scope === undefined) {
      done();
      return;
    }
    callers.resolve(request.headers).then(
      (caller) => {
        try {
          const charging = admit(request, reply, caller, scope);
          if (charging) charging.then(() => done(), done);
          else done();
        } catch (error) {
          done(error as Error);
        }
      },
      (error: unknown) => {
        if (!(isAppError(error) && error.kind === 'unauthenticated')) {
          done(error as Error);
          return;
        }
        chargeAnonymousQuota(request).then(
          () => done(error),
          (refusal: Error) => done(refusal),
        );
      },
    );
  });
}

/**
 * Charges a known caller's quota (even when the scope is missing: a refused request still costs the
 * gateway) and checks the route's scope; a promise only when the quota could not be decided at once.
 */
function admit(
  request: FastifyRequest,
  reply: FastifyReply,
  caller: Requester['caller'],
  scope: Scope,
): Promise<void> | undefined {
  extendLogContext({ tenant: caller.orgId, subject: caller.subject });
  const grant = () => {
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
  };
  const charging = chargeCallerQuota(request, caller);
  if (charging) return charging.then(grant);
  grant();
  return undefined;
}

/** The authenticated requester of a route that names a scope. */
export function requesterOf(request: FastifyRequest): Requester {
  if (!request.requester) {
    throw new AppError('internal', 'route_without_scope', `${request.routeOptions.url} names no scope.`);
  }
  return request.requester;
}
