import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@fiscal/contracts';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDatabase,
  type Database,
  type EmbeddedPostgres,
  openEmbeddedPostgres,
} from '../../db/index.js';
import { appendToOutbox, type OutboxSchema, outboxMigrations } from '../../outbox/outbox.js';
import { createOutboxRelay } from '../../outbox/relay.js';
import type { Subscription } from '../event-bus.js';
import { ConsumerStopped, createInProcessBus, type InProcessBus } from './in-process-bus.js';
import { createMemoryQueueStore } from './memory-queue-store.js';
import { createSqlDeadLetterShelf } from './sql-dead-letter-shelf.js';
import { type BusSchema, busMigrations } from './sql-queue-store.js';

// Embedded mode's bus: queues in memory, dead letters in the database, and an event counts as
// published only once every consumer handled it, so the publisher's outbox is what survives a crash.

const logger = pino({ level: 'silent' });
const group = 'projector';

function event(n: number): EventEnvelope {
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

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((ok) => (resolve = ok));
  return { promise, resolve };
}

/** Whether the promise settled within a few event-loop turns. */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  return settled;
}

describe('in-process bus whose publish waits for handling', () => {
  let embedded: EmbeddedPostgres;
  let busDatabase: Database<BusSchema>;
  let outboxDatabase: Database<OutboxSchema>;
  const buses: InProcessBus[] = [];

  async function newBus(): Promise<InProcessBus> {
    const bus = createInProcessBus({
      store: createMemoryQueueStore({ deadLetters: await createSqlDeadLetterShelf(busDatabase) }),
      logger,
      registry: new Registry(),
      pollIntervalMs: 20,
      reclaimLeasesOnStart: true,
      publishWaitsForHandling: true,
    });
    buses.push(bus);
    return bus;
  }

  const subscription = (handle: (event: EventEnvelope) => Promise<void>): Subscription => ({
    group,
    types: ['fiscal.invoice.created'],
    retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
    handler: handle,
  });

  beforeAll(async () => {
    embedded = await openEmbeddedPostgres();
    busDatabase = await createDatabase<BusSchema>({ engine: 'pglite', embedded, schema: 'bus' });
    await busDatabase.migrate(busMigrations);
    outboxDatabase = await createDatabase<OutboxSchema>({ engine: 'pglite', embedded, schema: 'events' });
    await outboxDatabase.migrate(outboxMigrations);
  });
  beforeEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close().catch(() => undefined)));
    await busDatabase.db.deleteFrom('bus_dead_letters').execute();
    await outboxDatabase.db.deleteFrom('outbox').execute();
  });
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close().catch(() => undefined)));
    await embedded.close();
  });

  it('holds publishes until opened, then resolves only once the consumer handled the events', async () => {
    const bus = await newBus();
    const release = deferred();
    const handled: number[] = [];
    const published = bus.publish([event(1), event(2)]);
    await bus.subscribe(
      subscription(async (envelope) => {
        await release.promise;
        handled.push((envelope.data as { n: number }).n);
      }),
    );
    expect(await settledSoon(published)).toBe(false);
    bus.open();
    expect(await settledSoon(published)).toBe(false);
    expect(handled).toEqual([]);
    release.resolve();
    await published;
    expect(handled.sort()).toEqual([1, 2]);
  });

  it('counts a dead-lettered event as settled, and keeps the letter in the database', async () => {
    const bus = await newBus();
    bus.open();
    await bus.subscribe(
      subscription(async () => {
        throw new Error('projection refused it');
      }),
    );
    const poison = event(3);
    await bus.publish([poison]);
    const shelf = await createSqlDeadLetterShelf(busDatabase);
    const letters = await shelf.list(group, 10);
    expect(letters.map((letter) => letter.envelope.id)).toEqual([poison.id]);
    expect(letters[0]?.error).toContain('projection refused it');
  });

  it('hands an event published twice while waiting to the consumer once, and settles both publishes', async () => {
    const bus = await newBus();
    bus.open();
    const release = deferred();
    let calls = 0;
    await bus.subscribe(
      subscription(async () => {
        calls += 1;
        await release.promise;
      }),
    );
    const once = event(4);
    const first = bus.publish([once]);
    await expect.poll(() => calls).toBe(1);
    const second = bus.publish([once]);
    release.resolve();
    await Promise.all([first, second]);
    expect(calls).toBe(1);
  });

  it('leaves in the outbox what a consumer stopped before handling; the next process delivers it', async () => {
    await outboxDatabase.transaction((trx) => appendToOutbox(trx, [event(5)]));
    const crashed = await newBus();
    crashed.open();
    const started = deferred();
    const subscriber = await crashed.subscribe(
      subscription(async () => {
        started.resolve();
        await new Promise(() => undefined);
      }),
    );
    const relay = createOutboxRelay({
      database: outboxDatabase,
      publisher: crashed,
      logger,
      registry: new Registry(),
      pollIntervalMs: 20,
      maxBackoffMs: 50,
      exclusive: true,
    });
    expect(crashed.publishConcurrency).toBeGreaterThan(1);
    relay.start();
    await started.promise;
    crashed.halt();
    void subscriber;
    await relay.stop();
    const unpublished = await outboxDatabase.db
      .selectFrom('outbox')
      .select('id')
      .where('published_at', 'is', null)
      .execute();
    expect(unpublished).toHaveLength(1);

    const next = await newBus();
    const handled: number[] = [];
    await next.subscribe(
      subscription(async (envelope) => {
        handled.push((envelope.data as { n: number }).n);
      }),
    );
    next.open();
    const nextRelay = createOutboxRelay({
      database: outboxDatabase,
      publisher: next,
      logger,
      registry: new Registry(),
      pollIntervalMs: 20,
      exclusive: true,
    });
    nextRelay.start();
    await expect
      .poll(async () => {
        const row = await outboxDatabase.db.selectFrom('outbox').select('published_at').executeTakeFirst();
        return row?.published_at;
      })
      .toBeInstanceOf(Date);
    await nextRelay.stop();
    expect(handled).toEqual([5]);
  });

  it('refuses a publish to a group whose consumer stopped, so its publisher keeps the event', async () => {
    const bus = await newBus();
    bus.open();
    const subscriber = await bus.subscribe(subscription(async () => undefined));
    await subscriber.stop();
    await expect(bus.publish([event(6)])).rejects.toBeInstanceOf(ConsumerStopped);
  });

  it('lists a letter again whose redrive a crash interrupted, and drops it once its redrive is handled', async () => {
    const failing = await newBus();
    failing.open();
    await failing.subscribe(
      subscription(async () => {
        throw new Error('not yet');
      }),
    );
    await failing.publish([event(7)]);
    const [letter] = await failing.deadLetters.list(group);
    expect(letter).toBeDefined();

    // Taken for a redrive, then the process dies before the consumer handles it.
    failing.halt();
    expect(await failing.deadLetters.redrive(group, { ids: [letter!.id] })).toBe(1);
    expect(await failing.deadLetters.list(group)).toEqual([]);

    const next = await newBus();
    const handled = deferred();
    await next.subscribe(subscription(async () => handled.resolve()));
    next.open();
    await expect.poll(() => next.deadLetters.list(group)).toHaveLength(1);
    await next.deadLetters.redrive(group, { ids: [letter!.id] });
    await handled.promise;
    await expect.poll(() => busDatabase.db.selectFrom('bus_dead_letters').select('id').execute()).toEqual([]);
  });
});
