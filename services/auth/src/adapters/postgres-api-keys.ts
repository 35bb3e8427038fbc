import type { Kysely, Selectable } from 'kysely';
import type { ApiKey, Scope } from '../domain/index.js';
import type { ApiKeysTable, AuthSchema } from './auth-rows.js';

type Executor = Kysely<AuthSchema>;

export async function insertApiKey(
  db: Executor,
  key: {
    id: string;
    orgId: string;
    name: string;
    scopes: Scope[];
    prefix: string;
    secretHash: string;
    createdBy: string;
  },
): Promise<ApiKey> {
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
}

/** Clears the organisation's keys revoked before `before`, then counts those it still holds. */
export async function countApiKeysKept(db: Executor, orgId: string, before: Date): Promise<number> {
  await db.deleteFrom('api_keys').where('org_id', '=', orgId).where('revoked_at', '<', before).execute();
  const row = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function findApiKeyBySecretHash(db: Executor, secretHash: string): Promise<ApiKey | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .executeTakeFirst();
  return row && toApiKey(row);
}

export async function listApiKeys(db: Executor, orgId: string): Promise<ApiKey[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toApiKey);
}

/** Revokes a key of the organisation; false when it has no such key. Revoking twice is a no-op. */
export async function revokeApiKey(db: Executor, orgId: string, id: string, at: Date): Promise<boolean> {
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
