import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@fiscal/contracts';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../db/index.js';
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

/** The value of a metric (a histogram's `_count` or `_sum` by suffix), or undefined before it is set. */
async function metricValue(registry: Registry, name: string, suffix = ''): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values.find(
    (value) => ((value as { metricName?: string }).metricName ?? name) === `${name}${suffix}`,
  )?.value;
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
    await expect.poll(() => publisher.published().length).toBe(7);
    await relay.stop();
    expect(publisher.published()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(publisher.batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
  });

  it.skipIf(!available)('is woken by a commit that appended to its outbox, not by its poll', async () => {
    await database.db.deleteFrom('outbox').execute();
    const publisher = recordingPublisher();
    const relay = createOutboxRelay({
      database,
      publisher,
      logger,
      registry: new Registry(),
      pollIntervalMs: 600_000,
      exclusive: true,
    });
    relay.start();
    // Its first poll found nothing; the next is ten minutes away.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await write(envelope(300));
    await expect.poll(() => publisher.published(), { timeout: 5_000 }).toEqual([300]);
    await relay.stop();
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
      await expect.poll(() => publisher.published().length).toBe(2);
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
    const registry = new Registry();
    const relay = createOutboxRelay({ database, publisher, logger, registry, pollIntervalMs: 60_000 });
    relay.start();
    // Started (its backlog is counted); its next poll is a minute away, so only the notify can wake it.
    await expect.poll(() => metricValue(registry, 'outbox_backlog')).toBeDefined();
    await write(envelope(5));
    relay.notify();
    await expect.poll(() => publisher.published().length, { timeout: 5_000 }).toBe(1);
    await relay.stop();
  });

  it.skipIf(!available)('does not lose a notify that arrives while a batch is being published', async () => {
    await database.db.deleteFrom('outbox').execute();
    await write(envelope(1));
    const publisher = recordingPublisher();
    let releaseFirstBatch!: () => void;
    const firstBatchHeld = new Promise<void>((resolve) => {
      releaseFirstBatch = resolve;
    });
    let firstBatchStarted = false;
    const relay = createOutboxRelay({
      database,
      publisher: {
        async publish(events) {
          if (!firstBatchStarted) {
            firstBatchStarted = true;
            await firstBatchHeld;
          }
          await publisher.publish(events);
        },
      },
      logger,
      registry: new Registry(),
      pollIntervalMs: 60_000,
    });
    relay.start();
    await expect.poll(() => firstBatchStarted).toBe(true);
    await write(envelope(2));
    relay.notify();
    releaseFirstBatch();
    await expect.poll(() => publisher.published().length, { timeout: 5_000 }).toBe(2);
    await relay.stop();
    expect(publisher.published()).toEqual([1, 2]);
  });

  it.skipIf(!available)('reports backlog, published events, failures and batch sizes', async () => {
    await database.db.deleteFrom('outbox').execute();
    await write(...Array.from({ length: 7 }, (_, n) => envelope(n)));
    const publisher = recordingPublisher();
    publisher.failNext(1);
    const registry = new Registry();
    const relay = createOutboxRelay({
      database,
      publisher,
      logger,
      registry,
      batchSize: 3,
      pollIntervalMs: 20,
      maxBackoffMs: 50,
    });
    relay.start();
    await expect.poll(() => metricValue(registry, 'outbox_published_total')).toBe(7);
    await expect.poll(() => metricValue(registry, 'outbox_backlog')).toBe(0);
    await relay.stop();
    expect(await metricValue(registry, 'outbox_publish_failures_total')).toBe(1);
    expect(await metricValue(registry, 'outbox_publish_batch_size', '_count')).toBe(3);
    expect(await metricValue(registry, 'outbox_publish_batch_size', '_sum')).toBe(7);
  });

  it.skipIf(!available)(
    'deletes published events past their retention, however many, and keeps the rest',
    async () => {
      await database.db.deleteFrom('outbox').execute();
      await sql`insert into outbox (event_id, type, envelope, published_at)
      select gen_random_uuid(), 'fiscal.invoice.created', '{}'::jsonb, now() - interval '8 days'
        from generate_series(1, 2500)`.execute(database.db);
      await write(envelope(1), envelope(2));
      await database.db
        .updateTable('outbox')
        .set({ published_at: new Date() })
        .where('id', '=', (eb) => eb.selectFrom('outbox').select(eb.fn.max('id').as('id')))
        .execute();
      const publisher = recordingPublisher();
      const relay = relayFor(publisher);
      relay.start();
      const remaining = async () => (await database.db.selectFrom('outbox').select('id').execute()).length;
      await expect.poll(() => remaining()).toBe(2);
      await relay.stop();
      // The recent published event stays; the unpublished one was published, not deleted.
      expect(publisher.published()).toEqual([1]);
    },
  );

  it.skipIf(!available || engine !== 'postgres')(
    "lets a standby take the lead when the leader's session ends, and publish what it never marked",
    async () => {
      await database.db.deleteFrom('outbox').execute();
      await write(envelope(7));
      // The leader hands the row to a broker that never answers, then its database session dies.
      let answerLeader!: () => void;
      const leaderHandedOver = recordingPublisher();
      const unanswered = new Promise<void>((resolve) => {
        answerLeader = resolve;
      });
      const replica = await createDatabase<OutboxSchema>({
        engine: 'postgres',
        url: test.url!,
        schema: database.schema,
      });
      const leader = createOutboxRelay({
        database: replica,
        publisher: {
          async publish(events) {
            await leaderHandedOver.publish(events);
            await unanswered;
          },
        },
        logger,
        registry: new Registry(),
        pollIntervalMs: 20,
      });
      const publisher = recordingPublisher();
      const standby = createOutboxRelay({
        database,
        publisher,
        logger,
        registry: new Registry(),
        pollIntervalMs: 20,
        standbyPollMs: 20,
      });
      try {
        leader.start();
        await expect.poll(() => leaderHandedOver.published().length).toBe(1);
        standby.start();
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(publisher.published()).toEqual([]);
        await sql`select pg_terminate_backend(pid) from pg_locks
                   where locktype = 'advisory' and granted and database = (
                     select oid from pg_database where datname = current_database())`.execute(database.db);
        await expect.poll(() => publisher.published().length).toBe(1);
        expect(publisher.published()).toEqual([7]);
      } finally {
        answerLeader();
        await Promise.all([leader.stop(), standby.stop()]);
        await replica.close();
      }
    },
  );

  it.skipIf(!available)('flushes as the leader once started, and alone when no relay runs', async () => {
    await database.db.deleteFrom('outbox').execute();
    await write(envelope(1));
    const publisher = recordingPublisher();
    const relay = relayFor(publisher);
    relay.start();
    await relay.flush();
    expect(publisher.published()).toEqual([1]);
    await relay.stop();
    await write(envelope(2));
    await relayFor(publisher).flush();
    expect(publisher.published()).toEqual([1, 2]);
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
    // On PostgreSQL each relay is a replica with its own pool; embedded mode has one connection.
    const replicas = await Promise.all(
      [1, 2, 3].map(() =>
        test.url
          ? createDatabase<OutboxSchema>({ engine: 'postgres', url: test.url, schema: database.schema })
          : database,
      ),
    );
    const relays = replicas.map((replica) =>
      createOutboxRelay({
        database: replica,
        publisher: slowPublisher,
        logger,
        registry: new Registry(),
        batchSize: 10,
        pollIntervalMs: 20,
      }),
    );
    for (const relay of relays) relay.start();
    await expect.poll(() => publisher.published().length).toBeGreaterThanOrEqual(200);
    await Promise.all(relays.map((relay) => relay.stop()));
    if (test.url) await Promise.all(replicas.map((replica) => replica.close()));
    const published = publisher.published();
    expect(published).toHaveLength(200);
    expect(new Set(published).size).toBe(200);
  });

  it.skipIf(!available)(
    'as the only relay, writes no claims and keeps several batches with a slow publisher, each row once and in order',
    async () => {
      await database.db.deleteFrom('outbox').execute();
      await write(...Array.from({ length: 7 }, (_, n) => envelope(n)));
      const publisher = recordingPublisher();
      const held: (() => void)[] = [];
      const slowPublisher: EventPublisher = {
        publishConcurrency: 3,
        publish: async (events) => {
          await new Promise<void>((resolve) => held.push(resolve));
          await publisher.publish(events);
        },
      };
      const relay = createOutboxRelay({
        database,
        publisher: slowPublisher,
        logger,
        registry: new Registry(),
        batchSize: 2,
        pollIntervalMs: 20,
        exclusive: true,
      });
      relay.start();
      // Three batches out at once, none of them claimed in the table.
      await expect.poll(() => held.length).toBe(3);
      const claimed = await database.db
        .selectFrom('outbox')
        .select('id')
        .where('claimed_until', 'is not', null)
        .execute();
      expect(claimed).toEqual([]);
      while (publisher.published().length < 7) {
        held.shift()?.();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await relay.stop();
      expect(publisher.published()).toEqual([0, 1, 2, 3, 4, 5, 6]);
      const unpublished = await database.db
        .selectFrom('outbox')
        .select('id')
        .where('published_at', 'is', null)
        .execute();
      expect(unpublished).toEqual([]);
    },
  );

  it.skipIf(!available)(
    'claims from each partition of a partitioned outbox and marks every row where it lies, each once and in order',
    async () => {
      const partitioned = await createTestDatabase<OutboxSchema>(engine, 'outbox_by_month');
      try {
        const { db } = partitioned.database;
        await sql`create table outbox (
            id bigserial, event_id uuid not null, type text not null, envelope jsonb not null,
            created_at timestamptz not null default now(), published_at timestamptz,
            claimed_until timestamptz, attempts integer not null default 0, last_error text,
            primary key (id, created_at)
          ) partition by range (created_at)`.execute(db);
        await sql`create index outbox_unpublished on outbox (id) where published_at is null`.execute(db);
        await sql`create table outbox_y2026m11 partition of outbox
          for values from ('2026-11-01') to ('2026-12-01')`.execute(db);
        await sql`create table outbox_y2026m12 partition of outbox
          for values from ('2026-12-01') to ('2027-01-01')`.execute(db);
        await sql`create table outbox_default partition of outbox default`.execute(db);
        // Recorded over two months and, beyond the months prepared, into the default partition.
        const months = ['2026-11-20T00:00:00Z', '2026-12-02T00:00:00Z', '2031-05-01T00:00:00Z'];
        for (let n = 0; n < 9; n++) {
          const event = envelope(n);
          await sql`insert into outbox (event_id, type, envelope, created_at)
            values (${event.id}, ${event.type}, ${JSON.stringify(event)}, ${months[Math.floor(n / 3)]})`.execute(
            db,
          );
        }
        for (const exclusive of [true, false]) {
          await sql`update outbox set published_at = null`.execute(db);
          const publisher = recordingPublisher();
          const relay = createOutboxRelay({
            database: partitioned.database,
            publisher,
            logger,
            registry: new Registry(),
            batchSize: 4,
            pollIntervalMs: 20,
            exclusive,
          });
          relay.start();
          await expect.poll(() => publisher.published().length).toBe(9);
          await relay.stop();
          expect(publisher.published()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
          const unpublished = await sql`select id from outbox where published_at is null`.execute(db);
          expect(unpublished.rows).toEqual([]);
        }
      } finally {
        await partitioned.dispose();
      }
    },
  );

  it.skipIf(!available)(
    'gathers statistics for a table it finds a backlog in, so claims read the index in order',
    async () => {
      const fresh = await createTestDatabase<OutboxSchema>(engine, 'outbox_backlog');
      try {
        await fresh.database.migrate(outboxMigrations);
        const { db } = fresh.database;
        const estimate = async () =>
          Number(
            (
              await sql<{
                reltuples: number;
              }>`select reltuples from pg_class where oid = 'outbox'::regclass`.execute(db)
            ).rows[0]?.reltuples,
          );
        await fresh.database.transaction((trx) =>
          appendToOutbox(
            trx,
            Array.from({ length: 250 }, (_, n) => envelope(n)),
          ),
        );
        // Never analyzed: the planner knows nothing of the rows.
        expect(await estimate()).toBe(-1);
        const publisher = recordingPublisher();
        const relay = createOutboxRelay({
          database: fresh.database,
          publisher,
          logger,
          registry: new Registry(),
          batchSize: 100,
          pollIntervalMs: 20,
        });
        relay.start();
        await expect.poll(() => publisher.published().length).toBe(250);
        await relay.stop();
        expect(await estimate()).toBeGreaterThan(0);
      } finally {
        await fresh.dispose();
      }
    },
  );

  it.skipIf(!available)(
    "reports the backlog of a service's shards, one schema in two databases, as their sum",
    async () => {
      const shards = [
        await createTestDatabase<OutboxSchema>(engine, 'shard_outbox'),
        await createTestDatabase<OutboxSchema>(engine, 'shard_outbox'),
      ];
      const registry = new Registry();
      const refusing = recordingPublisher();
      refusing.failNext(Number.MAX_SAFE_INTEGER);
      const relays = [];
      try {
        for (const [index, shard] of shards.entries()) {
          await shard.database.migrate(outboxMigrations);
          await shard.database.transaction((trx) =>
            appendToOutbox(
              trx,
              Array.from({ length: index + 2 }, (_, n) => envelope(n)),
            ),
          );
          const relay = createOutboxRelay({
            database: shard.database,
            publisher: refusing,
            logger,
            registry,
            pollIntervalMs: 60_000,
          });
          relay.start();
          relays.push(relay);
        }
        expect(await metricValue(registry, 'outbox_backlog')).toBe(5);
      } finally {
        await Promise.all(relays.map((relay) => relay.stop()));
        for (const shard of shards) await shard.dispose();
      }
    },
  );
});
