import { revokedAccessTokenKey } from '@fiscal/contracts';
import { createMemoryCache } from '@fiscal/kit/cache';
import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, type MemoryAuth, startMemoryAuth } from '../testing/memory-auth.js';
import { logoutHandler } from './logout.js';
import { refreshHandler } from './refresh.js';

describe('logout', () => {
  let auth: MemoryAuth;
  const revocations = () =>
    createMemoryCache({ name: 'revocations', registry: new Registry(), maxEntries: 10 });
  const login = () => auth.login('viewer@acme.test', 'viewer-password');

  beforeEach(async () => {
    auth = await startMemoryAuth();
    await auth.addOrganization('org_acme');
    await auth.addUser('org_acme', 'viewer@acme.test', 'viewer-password');
  });

  it('lists the access token as revoked and ends the refresh family, saying so once', async () => {
    const cache = revocations();
    const logout = logoutHandler({ ...auth.context, revocations: cache });
    const tokens = await login();
    const { exp } = await auth.verify(tokens.accessToken);
    const accessToken = { id: tokens.accessTokenId, expiresAtSeconds: exp as number };

    await logout({ refreshToken: tokens.refreshToken, accessToken });
    await logout({ refreshToken: tokens.refreshToken, accessToken });

    expect(await cache.get(revokedAccessTokenKey(tokens.accessTokenId))).toBe(true);
    await expect(refreshHandler(auth.tokenDependencies)(tokens.refreshToken)).rejects.toMatchObject({
      code: 'invalid_refresh_token',
    });
    expect(eventsOf(auth.store, 'auth.token.revoked')).toEqual([
      expect.objectContaining({ tenant: 'org_acme', data: expect.objectContaining({ reason: 'logout' }) }),
    ]);
  });

  it('answers an unknown refresh token the same, and raises nothing', async () => {
    await logoutHandler({ ...auth.context, revocations: revocations() })({ refreshToken: 'frt_unknown' });
    expect(eventsOf(auth.store, 'auth.token.revoked')).toEqual([]);
  });
});
