import { type Static, Type } from '@sinclair/typebox';

/**
 * The access token shared by the auth service (which signs it), the gateway (which verifies the
 * client's) and every service (which verifies the token the gateway forwards with each call): a JWT
 * signed with EdDSA, its key named by `kid`, verified against the auth service's published JWKS.
 */
export const accessTokenIssuer = 'fiscal-auth';
/** Tokens handed to clients (login, refresh): the gateway accepts these and only these. */
export const accessTokenAudience = 'fiscal-api';
/**
 * Tokens the auth service mints for a verified API key, for the gateway to forward to services.
 * The gateway never accepts them from a client, so one leaked from the service network is no key
 * to the public API.
 */
export const serviceTokenAudience = 'fiscal-services';

export const scopeNames = ['invoices:write', 'invoices:read', 'reports:read', 'admin'] as const;
export type ScopeName = (typeof scopeNames)[number];

export const AccessTokenClaims = Type.Object({
  /** The user id, or the API key id when `kind` is `api_key`. */
  sub: Type.String({ minLength: 1 }),
  /** The subject's organisation. */
  org: Type.String({ minLength: 1 }),
  /** What the subject is; absent means a user. */
  kind: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('api_key')])),
  /** The user's role; an API key has none. */
  role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('analyst'), Type.Literal('viewer')])),
  scopes: Type.Array(Type.String()),
  tier: Type.Union([Type.Literal('free'), Type.Literal('pro'), Type.Literal('enterprise')]),
  /** Platform administrators manage organisations and may act in any of them. */
  padm: Type.Optional(Type.Boolean()),
  jti: Type.String({ minLength: 1 }),
  iat: Type.Number(),
  exp: Type.Number(),
});
export type AccessTokenClaims = Static<typeof AccessTokenClaims>;

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
