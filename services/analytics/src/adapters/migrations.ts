import type { NamedMigration } from '@fiscal/kit/db';
import { inboxMigrations } from '@fiscal/kit/inbox';
import { sql } from 'kysely';

export const analyticsMigrations: readonly NamedMigration[] = [
  ...inboxMigrations,
  {
    name: '2026-11-26-001-daily-rollups',
    async up(db) {
      // The key leads with organisation and day: a report reads one day of one organisation.
      await sql`
        create table daily_rollups (
          org_id text not null,
          day date not null,
          issuer text not null,
          currency text not null,
          status text not null,
          invoice_count bigint not null,
          total_amount numeric not null,
          original_bytes bigint not null,
          compressed_bytes bigint not null,
          latency jsonb not null default '{}',
          primary key (org_id, day, issuer, currency, status)
        )`.execute(db);
    },
  },
];
