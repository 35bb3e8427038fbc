import { recordAuthEvents } from '../adapters/auth-outbox.js';
import { findOrganization, findUser } from '../adapters/postgres-identities.js';
import {
  findRefreshTokenForUpdate,
  markRefreshTokenUsed,
  revokeRefreshFamily,
} from '../adapters/postgres-refresh-tokens.js';
import { InvalidRefreshToken } from '../domain/index.js';
import type { AccessTokens } from './access-tokens.js';
import { type AuthContext, digestSecret } from './auth-context.js';
import { issueTokenPair, type TokenPair } from './issue-token-pair.js';

/**
 * Trades a refresh token for a new pair. Each refresh token works once: the new one continues its
 * family. A token presented a second time means it was copied (by the owner's client or a thief,
 * there is no telling which), so the whole family is revoked and both parties must log in again.
 */
export function refreshHandler(context: AuthContext & { accessTokens: AccessTokens; refreshTtlMs: number }) {
  const { database, clock } = context;

  return async function refresh(refreshToken: string): Promise<TokenPair> {
    if (!refreshToken) throw new InvalidRefreshToken();
    const outcome = await database.transaction(async (trx) => {
      const now = clock();
      const token = await findRefreshTokenForUpdate(trx, digestSecret(refreshToken));
      if (!token || token.revoked_at) return undefined;
      const user = await findUser(trx, token.user_id);
      if (token.used_at) {
        // Committed before answering: the revocation must outlive the refused request.
        await revokeRefreshFamily(trx, token.family_id, now);
        await recordAuthEvents(trx, [
          {
            type: 'auth.token.revoked',
            subject: token.family_id,
            tenant: user?.orgId ?? 'none',
            data: { userId: token.user_id, tokenId: token.family_id, reason: 'reuse_detected' },
          },
        ]);
        return undefined;
      }
      if (new Date(token.expires_at) <= now || !user || user.status !== 'active') return undefined;
      const organization = await findOrganization(trx, user.orgId);
      if (!organization) return undefined;
      await markRefreshTokenUsed(trx, token.id, now);
      return issueTokenPair(trx, context, { user, organization, familyId: token.family_id });
    });
    if (!outcome) throw new InvalidRefreshToken();
    return outcome;
  };
}
