import type { Kysely, Selectable } from 'kysely';
import type { ApiKey, ApiKeyRepository, Scope } from '../domain/index.js';
import type { ApiKeysTable, AuthSchema } from './auth-rows.js';

/** API keys over `db`: a transaction or the database alike. */
export function createPostgresApiKeyRepository(db: Kysely<AuthSchema>): ApiKeyRepository {
  return {
    async add(key) {
      const row = await db
        .insertInto('api_keys')
        .values({
          id: key.id,
          org_id: key.orgId,
          name: key.name,
          scopes: JSON.stringify(key.scopes),
          prefix: key.prefix,
          secret_hash: key.secretHash,
          created_by: key.createdBy,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toApiKey(row);
    },

    async countKept(orgId, revokedBefore) {
      await db
        .deleteFrom('api_keys')
        .where('org_id', '=', orgId)
        .where('revoked_at', '<', revokedBefore)
        .execute();
      const row = await db
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    async findBySecretHash(secretHash) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('secret_hash', '=', secretHash)
        .executeTakeFirst();
      return row && toApiKey(row);
    },

    async list(orgId) {
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toApiKey);
    },

    async revoke(orgId, id, at) {
      const key = await db
        .selectFrom('api_keys')
        .select('id')
        .where('id', '=', id)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      if (!key) return false;
      await db
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      return true;
    },
  };
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    scopes: (typeof row.scopes === 'string' ? JSON.parse(row.scopes) : row.scopes) as Scope[],
    prefix: row.prefix,
    createdAt: new Date(row.created_at),
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
  };
}
