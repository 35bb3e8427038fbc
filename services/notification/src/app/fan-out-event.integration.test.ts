import { createEvent, type EventEnvelope, parseEvent } from '@fiscal/contracts';
import type { Database } from '@fiscal/kit/db';
import { createInProcessBus, createMemoryQueueStore } from '@fiscal/kit/events';
import {
  type CountedDatabase,
  createCountedDatabase,
  createTestDatabase,
  probeService,
} from '@fiscal/kit/testing';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notificationMigrations } from '../adapters/migrations.js';
import {
  createPostgresNotificationStore,
  type NotificationSchema,
  notificationGroup,
} from '../adapters/postgres-notification-store.js';
import { createSecretBox } from '../adapters/secret-box.js';
import type { NotificationStore } from '../domain/index.js';
import { createNotificationService, type NotificationSettings } from '../main.js';
import { startReceiver } from '../testing/receivers.js';
import { fanOutEventsHandler } from './fan-out-event.js';

const logger = pino({ level: 'silent' });
const postgresAvailable = await probeService('postgres');
const clock = () => new Date('2026-11-24T12:00:00.000Z');

function archived(tenant: string, n: number): EventEnvelope {
  const invoiceId = `0193a1b2-0000-7000-8000-${String(n).padStart(12, '0')}`;
  return createEvent({
    type: 'fiscal.invoice.archived',
    source: 'fiscal/invoice',
    subject: invoiceId,
    tenant,
    sequence: 4,
    data: {
      invoiceId,
      uuid: '5c1a7a34-6f8b-4d5e-9b44-2f8f0a1e7c11',
      issuer: 'EKU9003173C9',
      amount: '1160.00',
      currency: 'MXN',
      originalSize: 5596,
      compressedSize: 2210,
      storageKey: `${tenant}/EKU9003173C9/2026/11/${n}.xml.br`,
      archivedAt: '2026-11-24T12:00:01.000Z',
      processingMs: 840,
    },
  });
}

function userCreated(tenant: string, n: number): EventEnvelope {
  return createEvent({
    type: 'auth.user.created',
    source: 'fiscal/auth',
    subject: `usr_${n}`,
    tenant,
    sequence: 1,
    data: { userId: `usr_${n}`, orgId: tenant, role: 'viewer' },
  });
}

/** Subscriptions of two organisations, each wanting some of the events; one of them disabled. */
async function subscribe(store: NotificationStore): Promise<void> {
  const wants = [
    ['org_a', 'https://erp.example.com/all', ['fiscal.invoice.archived', 'auth.user.created']],
    ['org_a', 'https://erp.example.com/invoices', ['fiscal.invoice.archived']],
    ['org_a', 'mailto:ops@example.com', ['auth.user.created']],
    ['org_b', 'https://books.example.com/hooks', ['fiscal.invoice.archived']],
  ] as const;
  for (const [orgId, url, events] of wants) {
    await store.createSubscription({
      orgId,
      channel: url.startsWith('mailto:') ? 'email' : 'webhook',
      url,
      events,
      secret: 'whsec_AAAA',
    });
  }
}

/** Every delivery, by the subscription's URL rather than its id, in a fixed order. */
async function deliveriesOf(database: Database<NotificationSchema>) {
  const { rows } = await sql<Record<string, unknown>>`
    select s.url, d.event_id, d.event_type, d.payload, d.status, d.next_attempt_at
      from deliveries d join subscriptions s on s.id = d.subscription_id
     order by s.url, d.event_id`.execute(database.db);
  return rows;
}

const stream = [
  ...Array.from({ length: 30 }, (_, n) => archived(n % 3 === 0 ? 'org_b' : 'org_a', n)),
  ...Array.from({ length: 10 }, (_, n) => userCreated(n % 2 === 0 ? 'org_a' : 'org_c', n)),
];

