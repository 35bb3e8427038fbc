import type { AuthRepositories, Organization, User } from '../domain/index.js';
import type { AccessTokens } from './access-tokens.js';
import { digestSecret, newId, randomSecret } from './auth-context.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  /** The access token's id, for logs and revocation; not part of the answer. */
  accessTokenId: string;
}

/** Expired refresh tokens each issue clears: more than it adds, so the table holds the live ones. */
export const expiredRefreshTokensClearedPerIssue = 10;

/**
 * Stores a new refresh token of `familyId` (in the caller's unit of work), clearing a few expired
 * ones, and signs an access token.
 */
export async function issueTokenPair(
  unit: Pick<AuthRepositories, 'refreshTokens' | 'signingKeys'>,
  dependencies: { accessTokens: AccessTokens; refreshTtlMs: number; clock: () => Date },
  subject: { user: User; organization: Organization; familyId: string },
): Promise<TokenPair> {
  const refreshToken = `frt_${randomSecret()}`;
  await unit.refreshTokens.deleteExpired(dependencies.clock(), expiredRefreshTokensClearedPerIssue);
  await unit.refreshTokens.add({
    id: newId('rtk'),
    tokenHash: digestSecret(refreshToken),
    familyId: subject.familyId,
    userId: subject.user.id,
    expiresAt: new Date(dependencies.clock().getTime() + dependencies.refreshTtlMs),
  });
  const access = await dependencies.accessTokens.sign(unit.signingKeys, subject.user, subject.organization);
  return {
    accessToken: access.token,
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: access.expiresInSeconds,
    accessTokenId: access.jti,
  };
}
