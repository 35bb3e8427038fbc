import type { NamedMigration } from '@fiscal/kit/db';
import { type Kysely, sql } from 'kysely';

/**
 * Tables of an invoice shard partitioned by month — `invoices` by issuance date, `outbox` (the
 * service's event log) by the time each event was recorded — so retention drops whole partitions
 * instead of deleting rows. Partitions are named `<table>_y<year>m<month>`.
 */
export type PartitionedTable = 'invoices' | 'outbox';

export interface MonthPartition {
  table: PartitionedTable;
  name: string;
  /** First instant of the month (inclusive) and of the next (exclusive), UTC. */
  from: Date;
  to: Date;
}

export function monthPartition(table: PartitionedTable, instant: Date): MonthPartition {
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth();
  return {
    table,
    name: `${table}_y${year}m${String(month + 1).padStart(2, '0')}`,
    from: new Date(Date.UTC(year, month, 1)),
    to: new Date(Date.UTC(year, month + 1, 1)),
  };
}

const partitionName = /^(invoices|outbox)_y(\d{4})m(\d{2})$/;

/** The monthly partitions a table has now (the outbox's default partition is none of them). */
// biome-ignore lint/suspicious/noExplicitAny: partitions are read from the catalog, whatever the schema
export async function monthPartitionsOf(db: Kysely<any>, table: PartitionedTable): Promise<MonthPartition[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = ${table}::regclass`.execute(db);
  return rows
    .map((row) => partitionName.exec(row.name))
    .filter((match): match is RegExpExecArray => match !== null && match[1] === table)
    .map((match) => monthPartition(table, new Date(Date.UTC(Number(match[2]), Number(match[3]) - 1, 1))))
    .sort((a, b) => a.from.getTime() - b.from.getTime());
}

const duplicateTable = '42P07';
const uniqueViolation = '23505';

/**
 * Creates the outbox's partition for each month (idempotent): the schedule keeps the coming months
 * ready, so events never wait for one; an event outside them lands in the default partition.
 */
// biome-ignore lint/suspicious/noExplicitAny: run on any shard's schema
export async function ensureOutboxPartitions(db: Kysely<any>, months: readonly Date[]): Promise<void> {
  const existing = new Set((await monthPartitionsOf(db, 'outbox')).map((partition) => partition.name));
  for (const instant of months) {
    const month = monthPartition('outbox', instant);
    if (existing.has(month.name)) continue;
    try {
      await sql`create table if not exists ${sql.id(month.name)} partition of outbox
        for values from (${sql.lit(month.from.toISOString())}) to (${sql.lit(month.to.toISOString())})`.execute(
        db,
      );
      await uniqueOutboxIdIndex(db, month.name);
    } catch (error) {
      // Replicas creating the same partition at once: the loser finds it made.
      const code = (error as { code?: string }).code;
      if (code !== duplicateTable && code !== uniqueViolation) throw error;
    }
  }
}

/** This month and the next two: what the outbox needs ready. */
export function comingMonths(now: Date, count = 3): Date[] {
  return Array.from(
    { length: count },
    (_, offset) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)),
  );
}

/**
 * The outbox becomes partitioned by month like the invoices (expand/contract: the columns and the
 * statements the relay and the event log run are unchanged, so the release before this one keeps
 * working on the migrated table). A partitioned table's unique keys must include the partition key:
 * the primary key becomes (id, created_at) and `event_id` keeps a plain index; event ids are
 * UUIDv7s minted once per event and consumers' inboxes already make a duplicate harmless.
 */
export const outboxPartitionMigration: NamedMigration = {
  name: '2026-12-04-001-outbox-partitioned-by-month',
  async up(db) {
    await sql`alter table outbox rename to outbox_unpartitioned`.execute(db);
    await sql`alter index outbox_pkey rename to outbox_unpartitioned_pkey`.execute(db);
    await sql`alter index outbox_unpublished rename to outbox_unpartitioned_unpublished`.execute(db);
    await sql`
      create table outbox (
        id bigint not null default nextval('outbox_id_seq'),
        event_id uuid not null,
        type text not null,
        envelope jsonb not null,
        created_at timestamptz not null default now(),
        published_at timestamptz,
        claimed_until timestamptz,
        attempts integer not null default 0,
        last_error text,
        primary key (id, created_at)
      ) partition by range (created_at)`.execute(db);
    await sql`create index outbox_unpublished on outbox (id) where published_at is null`.execute(db);
    await sql`create index outbox_event_id on outbox (event_id)`.execute(db);
    await sql`create table outbox_default partition of outbox default`.execute(db);
    const { rows } = await sql<{ month: string }>`
      select distinct to_char(created_at at time zone 'UTC', 'YYYY-MM') as month from outbox_unpartitioned`.execute(
      db,
    );
    const months = rows.map((row) => new Date(`${row.month}-01T00:00:00Z`));
    await ensureOutboxPartitions(db, [...months, ...comingMonths(new Date())]);
    await sql`insert into outbox select * from outbox_unpartitioned`.execute(db);
    await sql`alter sequence outbox_id_seq owned by outbox.id`.execute(db);
    await sql`drop table outbox_unpartitioned`.execute(db);
  },
};

/**
 * A unique index on `id` in one outbox partition: the relay marks what it published by id, and only
 * a unique index on `id` alone tells the planner that matches that many rows. The primary key
 * (id, created_at) does not, and a partition without statistics (a new month, or any in PGlite,
 * which never gathers them) was scanned whole for every batch marked.
 */
// biome-ignore lint/suspicious/noExplicitAny: run on any shard's schema
export async function uniqueOutboxIdIndex(db: Kysely<any>, partition: string): Promise<void> {
  await sql`create unique index if not exists ${sql.id(`${partition}_id_key`)} on ${sql.id(partition)} (id)`.execute(
    db,
  );
}

/** Every outbox partition made before `ensureOutboxPartitions` gave each its unique index on id. */
export const outboxPartitionsUniqueIdMigration: NamedMigration = {
  name: '2026-12-04-002-outbox-partitions-unique-id',
  async up(db) {
    const { rows } = await sql<{ name: string }>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = 'outbox'::regclass`.execute(db);
    for (const { name } of rows) await uniqueOutboxIdIndex(db, name);
  },
};
