import type { Database } from '@fiscal/kit/db';
import { createArgon2PasswordHasher } from './adapters/argon2-password-hasher.js';
import type { AuthSchema } from './adapters/auth-rows.js';
import { authMigrations } from './adapters/migrations.js';
import { createPostgresAuthStore } from './adapters/postgres-auth-store.js';
import { createPrivateKeyCipher } from './adapters/signing-key-cipher.js';
import { createUser, type NewUser } from './app/manage-users.js';
import { rotateKeysHandler } from './app/rotate-keys.js';
import type { KeyRotation, User } from './domain/index.js';

/** Operator actions straight on the auth database (`fiscal users`, `fiscal keys`): no actor, no service. */
export interface AuthAdministration {
  createUser(input: NewUser): Promise<User>;
  rotateKeys(): Promise<KeyRotation>;
}

/**
 * Migrates the auth database and answers operator commands on it. Their events go to the outbox,
 * which a running auth service publishes.
 */
export async function openAuthAdministration(
  database: Database<AuthSchema>,
  settings: { signingKeySecret?: string | undefined },
): Promise<AuthAdministration> {
  await database.migrate(authMigrations);
  const clock = () => new Date();
  const store = createPostgresAuthStore(database);
  const context = { store, passwords: createArgon2PasswordHasher(), clock };
  const rotateKeys = rotateKeysHandler({
    store,
    cipher: createPrivateKeyCipher(settings.signingKeySecret),
    clock,
  });
  return {
    createUser: (input) => createUser(context, input),
    async rotateKeys() {
      const rotation = await rotateKeys();
      if (!rotation) throw new Error('an unconditional rotation rotated nothing');
      return rotation;
    },
  };
}
