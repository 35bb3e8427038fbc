import { describe, expect, it } from 'vitest';
import { eventsOf, startMemoryAuth } from '../testing/memory-auth.js';
import { bootstrapAdmin } from './bootstrap-admin.js';

describe('bootstrap administrator', () => {
  it('on a first start creates an enterprise organisation and a platform administrator, once', async () => {
    const auth = await startMemoryAuth();
    const announced: string[] = [];
    const options = { email: 'Root@Example.test', announce: (text: string) => announced.push(text) };

    // Replicas starting together: both see no users, one creates the administrator.
    const created = await Promise.all([
      bootstrapAdmin(auth.context, options),
      bootstrapAdmin(auth.context, options),
    ]);

    expect(created.filter((id) => id !== undefined)).toHaveLength(1);
    const [admin] = await auth.store.identities.listUsers(undefined);
    expect(admin).toMatchObject({ email: 'root@example.test', role: 'admin', platformAdmin: true });
    expect(await auth.store.identities.findOrganization(admin!.orgId)).toMatchObject({ tier: 'enterprise' });
    expect(eventsOf(auth.store, 'auth.user.created')).toHaveLength(1);
    // Generated, shown once (stdout, not the log), and the one that signs in.
    expect(announced).toHaveLength(1);
    const password = /password (\S+)/.exec(announced[0]!)?.[1];
    expect(announced[0]).not.toContain('also in');
    const credentials = await auth.store.identities.findUserByEmail('root@example.test');
    expect(await auth.context.passwords.verify(credentials!.passwordHash, password!)).toBe(true);
  });

  it('keeps a generated password where it is told to, and says where', async () => {
    const auth = await startMemoryAuth();
    const kept: string[] = [];
    const announced: string[] = [];
    await bootstrapAdmin(auth.context, {
      keepPassword: async (password) => {
        kept.push(password);
        return '/data/initial-admin-password';
      },
      announce: (text) => announced.push(text),
    });

    expect(kept).toHaveLength(1);
    expect(announced).toEqual([
      `Fiscal administrator created: admin@localhost / password ${kept[0]} (also in /data/initial-admin-password)\n`,
    ]);
  });

  it('creates nobody when users exist, and shows nothing for a configured password', async () => {
    const auth = await startMemoryAuth();
    const announced: string[] = [];
    const announce = (text: string) => announced.push(text);

    await bootstrapAdmin(auth.context, { password: 'correct horse battery staple', announce });
    expect(await bootstrapAdmin(auth.context, { announce })).toBeUndefined();

    expect(announced).toEqual([]);
    expect(await auth.store.identities.countUsers()).toBe(1);
  });

  it('refuses a weak password given in code, and creates nobody', async () => {
    const auth = await startMemoryAuth();
    await expect(
      bootstrapAdmin(auth.context, { password: 'Password1', announce: () => undefined }),
    ).rejects.toThrow(/^FISCAL_BOOTSTRAP_ADMIN_PASSWORD is too common/);
    expect(await auth.store.identities.countUsers()).toBe(0);
    expect(await auth.store.identities.listOrganizations()).toEqual([]);
  });
});
