import { InvalidRefreshToken, noTenant } from '../domain/index.js';
import type { AccessTokens } from './access-tokens.js';
import { type AuthContext, digestSecret } from './auth-context.js';
import { issueTokenPair, type TokenPair } from './issue-token-pair.js';

/**
 * Trades a refresh token for a new pair. Each refresh token works once: the new one continues its
 * family. A token presented a second time means it was copied (by the owner's client or a thief,
 * there is no telling which), so the whole family is revoked and both parties must log in again.
 */
export function refreshHandler(context: AuthContext & { accessTokens: AccessTokens; refreshTtlMs: number }) {
  const { store, clock } = context;

  return async function refresh(refreshToken: string): Promise<TokenPair> {
    if (!refreshToken) throw new InvalidRefreshToken();
    const outcome = await store.transaction(async (unit) => {
      const now = clock();
      const token = await unit.refreshTokens.findForUpdate(digestSecret(refreshToken));
      if (!token || token.revokedAt) return undefined;
      const user = await unit.identities.findUser(token.userId);
      if (token.usedAt) {
        // Committed before answering: the revocation must outlive the refused request.
        await unit.refreshTokens.revokeFamily(token.familyId, now);
        unit.raise({
          type: 'auth.token.revoked',
          subject: token.familyId,
          tenant: user?.orgId ?? noTenant,
          data: { userId: token.userId, tokenId: token.familyId, reason: 'reuse_detected' },
        });
        return undefined;
      }
      if (token.expiresAt <= now || !user || user.status !== 'active') return undefined;
      const organization = await unit.identities.findOrganization(user.orgId);
      if (!organization) return undefined;
      await unit.refreshTokens.markUsed(token.id, now);
      return issueTokenPair(unit, context, { user, organization, familyId: token.familyId });
    });
    if (!outcome) throw new InvalidRefreshToken();
    return outcome;
  };
}
