import { describe, expect, it } from 'vitest';
import type { AuthEvent, AuthStore, NewUserRecord } from '../domain/index.js';

export interface OpenedAuthStore {
  store: AuthStore;
  /** The events committed so far, oldest first. */
  committedEvents(): Promise<AuthEvent[]>;
}

export interface AuthStoreConformanceSubject {
  adapter: string;
  /** Skips the suite, with the reason in its name, when the adapter's engine is absent. */
  available?: boolean;
  /** An empty store (a migrated database, for the SQL adapters). */
  open(): Promise<OpenedAuthStore>;
}

const hour = 3_600_000;

/** The behaviour every `AuthStore` adapter promises, written once and run against each of them. */
export function runAuthStoreConformance(subject: AuthStoreConformanceSubject): void {
  describe.skipIf(subject.available === false)(`${subject.adapter} auth store conformance`, () => {
    const open = () => subject.open();
    let counter = 0;
    const userOf = (orgId: string, email: string): NewUserRecord => {
      counter += 1;
      return {
        id: `usr_${counter}`,
        orgId,
        email,
        passwordHash: 'hash',
        role: 'viewer',
        platformAdmin: false,
      };
    };

    it('keeps organisations and users; an email is taken whatever its case', async () => {
      const { store } = await open();
      const acme = await store.identities.addOrganization({ id: 'org_acme', name: 'Acme', tier: 'pro' });
      await store.identities.addOrganization({ id: 'org_other', name: 'Other', tier: 'free' });
      expect(acme).toMatchObject({ id: 'org_acme', name: 'Acme', tier: 'pro', createdAt: expect.any(Date) });

      const viewer = await store.identities.addUser(userOf('org_acme', 'viewer@acme.test'));
      expect(viewer).toMatchObject({ orgId: 'org_acme', status: 'active', platformAdmin: false });
      expect(viewer).not.toHaveProperty('passwordHash');
      expect(await store.identities.addUser(userOf('org_other', 'VIEWER@acme.test'))).toBeUndefined();
      await store.identities.addUser(userOf('org_other', 'someone@other.test'));

      expect(await store.identities.findUserByEmail('Viewer@Acme.test')).toMatchObject({
        id: viewer!.id,
        passwordHash: 'hash',
      });
      expect(await store.identities.countUsers()).toBe(2);
      expect(await store.identities.countUsers('org_acme')).toBe(1);
      expect((await store.identities.listUsers('org_acme')).map((user) => user.id)).toEqual([viewer!.id]);
      expect(await store.identities.listUsers(undefined)).toHaveLength(2);
      expect((await store.identities.listOrganizations()).map((org) => org.id)).toEqual([
        'org_acme',
        'org_other',
      ]);
    });

    it("changes a user's status only within its organisation", async () => {
      const { store } = await open();
      await store.identities.addOrganization({ id: 'org_a', name: 'A', tier: 'pro' });
      const user = await store.identities.addUser(userOf('org_a', 'leaver@a.test'));
      expect(await store.identities.setUserStatus('org_b', user!.id, 'suspended')).toBeUndefined();
      expect(await store.identities.setUserStatus('org_a', user!.id, 'suspended')).toMatchObject({
        status: 'suspended',
      });
      expect(await store.identities.findUser(user!.id)).toMatchObject({ status: 'suspended' });
    });

    it('finds a refresh token by its hash, marks it used, and revokes a family or a user once', async () => {
      const { store } = await open();
      await store.identities.addOrganization({ id: 'org_a', name: 'A', tier: 'pro' });
      const user = (await store.identities.addUser(userOf('org_a', 'tokens@a.test')))!;
      const expiresAt = new Date(Date.now() + hour);
      for (const [id, familyId] of [
        ['rtk_1', 'fam_1'],
        ['rtk_2', 'fam_1'],
        ['rtk_3', 'fam_2'],
      ] as const) {
        await store.refreshTokens.add({ id, tokenHash: `hash_${id}`, familyId, userId: user.id, expiresAt });
      }
      const now = new Date();
      await store.refreshTokens.markUsed('rtk_1', now);

      expect(await store.refreshTokens.findForUpdate('hash_rtk_1')).toEqual({
        id: 'rtk_1',
        familyId: 'fam_1',
        userId: user.id,
        expiresAt,
        usedAt: now,
        revokedAt: null,
      });
      expect(await store.refreshTokens.findForUpdate('hash_unknown')).toBeUndefined();
      expect(await store.refreshTokens.revokeFamily('fam_1', now)).toBe(2);
      expect(await store.refreshTokens.revokeFamily('fam_1', now)).toBe(0);
      await store.refreshTokens.revokeAllOfUser(user.id, now);
      expect((await store.refreshTokens.findForUpdate('hash_rtk_3'))?.revokedAt).toEqual(now);
    });

    it('clears at most the given number of expired refresh tokens, never a live one', async () => {
      const { store } = await open();
      await store.identities.addOrganization({ id: 'org_a', name: 'A', tier: 'pro' });
      const user = (await store.identities.addUser(userOf('org_a', 'expiry@a.test')))!;
      const now = new Date();
      for (let n = 0; n < 5; n++) {
        const expiresAt = new Date(now.getTime() + (n < 3 ? -hour : hour));
        await store.refreshTokens.add({
          id: `rtk_${n}`,
          tokenHash: `h${n}`,
          familyId: 'f',
          userId: user.id,
          expiresAt,
        });
      }
      await store.refreshTokens.deleteExpired(now, 2);
      const left = async () => {
        const found = await Promise.all(
          [0, 1, 2, 3, 4].map((n) => store.refreshTokens.findForUpdate(`h${n}`)),
        );
        return found.filter((token) => token !== undefined).map((token) => token.id);
      };
      expect(await left()).toHaveLength(3);
      await store.refreshTokens.deleteExpired(now, 2);
      expect(await left()).toEqual(['rtk_3', 'rtk_4']);
    });

    it('keeps API keys by the hash of their secret; revokes only its own, once, and clears the long revoked', async () => {
      const { store } = await open();
      await store.identities.addOrganization({ id: 'org_a', name: 'A', tier: 'pro' });
      const newKey = (id: string) => ({
        id,
        orgId: 'org_a',
        name: 'ERP',
        scopes: ['invoices:read' as const],
        prefix: `fsk_${id}_abcd`,
        secretHash: `secret_${id}`,
        createdBy: 'usr_admin',
      });
      const first = await store.apiKeys.add(newKey('key_1'));
      await store.apiKeys.add(newKey('key_2'));
      expect(first).toMatchObject({ id: 'key_1', scopes: ['invoices:read'], revokedAt: null });
      expect(first).not.toHaveProperty('secretHash');
      expect(await store.apiKeys.findBySecretHash('secret_key_1')).toEqual(first);

      const longAgo = new Date(Date.now() - 40 * 24 * hour);
      expect(await store.apiKeys.revoke('org_b', 'key_1', longAgo)).toBe(false);
      expect(await store.apiKeys.revoke('org_a', 'key_1', longAgo)).toBe(true);
      expect(await store.apiKeys.revoke('org_a', 'key_1', new Date())).toBe(true);
      expect((await store.apiKeys.findBySecretHash('secret_key_1'))?.revokedAt).toEqual(longAgo);
      expect(await store.apiKeys.countKept('org_a', new Date(longAgo.getTime() - hour))).toBe(2);
      expect(await store.apiKeys.countKept('org_a', new Date())).toBe(1);
      expect((await store.apiKeys.list('org_a')).map((key) => key.id)).toEqual(['key_2']);
    });

    it('rotates signing keys: one active, one previous still published, the older retired', async () => {
      const { store } = await open();
      const key = (id: string, minutes: number) => ({
        id,
        publicJwk: { kty: 'OKP', crv: 'Ed25519', x: id },
        privateKey: `sealed ${id}`,
        encrypted: false,
        createdAt: new Date(Date.UTC(2026, 10, 24, 12, minutes)),
      });
      expect(await store.signingKeys.findActive()).toBeUndefined();
      expect(await store.transaction((unit) => unit.signingKeys.rotateTo(key('sig_1', 0)))).toEqual({
        keyId: 'sig_1',
        previousKeyId: null,
      });
      await store.transaction((unit) => unit.signingKeys.rotateTo(key('sig_2', 1)));
      expect(await store.transaction((unit) => unit.signingKeys.rotateTo(key('sig_3', 2)))).toEqual({
        keyId: 'sig_3',
        previousKeyId: 'sig_2',
      });

      expect(await store.signingKeys.findActive()).toEqual({ ...key('sig_3', 2), status: 'active' });
      const published = await store.signingKeys.listPublished();
      expect(published.map(({ id, status }) => [id, status])).toEqual([
        ['sig_3', 'active'],
        ['sig_2', 'previous'],
      ]);
      expect(published[1]?.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: 'sig_2' });
    });

    it('commits a transaction’s changes with the events it raised, or neither', async () => {
      const { store, committedEvents } = await open();
      await store.identities.addOrganization({ id: 'org_a', name: 'A', tier: 'pro' });
      const created = {
        type: 'auth.user.created' as const,
        subject: 'usr_kept',
        tenant: 'org_a',
        data: { userId: 'usr_kept', orgId: 'org_a', role: 'viewer' as const },
      };
      await store.transaction(async (unit) => {
        await unit.identities.addUser({ ...userOf('org_a', 'kept@a.test'), id: 'usr_kept' });
        unit.raise(created);
      });
      const refusal = await store
        .transaction(async (unit) => {
          await unit.identities.addUser(userOf('org_a', 'lost@a.test'));
          unit.raise({ ...created, subject: 'usr_lost' });
          throw new Error('refused after the writes');
        })
        .catch((error: unknown) => error);

      expect(refusal).toMatchObject({ message: 'refused after the writes' });
      expect(await store.identities.findUserByEmail('lost@a.test')).toBeUndefined();
      expect(await store.identities.findUserByEmail('kept@a.test')).toBeDefined();
      expect(await committedEvents()).toEqual([created]);
    });

    it('lets transactions that lock an organisation count and add to it one at a time', async () => {
      const { store } = await open();
      await store.identities.addOrganization({ id: 'org_a', name: 'A', tier: 'pro' });
      const limit = 3;
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, n) =>
          store.transaction(async (unit) => {
            if (!(await unit.identities.lockOrganization('org_a'))) throw new Error('no organisation');
            if ((await unit.identities.countUsers('org_a')) >= limit) return 'full';
            await unit.identities.addUser(userOf('org_a', `racer${n}@a.test`));
            return 'added';
          }),
        ),
      );
      expect(outcomes.filter((outcome) => outcome === 'added')).toHaveLength(limit);
      expect(await store.identities.countUsers('org_a')).toBe(limit);
      expect(await store.transaction((unit) => unit.identities.lockOrganization('org_none'))).toBe(false);
    });
  });
}
