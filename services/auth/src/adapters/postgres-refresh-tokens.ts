import { type Kysely, type Selectable, sql } from 'kysely';
import type { AuthSchema, RefreshTokensTable } from './auth-rows.js';

type Executor = Kysely<AuthSchema>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;

export async function insertRefreshToken(
  db: Executor,
  token: { id: string; tokenHash: string; familyId: string; userId: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({
      id: token.id,
      token_hash: token.tokenHash,
      family_id: token.familyId,
      user_id: token.userId,
      expires_at: token.expiresAt,
      used_at: null,
      revoked_at: null,
    })
    .execute();
}

/**
 * Deletes up to `limit` tokens that expired before `now`: nothing accepts them any more, and every
 * login and refresh adds a row, so clearing a few each time keeps the table to the live ones.
 */
export async function deleteExpiredRefreshTokens(db: Executor, now: Date, limit: number): Promise<void> {
  // Rows another transaction is clearing are skipped, not waited for: no lock waits, no deadlocks.
  await sql`delete from refresh_tokens where id in (
      select id from refresh_tokens where expires_at < ${now} limit ${limit} for update skip locked)`.execute(
    db,
  );
}

/** Locks the row until the transaction ends, so two refreshes with one token take turns. */
export async function findRefreshTokenForUpdate(
  db: Executor,
  tokenHash: string,
): Promise<RefreshTokenRow | undefined> {
  return db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();
}

export async function markRefreshTokenUsed(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable('refresh_tokens').set({ used_at: at }).where('id', '=', id).execute();
}

/** Revokes every live token of a family; returns how many were still live. */
export async function revokeRefreshFamily(db: Executor, familyId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: at })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Revokes every live token of a user (suspension). */
export async function revokeRefreshTokensOfUser(db: Executor, userId: string, at: Date): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}
