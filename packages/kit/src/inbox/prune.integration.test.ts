import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/databases.js';
import { handleOnce, type InboxSchema, inboxMigrations, pruneInbox } from './inbox.js';

describe('inbox pruning', () => {
  let test: TestDatabase<InboxSchema>;
  beforeAll(async () => {
    test = await createTestDatabase<InboxSchema>('pglite', 'consumer');
    await test.database.migrate(inboxMigrations);
  });
  afterAll(async () => test?.dispose());

  it('forgets events handled before the window, in batches, and counts them first on a dry run', async () => {
    const { database } = test;
    for (let event = 0; event < 7; event++)
      await handleOnce(database, 'projector', { id: randomUUID() }, async () => {});
    const recent = randomUUID();
    await handleOnce(database, 'projector', { id: recent }, async () => {});
    await sql`update inbox set processed_at = now() - interval '100 days' where event_id <> ${recent}`.execute(
      database.db,
    );
    const before = new Date(Date.now() - 90 * 24 * 3_600_000);

    expect(await pruneInbox(database, before, { dryRun: true })).toBe(7);
    expect(await pruneInbox(database, before, { batchSize: 3 })).toBe(7);
    const left = await sql<{ event_id: string }>`select event_id from inbox`.execute(database.db);
    expect(left.rows.map((row) => row.event_id)).toEqual([recent]);
    // A redelivery of the recent event still has no second effect.
    expect(await handleOnce(database, 'projector', { id: recent }, async () => {})).toBe('duplicate');
  });
});
