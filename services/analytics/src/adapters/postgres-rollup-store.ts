import type { Database } from '@fiscal/kit/db';
import { handleBatchOnce } from '@fiscal/kit/inbox';
import { type ColumnType, sql } from 'kysely';
import type { LatencyBuckets } from '../domain/latency/latency-histogram.js';
import {
  type DailyRollup,
  type FinalStatus,
  type RollupStore,
  rollupDeltasOf,
} from '../domain/rollup/index.js';

interface DailyRollupsTable {
  org_id: string;
  /** Written as YYYY-MM-DD, never read back as a Date (a driver would read it in local time). */
  day: ColumnType<never, string, never>;
  issuer: string;
  currency: string;
  status: string;
  invoice_count: ColumnType<string, number, number>;
  total_amount: ColumnType<string, string, string>;
  original_bytes: ColumnType<string, number, number>;
  compressed_bytes: ColumnType<string, number, number>;
  /** Bucket key → count; read back parsed, written as JSON text. */
  latency: ColumnType<LatencyBuckets, string, string>;
}

export interface AnalyticsSchema {
  daily_rollups: DailyRollupsTable;
}

/**
 * The daily rollups in PostgreSQL. A batch of final events costs the same statements whatever its
 * size: the inbox rows and one upsert that adds each rollup's delta to its row.
 */
export function createPostgresRollupStore(database: Database<AnalyticsSchema>, group: string): RollupStore {
  return {
    async addOnce(finals) {
      // Concurrent batches holding the same event take its inbox row in one order, never crosswise.
      const entries = finals
        .map((final) => ({ id: final.event.id, final }))
        .sort((left, right) => (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
      const fresh = await handleBatchOnce(database, group, entries, async (trx, unseen) => {
        const deltas = rollupDeltasOf(unseen.map(({ final }) => final.invoice));
        // One statement adds to each row whoever holds it: concurrent additions to one rollup
        // serialise on its row lock instead of racing a read-modify-write.
        await trx
          .insertInto('daily_rollups')
          .values(
            deltas.map((delta) => ({
              org_id: delta.orgId,
              day: delta.day,
              issuer: delta.issuer,
              currency: delta.currency,
              status: delta.status,
              invoice_count: delta.count,
              total_amount: delta.amount,
              original_bytes: delta.originalBytes,
              compressed_bytes: delta.compressedBytes,
              latency: JSON.stringify(delta.latency),
            })),
          )
          .onConflict((conflict) =>
            conflict.columns(['org_id', 'day', 'issuer', 'currency', 'status']).doUpdateSet({
              invoice_count: sql<number>`daily_rollups.invoice_count + excluded.invoice_count`,
              total_amount: sql<string>`daily_rollups.total_amount + excluded.total_amount`,
              original_bytes: sql<number>`daily_rollups.original_bytes + excluded.original_bytes`,
              compressed_bytes: sql<number>`daily_rollups.compressed_bytes + excluded.compressed_bytes`,
              latency: sql<string>`(
                select coalesce(jsonb_object_agg(bucket, total), '{}'::jsonb)
                  from (select bucket, sum(count::bigint) as total
                          from (select * from jsonb_each_text(daily_rollups.latency)
                                union all
                                select * from jsonb_each_text(excluded.latency)) as counts (bucket, count)
                         group by bucket) as merged)`,
            }),
          )
          .execute();
      });
      return fresh.map(({ final }) => final);
    },

    async rollupsOfDay(orgId, day, issuer) {
      let query = database.db
        .selectFrom('daily_rollups')
        .select(['issuer', 'currency', 'status', 'latency'])
        .select([
          sql<string>`invoice_count::text`.as('invoice_count'),
          sql<string>`total_amount::text`.as('total_amount'),
          sql<string>`original_bytes::text`.as('original_bytes'),
          sql<string>`compressed_bytes::text`.as('compressed_bytes'),
        ])
        .where('org_id', '=', orgId)
        .where(sql<boolean>`day = ${day}::date`);
      if (issuer !== undefined) query = query.where('issuer', '=', issuer);
      const rows = await query.execute();
      return rows.map(
        (row): DailyRollup => ({
          issuer: row.issuer,
          currency: row.currency,
          status: row.status as FinalStatus,
          count: Number(row.invoice_count),
          amount: row.total_amount,
          originalBytes: Number(row.original_bytes),
          compressedBytes: Number(row.compressed_bytes),
          latency: row.latency,
        }),
      );
    },
  };
}
