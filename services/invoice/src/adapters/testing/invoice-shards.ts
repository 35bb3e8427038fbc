import { randomBytes } from 'node:crypto';
import { createDatabase, type Database, openEmbeddedPostgres } from '@fiscal/kit/db';
import { createTestDatabase, type TestDatabase } from '@fiscal/kit/testing';
import type { Registry } from 'prom-client';
import type { InvoiceSchema } from '../invoice-rows.js';

export interface TestShardDatabases {
  databases: Database<InvoiceSchema>[];
  dispose(): Promise<void>;
}

/**
 * Throw-away shard databases: schemas of one in-memory PGlite (as embedded mode lays them out), or
 * fresh PostgreSQL databases on this machine's server, one per shard. With a registry, each shard's
 * statements are counted in `db_statements_total`, labelled by its schema (PGlite) or database name.
 */
export async function createTestShardDatabases(
  engine: 'pglite' | 'postgres',
  count: number,
  options: { registry?: Registry } = {},
): Promise<TestShardDatabases> {
  const { registry } = options;
  if (engine === 'pglite') {
    const embedded = await openEmbeddedPostgres();
    const prefix = `invoice_${randomBytes(3).toString('hex')}`;
    const databases: Database<InvoiceSchema>[] = [];
    for (let shard = 0; shard < count; shard++) {
      databases.push(
        await createDatabase<InvoiceSchema>({
          engine: 'pglite',
          embedded,
          schema: `${prefix}_${shard}`,
          registry,
        }),
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
  const counted: Database<InvoiceSchema>[] = [];
  for (let shard = 0; shard < count; shard++) {
    const test = await createTestDatabase<InvoiceSchema>('postgres', 'invoice');
    created.push(test);
    // A second connection pool on the same database, the one that counts its statements.
    if (registry && test.url)
      counted.push(
        await createDatabase<InvoiceSchema>({
          engine: 'postgres',
          url: test.url,
          schema: 'invoice',
          poolSize: 5,
          registry,
        }),
      );
  }
  return {
    databases: registry ? counted : created.map((test) => test.database),
    async dispose() {
      for (const database of counted) await database.close();
      for (const test of created) await test.dispose();
    },
  };
}

/** The statements each database sent so far, by the label `db_statements_total` gives it. */
export async function statementsByDatabase(registry: Registry): Promise<Map<string, number>> {
  const metric = await registry.getSingleMetric('db_statements_total')?.get();
  return new Map((metric?.values ?? []).map((sample) => [String(sample.labels.database), sample.value]));
}
