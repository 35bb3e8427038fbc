import { revokedAccessTokenKey } from '@fiscal/contracts';
import type { Cache } from '@fiscal/kit/cache';
import { recordAuthEvents } from '../adapters/auth-outbox.js';
import { findUser } from '../adapters/postgres-identities.js';
import { findRefreshTokenForUpdate, revokeRefreshFamily } from '../adapters/postgres-refresh-tokens.js';
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
  const { database, clock, revocations } = context;

  return async function logout({ refreshToken, accessToken }: LogoutCommand): Promise<void> {
    if (accessToken) {
      const ttlMs = accessToken.expiresAtSeconds * 1_000 - clock().getTime() + revocationMarginMs;
      if (ttlMs > 0) await revocations.set(revokedAccessTokenKey(accessToken.id), true, ttlMs);
    }
    if (!refreshToken) return;
    await database.transaction(async (trx) => {
      const token = await findRefreshTokenForUpdate(trx, digestSecret(refreshToken));
      // Logging out with an unknown or dead token has nothing left to end; the answer is the same.
      if (!token) return;
      const revoked = await revokeRefreshFamily(trx, token.family_id, clock());
      if (revoked === 0) return;
      const user = await findUser(trx, token.user_id);
      await recordAuthEvents(trx, [
        {
          type: 'auth.token.revoked',
          subject: token.family_id,
          tenant: user?.orgId ?? 'none',
          data: { userId: token.user_id, tokenId: token.family_id, reason: 'logout' },
        },
      ]);
    });
  };
}
