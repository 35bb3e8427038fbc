import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/databases.js';
import { type OutboxSchema, outboxMigrations } from './outbox.js';
import { outboxTables } from './outbox-tables.js';

const monthName = (date: Date) =>
  `outbox_y${date.getUTCFullYear()}m${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month, 1));

describe('the tables an outbox relay claims from', () => {
  let plain: TestDatabase<OutboxSchema>;
  let partitioned: TestDatabase<OutboxSchema>;
  const now = new Date();
  // Two years of months up to the next one, as retention keeps them.
  const months = Array.from({ length: 26 }, (_, n) =>
    monthStart(now.getUTCFullYear() - 2, now.getUTCMonth() + n),
  );
  const old = months[3]!;

  beforeAll(async () => {
    plain = await createTestDatabase<OutboxSchema>('pglite', 'plain_outbox');
    await plain.database.migrate(outboxMigrations);
    partitioned = await createTestDatabase<OutboxSchema>('pglite', 'outbox_by_month');
    const { db } = partitioned.database;
    await sql`create table outbox (
        id bigserial, event_id uuid not null, type text not null, envelope jsonb not null,
        created_at timestamptz not null default now(), published_at timestamptz,
        claimed_until timestamptz, attempts integer not null default 0, last_error text,
        primary key (id, created_at)
      ) partition by range (created_at)`.execute(db);
    for (const month of months) {
      const next = monthStart(month.getUTCFullYear(), month.getUTCMonth() + 1);
      await sql`create table ${sql.id(monthName(month))} partition of outbox
        for values from (${sql.lit(month.toISOString())}) to (${sql.lit(next.toISOString())})`.execute(db);
    }
    await sql`create table outbox_default partition of outbox default`.execute(db);
    // An event of long ago still unpublished (a parked row, say), and the month's own.
    const row = (createdAt: Date) =>
      sql`insert into outbox (event_id, type, envelope, created_at)
        values (gen_random_uuid(), 'fiscal.test', '{}', ${createdAt.toISOString()})`.execute(db);
    await row(new Date(old.getTime() + 86_400_000));
    await row(now);
  });
  afterAll(async () => {
    await plain?.dispose();
    await partitioned?.dispose();
  });

  it('is the outbox itself when it is not partitioned', async () => {
    expect(await outboxTables(plain.database.db)()).toEqual(['outbox']);
  });

  it('is, of years of monthly partitions, the ones holding unpublished events and the one holding now', async () => {
    const tables = await outboxTables(partitioned.database.db)();
    const current = monthName(monthStart(now.getUTCFullYear(), now.getUTCMonth()));
    // Within minutes of a month's turn the neighbouring month's partition is claimed from too.
    const neighbours = [-1, 1].map((offset) =>
      monthName(monthStart(now.getUTCFullYear(), now.getUTCMonth() + offset)),
    );
    expect(tables.filter((table) => !neighbours.includes(table))).toEqual([monthName(old), current]);
  });
});
