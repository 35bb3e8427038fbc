import type { Database } from '@fiscal/kit/db';
import type { Kysely } from 'kysely';
import type { AuthEvent, AuthRepositories, AuthStore } from '../domain/index.js';
import { recordAuthEvents } from './auth-outbox.js';
import type { AuthSchema } from './auth-rows.js';
import { createPostgresApiKeyRepository } from './postgres-api-key-repository.js';
import { createPostgresIdentityRepository } from './postgres-identity-repository.js';
import { createPostgresRefreshTokenRepository } from './postgres-refresh-token-repository.js';
import { createPostgresSigningKeyRepository } from './postgres-signing-key-repository.js';

/**
 * The auth store over PostgreSQL (or PGlite). A transaction's repositories run on its connection,
 * and the events its work raised go to the outbox in it, after the work's own statements.
 */
export function createPostgresAuthStore(database: Database<AuthSchema>): AuthStore {
  return {
    ...repositoriesOver(database.db),
    transaction: (work) =>
      database.transaction(async (trx) => {
        const raised: AuthEvent[] = [];
        const result = await work({
          ...repositoriesOver(trx),
          raise: (...events) => void raised.push(...events),
        });
        await recordAuthEvents(trx, raised);
        return result;
      }),
  };
}

function repositoriesOver(db: Kysely<AuthSchema>): AuthRepositories {
  return {
    identities: createPostgresIdentityRepository(db),
    refreshTokens: createPostgresRefreshTokenRepository(db),
    apiKeys: createPostgresApiKeyRepository(db),
    signingKeys: createPostgresSigningKeyRepository(db),
  };
}
