import { createHash } from 'node:crypto';
import { accessTokenAudience, revokedAccessTokenKey, revokedApiKeyKey } from '@fiscal/contracts';
import {
  type AccessTokenVerifier,
  createAccessTokenVerifier,
  type JwksKeyStore,
  unauthenticated,
  type VerifiedCaller,
} from '@fiscal/kit/auth';
import type { Cache } from '@fiscal/kit/cache';
import { type AppError, isAppError } from '@fiscal/kit/errors';
import { LRUCache } from 'lru-cache';
import type { Caller, CallerResolver } from '../app/caller.js';
import type { Identity } from '../app/identity.js';

export { unauthenticated };

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
/** A key's verification is asked for again this long before the token minted for it expires. */
const credentialRenewalMarginMs = 60_000;

const longestCredential = 8_192;
const bearerPattern = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i;

type ApiKeyVerdict = { caller: Caller; until: number } | { refused: AppError; until: number };

/**
 * `Authorization: Bearer <credential>`: an access token (a JWT the auth service signed with EdDSA)
 * is verified here, against its published keys; an API key is verified by the auth service, which
 * also mints the short-lived token the services will verify. Either way the answer is kept a while,
 * so most requests cost a map lookup and the revocation check.
 */
export function createTokenCallerResolver(options: TokenCallerResolverOptions): TokenCallerResolver {
  const now = options.now ?? Date.now;
  // Clients hold client tokens only: a token minted for the services is no key to the public API.
  const verifier: AccessTokenVerifier = createAccessTokenVerifier({
    keys: options.keys,
    audiences: [accessTokenAudience],
    now,
    clockToleranceSeconds: options.clockToleranceSeconds,
    maxEntries: options.verifiedTokens,
  });
  const apiKeys = new LRUCache<string, ApiKeyVerdict>({ max: 10_000 });
  const apiKeyTtlMs = options.apiKeyTtlMs ?? 30_000;
  const refusedApiKeyTtlMs = options.refusedApiKeyTtlMs ?? 5_000;

  /**
   * Whether a revocation is listed under `key`. Requests of one token arriving while its lookup is
   * in flight share that lookup's answer instead of sending their own: a busy client costs one
   * Redis round trip at a time, not one per request. A request sees a revocation written before
   * the lookup it joined was sent, so only a logout racing that one lookup can be missed.
   */
  const lookups = new Map<string, Promise<boolean>>();
  function isRevoked(key: string): Promise<boolean> {
    let lookup = lookups.get(key);
    if (!lookup) {
      lookup = options.revocations
        .get(key)
        .then((entry) => entry !== undefined)
        .finally(() => lookups.delete(key));
      lookups.set(key, lookup);
    }
    return lookup;
  }

  async function accessTokenCaller(token: string): Promise<Caller> {
    const verified = await verifier.verify(token);
    if (await isRevoked(revokedAccessTokenKey(verified.tokenId))) {
      throw unauthenticated('The access token has been revoked.');
    }
    return callerOf(verified, token);
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
    if (await isRevoked(revokedApiKeyKey(verdict.caller.subject))) {
      apiKeys.delete(digest);
      throw unauthenticated('The API key has been revoked.');
    }
    return verdict.caller;
  }

  async function askAuthService(key: string): Promise<ApiKeyVerdict> {
    try {
      const { credential, credentialExpiresInSeconds, ...verifiedKey } =
        await options.identity.verifyApiKey(key);
      const caller: Caller = { ...verifiedKey, kind: 'api_key', platformAdmin: false, credential };
      // Never trusted past the life of the token the services will be shown.
      const credentialLifeMs = credentialExpiresInSeconds * 1_000 - credentialRenewalMarginMs;
      return { caller, until: now() + Math.max(0, Math.min(apiKeyTtlMs, credentialLifeMs)) };
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

function callerOf(verified: VerifiedCaller, token: string): Caller {
  return {
    orgId: verified.orgId,
    subject: verified.subject,
    kind: 'user',
    // Client tokens are users' (API keys never reach a client as tokens); a token without a role
    // grants the least.
    role: verified.role ?? 'viewer',
    scopes: verified.scopes,
    tier: verified.tier,
    platformAdmin: verified.platformAdmin,
    accessToken: { id: verified.tokenId, expiresAtSeconds: verified.expiresAtSeconds },
    credential: token,
  };
}
