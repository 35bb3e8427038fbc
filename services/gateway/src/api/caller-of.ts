import { AppError } from '@fiscal/kit/errors';
import { extendLogContext } from '@fiscal/kit/log';
import type { FastifyRequest } from 'fastify';
import type { Caller, CallerResolver, Scope } from '../app/caller.js';
import { chargeCallerQuota } from './rate-limits.js';

/**
 * The caller of a request, allowed `scope` and within its quota (charged even when the scope is
 * missing: a refused request still costs the gateway); also the tenant and subject of everything
 * the request logs.
 */
export type CallerOf = (request: FastifyRequest, scope: Scope) => Promise<Caller>;

export function createCallerOf(callers: CallerResolver): CallerOf {
  return async (request, scope) => {
    const caller = await callers.resolve(request.headers);
    extendLogContext({ tenant: caller.orgId, subject: caller.subject });
    await chargeCallerQuota(request, caller);
    if (!caller.scopes.includes(scope)) {
      throw new AppError('forbidden', 'insufficient_scope', `This route needs the ${scope} scope.`);
    }
    return caller;
  };
}
