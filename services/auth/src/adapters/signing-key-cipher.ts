import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import type { PrivateKeyCipher } from '../domain/index.js';

const ivLength = 12;
const tagLength = 16;
// A fixed salt is enough: the secret is an operator-chosen high-entropy value, not a password.
const salt = 'fiscal-auth-signing-keys';

/**
 * Seals signing keys' private halves at rest when a secret is configured (AES-256-GCM, the key
 * derived from the secret with scrypt). Without a secret the keys are stored as plain PKCS#8 PEM
 * and the database itself must be protected.
 */
export function createPrivateKeyCipher(secret: string | undefined): PrivateKeyCipher {
  const key = secret ? scryptSync(secret, salt, 32) : undefined;
  return {
    seal(pem) {
      if (!key) return { privateKey: pem, encrypted: false };
      const iv = randomBytes(ivLength);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
      return {
        privateKey: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64'),
        encrypted: true,
      };
    },
    open(stored, encrypted) {
      if (!encrypted) return stored;
      if (!key) throw new Error('a signing key is encrypted but FISCAL_SIGNING_KEY_SECRET is not set');
      const bytes = Buffer.from(stored, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, ivLength));
      decipher.setAuthTag(bytes.subarray(ivLength, ivLength + tagLength));
      try {
        return Buffer.concat([
          decipher.update(bytes.subarray(ivLength + tagLength)),
          decipher.final(),
        ]).toString('utf8');
      } catch (error) {
        throw new Error('a signing key does not open with FISCAL_SIGNING_KEY_SECRET (wrong secret?)', {
          cause: error,
        });
      }
    },
  };
}
