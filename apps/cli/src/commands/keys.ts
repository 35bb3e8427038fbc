import { join, resolve } from 'node:path';
import { type AuthSchema, authConfig, openAuthAdministration } from '@fiscal/auth';
import { defineConfig, parseConfig, string } from '@fiscal/kit/config';
import { createDatabase, type Database, databaseConfig, openEmbeddedPostgres } from '@fiscal/kit/db';

const authDatabaseSettings = defineConfig({
  ...databaseConfig,
  databaseUrl: { ...databaseConfig.databaseUrl, default: undefined },
  dataDir: {
    env: 'FISCAL_DATA_DIR',
    type: string(),
    default: './data',
    doc: 'Where embedded mode keeps its database and archived documents.',
  },
});

/**
 * The auth database an operator command works on: FISCAL_DATABASE_URL when set (distributed),
 * otherwise the embedded PGlite under FISCAL_DATA_DIR, schema `auth` (as `fiscal start` lays it out).
 */
export async function openAuthDatabase(): Promise<{
  database: Database<AuthSchema>;
  close(): Promise<void>;
}> {
  const settings = parseConfig(authDatabaseSettings);
  const schema = settings.databaseSchema || 'auth';
  if (settings.databaseUrl) {
    const database = await createDatabase<AuthSchema>({
      engine: 'postgres',
      url: settings.databaseUrl,
      schema,
    });
    return { database, close: () => database.close() };
  }
  const embedded = await openEmbeddedPostgres({ dataDir: join(resolve(settings.dataDir), 'postgres') });
  const database = await createDatabase<AuthSchema>({ engine: 'pglite', embedded, schema });
  return {
    database,
    async close() {
      await database.close();
      await embedded.close();
    },
  };
}

/** `fiscal keys rotate`: a new signing key; the active one stays published until the next rotation. */
export async function runKeys(args: string[]): Promise<number> {
  if (args[0] !== 'rotate' || args.length > 1) {
    console.error('fiscal keys rotate');
    return 2;
  }
  const settings = parseConfig(authConfig);
  const auth = await openAuthDatabase();
  try {
    const administration = await openAuthAdministration(auth.database, settings);
    const rotation = await administration.rotateKeys();
    console.log(
      `fiscal keys: ${rotation.keyId} signs from now on${rotation.previousKeyId ? `; ${rotation.previousKeyId} still verifies until the next rotation` : ''}`,
    );
    return 0;
  } finally {
    await auth.close();
  }
}
