import { AccessTokenClaims, accessTokenIssuer, type ScopeName, scopeNames } from '@fiscal/contracts';
import { Value } from '@sinclair/typebox/value';
import { jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { AppError, isAppError } from '../errors/index.js';
import type { JwksKeyStore } from './jwks-key-store.js';

/** Who an access token says is calling, once its signature, issuer, audience and times check out. */
export interface VerifiedCaller {
  /** The user, or the API key, the token stands for. */
  subject: string;
  kind: 'user' | 'api_key';
  orgId: string;
  /** The user's role; an API key has none. */
  role: 'admin' | 'analyst' | 'viewer' | undefined;
  scopes: readonly ScopeName[];
  tier: 'free' | 'pro' | 'enterprise';
  /** Manages organisations and may act in any of them. */
  platformAdmin: boolean;
  /** The token's id (`jti`), which a logout revokes. */
  tokenId: string;
  expiresAtSeconds: number;
}

export interface AccessTokenVerifier {
  /** The caller the token names; refused tokens are `unauthenticated`, an unreachable key set `unavailable`. */
  verify(token: string): Promise<VerifiedCaller>;
}

export interface AccessTokenVerifierOptions {
  keys: JwksKeyStore;
  /** Audiences accepted: the gateway takes client tokens only, services also take minted ones. */
  audiences: readonly string[];
  now?: () => number;
  /** Leeway for clocks that disagree a little on exp, nbf and iat. */
  clockToleranceSeconds?: number;
  /** Verified tokens kept, so the hot path does not check a signature per request. */
  maxEntries?: number;
}

interface Verified {
  caller: VerifiedCaller;
  /** The key that signed it: once retired, the token is refused even if verified before. */
  kid: string;
}

const isScopeName = (value: string): value is ScopeName => (scopeNames as readonly string[]).includes(value);

/**
 * Verifies access tokens locally against the auth service's published keys (EdDSA only), and keeps
 * each verified token until it expires or its key is retired, so most calls cost a map lookup.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const now = options.now ?? Date.now;
  const tolerance = options.clockToleranceSeconds ?? 30;
  const verified = new LRUCache<string, Verified>({ max: options.maxEntries ?? 10_000 });

  async function verifySignature(token: string): Promise<Verified> {
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
        audience: [...options.audiences],
        clockTolerance: tolerance,
        currentDate: new Date(now()),
        // Makes `iat` required and refuses one in the future; access tokens live minutes, not days.
        maxTokenAge: '1d',
        requiredClaims: ['exp', 'jti', 'sub'],
      }));
    } catch (error) {
      // The auth service unreachable for keys is its outage (503), not the caller's fault.
      if (isAppError(error)) throw error;
      throw unauthenticated(messageOf(error));
    }
    if (!Value.Check(AccessTokenClaims, payload))
      throw unauthenticated('The access token has invalid claims.');
    return { caller: callerOf(payload), kid: kid ?? '' };
  }

  /** A token verified earlier, until it expires or its key is retired; then it is verified again. */
  async function stillValid({ caller, kid }: Verified): Promise<boolean> {
    const expired = now() >= (caller.expiresAtSeconds + tolerance) * 1_000;
    return !expired && (await options.keys.holds(kid));
  }

  return {
    async verify(token) {
      let known = verified.get(token);
      if (known && !(await stillValid(known))) {
        verified.delete(token);
        known = undefined;
      }
      if (!known) {
        known = await verifySignature(token);
        const ttl = (known.caller.expiresAtSeconds + tolerance) * 1_000 - now();
        verified.set(token, known, { ttl: Math.max(1, Math.ceil(ttl)) });
      }
      return known.caller;
    },
  };
}

function callerOf(claims: AccessTokenClaims): VerifiedCaller {
  return {
    subject: claims.sub,
    kind: claims.kind ?? 'user',
    orgId: claims.org,
    role: claims.role,
    scopes: claims.scopes.filter(isScopeName),
    tier: claims.tier,
    platformAdmin: claims.padm === true,
    tokenId: claims.jti,
    expiresAtSeconds: claims.exp,
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
