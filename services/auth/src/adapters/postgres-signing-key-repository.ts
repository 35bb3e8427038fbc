import { type Kysely, type Selectable, sql } from 'kysely';
import type { SigningKey, SigningKeyRepository } from '../domain/index.js';
import type { AuthSchema, SigningKeysTable } from './auth-rows.js';

/** Signing keys over `db`: a transaction or the database alike. */
export function createPostgresSigningKeyRepository(db: Kysely<AuthSchema>): SigningKeyRepository {
  const findActive = async () => {
    const row = await db
      .selectFrom('signing_keys')
      .selectAll()
      .where('status', '=', 'active')
      .executeTakeFirst();
    return row && toSigningKey(row);
  };

  return {
    async lock() {
      await sql`select pg_advisory_xact_lock(hashtext('fiscal-auth:signing-keys'))`.execute(db);
    },

    findActive,

    async listPublished() {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('status', 'in', ['active', 'previous'])
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(toSigningKey);
    },

    async rotateTo(key) {
      const previous = await findActive();
      await db
        .updateTable('signing_keys')
        .set({ status: 'retired', retired_at: key.createdAt })
        .where('status', '=', 'previous')
        .execute();
      if (previous) {
        await db
          .updateTable('signing_keys')
          .set({ status: 'previous' })
          .where('id', '=', previous.id)
          .execute();
      }
      await db
        .insertInto('signing_keys')
        .values({
          id: key.id,
          status: 'active',
          public_jwk: JSON.stringify(key.publicJwk),
          private_key: key.privateKey,
          encrypted: key.encrypted,
          created_at: key.createdAt,
          retired_at: null,
        })
        .execute();
      return { keyId: key.id, previousKeyId: previous?.id ?? null };
    },
  };
}

function toSigningKey(row: Selectable<SigningKeysTable>): SigningKey {
  return {
    id: row.id,
    status: row.status,
    publicJwk: typeof row.public_jwk === 'string' ? JSON.parse(row.public_jwk) : row.public_jwk,
    privateKey: row.private_key,
    encrypted: row.encrypted,
    createdAt: new Date(row.created_at),
  };
}
