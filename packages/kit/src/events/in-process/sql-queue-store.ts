import type { EventEnvelope } from '@fiscal/contracts';
import { type ColumnType, type Generated, type Kysely, sql } from 'kysely';
import type { Database, NamedMigration } from '../../db/index.js';
import { type DeadLetter, type DeadLetterSelection, requireFound, selectedIds } from '../event-bus.js';
import type { LeasedMessage, QueueStore } from './queue-store.js';

type Json<T> = ColumnType<T, string, string>;

export interface BusSchema {
  bus_bindings: { consumer_group: string; event_type: string };
  bus_messages: {
    id: Generated<string>;
    consumer_group: string;
    event_id: string;
    envelope: Json<EventEnvelope>;
    deliveries: Generated<number>;
    available_at: Generated<Date>;
    leased_until: Date | null;
    last_error: string | null;
  };
  bus_dead_letters: {
    id: Generated<string>;
    consumer_group: string;
    event_id: string;
    envelope: Json<EventEnvelope>;
    error: string;
    attempts: number;
    failed_at: Generated<Date>;
    /** Taken for a redrive whose message is not handled yet (the memory store's shelf). */
    redriven_at: Date | null;
  };
}

export const busMigrations: readonly NamedMigration[] = [
  {
    name: '0001-bus-queues',
    async up(db) {
      await sql`create table bus_bindings (
        consumer_group text not null,
        event_type text not null,
        primary key (consumer_group, event_type)
      )`.execute(db);
      await sql`create table bus_messages (
        id bigserial primary key,
        consumer_group text not null,
        event_id uuid not null,
        envelope jsonb not null,
        deliveries integer not null default 0,
        available_at timestamptz not null default now(),
        leased_until timestamptz,
        last_error text,
        unique (consumer_group, event_id)
      )`.execute(db);
      await sql`create index bus_messages_ready on bus_messages (consumer_group, available_at, id)`.execute(
        db,
      );
      await sql`create table bus_dead_letters (
        id bigserial primary key,
        consumer_group text not null,
        event_id uuid not null,
        envelope jsonb not null,
        error text not null,
        attempts integer not null,
        failed_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index bus_dead_letters_group on bus_dead_letters (consumer_group, id)`.execute(db);
    },
  },
  {
    name: '0002-bus-dead-letters-redriven',
    async up(db) {
      await sql`alter table bus_dead_letters add column redriven_at timestamptz`.execute(db);
    },
  },
];

/** What a `bigserial` id looks like (at most 18 digits, so always within bigint's range). */
const rowId = /^[1-9][0-9]{0,17}$/;

/**
 * The ids a selection names that can be rows' (undefined: all). An id that is not a bigint
 * cannot be a row's, so it is never sent to the database, where it would be a type error.
 */
export const namedRowIds = (selection: DeadLetterSelection) =>
  selectedIds(selection)?.filter((id) => rowId.test(id));

/**
 * Queues in SQL: the embedded database in embedded mode (so what the relay handed over survives a
 * crash), or PostgreSQL. Leasing uses `FOR UPDATE SKIP LOCKED` so members of a group never take
 * the same message; an enqueued event id is stored once per group, so a republished event is
 * not queued twice.
 */
