import type { EventEnvelope } from '@fiscal/contracts';
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { Database } from '../../db/index.js';
import { type DeadLetter, requireFound } from '../event-bus.js';
import type { DeadLetterShelf } from './memory-queue-store.js';
import { type BusSchema, busMigrations, namedRowIds } from './sql-queue-store.js';

/**
 * Dead letters in a database, for a memory store whose events the publisher's outbox keeps: what
 * failed for good survives the process, and a redrive takes letters off the list but deletes them
 * only once their message was handled, so a crash in between lists them again.
 */
export async function createSqlDeadLetterShelf(database: Database<BusSchema>): Promise<DeadLetterShelf> {
  await database.migrate(busMigrations);
  const db: Kysely<BusSchema> = database.db;
  const listed = (trx: Kysely<BusSchema>, group: string) =>
    trx.selectFrom('bus_dead_letters').where('consumer_group', '=', group).where('redriven_at', 'is', null);
  const whereSelected =
    (ids: readonly string[] | undefined) => (where: ExpressionBuilder<BusSchema, 'bus_dead_letters'>) =>
      ids === undefined ? where.lit(true) : ids.length > 0 ? where('id', 'in', ids) : where.lit(false);

  const letterOf = (row: {
    id: string;
    consumer_group: string;
    envelope: EventEnvelope;
    error: string;
    attempts: number;
    failed_at: Date;
  }): DeadLetter => ({
    id: row.id,
    group: row.consumer_group,
    envelope: row.envelope,
    error: row.error,
    attempts: row.attempts,
    failedAt: new Date(row.failed_at).toISOString(),
  });

  return {
    async shelve({ group, envelope, error, attempts, letterId }) {
      if (letterId !== undefined) {
        const updated = await db
          .updateTable('bus_dead_letters')
          .set({ error, attempts, failed_at: new Date(), redriven_at: null })
          .where('id', '=', letterId)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) > 0) return;
      }
      await db
        .insertInto('bus_dead_letters')
        .values({
          consumer_group: group,
          event_id: envelope.id,
          envelope: JSON.stringify(envelope),
          error,
          attempts,
        })
        .execute();
    },
    async list(group, limit) {
      const rows = await listed(db, group).selectAll().orderBy('id').limit(limit).execute();
      return rows.map(letterOf);
    },
    async takeForRedrive(group, selection) {
      return database.transaction(async (trx) => {
        const taken = await trx
          .updateTable('bus_dead_letters')
          .set({ redriven_at: new Date() })
          .where('consumer_group', '=', group)
          .where('redriven_at', 'is', null)
          .where(whereSelected(namedRowIds(selection)))
          .returning(['id', 'consumer_group', 'envelope', 'error', 'attempts', 'failed_at'])
          .execute();
        // Throwing rolls the transaction back: a selection is redriven whole or not at all.
        requireFound(
          group,
          selection,
          taken.map((letter) => String(letter.id)),
        );
        return taken.sort((a, b) => Number(a.id) - Number(b.id)).map(letterOf);
      });
    },
    async discard(letterIds) {
      const ids = namedRowIds({ ids: letterIds }) ?? [];
      if (ids.length === 0) return;
      await db.deleteFrom('bus_dead_letters').where('id', 'in', ids).execute();
    },
    async purge(group, selection) {
      return database.transaction(async (trx) => {
        const ids = namedRowIds(selection);
        const purged = await trx
          .deleteFrom('bus_dead_letters')
          .where('consumer_group', '=', group)
          .where('redriven_at', 'is', null)
          .where(whereSelected(ids))
          .returning('id')
          .execute();
        requireFound(
          group,
          selection,
          purged.map((letter) => String(letter.id)),
        );
        return purged.length;
      });
    },
    async depth(group) {
      const row = await listed(db, group).select(sql<string>`count(*)`.as('count')).executeTakeFirst();
      return Number(row?.count ?? 0);
    },
    async restoreRedriven() {
      await db
        .updateTable('bus_dead_letters')
        .set({ redriven_at: null })
        .where('redriven_at', 'is not', null)
        .execute();
    },
  };
}
