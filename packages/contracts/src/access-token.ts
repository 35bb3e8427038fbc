/**
 * The access token shared by the auth service (which signs it) and the gateway (which verifies it
 * locally against the published JWKS): a JWT signed with EdDSA, its key named by `kid`.
 */
export const accessTokenIssuer = 'fiscal-auth';
export const accessTokenAudience = 'fiscal-api';

export interface AccessTokenClaims {
  /** The user id. */
  sub: string;
  /** The user's organisation. */
  org: string;
  role: 'admin' | 'analyst' | 'viewer';
  scopes: string[];
  tier: 'free' | 'pro' | 'enterprise';
  /** Platform administrators manage organisations and may act in any of them. */
  padm?: boolean;
  jti: string;
  iat: number;
  exp: number;
}

/**
 * Key of a revoked access token's entry in the shared revocation cache (Redis when distributed,
 * the process's memory cache when embedded). The entry lives until the token would have expired.
 */
export const revokedAccessTokenKey = (jti: string) => `auth:revoked-token:${jti}`;

/**
 * Key of a revoked API key's entry in the same cache, so gateway replicas that verified the key
 * earlier refuse it at once instead of when their own memory of it lapses.
 */
export const revokedApiKeyKey = (keyId: string) => `auth:revoked-api-key:${keyId}`;
