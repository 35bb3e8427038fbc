import type { NamedMigration } from '@fiscal/kit/db';
import { outboxMigrations } from '@fiscal/kit/outbox';
import { sql } from 'kysely';

/** The auth database: identities, credentials, signing keys, and the outbox of `auth.*` events. */
export const authMigrations: readonly NamedMigration[] = [
  ...outboxMigrations,
  {
    name: '2026-12-01-001-identities',
    async up(db) {
      await sql`create table organizations (
        id text primary key,
        name text not null,
        tier text not null check (tier in ('free', 'pro', 'enterprise')),
        created_at timestamptz not null default now()
      )`.execute(db);
      await sql`create table users (
        id text primary key,
        org_id text not null references organizations (id),
        email text not null,
        password_hash text not null,
        role text not null check (role in ('admin', 'analyst', 'viewer')),
        status text not null default 'active' check (status in ('active', 'suspended')),
        platform_admin boolean not null default false,
        created_at timestamptz not null default now()
      )`.execute(db);
      // One account per address whatever its case: `Admin@X` and `admin@x` are the same person.
      await sql`create unique index users_email on users (lower(email))`.execute(db);
      await sql`create index users_org on users (org_id, created_at)`.execute(db);
    },
  },
  {
    name: '2026-12-01-002-credentials',
    async up(db) {
      await sql`create table refresh_tokens (
        id text primary key,
        token_hash text not null unique,
        family_id text not null,
        user_id text not null references users (id),
        expires_at timestamptz not null,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz not null default now()
      )`.execute(db);
      await sql`create index refresh_tokens_family on refresh_tokens (family_id)`.execute(db);
      await sql`create table api_keys (
        id text primary key,
        org_id text not null references organizations (id),
        name text not null,
        scopes jsonb not null,
        prefix text not null,
        secret_hash text not null unique,
        created_by text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz
      )`.execute(db);
      await sql`create index api_keys_org on api_keys (org_id, created_at)`.execute(db);
    },
  },
  {
    name: '2026-12-01-003-signing-keys',
    async up(db) {
      await sql`create table signing_keys (
        id text primary key,
        status text not null check (status in ('active', 'previous', 'retired')),
        public_jwk jsonb not null,
        private_key text not null,
        encrypted boolean not null,
        created_at timestamptz not null default now(),
        retired_at timestamptz
      )`.execute(db);
      // At most one key signs at a time, and at most one is still published beside it.
      await sql`create unique index signing_keys_one_per_status on signing_keys (status)
        where status in ('active', 'previous')`.execute(db);
    },
  },
  {
    // Expired refresh tokens are cleared as new ones are issued; this finds them without a scan.
    name: '2026-12-03-001-refresh-token-expiry',
    async up(db) {
      await sql`create index refresh_tokens_expiry on refresh_tokens (expires_at)`.execute(db);
    },
  },
];
