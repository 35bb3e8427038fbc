import type { NamedMigration } from '@fiscal/kit/db';
import { outboxMigrations } from '@fiscal/kit/outbox';
import { sql } from 'kysely';

export const invoiceMigrations: readonly NamedMigration[] = [
  ...outboxMigrations,
  {
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
];
