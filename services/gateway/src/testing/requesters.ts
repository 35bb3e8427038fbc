import { allScopes, type Caller, type Requester } from '../app/caller.js';

/** An administrator of `orgId` holding every scope, as the authentication hook would resolve one. */
export function testCaller(orgId = 'org_1', changes: Partial<Caller> = {}): Caller {
  return {
    orgId,
    subject: 'usr_1',
    kind: 'user',
    role: 'admin',
    scopes: allScopes,
    tier: 'enterprise',
    platformAdmin: false,
    credential: '',
    ...changes,
  };
}

export function testRequester(orgId = 'org_1', changes: Partial<Caller> = {}): Requester {
  return { caller: testCaller(orgId, changes) };
}
