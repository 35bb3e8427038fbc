import { beforeEach, describe, expect, it } from 'vitest';
import type { LoginLimiter } from '../domain/index.js';
import { actorOf, eventsOf, type MemoryAuth, startMemoryAuth } from '../testing/memory-auth.js';
import { loginHandler } from './login.js';
import { manageUsersHandlers } from './manage-users.js';

describe('login', () => {
  let auth: MemoryAuth;
  /** Seconds the limiter makes a login wait; undefined lets it through. */
  let lockedFor: number | undefined;
  const limiter: LoginLimiter = {
    attempt: async () => lockedFor,
    recordSuccess: async () => {},
  };
  const login = (email: string, password: string) =>
    loginHandler({ ...auth.tokenDependencies, limiter })({ email, password, clientIp: '10.0.0.1' });

  beforeEach(async () => {
    lockedFor = undefined;
    auth = await startMemoryAuth();
    await auth.addOrganization('org_acme');
    const admin = await auth.addUser('org_acme', 'admin@acme.test', 'admin-password', 'admin');
    await auth.addUser('org_acme', 'viewer@acme.test', 'viewer-password');
    const leaver = await auth.addUser('org_acme', 'leaver@acme.test', 'leaver-password');
    await manageUsersHandlers(auth.context).setUserStatus(actorOf(admin), {
      orgId: 'org_acme',
      userId: leaver.id,
      status: 'suspended',
    });
  });

  it('signs in with the right password, whatever the case of the email, and records the success', async () => {
    const tokens = await login('Viewer@ACME.test', 'viewer-password');

    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(tokens.refreshToken).toMatch(/^frt_/);
    expect(await auth.verify(tokens.accessToken)).toMatchObject({
      org: 'org_acme',
      role: 'viewer',
      scopes: ['invoices:read', 'reports:read'],
      tier: 'pro',
      jti: tokens.accessTokenId,
    });
    expect(eventsOf(auth.store, 'auth.login.succeeded')).toEqual([
      expect.objectContaining({ tenant: 'org_acme', data: expect.objectContaining({ ip: '10.0.0.1' }) }),
    ]);
  });

  it.each([
    ['an unknown email', 'ghost@acme.test', 'whatever-it-is', 'unknown_account', 'none'],
    ['a wrong password', 'viewer@acme.test', 'wrong password', 'wrong_password', 'org_acme'],
    ['a suspended account', 'leaver@acme.test', 'leaver-password', 'suspended', 'org_acme'],
  ])('refuses %s as invalid_credentials and records why', async (_case, email, password, reason, tenant) => {
    await expect(login(email, password)).rejects.toMatchObject({ code: 'invalid_credentials' });

    expect(eventsOf(auth.store, 'auth.login.failed')).toEqual([
      expect.objectContaining({ tenant, data: { email, ip: '10.0.0.1', reason } }),
    ]);
    expect(eventsOf(auth.store, 'auth.login.succeeded')).toEqual([]);
  });

  it('refuses a locked account before looking at the password, the same for unknown emails', async () => {
    lockedFor = 900;

    for (const email of ['viewer@acme.test', 'ghost@acme.test']) {
      await expect(login(email, 'viewer-password')).rejects.toMatchObject({
        code: 'login_locked',
        retryAfterSeconds: 900,
      });
    }
    const failures = eventsOf(auth.store, 'auth.login.failed');
    expect(failures.map((event) => (event.data as { reason: string }).reason)).toEqual(['locked', 'locked']);
  });
});
