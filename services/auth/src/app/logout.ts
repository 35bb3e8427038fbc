import { revokedAccessTokenKey } from '@fiscal/contracts';
import type { Cache } from '@fiscal/kit/cache';
import { noTenant } from '../domain/index.js';
import { type AuthContext, digestSecret } from './auth-context.js';

export interface LogoutCommand {
  refreshToken: string;
  /** The verified access token the call carried, refused by the gateway until it expires. */
  accessToken?: { id: string; expiresAtSeconds: number };
}

/** A revoked token's entry outlives the token by this much, for clocks a little behind. */
const revocationMarginMs = 60_000;

/**
 * Ends a login: its refresh family is revoked, and the access token's id goes into the revocation
 * cache the gateway consults, for as long as the token would otherwise be accepted.
 */
export function logoutHandler(context: AuthContext & { revocations: Cache }) {
  const { store, clock, revocations } = context;

  return async function logout({ refreshToken, accessToken }: LogoutCommand): Promise<void> {
    if (accessToken) {
      const ttlMs = accessToken.expiresAtSeconds * 1_000 - clock().getTime() + revocationMarginMs;
      if (ttlMs > 0) await revocations.set(revokedAccessTokenKey(accessToken.id), true, ttlMs);
    }
    if (!refreshToken) return;
    await store.transaction(async (unit) => {
      const token = await unit.refreshTokens.findForUpdate(digestSecret(refreshToken));
      // Logging out with an unknown or dead token has nothing left to end; the answer is the same.
      if (!token) return;
      const revoked = await unit.refreshTokens.revokeFamily(token.familyId, clock());
      if (revoked === 0) return;
      const user = await unit.identities.findUser(token.userId);
      unit.raise({
        type: 'auth.token.revoked',
        subject: token.familyId,
        tenant: user?.orgId ?? noTenant,
        data: { userId: token.userId, tokenId: token.familyId, reason: 'logout' },
      });
    });
  };
}
