import { allScopes, type Caller, type CallerResolver } from '../app/caller.js';

/** Every request acts as the administrator of one organisation: for tests of routes alone. */
export function createSingleTenantCallerResolver(orgId: string): CallerResolver {
  const caller: Caller = {
    orgId,
    subject: 'usr_single_tenant',
    kind: 'user',
    role: 'admin',
    scopes: allScopes,
    tier: 'enterprise',
    platformAdmin: false,
  };
  return { resolve: async () => caller };
}
