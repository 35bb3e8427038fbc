import type { Database } from '@fiscal/kit/db';
import { handleOnce } from '@fiscal/kit/inbox';
import { type ColumnType, sql } from 'kysely';
import type { LatencyBuckets } from '../domain/latency/latency-histogram.js';
import type { DailyRollup, FinalStatus, RollupStore } from '../domain/rollup/index.js';

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

export function createPostgresRollupStore(database: Database<AnalyticsSchema>, group: string): RollupStore {
  return {
    addOnce(event, invoice) {
      return handleOnce(database, group, event, async (trx) => {
        const bucket = invoice.latencyBucket;
        // One statement adds to the row whoever holds it: concurrent additions to one rollup
        // serialise on its row lock instead of racing a read-modify-write.
        await trx
          .insertInto('daily_rollups')
          .values({
            org_id: invoice.orgId,
            day: invoice.day,
            issuer: invoice.issuer,
            currency: invoice.currency,
            status: invoice.status,
            invoice_count: 1,
            total_amount: invoice.amount,
            original_bytes: invoice.originalBytes,
            compressed_bytes: invoice.compressedBytes,
            latency: JSON.stringify(bucket === undefined ? {} : { [bucket]: 1 }),
          })
          .onConflict((conflict) =>
            conflict.columns(['org_id', 'day', 'issuer', 'currency', 'status']).doUpdateSet({
              invoice_count: sql<number>`daily_rollups.invoice_count + 1`,
              total_amount: sql<string>`daily_rollups.total_amount + excluded.total_amount`,
              original_bytes: sql<number>`daily_rollups.original_bytes + excluded.original_bytes`,
              compressed_bytes: sql<number>`daily_rollups.compressed_bytes + excluded.compressed_bytes`,
              latency:
                bucket === undefined
                  ? sql<string>`daily_rollups.latency`
                  : sql<string>`jsonb_set(daily_rollups.latency, array[${bucket}::text],
                      to_jsonb(coalesce((daily_rollups.latency ->> ${bucket}::text)::bigint, 0) + 1))`,
            }),
          )
          .execute();
      });
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
