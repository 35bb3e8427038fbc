import type { Database } from '@fiscal/kit/db';
import { recordAuthEvents } from '../adapters/auth-outbox.js';
import type { AuthSchema } from '../adapters/auth-rows.js';
import {
  findActiveSigningKey,
  insertNextSigningKey,
  lockSigningKeys,
} from '../adapters/postgres-signing-keys.js';
import type { PrivateKeyCipher } from '../adapters/signing-key-cipher.js';
import { newId } from './auth-context.js';

export interface KeyRotation {
  keyId: string;
  previousKeyId: string | null;
}

export interface RotateKeysOptions {
  /**
   * Rotate only when the active key is at least this old (the schedule), or when there is none.
   * Checked under the lock, so replicas starting together rotate once.
   */
  ifOlderThanMs?: number;
}

/** Signing-key rotation: new key active, the active one previous (still verifies), older ones retired. */
export function rotateKeysHandler({
  database,
  cipher,
  clock,
}: {
  database: Database<AuthSchema>;
  cipher: PrivateKeyCipher;
  clock: () => Date;
}) {
  return async function rotateKeys(options: RotateKeysOptions = {}): Promise<KeyRotation | undefined> {
    return database.transaction(async (trx) => {
      await lockSigningKeys(trx);
      const now = clock();
      const active = await findActiveSigningKey(trx);
      if (active && options.ifOlderThanMs !== undefined) {
        const age = now.getTime() - new Date(active.created_at).getTime();
        if (options.ifOlderThanMs <= 0 || age < options.ifOlderThanMs) return undefined;
      }
      const rotation = await insertNextSigningKey(trx, newId('sig'), cipher, now);
      await recordAuthEvents(trx, [
        {
          type: 'auth.key.rotated',
          subject: rotation.keyId,
          tenant: 'none',
          data: { ...rotation, rotatedAt: now.toISOString() },
        },
      ]);
      return rotation;
    });
  };
}
