import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Seals signing secrets at rest: a copy of the database alone does not let anyone forge webhooks. */
export interface SecretBox {
  seal(secret: string): string;
  open(sealed: string): string;
}

const sealedPrefix = 'aes256gcm:';
const plainPrefix = 'plain:';

/**
 * AES-256-GCM under `key` (32 bytes, `FISCAL_NOTIFICATION_SECRET_KEY` in base64). Without a key the
 * secrets are stored as they are (marked so), which embedded mode accepts; a key added later still
 * opens them, and seals the ones created from then on.
 */
export function createSecretBox(keyBase64: string | undefined): SecretBox {
  const key = keyBase64 ? Buffer.from(keyBase64, 'base64') : undefined;
  if (key && key.length !== 32) throw new RangeError('the secret key must be 32 bytes in base64');
  return {
    seal(secret) {
      if (!key) return `${plainPrefix}${secret}`;
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return `${sealedPrefix}${[iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64')).join('.')}`;
    },
    open(stored) {
      if (stored.startsWith(plainPrefix)) return stored.slice(plainPrefix.length);
      if (!key) throw new Error('a sealed secret needs FISCAL_NOTIFICATION_SECRET_KEY to be opened');
      const [iv, tag, sealed] = stored
        .slice(sealedPrefix.length)
        .split('.')
        .map((part) => Buffer.from(part, 'base64'));
      const decipher = createDecipheriv('aes-256-gcm', key, iv!);
      decipher.setAuthTag(tag!);
      return Buffer.concat([decipher.update(sealed!), decipher.final()]).toString('utf8');
    },
  };
}
