import { type Kysely, type Selectable, sql } from 'kysely';
import type { RefreshToken, RefreshTokenRepository } from '../domain/index.js';
import type { AuthSchema, RefreshTokensTable } from './auth-rows.js';

/** Refresh tokens over `db`: a transaction or the database alike. */
export function createPostgresRefreshTokenRepository(db: Kysely<AuthSchema>): RefreshTokenRepository {
  return {
    async add(token) {
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
    },

    async deleteExpired(now, limit) {
      // Rows another transaction is clearing are skipped, not waited for: no lock waits, no deadlocks.
      await sql`delete from refresh_tokens where id in (
          select id from refresh_tokens where expires_at < ${now} limit ${limit} for update skip locked)`.execute(
        db,
      );
    },

    async findForUpdate(tokenHash) {
      const row = await db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .forUpdate()
        .executeTakeFirst();
      return row && toRefreshToken(row);
    },

    async markUsed(id, at) {
      await db.updateTable('refresh_tokens').set({ used_at: at }).where('id', '=', id).execute();
    },

    async revokeFamily(familyId, at) {
      const result = await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: at })
        .where('family_id', '=', familyId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async revokeAllOfUser(userId, at) {
      await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: at })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .execute();
    },
  };
}

function toRefreshToken(row: Selectable<RefreshTokensTable>): RefreshToken {
  return {
    id: row.id,
    familyId: row.family_id,
    userId: row.user_id,
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at ? new Date(row.used_at) : null,
    revokedAt: row.revoked_at ? new Date(row.revoked_at) : null,
  };
}
