import { createDatabase, openEmbeddedPostgres } from '@fiscal/kit/db';
import { createTestDatabase, probeService } from '@fiscal/kit/testing';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { invoiceMigrations } from './migrations.js';

const postgresAvailable = await probeService('postgres');

describe('invoice migrations', () => {
  it('move a database made before sharding forward, keeping its rows aside', async () => {
    const embedded = await openEmbeddedPostgres();
    try {
      const database = await createDatabase({ engine: 'pglite', embedded, schema: 'invoice' });
      const unsharded = invoiceMigrations.findIndex(
        (migration) => migration.name === '2026-11-24-001-invoices',
      );
      await database.migrate(invoiceMigrations.slice(0, unsharded + 1));
      await sql`insert into invoices values ('old-1', 'org-1', '5c1a7a34-6f8b-4d5e-9b44-2f8f0a1e7c11',
        'EKU9003173C9', 'XAXX010101000', 1160, 'MXN', now(), 'inline', null, '<x/>', ${'a'.repeat(64)},
        'pending', 1, now(), now())`.execute(database.db);

      await database.migrate(invoiceMigrations);

      const kept = await sql<{ id: string }>`select id from invoices_unsharded`.execute(database.db);
      expect(kept.rows).toEqual([{ id: 'old-1' }]);
      const partitioned = await sql<{ relkind: string }>`
        select relkind from pg_class where relname = 'invoices' and relnamespace = 'invoice'::regnamespace`.execute(
        database.db,
      );
      expect(partitioned.rows).toEqual([{ relkind: 'p' }]);
      await database.close();
    } finally {
      await embedded.close();
    }
  });

  it.skipIf(!postgresAvailable)(
    'store inline documents with lz4 on PostgreSQL, in the partitions that existed and the ones made later',
    async () => {
      const test = await createTestDatabase('postgres', 'invoice_lz4');
      try {
        const { database } = test;
        const lz4 = invoiceMigrations.findIndex((migration) =>
          migration.name.endsWith('invoice-documents-lz4'),
        );
        await database.migrate(invoiceMigrations.slice(0, lz4));
        await sql`create table invoices_before partition of invoices
          for values from ('2020-01-01') to ('2020-02-01')`.execute(database.db);
        await database.migrate(invoiceMigrations);
        await sql`create table invoices_after partition of invoices
          for values from ('2020-02-01') to ('2020-03-01')`.execute(database.db);
        const methods = await sql<{ relname: string; attcompression: string }>`
          select c.relname, a.attcompression from pg_attribute a join pg_class c on c.oid = a.attrelid
           where a.attname = 'inline_document' and c.relname in ('invoices', 'invoices_before', 'invoices_after')
             and c.relnamespace = current_schema()::regnamespace
           order by c.relname`.execute(database.db);
        expect(methods.rows).toEqual([
          { relname: 'invoices', attcompression: 'l' },
          { relname: 'invoices_after', attcompression: 'l' },
          { relname: 'invoices_before', attcompression: 'l' },
        ]);
      } finally {
        await test.dispose();
      }
    },
  );
});
