import { Registry } from 'prom-client';
import { createDatabase, openEmbeddedPostgres } from '../db/index.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

/** A throw-away database whose statements are counted on `db_statements_total`, as a process's are. */
export interface CountedDatabase<DB> extends TestDatabase<DB> {
  /** Statements sent so far, transaction control included. */
  statements(): Promise<number>;
}

export async function createCountedDatabase<DB>(
  engine: 'pglite' | 'postgres',
  schema: string,
): Promise<CountedDatabase<DB>> {
  const registry = new Registry();
  const statements = async () => {
    const metric = await registry.getSingleMetric('db_statements_total')?.get();
    return (metric?.values ?? []).reduce((sum, sample) => sum + sample.value, 0);
  };
  if (engine === 'pglite') {
    const embedded = await openEmbeddedPostgres();
    const database = await createDatabase<DB>({ engine, embedded, schema, registry });
    return {
      database,
      statements,
      async dispose() {
        await database.close();
        await embedded.close();
      },
    };
  }
  const test = await createTestDatabase<DB>(engine, schema);
  const database = await createDatabase<DB>({ engine, url: test.url!, schema, poolSize: 5, registry });
  return {
    database,
    url: test.url,
    statements,
    async dispose() {
      await database.close();
      await test.dispose();
    },
  };
}
