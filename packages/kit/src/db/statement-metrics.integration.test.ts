import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeService, serviceUrls } from '../testing/services.js';
import { createDatabase, type Database } from './database.js';
import { type EmbeddedPostgres, openEmbeddedPostgres } from './embedded-postgres.js';

interface Schema {
  notes: { body: string };
}

async function statementsOf(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('db_statements_total')?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map((sample) => [String(sample.labels.database), sample.value]),
  );
}

/** Two reads, then a transaction of two inserts: begin and commit are statements too. */
async function work(database: Database<Schema>): Promise<void> {
  await sql`select 1`.execute(database.db);
  await database.db.selectFrom('notes').selectAll().execute();
  await database.transaction(async (trx) => {
    await trx.insertInto('notes').values({ body: 'one' }).execute();
    await trx.insertInto('notes').values({ body: 'two' }).execute();
  });
}

describe('db_statements_total on the embedded engine', () => {
  const registry = new Registry();
  let embedded: EmbeddedPostgres;
  let ledger: Database<Schema>;
  let archive: Database<Schema>;

  beforeAll(async () => {
    embedded = await openEmbeddedPostgres();
    ledger = await createDatabase<Schema>({ engine: 'pglite', embedded, schema: 'ledger', registry });
    archive = await createDatabase<Schema>({ engine: 'pglite', embedded, schema: 'archive', registry });
    for (const database of [ledger, archive]) await sql`create table notes (body text)`.execute(database.db);
  });
  afterAll(async () => {
    await ledger?.close();
    await archive?.close();
    await embedded?.close();
  });

  it('counts every statement sent, transaction control included, per schema', async () => {
    const before = await statementsOf(registry);
    await work(ledger);
    await sql`select 1`.execute(archive.db);
    const after = await statementsOf(registry);
    expect(after.ledger! - before.ledger!).toBe(6);
    expect(after.archive! - before.archive!).toBe(1);
  });

  it('counts a rolled-back transaction and its failed statement', async () => {
    const before = await statementsOf(registry);
    await expect(
      ledger.transaction(async (trx) => {
        await sql`select * from missing_table`.execute(trx);
      }),
    ).rejects.toThrow();
    expect((await statementsOf(registry)).ledger! - before.ledger!).toBe(3);
  });

  it('never goes backwards across scrapes', async () => {
    const first = await statementsOf(registry);
    const second = await statementsOf(registry);
    expect(second).toEqual(first);
  });
});

const postgresAvailable = await probeService('postgres');

describe.skipIf(!postgresAvailable)('db_statements_total on PostgreSQL', () => {
  const registry = new Registry();
  const name = `fiscal_test_${randomBytes(5).toString('hex')}`;
  let database: Database<Schema>;

  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serviceUrls.postgres });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    await admin(`create database ${name}`);
    const url = new URL(serviceUrls.postgres);
    url.pathname = `/${name}`;
    database = await createDatabase<Schema>({
      engine: 'postgres',
      url: url.toString(),
      schema: 'ledger',
      poolSize: 2,
      registry,
    });
    await sql`create table notes (body text)`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await admin(`drop database if exists ${name} with (force)`);
  });

  it('labels the statements with the database of the URL', async () => {
    const before = await statementsOf(registry);
    await work(database);
    expect((await statementsOf(registry))[name]! - before[name]!).toBe(6);
  });
});
