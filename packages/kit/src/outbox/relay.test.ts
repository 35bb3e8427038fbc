import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@fiscal/contracts';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/index.js';
import { createTestDatabase, type TestDatabase } from '../testing/databases.js';
import { probeService } from '../testing/services.js';
import { appendToOutbox, type OutboxSchema, outboxMigrations } from './outbox.js';
import { createOutboxRelay, type EventPublisher } from './relay.js';

const logger = pino({ level: 'silent' });

function envelope(n: number): EventEnvelope {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'fiscal/test',
    type: 'fiscal.invoice.created',
    subject: `inv-${n}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    dataschema: 'urn:fiscal:schema:fiscal.invoice.created:1.0',
    data: { n },
    sequence: 1,
    tenant: 'org-1',
    partitionkey: `inv-${n}`,
  };
}

/** A broker that records each accepted batch and can be told to refuse. */
function recordingPublisher() {
  const batches: EventEnvelope[][] = [];
  let failuresLeft = 0;
  const publisher: EventPublisher & {
    batches: EventEnvelope[][];
    failNext(times: number): void;
    published(): number[];
  } = {
    batches,
    failNext(times) {
      failuresLeft = times;
    },
    published: () => batches.flat().map((event) => (event.data as { n: number }).n),
    async publish(events) {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('broker unavailable');
      }
      batches.push([...events]);
    },
  };
  return publisher;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const postgresAvailable = await probeService('postgres');

describe.each([
  ['pglite', true],
  ['postgres', postgresAvailable],
] as const)('outbox relay on %s', (engine, available) => {
  let test: TestDatabase<OutboxSchema>;
  let database: Database<OutboxSchema>;
  const write = (...events: EventEnvelope[]) => database.transaction((trx) => appendToOutbox(trx, events));
  const relayFor = (publisher: EventPublisher, batchSize = 100) =>
    createOutboxRelay({
      database,
      publisher,
      logger,
      registry: new Registry(),
      batchSize,
      pollIntervalMs: 20,
      maxBackoffMs: 50,
    });

  beforeAll(async () => {
    if (!available) return;
    test = await createTestDatabase<OutboxSchema>(engine, 'outbox_test');
    database = test.database;
    await database.migrate(outboxMigrations);
  });
  afterAll(async () => {
    await test?.dispose();
  });

  it.skipIf(!available)('publishes committed events in order, in batches', async () => {
    await database.db.deleteFrom('outbox').execute();
    await write(...Array.from({ length: 7 }, (_, n) => envelope(n)));
    const publisher = recordingPublisher();
    const relay = relayFor(publisher, 3);
    relay.start();
    await until(() => publisher.published().length === 7);
    await relay.stop();
    expect(publisher.published()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(publisher.batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
  });

  it.skipIf(!available)('never publishes an event whose transaction rolled back', async () => {
    await database.db.deleteFrom('outbox').execute();
    await expect(
      database.transaction(async (trx) => {
        await appendToOutbox(trx, [envelope(100)]);
        throw new Error('invoice insert failed');
      }),
    ).rejects.toThrow('invoice insert failed');
    await write(envelope(101));
    const publisher = recordingPublisher();
    const relay = relayFor(publisher);
    await relay.flush();
    expect(publisher.published()).toEqual([101]);
  });

  it.skipIf(!available)(
    'keeps events through broker failures and publishes each once it recovers',
    async () => {
      await database.db.deleteFrom('outbox').execute();
      await write(envelope(1), envelope(2));
      const publisher = recordingPublisher();
      publisher.failNext(3);
      const relay = relayFor(publisher);
      relay.start();
      await until(() => publisher.published().length === 2);
      await relay.stop();
      expect(publisher.published()).toEqual([1, 2]);
      const row = await database.db
        .selectFrom('outbox')
        .select(['attempts', 'last_error'])
        .executeTakeFirstOrThrow();
      expect(row.attempts).toBe(3);
      expect(row.last_error).toContain('broker unavailable');
      await relayFor(publisher).flush();
      expect(publisher.published()).toEqual([1, 2]);
    },
  );

  it.skipIf(!available)('wakes at once when notified after a commit', async () => {
    await database.db.deleteFrom('outbox').execute();
    const publisher = recordingPublisher();
    const relay = createOutboxRelay({
      database,
      publisher,
      logger,
      registry: new Registry(),
      pollIntervalMs: 60_000,
    });
    relay.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await write(envelope(5));
    relay.notify();
    await until(() => publisher.published().length === 1, 5_000);
    await relay.stop();
  });

  it.skipIf(!available)('releases the claims of a killed predecessor when it is the only relay', async () => {
    await database.db.deleteFrom('outbox').execute();
    await write(envelope(7));
    // A relay claimed the row and died before publishing it.
    await database.db
      .updateTable('outbox')
      .set({ claimed_until: new Date(Date.now() + 3_600_000) })
      .execute();
    const shared = recordingPublisher();
    await relayFor(shared).flush();
    expect(shared.published()).toEqual([]);
    const publisher = recordingPublisher();
    const relay = createOutboxRelay({
      database,
      publisher,
      logger,
      registry: new Registry(),
      pollIntervalMs: 20,
      exclusive: true,
    });
    relay.start();
    await until(() => publisher.published().length === 1);
    await relay.stop();
    expect(publisher.published()).toEqual([7]);
  });

  it.skipIf(!available)('never lets two relays publish the same row', async () => {
    await database.db.deleteFrom('outbox').execute();
    await write(...Array.from({ length: 200 }, (_, n) => envelope(n)));
    const publisher = recordingPublisher();
    const slowPublisher: EventPublisher = {
      publish: async (events) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await publisher.publish(events);
      },
    };
    const relays = [relayFor(slowPublisher, 10), relayFor(slowPublisher, 10), relayFor(slowPublisher, 10)];
    for (const relay of relays) relay.start();
    await until(() => publisher.published().length >= 200);
    await Promise.all(relays.map((relay) => relay.stop()));
    const published = publisher.published();
    expect(published).toHaveLength(200);
    expect(new Set(published).size).toBe(200);
  });
});
