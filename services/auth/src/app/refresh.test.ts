import { beforeEach, describe, expect, it } from 'vitest';
import {
  actorOf,
  eventsOf,
  type MemoryAuth,
  refreshTokenTtlMs,
  startMemoryAuth,
} from '../testing/memory-auth.js';
import { createAccessTokens } from './access-tokens.js';
import { manageUsersHandlers } from './manage-users.js';
import { refreshHandler } from './refresh.js';

describe('refresh', () => {
  let auth: MemoryAuth;
  const refresh = (token: string) => refreshHandler(auth.tokenDependencies)(token);
  const login = () => auth.login('analyst@acme.test', 'analyst-password');

  beforeEach(async () => {
    auth = await startMemoryAuth();
    await auth.addOrganization('org_acme');
    await auth.addUser('org_acme', 'analyst@acme.test', 'analyst-password', 'analyst');
  });

  it('trades a refresh token for a new pair once', async () => {
    const first = await login();
    const second = await refresh(first.refreshToken);

    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await auth.verify(second.accessToken)).toMatchObject({ role: 'analyst' });
    await expect(refresh(second.refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('revokes the whole family when a used token comes back, and records the reuse', async () => {
    const first = await login();
    const second = await refresh(first.refreshToken);

    await expect(refresh(first.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
    // The legitimate holder's newer token died with the family.
    await expect(refresh(second.refreshToken)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
    expect(eventsOf(auth.store, 'auth.token.revoked')).toEqual([
      expect.objectContaining({
        tenant: 'org_acme',
        data: expect.objectContaining({ reason: 'reuse_detected' }),
      }),
    ]);
  });

  it.each([
    ['an unknown token', async () => 'frt_unknown'],
    ['an empty token', async () => ''],
    [
      'an expired token',
      async () => {
        const { refreshToken } = await login();
        auth.advance(refreshTokenTtlMs);
        return refreshToken;
      },
    ],
    [
      "a suspended user's token",
      async () => {
        const { refreshToken } = await login();
        const admin = await auth.addUser('org_acme', 'admin@acme.test', 'admin-password', 'admin');
        const analyst = await auth.store.identities.findUserByEmail('analyst@acme.test');
        await manageUsersHandlers(auth.context).setUserStatus(actorOf(admin), {
          orgId: 'org_acme',
          userId: analyst!.id,
          status: 'suspended',
        });
        return refreshToken;
      },
    ],
  ])('refuses %s as invalid_refresh_token', async (_case, tokenOf) => {
    const token = await tokenOf();
    await expect(refresh(token)).rejects.toMatchObject({ code: 'invalid_refresh_token' });
  });

  it('leaves the token unused when the new pair cannot be signed: the trade is one transaction', async () => {
    const { refreshToken } = await login();
    const unsigned = createAccessTokens({
      signingKeys: auth.store.signingKeys,
      cipher: {
        seal: () => {
          throw new Error('unused');
        },
        open: () => {
          throw new Error('the signing key does not open');
        },
      },
      ttlMs: 60_000,
      clock: auth.now,
    });
    await expect(
      refreshHandler({ ...auth.tokenDependencies, accessTokens: unsigned })(refreshToken),
    ).rejects.toThrow('the signing key does not open');

    // Not used, so not a reuse: it still trades, once.
    await expect(refresh(refreshToken)).resolves.toMatchObject({ tokenType: 'Bearer' });
    expect(eventsOf(auth.store, 'auth.token.revoked')).toEqual([]);
  });
});
