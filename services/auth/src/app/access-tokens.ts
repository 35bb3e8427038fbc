import { createPrivateKey, type KeyObject } from 'node:crypto';
import { type AccessTokenClaims, accessTokenAudience, accessTokenIssuer } from '@fiscal/contracts';
import type { Database } from '@fiscal/kit/db';
import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import type { AuthSchema } from '../adapters/auth-rows.js';
import { findActiveSigningKey, listPublishedSigningKeys } from '../adapters/postgres-signing-keys.js';
import type { PrivateKeyCipher } from '../adapters/signing-key-cipher.js';
import type { Organization, User } from '../domain/index.js';
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
  /** The JWKS document: the active and the previous public key, no others. */
  jwks(): Promise<{ keys: Record<string, string>[] }>;
}

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

  return {
    async sign(db, user, organization) {
      const key = await findActiveSigningKey(db);
      if (!key) throw new Error('no active signing key: the auth service has not started');
      let privateKey = privateKeys.get(key.id);
      if (!privateKey) {
        privateKey = createPrivateKey(cipher.open(key.private_key, key.encrypted));
        privateKeys.set(key.id, privateKey);
      }
      const iat = Math.floor(clock().getTime() / 1000);
      const jti = newId('atk');
      const claims: AccessTokenClaims = {
        sub: user.id,
        org: organization.id,
        role: user.role,
        scopes: scopesOf(user.role),
        tier: organization.tier,
        jti,
        iat,
        exp: iat + ttlSeconds,
        ...(user.platformAdmin ? { padm: true } : {}),
      };
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid: key.id, typ: 'JWT' })
        .setIssuer(accessTokenIssuer)
        .setAudience(accessTokenAudience)
        .sign(privateKey);
      return { token, jti, expiresInSeconds: ttlSeconds };
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
