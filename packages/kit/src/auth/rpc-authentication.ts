import { createContextKey, type HandlerContext, type Interceptor } from '@connectrpc/connect';
import { AppError } from '../errors/index.js';
import { type AccessTokenVerifier, unauthenticated, type VerifiedCaller } from './access-token-verifier.js';

const verifiedCallerKey = createContextKey<VerifiedCaller | undefined>(undefined, {
  description: 'the caller whose access token the service verified',
});

const longestToken = 8_192;
const bearerPattern = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i;

export interface RpcAuthenticationOptions {
  verifier: AccessTokenVerifier;
  /**
   * Procedures anyone may call (`fiscal.auth.v1.AuthService/Login`). A token they carry is still
   * verified and, when valid, known to the handler; an invalid one is ignored there.
   */
  anonymous?: readonly string[];
}

/**
 * Server side: every call must carry `authorization: Bearer <access token>`, verified against the
 * auth service's keys before the handler runs. Handlers then act for `rpcCallerOf(context)`, never
 * for an organisation or actor named in the request, so a caller that reaches the service's port
 * directly can do no more than its own token allows. The host installs it in front of every
 * service it runs; a host that forgot would fail closed, since `rpcCallerOf` finds no caller.
 */
export function authenticateRpcCallers(options: RpcAuthenticationOptions): Interceptor {
  const anonymous = new Set(options.anonymous ?? []);
  return (next) => async (request) => {
    const token = bearerTokenOf(request.header.get('authorization'));
    if (anonymous.has(`${request.service.typeName}/${request.method.name}`)) {
      if (token !== undefined) {
        const caller = await options.verifier.verify(token).catch(() => undefined);
        request.contextValues.set(verifiedCallerKey, caller);
      }
      return next(request);
    }
    if (token === undefined) throw unauthenticated("This call needs the caller's access token.");
    request.contextValues.set(verifiedCallerKey, await options.verifier.verify(token));
    return next(request);
  };
}

/** The verified caller of the call, holding `scope` when one is named. */
export function rpcCallerOf(context: HandlerContext, scope?: string): VerifiedCaller {
  const caller = context.values.get(verifiedCallerKey);
  if (!caller) throw unauthenticated("This call needs the caller's access token.");
  if (scope !== undefined && !(caller.scopes as readonly string[]).includes(scope)) {
    throw new AppError('forbidden', 'insufficient_scope', `This call needs the ${scope} scope.`);
  }
  return caller;
}

/** The caller of an anonymous call that also carried a valid token, if it did. */
export function optionalRpcCallerOf(context: HandlerContext): VerifiedCaller | undefined {
  return context.values.get(verifiedCallerKey);
}

/** Call options that carry `token` to the callee, for `client.method(request, { headers: bearerHeader(token) })`. */
export function bearerHeader(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

function bearerTokenOf(header: string | null): string | undefined {
  if (header === null || header.length > longestToken) return undefined;
  return bearerPattern.exec(header)?.[1];
}
