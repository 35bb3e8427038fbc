import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../domain/index.js';
import { actorOf, eventsOf, type MemoryAuth, startMemoryAuth } from '../testing/memory-auth.js';
import { manageUsersHandlers } from './manage-users.js';
import { refreshHandler } from './refresh.js';

describe('managing users', () => {
  let auth: MemoryAuth;
  let admin: Actor;
  let users: ReturnType<typeof manageUsersHandlers>;

  beforeEach(async () => {
    auth = await startMemoryAuth();
    await auth.addOrganization('org_acme');
    admin = actorOf(await auth.addUser('org_acme', 'admin@acme.test', 'admin-password', 'admin'));
    users = manageUsersHandlers(auth.context);
  });

  it('creates a user with its event; an email is taken whatever its case', async () => {
    const user = await users.createUser(admin, {
      orgId: '',
      email: 'Viewer@Acme.test',
      password: 'viewer-password',
      role: 'viewer',
    });

    expect(user).toMatchObject({ orgId: 'org_acme', email: 'viewer@acme.test', status: 'active' });
    expect(eventsOf(auth.store, 'auth.user.created').at(-1)).toMatchObject({
      subject: user.id,
      tenant: 'org_acme',
      data: { userId: user.id, orgId: 'org_acme', role: 'viewer' },
    });
    await expect(
      users.createUser(admin, {
        orgId: '',
        email: 'VIEWER@acme.test',
        password: 'another-one',
        role: 'viewer',
      }),
    ).rejects.toMatchObject({ code: 'email_taken' });
    await expect(
      users.createUser(admin, {
        orgId: 'org_none',
        email: 'x@none.test',
        password: 'password-x',
        role: 'viewer',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('suspending a user ends their refresh tokens; an admin does not suspend themselves', async () => {
    const leaver = await auth.addUser('org_acme', 'leaver@acme.test', 'leaver-password', 'analyst');
    const { refreshToken } = await auth.login('leaver@acme.test', 'leaver-password');

    await users.setUserStatus(admin, { orgId: 'org_acme', userId: leaver.id, status: 'suspended' });

    await expect(refreshHandler(auth.tokenDependencies)(refreshToken)).rejects.toMatchObject({
      code: 'invalid_refresh_token',
    });
    await expect(
      users.setUserStatus(admin, { orgId: 'org_acme', userId: admin.subject, status: 'suspended' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      users.setUserStatus(admin, { orgId: 'org_acme', userId: 'usr_none', status: 'suspended' }),
    ).rejects.toMatchObject({ code: 'user_not_found' });
  });
});
