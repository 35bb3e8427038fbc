import type { NamedMigration } from '@fiscal/kit/db';
import { outboxMigrations } from '@fiscal/kit/outbox';
import { type Kysely, sql } from 'kysely';
import { outboxPartitionMigration, outboxPartitionsUniqueIdMigration } from './monthly-partitions.js';

/** The migrations of one invoice shard; every shard runs the same list. */
export const invoiceMigrations: readonly NamedMigration[] = [
  ...outboxMigrations,
  {
    // The first, unsharded table; kept so databases created with it migrate forward.
    name: '2026-11-24-001-invoices',
    async up(db) {
      await sql`
        create table invoices (
          id text primary key,
          org_id text not null,
          uuid text not null,
          issuer text not null,
          receiver text not null,
          amount numeric not null,
          currency text not null,
          issuance_date timestamptz not null,
          source_kind text not null check (source_kind in ('url', 'inline')),
          source_url text,
          inline_document text,
          checksum text not null,
          status text not null,
          version integer not null,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          unique (org_id, uuid)
        )`.execute(db);
      await sql`create index invoices_org_issuer on invoices (org_id, issuer)`.execute(db);
    },
  },
  {
    // Rows of the unsharded table stay in `invoices_unsharded` for an operator to re-submit; their
    // ids do not carry a slot, so the sharded store cannot route to them.
    name: '2026-11-25-001-sharded-invoices',
    async up(db) {
      await sql`alter table invoices rename to invoices_unsharded`.execute(db);
      // Index names are unique per schema: the old ones make way for the new table's.
      await sql`alter index invoices_pkey rename to invoices_unsharded_pkey`.execute(db);
      await sql`alter index invoices_org_issuer rename to invoices_unsharded_org_issuer`.execute(db);
      // Partitioned by issuance month, so retention drops whole partitions instead of deleting rows.
      // A partitioned table's unique keys must include the partition key, hence (id, issuance_date)
      // and the separate `invoice_uuids` table that keeps fiscal UUIDs unique per organisation.
      await sql`
        create table invoices (
          id text not null,
          org_id text not null,
          slot integer not null,
          uuid text not null,
          issuer text not null,
          receiver text not null,
          amount numeric not null,
          currency text not null,
          issuance_date timestamptz not null,
          source_kind text not null check (source_kind in ('url', 'inline')),
          source_url text,
          -- bytea, not text: the document is kept byte for byte (a text round trip can drop a BOM).
          inline_document bytea,
          checksum text not null,
          status text not null,
          version integer not null,
          processing_attempts integer not null default 0,
          claim_started_at timestamptz,
          claim_expires_at timestamptz,
          storage_key text,
          codec text,
          original_size integer,
          compressed_size integer,
          outcome_reason text,
          problems jsonb,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          primary key (id, issuance_date)
        ) partition by range (issuance_date)`.execute(db);
      await sql`create index invoices_id on invoices (id)`.execute(db);
      await sql`create index invoices_slot on invoices (slot)`.execute(db);
      await sql`create index invoices_org_issuer on invoices (org_id, issuer, issuance_date)`.execute(db);
      await sql`create index invoices_claims on invoices (claim_expires_at)
        where status in ('processing', 'validated')`.execute(db);
      await sql`
        create table invoice_uuids (
          org_id text not null,
          uuid text not null,
          invoice_id text not null,
          issuance_date timestamptz not null,
          slot integer not null,
          primary key (org_id, uuid)
        )`.execute(db);
      await sql`create index invoice_uuids_slot on invoice_uuids (slot)`.execute(db);
      await sql`
        create table idempotency_keys (
          org_id text not null,
          key text not null,
          fingerprint text not null,
          body jsonb not null,
          created_at timestamptz not null default now(),
          primary key (org_id, key)
        )`.execute(db);
      await sql`create index idempotency_keys_created on idempotency_keys (created_at)`.execute(db);
    },
  },
  {
    // Reprocessing is limited per invoice, so a client cannot grow its events and timeline forever.
    name: '2026-12-03-001-invoice-reprocessings',
    async up(db) {
      await sql`alter table invoices add column reprocessings integer not null default 0`.execute(db);
    },
  },
  {
    // A submission looks its UUIDs up on every shard. Keyed (org_id, uuid), a table the planner has
    // no statistics for yet (a new shard, minutes before autovacuum's first analyze) is read by its
    // organisation and filtered by UUID: every row of the caller's, so each lookup cost more as the
    // shard filled. Keyed (uuid, org_id), the UUIDs are the only way into the index.
    name: '2026-12-03-002-invoice-uuids-by-uuid',
    async up(db) {
      await sql`alter table invoice_uuids drop constraint invoice_uuids_pkey,
        add constraint invoice_uuids_pkey primary key (uuid, org_id)`.execute(db);
    },
  },
  {
    // The primary key (id, issuance_date) already finds an invoice by id alone (its leading column);
    // the second index on id cost an entry in every version of every row (three per invoice).
    name: '2026-12-03-003-invoices-without-id-index',
    async up(db) {
      await sql`drop index if exists invoices_id`.execute(db);
    },
  },
  {
    // lz4 where the server has it: an inline CFDI is stored in a third of pglz's CPU and smaller
    // (5 KB fixtures: 30 µs against 86 µs an insert, 4.4 KB against 5.4 KB a row). Partitions
    // created later inherit the parent's setting; the existing ones are set one by one.
    name: '2026-12-03-004-invoice-documents-lz4',
    async up(db) {
      const { rows } = await sql<{ available: boolean }>`
        select 'lz4' = any(enumvals) as available from pg_settings where name = 'default_toast_compression'`.execute(
        db,
      );
      if (!rows[0]?.available) return;
      const partitions = await sql<{ name: string }>`
        select inhrelid::regclass::text as name from pg_inherits where inhparent = 'invoices'::regclass`.execute(
        db,
      );
      for (const table of ['invoices', ...partitions.rows.map((row) => row.name)]) {
        await sql`alter table ${sql.raw(table)} alter column inline_document set compression lz4`.execute(db);
      }
    },
  },
  {
    name: '2026-12-03-005-invoice-partitions-unique-id',
    async up(db) {
      const partitions = await sql<{ name: string }>`
        select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
         where i.inhparent = 'invoices'::regclass`.execute(db);
      for (const { name } of partitions.rows) await uniqueIdIndex(db, name);
    },
  },
  outboxPartitionMigration,
  outboxPartitionsUniqueIdMigration,
];

/**
 * A unique index on `id` in one partition. The primary key (id, issuance_date) finds rows by id too,
 * but only a unique index on `id` alone tells the planner a lookup by ids matches that many rows:
 * a month's partition is new and unanalyzed for its first minutes, and without it every read and
 * versioned update of a batch scanned the whole partition.
 */
// biome-ignore lint/suspicious/noExplicitAny: run by a migration, on the schema as it is then
export async function uniqueIdIndex(db: Kysely<any>, partition: string): Promise<void> {
  await sql`create unique index if not exists ${sql.id(`${partition}_id`)} on ${sql.id(partition)} (id)`.execute(
    db,
  );
}
