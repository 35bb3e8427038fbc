import { createHash } from 'node:crypto';
import {
  accessTokenAudience,
  accessTokenIssuer,
  revokedAccessTokenKey,
  revokedApiKeyKey,
} from '@fiscal/contracts';
import type { Cache } from '@fiscal/kit/cache';
import { AppError, isAppError } from '@fiscal/kit/errors';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { type Caller, type CallerResolver, isScope } from '../app/caller.js';
import type { Identity } from '../app/identity.js';
import type { JwksKeyStore } from './jwks-key-store.js';

/** How the auth service's API keys begin; anything else after `Bearer` is an access token. */
export const apiKeyPrefix = 'fsk_';

export interface TokenCallerResolverOptions {
  identity: Pick<Identity, 'verifyApiKey'>;
  keys: JwksKeyStore;
  /** Revoked access token ids (`revokedAccessTokenKey`), shared with the auth service. */
  revocations: Cache;
  now?: () => number;
  /** Leeway for clocks that disagree a little on exp, nbf and iat. */
  clockToleranceSeconds?: number;
  /** Verified tokens kept, so the hot path does not check a signature per request. */
  verifiedTokens?: number;
  /** How long an API key's verification (or refusal) is trusted without asking again. */
  apiKeyTtlMs?: number;
  refusedApiKeyTtlMs?: number;
}

export interface TokenCallerResolver extends CallerResolver {
  /** After the auth service revoked `keyId`: every replica refuses it from now on. */
  apiKeyRevoked(keyId: string): Promise<void>;
}

/** Far longer than any replica trusts a verified API key, and the key never comes back anyway. */
const revokedApiKeyEntryMs = 3_600_000;

const longestCredential = 8_192;
const bearerPattern = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i;

const AccessTokenClaims = Type.Object({
  sub: Type.String({ minLength: 1 }),
  org: Type.String({ minLength: 1 }),
  role: Type.Union([Type.Literal('admin'), Type.Literal('analyst'), Type.Literal('viewer')]),
  scopes: Type.Array(Type.String()),
  tier: Type.Union([Type.Literal('free'), Type.Literal('pro'), Type.Literal('enterprise')]),
  padm: Type.Optional(Type.Boolean()),
  jti: Type.String({ minLength: 1 }),
  exp: Type.Number(),
});
type AccessTokenClaims = Static<typeof AccessTokenClaims>;

type VerifiedCaller = Caller & { accessToken: { id: string; expiresAtSeconds: number } };
interface VerifiedToken {
  caller: VerifiedCaller;
  /** The key that signed it: once retired, the token is refused even if verified before. */
  kid: string;
}
type ApiKeyVerdict = { caller: Caller; until: number } | { refused: AppError; until: number };

/**
 * `Authorization: Bearer <credential>`: an access token (a JWT the auth service signed with EdDSA)
 * is verified here, against its published keys; an API key is verified by the auth service. Either
 * way the answer is kept a while, so most requests cost a map lookup and the revocation check.
 */
