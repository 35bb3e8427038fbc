import { randomBytes } from 'node:crypto';
import { createDatabase, type Database, openEmbeddedPostgres } from '@fiscal/kit/db';
import { createTestDatabase, type TestDatabase } from '@fiscal/kit/testing';
import type { InvoiceSchema } from '../invoice-rows.js';

export interface TestShardDatabases {
  databases: Database<InvoiceSchema>[];
  dispose(): Promise<void>;
}

/**
 * Throw-away shard databases: schemas of one in-memory PGlite (as embedded mode lays them out), or
 * fresh PostgreSQL databases on this machine's server, one per shard.
 */
export async function createTestShardDatabases(
  engine: 'pglite' | 'postgres',
  count: number,
): Promise<TestShardDatabases> {
  if (engine === 'pglite') {
    const embedded = await openEmbeddedPostgres();
    const prefix = `invoice_${randomBytes(3).toString('hex')}`;
    const databases: Database<InvoiceSchema>[] = [];
    for (let shard = 0; shard < count; shard++) {
      databases.push(
        await createDatabase<InvoiceSchema>({ engine: 'pglite', embedded, schema: `${prefix}_${shard}` }),
      );
    }
    return {
      databases,
      async dispose() {
        for (const database of databases) await database.close();
        await embedded.close();
      },
    };
  }
  const created: TestDatabase<InvoiceSchema>[] = [];
  for (let shard = 0; shard < count; shard++)
    created.push(await createTestDatabase<InvoiceSchema>('postgres', 'invoice'));
  return {
    databases: created.map((test) => test.database),
    async dispose() {
      for (const test of created) await test.dispose();
    },
  };
}
