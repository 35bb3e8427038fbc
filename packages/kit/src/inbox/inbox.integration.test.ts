import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/index.js';
import { createTestDatabase, type TestDatabase } from '../testing/databases.js';
import { probeService } from '../testing/services.js';
import { handleBatchOnce, handleOnce, inboxMigrations } from './inbox.js';

interface Schema {
  effects: { event_id: string };
}

async function waitingOnLocks(database: Database<Schema>): Promise<boolean> {
  // A conflicting insert waits on the other transaction's id, a lock with no database of its own.
  const result = await sql<{ waiting: string }>`select count(*) as waiting
      from pg_locks lock join pg_stat_activity activity on activity.pid = lock.pid
     where not lock.granted and activity.datname = current_database()`.execute(database.db);
  return Number(result.rows[0]?.waiting) > 0;
}

const postgresAvailable = await probeService('postgres');

describe.each([
  ['pglite', true],
  ['postgres', postgresAvailable],
] as const)('handleOnce on %s', (engine, available) => {
  let test: TestDatabase<Schema>;
  let database: Database<Schema>;
  const effectsOf = async (eventId: string) =>
    (await database.db.selectFrom('effects').selectAll().where('event_id', '=', eventId).execute()).length;
  const recordEffect = (eventId: string) => (trx: Parameters<Parameters<typeof handleOnce<Schema>>[3]>[0]) =>
    trx
      .insertInto('effects')
      .values({ event_id: eventId })
      .execute()
      .then(() => undefined);

  beforeAll(async () => {
    if (!available) return;
    test = await createTestDatabase<Schema>(engine, 'consumer');
    database = test.database;
    await database.migrate([
      ...inboxMigrations,
      {
        name: '001-effects',
        up: (db) => sql`create table effects (event_id uuid not null)`.execute(db).then(() => undefined),
      },
    ]);
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it.skipIf(!available)('gives a redelivered event no second effect', async () => {
    const event = { id: randomUUID() };
    expect(await handleOnce(database, 'projector', event, recordEffect(event.id))).toBe('processed');
    expect(await handleOnce(database, 'projector', event, recordEffect(event.id))).toBe('duplicate');
    expect(await effectsOf(event.id)).toBe(1);
  });

  it.skipIf(!available)('lets another consumer group handle the same event', async () => {
    const event = { id: randomUUID() };
    await handleOnce(database, 'projector', event, recordEffect(event.id));
    expect(await handleOnce(database, 'analytics', event, recordEffect(event.id))).toBe('processed');
    expect(await effectsOf(event.id)).toBe(2);
  });

  it.skipIf(!available)('leaves no trace of a failed handler, so the retry runs it', async () => {
    const event = { id: randomUUID() };
    await expect(
      handleOnce(database, 'projector', event, async (trx) => {
        await recordEffect(event.id)(trx);
        throw new Error('downstream failed');
      }),
    ).rejects.toThrow('downstream failed');
    expect(await effectsOf(event.id)).toBe(0);
    expect(await handleOnce(database, 'projector', event, recordEffect(event.id))).toBe('processed');
    expect(await effectsOf(event.id)).toBe(1);
  });

  it.skipIf(!available)('has one effect when the same event is delivered twice at once', async () => {
    const event = { id: randomUUID() };
    const outcomes = await Promise.allSettled([
      handleOnce(database, 'projector', event, recordEffect(event.id)),
      handleOnce(database, 'projector', event, recordEffect(event.id)),
    ]);
    const values = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 'failed'));
    expect(values.sort()).toEqual(['duplicate', 'processed']);
    expect(await effectsOf(event.id)).toBe(1);
  });

  it.skipIf(!available)('runs the effect for a waiting delivery when the one ahead of it fails', async () => {
    const event = { id: randomUUID() };
    let failFirst!: () => void;
    const firstMayFail = new Promise<void>((resolve) => {
      failFirst = resolve;
    });
    let firstStarted = false;
    const first = handleOnce(database, 'projector', event, async (trx) => {
      firstStarted = true;
      await recordEffect(event.id)(trx);
      await firstMayFail;
      throw new Error('downstream failed');
    });
    await expect.poll(() => firstStarted).toBe(true);
    const second = handleOnce(database, 'projector', event, recordEffect(event.id));
    // On PostgreSQL the second delivery must be waiting on the first one's inbox row; on the
    // embedded engine it waits for the connection.
    if (engine === 'postgres') await expect.poll(() => waitingOnLocks(database)).toBe(true);
    failFirst();
    await expect(first).rejects.toThrow('downstream failed');
    expect(await second).toBe('processed');
    expect(await effectsOf(event.id)).toBe(1);
  });

  it.skipIf(!available)(
    'a batch applies only the events never seen, once each, whatever it repeats or was handled before',
    async () => {
      const [seenAlone, first, second] = [randomUUID(), randomUUID(), randomUUID()];
      await handleOnce(database, 'batch-group', { id: seenAlone }, recordEffect(seenAlone));
      const batch = [{ id: seenAlone }, { id: first }, { id: second }, { id: first }];
      const applied = await handleBatchOnce(database, 'batch-group', batch, async (trx, fresh) => {
        for (const { id } of fresh) await recordEffect(id)(trx);
      });
      expect(applied.map(({ id }) => id)).toEqual([first, second]);
      const again = await handleBatchOnce(database, 'batch-group', batch, async () => {
        throw new Error('a redelivered batch must reach no work');
      });
      expect(again).toEqual([]);
      expect([await effectsOf(seenAlone), await effectsOf(first), await effectsOf(second)]).toEqual([
        1, 1, 1,
      ]);
    },
  );

  it.skipIf(!available)(
    'a batch whose work fails leaves no inbox row behind, so its retry applies it',
    async () => {
      const id = randomUUID();
      await expect(
        handleBatchOnce(database, 'batch-group', [{ id }], async () => {
          throw new Error('effect failed');
        }),
      ).rejects.toThrow('effect failed');
      const applied = await handleBatchOnce(database, 'batch-group', [{ id }], async (trx, fresh) => {
        for (const event of fresh) await recordEffect(event.id)(trx);
      });
      expect(applied).toHaveLength(1);
      expect(await effectsOf(id)).toBe(1);
    },
  );
});
