import { revokedAccessTokenKey } from '@fiscal/contracts';
import type { Cache } from '@fiscal/kit/cache';
import { recordAuthEvents } from '../adapters/auth-outbox.js';
import { findUser } from '../adapters/postgres-identities.js';
import { findRefreshTokenForUpdate, revokeRefreshFamily } from '../adapters/postgres-refresh-tokens.js';
import { type AuthContext, digestSecret } from './auth-context.js';

export interface LogoutCommand {
  refreshToken: string;
  /** The jti of the access token in use, refused by the gateway until it expires. */
  accessTokenId: string;
}

/**
 * Ends a login: its refresh family is revoked, and the access token's id goes into the revocation
 * cache the gateway consults. The entry lives as long as any access token may (the TTL setting): the
 * request names the token's id, not its expiry, and the gateway refuses an expired token anyway.
 */
export function logoutHandler(context: AuthContext & { revocations: Cache; accessTokenTtlMs: number }) {
  const { database, clock, revocations } = context;

  return async function logout({ refreshToken, accessTokenId }: LogoutCommand): Promise<void> {
    if (accessTokenId) {
      await revocations.set(revokedAccessTokenKey(accessTokenId), true, context.accessTokenTtlMs);
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
