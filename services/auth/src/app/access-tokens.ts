import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  type AccessTokenClaims,
  accessTokenAudience,
  accessTokenIssuer,
  serviceTokenAudience,
} from '@fiscal/contracts';
import { SignJWT } from 'jose';
import type { ApiKey, Organization, PrivateKeyCipher, SigningKeyRepository, User } from '../domain/index.js';
import { scopesOf } from '../domain/index.js';
import { newId } from './auth-context.js';

export interface SignedAccessToken {
  token: string;
  jti: string;
  expiresInSeconds: number;
}

/**
 * `keys`: where the active key is read, the caller's unit of work or the store (on the embedded engine
 * a transaction holds the connection, so a use case in one signs through its unit's repository).
 */
export interface AccessTokens {
  sign(keys: SigningKeyRepository, user: User, organization: Organization): Promise<SignedAccessToken>;
  /**
   * A token standing for a verified API key, for the gateway to forward to the services: the
   * services audience only (the gateway refuses it from clients), and short-lived.
   */
  signForApiKey(
    keys: SigningKeyRepository,
    key: ApiKey,
    organization: Organization,
  ): Promise<SignedAccessToken>;
  /** The JWKS document: the active and the previous public key, no others. */
  jwks(): Promise<{ keys: Record<string, string>[] }>;
}

/** Gateways trust a verified API key for 30 s; its token outlives that with room to spare. */
const apiKeyTokenTtlSeconds = 300;

/**
 * EdDSA (Ed25519) access tokens named by `kid`. The active key is read on every signing, so a
 * rotation by another replica takes effect at once; its private half is decoded once per key.
 */
export function createAccessTokens({
  signingKeys,
  cipher,
  ttlMs,
  clock,
}: {
  /** The store's, for the JWKS. */
  signingKeys: SigningKeyRepository;
  cipher: PrivateKeyCipher;
  ttlMs: number;
  clock: () => Date;
}): AccessTokens {
  const privateKeys = new Map<string, KeyObject>();
  const ttlSeconds = Math.max(1, Math.floor(ttlMs / 1000));

  /** The active key's private half, decoded once per key. */
  async function activeKey(keys: SigningKeyRepository): Promise<{ id: string; privateKey: KeyObject }> {
    const key = await keys.findActive();
    if (!key) throw new Error('no active signing key: the auth service has not started');
    let privateKey = privateKeys.get(key.id);
    if (!privateKey) {
      privateKey = createPrivateKey(cipher.open(key.privateKey, key.encrypted));
      privateKeys.set(key.id, privateKey);
    }
    return { id: key.id, privateKey };
  }

  async function signClaims(
    keys: SigningKeyRepository,
    claims: Omit<AccessTokenClaims, 'jti' | 'iat' | 'exp'>,
    audience: string,
    lifetimeSeconds: number,
  ): Promise<SignedAccessToken> {
    const key = await activeKey(keys);
    const iat = Math.floor(clock().getTime() / 1000);
    const jti = newId('atk');
    const token = await new SignJWT({ ...claims, jti, iat, exp: iat + lifetimeSeconds })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.id, typ: 'JWT' })
      .setIssuer(accessTokenIssuer)
      .setAudience(audience)
      .sign(key.privateKey);
    return { token, jti, expiresInSeconds: lifetimeSeconds };
  }

  return {
    sign(keys, user, organization) {
      const claims = {
        sub: user.id,
        org: organization.id,
        role: user.role,
        scopes: scopesOf(user.role),
        tier: organization.tier,
        ...(user.platformAdmin ? { padm: true } : {}),
      };
      return signClaims(keys, claims, accessTokenAudience, ttlSeconds);
    },
    signForApiKey(keys, key, organization) {
      const claims = {
        sub: key.id,
        kind: 'api_key' as const,
        org: organization.id,
        scopes: [...key.scopes],
        tier: organization.tier,
      };
      return signClaims(keys, claims, serviceTokenAudience, Math.min(ttlSeconds, apiKeyTokenTtlSeconds));
    },
    async jwks() {
      const keys = await signingKeys.listPublished();
      return {
        keys: keys.map((key) => ({ ...key.publicJwk, kid: key.id, alg: 'EdDSA', use: 'sig' })),
      };
    },
  };
}
