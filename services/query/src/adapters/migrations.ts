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
  {
    name: '2026-12-01-001-invoice-timeline',
    async up(db) {
      // Keyed by event id: a redelivered or replayed event lands on its own row, in any order.
      await sql`
        create table invoice_timeline (
          event_id uuid primary key,
          invoice_id text not null,
          org_id text not null,
          type text not null,
          sequence integer not null,
          occurred_at timestamptz not null,
          detail jsonb not null
        )`.execute(db);
      await sql`create index invoice_timeline_invoice on invoice_timeline (invoice_id, sequence, occurred_at)`.execute(
        db,
      );
    },
  },
  {
    name: '2026-12-01-002-invoice-search',
    async up(db) {
      // Trusted since PostgreSQL 13: a database owner may create it. Installed in the service's
      // schema (first on its search path) unless an operator already installed it elsewhere.
      await sql`create extension if not exists pg_trgm`.execute(db);
      // The 'simple' configuration: RFCs and UUIDs are codes, not words to stem.
      await sql`alter table invoice_summaries add column search tsvector generated always as (
          to_tsvector('simple', coalesce(issuer, '') || ' ' || coalesce(receiver, '') || ' ' || coalesce(uuid, ''))
        ) stored`.execute(db);
      await sql`create index invoice_summaries_search on invoice_summaries using gin (search)`.execute(db);
      // Partial RFCs and UUID fragments match by trigram (ILIKE '%fragment%' uses these indexes).
      await sql`create index invoice_summaries_issuer_trgm on invoice_summaries using gin (issuer gin_trgm_ops)`.execute(
        db,
      );
      await sql`create index invoice_summaries_receiver_trgm on invoice_summaries using gin (receiver gin_trgm_ops)`.execute(
        db,
      );
      await sql`create index invoice_summaries_uuid_trgm on invoice_summaries using gin (uuid gin_trgm_ops)`.execute(
        db,
      );
      // Keyset pagination: invoice ids are UUIDv7, immutable and time-ordered, newest first.
      await sql`create index invoice_summaries_org_page on invoice_summaries (org_id, id desc)`.execute(db);
      await sql`create index invoice_summaries_org_issuance on invoice_summaries (org_id, issuance_date)`.execute(
        db,
      );
    },
  },
  {
    // The search document and its four GIN indexes move to a table written once per invoice: on the
    // summary, whose status changes three times, every new row version re-indexed the trigrams of
    // issuer, receiver and UUID and recomputed the full-text document, unchanged each time.
    name: '2026-12-03-001-invoice-search-table',
    async up(db) {
      await sql`
        create table invoice_search (
          id text primary key,
          org_id text not null,
          uuid text not null,
          issuer text not null,
          receiver text not null,
          search tsvector generated always as (
            to_tsvector('simple', issuer || ' ' || receiver || ' ' || uuid)
          ) stored
        )`.execute(db);
      await sql`insert into invoice_search (id, org_id, uuid, issuer, receiver)
        select id, org_id, uuid, issuer, receiver from invoice_summaries
         where uuid is not null and issuer is not null and receiver is not null`.execute(db);
      await sql`drop index invoice_summaries_search, invoice_summaries_issuer_trgm,
        invoice_summaries_receiver_trgm, invoice_summaries_uuid_trgm`.execute(db);
      await sql`alter table invoice_summaries drop column search`.execute(db);
      await sql`create index invoice_search_document on invoice_search using gin (search)`.execute(db);
      await sql`create index invoice_search_issuer_trgm on invoice_search using gin (issuer gin_trgm_ops)`.execute(
        db,
      );
      await sql`create index invoice_search_receiver_trgm on invoice_search using gin (receiver gin_trgm_ops)`.execute(
        db,
      );
      await sql`create index invoice_search_uuid_trgm on invoice_search using gin (uuid gin_trgm_ops)`.execute(
        db,
      );
    },
  },
];
