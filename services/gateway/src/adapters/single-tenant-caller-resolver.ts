import { allScopes, type Caller, type CallerResolver } from '../app/caller.js';

/**
 * Every request acts as the administrator of one organisation: for tests of routes alone. Upstreams
 * that verify credentials get `credential` (a token from the test's own issuer), or nothing.
 */
export function createSingleTenantCallerResolver(orgId: string, credential = ''): CallerResolver {
  const caller: Caller = {
    orgId,
    subject: 'usr_single_tenant',
    kind: 'user',
    role: 'admin',
    scopes: allScopes,
    tier: 'enterprise',
    platformAdmin: false,
    credential,
  };
  return { resolve: async () => caller };
}
