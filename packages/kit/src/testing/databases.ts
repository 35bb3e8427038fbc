import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openEmbeddedPostgres } from '../db/embedded-postgres.js';
import { createDatabase, type Database } from '../db/index.js';
import { serviceUrls } from './services.js';

export interface TestDatabase<DB> {
  database: Database<DB>;
  /** PostgreSQL only: the fresh database's URL, for a second `Database` on it (a replica, a schema). */
  url?: string;
  dispose(): Promise<void>;
}

/**
 * A throw-away database: an in-memory PGlite, or a fresh PostgreSQL database on this machine's
 * server (created per call, dropped by `dispose`) so concurrent test files never share rows.
 */
export async function createTestDatabase<DB>(
  engine: 'pglite' | 'postgres',
  schema: string,
): Promise<TestDatabase<DB>> {
  if (engine === 'pglite') {
    const embedded = await openEmbeddedPostgres();
    const database = await createDatabase<DB>({ engine: 'pglite', embedded, schema }).catch(
      async (error: unknown) => {
        await embedded.close();
        throw error;
      },
    );
    return {
      database,
      async dispose() {
        await database.close();
        await embedded.close();
      },
    };
  }
  const name = `fiscal_test_${randomBytes(5).toString('hex')}`;
  const drop = () => adminQuery(`drop database if exists ${name} with (force)`);
  await adminQuery(`create database ${name}`);
  const url = new URL(serviceUrls.postgres);
  url.pathname = `/${name}`;
  const database = await createDatabase<DB>({
    engine: 'postgres',
    url: url.toString(),
    schema,
    poolSize: 5,
  }).catch(async (error: unknown) => {
    await drop();
    throw error;
  });
  return {
    database,
    url: url.toString(),
    async dispose() {
      await database.close();
      await drop();
    },
  };
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serviceUrls.postgres });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
