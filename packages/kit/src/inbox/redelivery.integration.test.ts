import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@fiscal/contracts';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedPostgres } from '../db/embedded-postgres.js';
import { createDatabase } from '../db/index.js';
import { createInProcessBus, createSqlQueueStore } from '../events/index.js';
import { handleOnce, inboxMigrations } from './inbox.js';

interface Schema {
  effects: { event_id: string };
}

describe('a crash between the effect and the acknowledgement', () => {
  const embedded = openEmbeddedPostgres();
  afterAll(async () => (await embedded).close());

  it('redelivers the event, and the inbox keeps its effect single', async () => {
    const shared = await embedded;
    const consumer = await createDatabase<Schema>({ engine: 'pglite', embedded: shared, schema: 'consumer' });
    await consumer.migrate([
      ...inboxMigrations,
      {
        name: '001-effects',
        up: (db) => sql`create table effects (event_id uuid)`.execute(db).then(() => undefined),
      },
    ]);
    const store = await createSqlQueueStore(
      await createDatabase({ engine: 'pglite', embedded: shared, schema: 'bus' }),
    );
    const busOptions = {
      store,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      leaseMs: 300,
      pollIntervalMs: 20,
    };
    const type = 'fiscal.invoice.created';
    const group = 'projector';
    const outcomes: string[] = [];
    const project = (event: EventEnvelope) =>
      handleOnce(consumer, group, event, async (trx) => {
        await trx.insertInto('effects').values({ event_id: event.id }).execute();
      });

    // The first process commits the effect, then dies before acknowledging the delivery.
    const doomed = createInProcessBus(busOptions);
    let committed = false;
    await doomed.subscribe({
      group,
      types: [type],
      handler: async (event) => {
        outcomes.push(await project(event));
        committed = true;
        await new Promise(() => {});
      },
    });
    const id = randomUUID();
    await doomed.publish([
      {
        specversion: '1.0',
        id,
        source: 'fiscal/invoice',
        type,
        subject: 'inv-1',
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        dataschema: `urn:fiscal:schema:${type}:1.0`,
        data: {},
        sequence: 1,
        tenant: 'org-1',
        partitionkey: 'inv-1',
      },
    ]);
    await expect.poll(() => committed, { timeout: 10_000 }).toBe(true);
    doomed.halt();

    // Its replacement gets the same event again.
    const replacement = createInProcessBus(busOptions);
    const redeliveries: boolean[] = [];
    await replacement.subscribe({
      group,
      types: [type],
      handler: async (event, delivery) => {
        redeliveries.push(delivery.redelivered);
        outcomes.push(await project(event));
      },
    });
    await expect.poll(() => outcomes, { timeout: 10_000 }).toHaveLength(2);
    await replacement.close();

    expect(redeliveries).toEqual([true]);
    expect(outcomes).toEqual(['processed', 'duplicate']);
    const effects = await consumer.db.selectFrom('effects').selectAll().where('event_id', '=', id).execute();
    expect(effects).toHaveLength(1);
  });
});
