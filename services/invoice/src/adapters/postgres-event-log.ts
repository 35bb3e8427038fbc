import type { OutboxSchema } from '@fiscal/kit/outbox';
import type { Kysely } from 'kysely';
import type { EventLogShards } from '../domain/event-log/index.js';
import type { InvoiceShards } from './invoice-shards.js';

/** The event log in each shard's outbox, in id order (the order the shard committed its events). */
export function createPostgresEventLog(shards: InvoiceShards): EventLogShards {
  return {
    count: shards.all.length,
    async readAfter(shard, afterId, limit) {
      const db = shards.all[shard]!.database.db as unknown as Kysely<OutboxSchema>;
      return db
        .selectFrom('outbox')
        .select(['id', 'envelope'])
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
    },
  };
}
