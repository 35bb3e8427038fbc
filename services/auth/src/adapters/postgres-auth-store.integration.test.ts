import type { OutboxSchema } from '@fiscal/kit/outbox';
import { createTestDatabase, probeService, type TestDatabase } from '@fiscal/kit/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import type { AuthEvent } from '../domain/index.js';
import { runAuthStoreConformance } from '../testing/auth-store-conformance.js';
import type { AuthSchema } from './auth-rows.js';
import { authMigrations } from './migrations.js';
import { createPostgresAuthStore } from './postgres-auth-store.js';

const postgresAvailable = await probeService('postgres');

for (const engine of ['pglite', 'postgres'] as const) {
  const available = engine === 'pglite' || postgresAvailable;
  // One database per engine, emptied for each test: an embedded engine takes seconds to start.
  let test: TestDatabase<AuthSchema> | undefined;
  beforeAll(async () => {
    if (!available) return;
    test = await createTestDatabase<AuthSchema>(engine, 'auth');
    await test.database.migrate(authMigrations);
  });
  afterAll(async () => test?.dispose());

  runAuthStoreConformance({
    adapter: engine,
    available,
    async open() {
      if (!test) throw new Error(`no ${engine} database`);
      const { database } = test;
      await sql`truncate organizations, users, refresh_tokens, api_keys, signing_keys, outbox`.execute(
        database.db,
      );
      return {
        store: createPostgresAuthStore(database),
        async committedEvents() {
          const db = database.db as unknown as Kysely<OutboxSchema>;
          const rows = await db.selectFrom('outbox').select('envelope').orderBy('id').execute();
          return rows.map(({ envelope }): AuthEvent => {
            const { type, subject, tenant, data } =
              typeof envelope === 'string' ? JSON.parse(envelope) : envelope;
            return { type, subject, tenant, data };
          });
        },
      };
    },
  });
}