export function createTokenCallerResolver(options: TokenCallerResolverOptions): TokenCallerResolver {
  const now = options.now ?? Date.now;
  const tolerance = options.clockToleranceSeconds ?? 30;
  const verified = new LRUCache<string, VerifiedToken>({ max: options.verifiedTokens ?? 10_000 });
  const apiKeys = new LRUCache<string, ApiKeyVerdict>({ max: 10_000 });
  const apiKeyTtlMs = options.apiKeyTtlMs ?? 30_000;
  const refusedApiKeyTtlMs = options.refusedApiKeyTtlMs ?? 5_000;

  async function verifyAccessToken(token: string): Promise<VerifiedToken> {
    let payload: unknown;
    let kid: string | undefined;
    try {
      ({
        payload,
        protectedHeader: { kid },
      } = await jwtVerify(token, options.keys.keyFor, {
        // Only the signature the auth service makes: never `none`, never an HMAC keyed with a public key.
        algorithms: ['EdDSA', 'Ed25519'],
        issuer: accessTokenIssuer,
        audience: accessTokenAudience,
        clockTolerance: tolerance,
        currentDate: new Date(now()),
        // Makes `iat` required and refuses one in the future; access tokens live minutes, not days.
        maxTokenAge: '1d',
        requiredClaims: ['exp', 'jti', 'sub'],
      }));
    } catch (error) {
      // The auth service unreachable for keys is its outage (503), not the client's fault.
      if (isAppError(error)) throw error;
      throw unauthenticated(messageOf(error));
    }
    if (!Value.Check(AccessTokenClaims, payload))
      throw unauthenticated('The access token has invalid claims.');
    return { caller: callerOf(payload), kid: kid ?? '' };
  }

  async function accessTokenCaller(token: string): Promise<Caller> {
    let known = verified.get(token);
    if (known && !(await stillValid(known))) {
      verified.delete(token);
      known = undefined;
    }
    if (!known) {
      known = await verifyAccessToken(token);
      const ttl = (known.caller.accessToken.expiresAtSeconds + tolerance) * 1_000 - now();
      verified.set(token, known, { ttl: Math.max(1, Math.ceil(ttl)) });
    }
    const { accessToken } = known.caller;
    if ((await options.revocations.get(revokedAccessTokenKey(accessToken.id))) !== undefined) {
      throw unauthenticated('The access token has been revoked.');
    }
    return known.caller;
  }

  /** A token verified earlier, until it expires or its key is retired; then it is verified again. */
  async function stillValid({ caller, kid }: VerifiedToken): Promise<boolean> {
    const expired = now() >= (caller.accessToken.expiresAtSeconds + tolerance) * 1_000;
    return !expired && (await options.keys.holds(kid));
  }

  async function apiKeyCaller(key: string): Promise<Caller> {
    // Keyed by a digest, so the process never holds a table of live secrets.
    const digest = createHash('sha256').update(key).digest('base64url');
    let verdict = apiKeys.get(digest);
    if (!verdict || now() >= verdict.until) {
      verdict = await askAuthService(key);
      apiKeys.set(digest, verdict);
    }
    if ('refused' in verdict) throw verdict.refused;
    if ((await options.revocations.get(revokedApiKeyKey(verdict.caller.subject))) !== undefined) {
      apiKeys.delete(digest);
      throw unauthenticated('The API key has been revoked.');
    }
    return verdict.caller;
  }

  async function askAuthService(key: string): Promise<ApiKeyVerdict> {
    try {
      const verifiedKey = await options.identity.verifyApiKey(key);
      const caller: Caller = { ...verifiedKey, kind: 'api_key', platformAdmin: false };
      return { caller, until: now() + apiKeyTtlMs };
    } catch (error) {
      const refused = isAppError(error) && (error.kind === 'unauthenticated' || error.kind === 'not_found');
      if (!refused) throw error;
      return { refused: unauthenticated('The API key is not valid.'), until: now() + refusedApiKeyTtlMs };
    }
  }

  return {
    async resolve(headers) {
      const credential = bearerOf(headers.authorization);
      return credential.startsWith(apiKeyPrefix) ? apiKeyCaller(credential) : accessTokenCaller(credential);
    },
    async apiKeyRevoked(keyId) {
      apiKeys.clear();
      await options.revocations.set(revokedApiKeyKey(keyId), true, revokedApiKeyEntryMs);
    },
  };
}

function bearerOf(header: string | string[] | undefined): string {
  if (header === undefined) throw unauthenticated('This route needs an Authorization: Bearer header.');
  const match =
    typeof header === 'string' && header.length <= longestCredential ? bearerPattern.exec(header) : null;
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token or API key>".');
  return match[1]!;
}

function callerOf(claims: AccessTokenClaims): VerifiedCaller {
  return {
    orgId: claims.org,
    subject: claims.sub,
    kind: 'user',
    role: claims.role,
    scopes: claims.scopes.filter(isScope),
    tier: claims.tier,
    platformAdmin: claims.padm === true,
    accessToken: { id: claims.jti, expiresAtSeconds: claims.exp },
  };
}

function messageOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_JWT_EXPIRED') return 'The access token has expired.';
  if (code === 'ERR_JWKS_NO_MATCHING_KEY') return 'The access token is signed with an unknown key.';
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'The access token signature is not valid.';
  return 'The access token is not valid.';
}

export function unauthenticated(message: string): AppError {
  return new AppError('unauthenticated', 'unauthenticated', message);
}
