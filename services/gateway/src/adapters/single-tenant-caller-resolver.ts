import type { Caller, CallerResolver } from '../app/caller.js';

/**
 * Until the auth service verifies credentials at the gateway, every request acts for one
 * organisation. The port stays the same when tokens and API keys replace this adapter.
 */
export function createSingleTenantCallerResolver(orgId: string): CallerResolver {
  return { resolve: async (): Promise<Caller> => ({ orgId }) };
}
