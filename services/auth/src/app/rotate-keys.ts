import { generateKeyPairSync } from 'node:crypto';
import {
  type AuthStore,
  type KeyRotation,
  type NewSigningKey,
  noTenant,
  type PrivateKeyCipher,
} from '../domain/index.js';
import { newId } from './auth-context.js';

export interface RotateKeysOptions {
  /**
   * Rotate only when the active key is at least this old (the schedule), or when there is none.
   * Checked under the lock, so replicas starting together rotate once.
   */
  ifOlderThanMs?: number;
}

/** Signing-key rotation: new key active, the active one previous (still verifies), older ones retired. */
export function rotateKeysHandler({
  store,
  cipher,
  clock,
}: {
  store: AuthStore;
  cipher: PrivateKeyCipher;
  clock: () => Date;
}) {
  return async function rotateKeys(options: RotateKeysOptions = {}): Promise<KeyRotation | undefined> {
    return store.transaction(async (unit) => {
      await unit.signingKeys.lock();
      const now = clock();
      const active = await unit.signingKeys.findActive();
      if (active && options.ifOlderThanMs !== undefined) {
        const age = now.getTime() - active.createdAt.getTime();
        if (options.ifOlderThanMs <= 0 || age < options.ifOlderThanMs) return undefined;
      }
      const rotation = await unit.signingKeys.rotateTo(newSigningKey(newId('sig'), cipher, now));
      unit.raise({
        type: 'auth.key.rotated',
        subject: rotation.keyId,
        tenant: noTenant,
        data: { ...rotation, rotatedAt: now.toISOString() },
      });
      return rotation;
    });
  };
}

/** A fresh Ed25519 pair, its private half sealed for storage. */
function newSigningKey(id: string, cipher: PrivateKeyCipher, createdAt: Date): NewSigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const sealed = cipher.seal(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  return {
    id,
    publicJwk: publicKey.export({ format: 'jwk' }) as Record<string, string>,
    privateKey: sealed.privateKey,
    encrypted: sealed.encrypted,
    createdAt,
  };
}
