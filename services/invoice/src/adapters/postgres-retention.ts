import { sql } from 'kysely';
import type { ShardRetention } from '../domain/retention/index.js';
import type { InvoiceShard } from './invoice-shards.js';
import {
  comingMonths,
  ensureOutboxPartitions,
  type MonthPartition,
  monthPartitionsOf,
} from './monthly-partitions.js';

export function createShardRetention(shard: InvoiceShard): ShardRetention {
  const { db } = shard.database;
  const count = async (month: MonthPartition, where = sql`true`) => {
    const { rows } = await sql<{ count: string | number }>`
      select count(*) as count from ${sql.id(month.name)} where ${where}`.execute(db);
    return Number(rows[0]?.count ?? 0);
  };
  return {
    shard: shard.index,
    async expiredInvoiceMonths(cutoff) {
      const months = (await monthPartitionsOf(db, 'invoices')).filter((month) => month.to <= cutoff);
      return Promise.all(months.map(async (month) => ({ ...month, rows: await count(month) })));
    },
    async archivedDocuments(month) {
      const { rows } = await sql<{ storage_key: string }>`
        select storage_key from ${sql.id(month.name)} where storage_key is not null`.execute(db);
      return rows.map((row) => row.storage_key);
    },
    async dropInvoiceMonth(month) {
      await shard.database.transaction(async (trx) => {
        await sql`delete from invoice_uuids where issuance_date >= ${month.from} and issuance_date < ${month.to}`.execute(
          trx,
        );
        await sql`drop table ${sql.id(month.name)}`.execute(trx);
      });
    },
    async expiredOutboxMonths(cutoff) {
      const months = (await monthPartitionsOf(db, 'outbox')).filter((month) => month.to <= cutoff);
      return Promise.all(
        months.map(async (month) => ({
          ...month,
          rows: await count(month),
          unpublished: await count(month, sql`published_at is null`),
        })),
      );
    },
    async dropOutboxMonth(month) {
      await sql`drop table ${sql.id(month.name)}`.execute(db);
    },
    async prepareComingMonths(now) {
      await ensureOutboxPartitions(db, comingMonths(now));
    },
  };
}
