import { generateKeyPairSync } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { AuthSchema, SigningKeysTable } from './auth-rows.js';
import type { PrivateKeyCipher } from './signing-key-cipher.js';

type Executor = Kysely<AuthSchema>;
export type SigningKeyRow = Selectable<SigningKeysTable>;

/** Replicas rotating at once take turns on this lock; the second finds the work done. */
export async function lockSigningKeys(db: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('fiscal-auth:signing-keys'))`.execute(db);
}

export async function findActiveSigningKey(db: Executor): Promise<SigningKeyRow | undefined> {
  return db.selectFrom('signing_keys').selectAll().where('status', '=', 'active').executeTakeFirst();
}

/** The keys tokens may be verified with: the active one and the one it replaced. */
export async function listPublishedSigningKeys(db: Executor): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where('status', 'in', ['active', 'previous'])
    .orderBy('created_at', 'desc')
    .execute();
}

/**
 * New Ed25519 key active, the active one kept as previous (still published), the previous one
 * retired. Runs inside the caller's transaction, after `lockSigningKeys`.
 */
export async function insertNextSigningKey(
  db: Executor,
  id: string,
  cipher: PrivateKeyCipher,
  at: Date,
): Promise<{ keyId: string; previousKeyId: string | null }> {
  const previous = await findActiveSigningKey(db);
  await db
    .updateTable('signing_keys')
    .set({ status: 'retired', retired_at: at })
    .where('status', '=', 'previous')
    .execute();
  if (previous) {
    await db.updateTable('signing_keys').set({ status: 'previous' }).where('id', '=', previous.id).execute();
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const sealed = cipher.seal(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  await db
    .insertInto('signing_keys')
    .values({
      id,
      status: 'active',
      public_jwk: JSON.stringify(publicKey.export({ format: 'jwk' })),
      private_key: sealed.privateKey,
      encrypted: sealed.encrypted,
      created_at: at,
      retired_at: null,
    })
    .execute();
  return { keyId: id, previousKeyId: previous?.id ?? null };
}