/** A deterministic pseudo-random source (mulberry32), so a failing order can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The stream shuffled, some events two or three times, cut into batches of sizes drawn from `sizes`. */
function shuffledBatches(events: readonly EventEnvelope[], seed: number, sizes: readonly number[]) {
  const random = seededRandom(seed);
  const deliveries = events.flatMap((event) => (random() < 0.3 ? [event, event] : [event]));
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }
  const batches: EventEnvelope[][] = [];
  for (let start = 0; start < deliveries.length; ) {
    const size = sizes[Math.floor(random() * sizes.length)]!;
    batches.push(deliveries.slice(start, start + size));
    start += size;
  }
  return batches;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each([
  ['pglite', true],
  ['postgres', postgresAvailable],
] as const)('fanning events out on %s', (engine, available) => {
  let test: CountedDatabase<NotificationSchema>;
  let fanOut: ReturnType<typeof fanOutEventsHandler>;

  beforeAll(async () => {
    if (!available) return;
    test = await createCountedDatabase<NotificationSchema>(engine, 'notification');
    await test.database.migrate(notificationMigrations);
    const store = createPostgresNotificationStore(test.database, createSecretBox(undefined));
    await subscribe(store);
    fanOut = fanOutEventsHandler(store, clock);
  });
  afterAll(async () => {
    await test?.dispose();
  });
  /** No delivery, no event seen: the subscriptions stay. */
  beforeEach(async () => {
    if (!available) return;
    await sql`delete from deliveries`.execute(test.database.db);
    await sql`delete from inbox`.execute(test.database.db);
  });

  it.skipIf(!available)(
    'makes the same deliveries from a shuffled, duplicated stream in batches of any size as one event at a time',
    async () => {
      for (const event of stream) await fanOut([event]);
      const expected = await deliveriesOf(test.database);
      // 20 archived of org_a to two subscriptions, 10 of org_b to one, 5 users of org_a to two.
      expect(expected).toHaveLength(60);

      for (const seed of [1, 2, 3]) {
        await sql`delete from deliveries`.execute(test.database.db);
        await sql`delete from inbox`.execute(test.database.db);
        let applied = 0;
        for (const batch of shuffledBatches(stream, seed, [1, 4, 13, 100]))
          applied += (await fanOut(batch)).applied;
        expect(applied).toBe(stream.length);
        expect(await deliveriesOf(test.database), `seed ${seed}`).toEqual(expected);
      }
    },
  );

  it.skipIf(!available)('a redelivered batch has no second effect', async () => {
    // 7 invoices of org_b to one subscription, 13 of org_a to two.
    expect(await fanOut(stream.slice(0, 20))).toEqual({ applied: 20, deliveries: 33 });
    const once = await deliveriesOf(test.database);
    expect(await fanOut(stream.slice(0, 20))).toEqual({ applied: 0, deliveries: 0 });
    expect(await deliveriesOf(test.database)).toEqual(once);
    // Half seen, half new: 3 invoices of org_b to one subscription, 7 of org_a to two.
    expect(await fanOut(stream.slice(10, 30))).toEqual({ applied: 10, deliveries: 17 });
  });

  it.skipIf(!available)('fans a batch of 100 events out in five statements, whatever its size', async () => {
    const batch = Array.from({ length: 100 }, (_, n) => archived('org_a', 1_000 + n));
    const before = await test.statements();
    expect(await fanOut(batch)).toEqual({ applied: 100, deliveries: 200 });
    // begin, inbox, the subscriptions wanting them, the deliveries, commit.
    expect((await test.statements()) - before).toBe(5);
  });

  it.skipIf(!available)(
    'commits a batch around its poison event and dead-letters that event alone, at once',
    async () => {
      const receiver = await startReceiver(() => 204);
      cleanups.push(receiver.close);
      const test = await createTestDatabase<NotificationSchema>(engine, 'notification');
      const registry = new Registry();
      const bus = createInProcessBus({
        store: createMemoryQueueStore(),
        logger,
        registry,
        validate: parseEvent,
        pollIntervalMs: 10,
      });
      const service = await createNotificationService({
        database: test.database,
        bus,
        registry,
        logger,
        settings: { ...settings, webhookAllowHosts: [receiver.host] },
      });
      await service.start();
      cleanups.push(async () => {
        await service.stop();
        await service.flush?.();
        await bus.close();
        await test.dispose();
      });
      await createPostgresNotificationStore(
        test.database,
        createSecretBox(settings.secretKey),
      ).createSubscription({
        orgId: 'org_a',
        channel: 'webhook',
        url: `${receiver.url}/hooks`,
        events: ['fiscal.invoice.archived'],
        secret: 'whsec_AAAA',
      });
      const events = Array.from({ length: 10 }, (_, n) => archived('org_a', n));
      // Published by hand, say, with an id that is no UUID: the inbox cannot record it.
      const poison = { ...events[4]!, id: 'redriven-by-hand-4' };
      events[4] = poison;

      await bus.publish(events);

      await expect.poll(() => bus.deadLetters.list(notificationGroup)).toHaveLength(1);
      await expect.poll(() => receiver.received.length).toBe(9);
      const [letter] = await bus.deadLetters.list(notificationGroup);
      expect(letter).toMatchObject({ envelope: { id: poison.id }, attempts: 1 });
      // Refused by the database for its value: no retry could change that, so no retry was made.
      expect(letter!.error).toMatch(/^AppError: /);
      expect(new Set(receiver.received.map((request) => request.headers['webhook-id'])).size).toBe(9);
      const durations = await registry.getSingleMetric('event_handler_duration_seconds')!.get();
      const batches = durations.values.find(
        (value) =>
          (value as { metricName?: string }).metricName === 'event_handler_duration_seconds_count' &&
          value.labels.group === notificationGroup &&
          value.labels.type === 'batch',
      );
      expect(batches?.value).toBeGreaterThanOrEqual(1);
    },
  );
});

const settings: NotificationSettings = {
  webhookRetrySchedule: [30, 30, 30],
  webhookAllowHosts: [],
  webhookConnectTimeout: 1_000,
  webhookResponseTimeout: 2_000,
  webhookBreakerFailures: 1_000,
  webhookBreakerPause: 1_000,
  disableAfterDeadLetters: 5,
  secretKey: Buffer.alloc(32, 7).toString('base64'),
  dispatchBatchSize: 20,
  dispatchPollInterval: 20,
  dispatchLease: 5_000,
  smtpUrl: undefined,
  emailFrom: 'Fiscal <notifications@fiscal.test>',
  smsProviderUrl: undefined,
  smsProviderToken: '',
};
