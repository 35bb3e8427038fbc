import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from './database.js';
import { type EmbeddedPostgres, openEmbeddedPostgres } from './embedded-postgres.js';

describe('bytea on the embedded engine', () => {
  let embedded: EmbeddedPostgres;
  let database: Database<{ blobs: { id: number; content: Uint8Array } }>;
  beforeAll(async () => {
    embedded = await openEmbeddedPostgres();
    database = await createDatabase({ engine: 'pglite', embedded, schema: 'blobs' });
    await sql`create table blobs (id int primary key, content bytea not null)`.execute(database.db);
  });
  afterAll(async () => {
    await database.close();
    await embedded.close();
  });

  it('stores and reads back every byte value, as PostgreSQL does', async () => {
    const every = Uint8Array.from({ length: 256 * 4 }, (_, index) => index % 256);
    const slice = new Uint8Array(every.buffer, 7, 300);
    await database.db
      .insertInto('blobs')
      .values([
        { id: 1, content: every },
        { id: 2, content: slice },
        { id: 3, content: new Uint8Array() },
      ])
      .execute();
    const rows = await database.db.selectFrom('blobs').selectAll().orderBy('id').execute();
    expect(rows.map((row) => [...row.content])).toEqual([[...every], [...slice], []]);
    const length = await sql<{
      length: number;
    }>`select octet_length(content) as length from blobs where id = 2`.execute(database.db);
    expect(length.rows[0]?.length).toBe(300);
  });
});
