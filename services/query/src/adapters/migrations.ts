import type { NamedMigration } from '@fiscal/kit/db';
import { inboxMigrations } from '@fiscal/kit/inbox';
import { sql } from 'kysely';

export const queryMigrations: readonly NamedMigration[] = [
  ...inboxMigrations,
  {
    name: '2026-11-24-001-invoice-summaries',
    async up(db) {
      await sql`
        create table invoice_summaries (
          id text primary key,
          org_id text not null,
          uuid text,
          issuer text,
          receiver text,
          amount numeric,
          currency text,
          issuance_date timestamptz,
          status text not null,
          sequence integer not null,
          created_at timestamptz not null,
          updated_at timestamptz not null
        )`.execute(db);
      await sql`create index invoice_summaries_org_status on invoice_summaries (org_id, status, id)`.execute(
        db,
      );
    },
  },
  {
    name: '2026-11-25-001-invoice-outcomes',
    async up(db) {
      await sql`alter table invoice_summaries
        add column outcome_reason text,
        add column problems jsonb not null default '[]',
        add column processing_ms integer,
        add column original_size integer,
        add column compressed_size integer`.execute(db);
    },
  },
];