export async function createSqlQueueStore(database: Database<BusSchema>): Promise<QueueStore> {
  await database.migrate(busMigrations);
  const db: Kysely<BusSchema> = database.db;

  const deadLetterFilter = (group: string) =>
    db.selectFrom('bus_dead_letters').where('consumer_group', '=', group);

  /** Deletes the selected dead letters of a group, inside `trx`; none when `ids` is empty. */
  const deleteSelected = (trx: Kysely<BusSchema>, group: string, ids: readonly string[] | undefined) =>
    trx
      .deleteFrom('bus_dead_letters')
      .where('consumer_group', '=', group)
      .where((where) =>
        ids === undefined ? where.lit(true) : ids.length > 0 ? where('id', 'in', ids) : where.lit(false),
      );

  return {
    async bind(group, types) {
      if (types.length === 0) return;
      await db
        .insertInto('bus_bindings')
        .values(types.map((type) => ({ consumer_group: group, event_type: type })))
        .onConflict((conflict) => conflict.doNothing())
        .execute();
    },

    async enqueue(events) {
      if (events.length === 0) return new Map();
      return database.transaction(async (trx) => {
        const types = [...new Set(events.map((event) => event.type))];
        const bindings = await trx
          .selectFrom('bus_bindings')
          .selectAll()
          .where('event_type', 'in', types)
          .execute();
        const rows = events.flatMap((envelope) =>
          bindings
            .filter((binding) => binding.event_type === envelope.type)
            .map((binding) => ({
              consumer_group: binding.consumer_group,
              event_id: envelope.id,
              envelope: JSON.stringify(envelope),
            })),
        );
        const routes = new Map<string, string[]>(events.map((envelope) => [envelope.id, []]));
        for (const row of rows) routes.get(row.event_id)?.push(row.consumer_group);
        if (rows.length > 0) {
          await trx
            .insertInto('bus_messages')
            .values(rows)
            .onConflict((conflict) => conflict.columns(['consumer_group', 'event_id']).doNothing())
            .execute();
        }
        return routes;
      });
    },

    async lease(group, limit, leaseMs) {
      const result = await sql<{ id: string; envelope: EventEnvelope; deliveries: number }>`
        update bus_messages
           set leased_until = now() + ${`${leaseMs} milliseconds`}::interval,
               deliveries = deliveries + 1
         where id in (
           select id from bus_messages
            where consumer_group = ${group}
              and available_at <= now()
              and (leased_until is null or leased_until < now())
            order by id
            limit ${limit}
            for update skip locked)
        returning id, envelope, deliveries`.execute(db);
      return result.rows
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map(
          (row): LeasedMessage => ({ id: row.id, group, envelope: row.envelope, deliveries: row.deliveries }),
        );
    },

    async ack(group, ids) {
      if (ids.length === 0) return;
      await db
        .deleteFrom('bus_messages')
        .where('consumer_group', '=', group)
        .where('id', 'in', ids)
        .execute();
    },

    async retryLater(group, id, delayMs, error) {
      await db
        .updateTable('bus_messages')
        .set({
          available_at: sql`now() + ${`${delayMs} milliseconds`}::interval`,
          leased_until: null,
          last_error: error,
        })
        .where('consumer_group', '=', group)
        .where('id', '=', id)
        .execute();
    },

    async deadLetter(group, id, error) {
      await database.transaction(async (trx) => {
        const moved = await trx
          .deleteFrom('bus_messages')
          .where('consumer_group', '=', group)
          .where('id', '=', id)
          .returning(['event_id', 'envelope', 'deliveries'])
          .executeTakeFirst();
        if (!moved) return;
        await trx
          .insertInto('bus_dead_letters')
          .values({
            consumer_group: group,
            event_id: moved.event_id,
            envelope: JSON.stringify(moved.envelope),
            error,
            attempts: moved.deliveries,
          })
          .execute();
      });
    },

    async releaseLeases() {
      await db
        .updateTable('bus_messages')
        .set({ leased_until: null })
        .where('leased_until', 'is not', null)
        .execute();
    },

    async listDeadLetters(group, limit) {
      const rows = await deadLetterFilter(group).selectAll().orderBy('id').limit(limit).execute();
      return rows.map(
        (row): DeadLetter => ({
          id: row.id,
          group,
          envelope: row.envelope,
          error: row.error,
          attempts: row.attempts,
          failedAt: new Date(row.failed_at).toISOString(),
        }),
      );
    },

    async redrive(group, selection) {
      return database.transaction(async (trx) => {
        const letters = await deleteSelected(trx, group, namedRowIds(selection))
          .returning(['id', 'event_id', 'envelope'])
          .execute();
        // Throwing rolls the transaction back: a selection is redriven whole or not at all.
        requireFound(
          group,
          selection,
          letters.map((letter) => String(letter.id)),
        );
        if (letters.length > 0) {
          await trx
            .insertInto('bus_messages')
            .values(
              letters.map((letter) => ({
                consumer_group: group,
                event_id: letter.event_id,
                envelope: JSON.stringify(letter.envelope),
              })),
            )
            .onConflict((conflict) => conflict.columns(['consumer_group', 'event_id']).doNothing())
            .execute();
        }
        return letters.length;
      });
    },

    async purge(group, selection) {
      return database.transaction(async (trx) => {
        const ids = namedRowIds(selection);
        if (ids === undefined) {
          const result = await deleteSelected(trx, group, ids).executeTakeFirst();
          return Number(result.numDeletedRows);
        }
        const purged = await deleteSelected(trx, group, ids).returning('id').execute();
        requireFound(
          group,
          selection,
          purged.map((letter) => String(letter.id)),
        );
        return purged.length;
      });
    },

    async deadLetterDepth(group) {
      const row = await deadLetterFilter(group).select(sql<string>`count(*)`.as('count')).executeTakeFirst();
      return Number(row?.count ?? 0);
    },

    async close() {},
  };
}
