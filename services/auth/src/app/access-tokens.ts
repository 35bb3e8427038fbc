import { createPrivateKey, type KeyObject } from 'node:crypto';
import {
  type AccessTokenClaims,
  accessTokenAudience,
  accessTokenIssuer,
  serviceTokenAudience,
} from '@fiscal/contracts';
import type { Database } from '@fiscal/kit/db';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import type { AuthSchema } from '../adapters/auth-rows.js';
import { findActiveSigningKey, listPublishedSigningKeys } from '../adapters/postgres-signing-keys.js';
import type { PrivateKeyCipher } from '../adapters/signing-key-cipher.js';
import type { ApiKey, Organization, User } from '../domain/index.js';
import { scopesOf } from '../domain/index.js';
import { newId } from './auth-context.js';

export interface SignedAccessToken {
  token: string;
  jti: string;
  expiresInSeconds: number;
}

export interface AccessTokens {
  /** `db`: the caller's transaction, or the database (on the embedded engine a transaction holds the connection). */
  sign(db: Kysely<AuthSchema>, user: User, organization: Organization): Promise<SignedAccessToken>;
  /**
   * A token standing for a verified API key, for the gateway to forward to the services: the
   * services audience only (the gateway refuses it from clients), and short-lived.
   */
  signForApiKey(db: Kysely<AuthSchema>, key: ApiKey, organization: Organization): Promise<SignedAccessToken>;
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
  database,
  cipher,
  ttlMs,
  clock,
}: {
  database: Database<AuthSchema>;
  cipher: PrivateKeyCipher;
  ttlMs: number;
  clock: () => Date;
}): AccessTokens {
  const privateKeys = new Map<string, KeyObject>();
  const ttlSeconds = Math.max(1, Math.floor(ttlMs / 1000));

  /** The active key's private half, decoded once per key. */
  async function activeKey(db: Kysely<AuthSchema>): Promise<{ id: string; privateKey: KeyObject }> {
    const key = await findActiveSigningKey(db);
    if (!key) throw new Error('no active signing key: the auth service has not started');
    let privateKey = privateKeys.get(key.id);
    if (!privateKey) {
      privateKey = createPrivateKey(cipher.open(key.private_key, key.encrypted));
      privateKeys.set(key.id, privateKey);
    }
    return { id: key.id, privateKey };
  }

  async function signClaims(
    db: Kysely<AuthSchema>,
    claims: Omit<AccessTokenClaims, 'jti' | 'iat' | 'exp'>,
    audience: string,
    lifetimeSeconds: number,
  ): Promise<SignedAccessToken> {
    const key = await activeKey(db);
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
    sign(db, user, organization) {
      const claims = {
        sub: user.id,
        org: organization.id,
        role: user.role,
        scopes: scopesOf(user.role),
        tier: organization.tier,
        ...(user.platformAdmin ? { padm: true } : {}),
      };
      return signClaims(db, claims, accessTokenAudience, ttlSeconds);
    },
    signForApiKey(db, key, organization) {
      const claims = {
        sub: key.id,
        kind: 'api_key' as const,
        org: organization.id,
        scopes: [...key.scopes],
        tier: organization.tier,
      };
      return signClaims(db, claims, serviceTokenAudience, Math.min(ttlSeconds, apiKeyTokenTtlSeconds));
    },
    async jwks() {
      const keys = await listPublishedSigningKeys(database.db);
      return {
        keys: keys.map((key) => {
          const jwk = typeof key.public_jwk === 'string' ? JSON.parse(key.public_jwk) : key.public_jwk;
          return { ...jwk, kid: key.id, alg: 'EdDSA', use: 'sig' };
        }),
      };
    },
  };
}
