import type { EventEnvelope } from '@fiscal/contracts';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, NamedMigration } from '../db/index.js';

export interface InboxSchema {
  inbox: { consumer_group: string; event_id: string; processed_at: Date };
}

export const inboxMigrations: readonly NamedMigration[] = [
  {
    name: '0000-inbox',
    async up(db) {
      await sql`create table inbox (
        consumer_group text not null,
        event_id uuid not null,
        processed_at timestamptz not null default now(),
        primary key (consumer_group, event_id)
      )`.execute(db);
    },
  },
];

/**
 * Runs a consumer's effect at most once per event id: the inbox row and the effect commit in one
 * transaction, so a redelivered event finds its row and does nothing, and a failed effect leaves
 * no row behind and runs again on the retry. At-least-once delivery, exactly-once effect.
 */
export async function handleOnce<DB>(
  database: Database<DB>,
  group: string,
  envelope: Pick<EventEnvelope, 'id'>,
  work: (trx: Transaction<DB>) => Promise<void>,
): Promise<'processed' | 'duplicate'> {
  return database.transaction(async (trx) => {
    const inserted = await (trx as unknown as Kysely<InboxSchema>)
      .insertInto('inbox')
      .values({ consumer_group: group, event_id: envelope.id, processed_at: new Date() })
      .onConflict((conflict) => conflict.columns(['consumer_group', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!inserted) return 'duplicate';
    await work(trx);
    return 'processed';
  });
}

/**
 * The batch form of `handleOnce`: one transaction records every event id in the inbox, and `work`
 * gets only the events not seen before (in their order), with that transaction, so a redelivered
 * batch, or a batch holding events already handled one by one, has no second effect.
 */
export async function handleBatchOnce<DB, E extends Pick<EventEnvelope, 'id'>>(
  database: Database<DB>,
  group: string,
  envelopes: readonly E[],
  work: (trx: Transaction<DB>, fresh: readonly E[]) => Promise<void>,
): Promise<readonly E[]> {
  if (envelopes.length === 0) return [];
  return database.transaction(async (trx) => {
    const inserted = await (trx as unknown as Kysely<InboxSchema>)
      .insertInto('inbox')
      .values(
        envelopes.map((envelope) => ({
          consumer_group: group,
          event_id: envelope.id,
          processed_at: new Date(),
        })),
      )
      .onConflict((conflict) => conflict.columns(['consumer_group', 'event_id']).doNothing())
      .returning('event_id')
      .execute();
    const recorded = new Set(inserted.map((row) => row.event_id));
    // A batch can carry the same event twice (published again before the first was handled).
    const fresh = envelopes.filter((envelope) => recorded.delete(envelope.id));
    if (fresh.length > 0) await work(trx, fresh);
    return fresh;
  });
}

/**
 * Forgets the events handled before `before` (a window well past any redelivery, retry or redrive
 * of them: the broker's retries end within minutes, dead letters are redriven within days), in
 * small batches so no delete holds locks for long. With `dryRun`, only counts them.
 */
export async function pruneInbox<DB>(
  database: Database<DB>,
  before: Date,
  { dryRun = false, batchSize = 5_000 }: { dryRun?: boolean; batchSize?: number } = {},
): Promise<number> {
  const db = database.db as unknown as Kysely<InboxSchema>;
  if (dryRun) {
    const row = await db
      .selectFrom('inbox')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('processed_at', '<', before)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }
  let removed = 0;
  for (;;) {
    const { rows } = await sql<{ count: string | number }>`
      with expired as (
        select consumer_group, event_id from inbox where processed_at < ${before} limit ${batchSize}
      ), removed as (
        delete from inbox using expired
         where inbox.consumer_group = expired.consumer_group and inbox.event_id = expired.event_id
        returning 1
      )
      select count(*) as count from removed`.execute(db);
    const count = Number(rows[0]?.count ?? 0);
    removed += count;
    if (count < batchSize) return removed;
  }
}
