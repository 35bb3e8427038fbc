import type { NamedMigration } from '@fiscal/kit/db';
import { inboxMigrations } from '@fiscal/kit/inbox';
import { outboxMigrations } from '@fiscal/kit/outbox';
import { sql } from 'kysely';

export const notificationMigrations: readonly NamedMigration[] = [
  ...inboxMigrations,
  ...outboxMigrations,
  {
    name: '2026-12-01-001-subscriptions',
    async up(db) {
      await sql`create table subscriptions (
        id text primary key,
        org_id text not null,
        channel text not null,
        url text not null,
        events jsonb not null,
        secret text,
        status text not null,
        consecutive_dead_letters integer not null default 0,
        version integer not null default 1,
        created_at timestamptz not null
      )`.execute(db);
      await sql`create index subscriptions_by_org on subscriptions (org_id, status)`.execute(db);
    },
  },
  {
    name: '2026-12-01-002-deliveries',
    async up(db) {
      await sql`create table deliveries (
        id text primary key,
        subscription_id text not null references subscriptions (id) on delete cascade,
        event_id text not null,
        event_type text not null,
        payload text not null,
        status text not null,
        attempts integer not null default 0,
        next_attempt_at timestamptz not null,
        claimed_until timestamptz,
        last_status_code integer,
        last_error text,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (subscription_id, event_id)
      )`.execute(db);
      await sql`create index deliveries_due on deliveries (next_attempt_at) where status = 'pending'`.execute(
        db,
      );
      await sql`create table delivery_attempts (
        delivery_id text not null references deliveries (id) on delete cascade,
        attempt integer not null,
        attempted_at timestamptz not null,
        status_code integer,
        error text,
        duration_ms integer not null,
        primary key (delivery_id, attempt)
      )`.execute(db);
    },
  },
];
