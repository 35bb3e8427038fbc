import { createEvent } from '@fiscal/contracts';
import { createTestDatabase, probeService, type TestDatabase } from '@fiscal/kit/testing';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AttemptRecord,
  maxSubscriptionsPerOrganisation,
  type NotificationStore,
  recordDeadLetter,
  recordDelivered,
} from '../domain/index.js';
import { notificationMigrations } from './migrations.js';
import { createPostgresNotificationStore, type NotificationSchema } from './postgres-notification-store.js';
import { createSecretBox } from './secret-box.js';

const postgresReachable = await probeService('postgres');
/** A first attempt that failed for good. */
const deadLetter = (
  { id, subscriptionId }: { id: string; subscriptionId: string },
  at: Date,
): AttemptRecord => ({
  deliveryId: id,
  subscriptionId,
  attempt: 1,
  attemptedAt: at,
  statusCode: 500,
  error: 'HTTP 500',
  durationMs: 3,
  verdict: { status: 'dead_lettered' },
});

/** A webhook subscription of `org_a` with one pending delivery per user created, all claimed. */
async function subscriptionWithDeliveries(store: NotificationStore, users: number, now: Date) {
  const subscription = await store.createSubscription({
    orgId: 'org_a',
    channel: 'webhook',
    url: 'https://erp.example.com/hooks',
    events: ['auth.user.created'],
    secret: 'whsec_AAAA',
  });
  for (let n = 1; n <= users; n++) {
    const event = createEvent({
      type: 'auth.user.created',
      source: 'fiscal/auth',
      subject: `usr_${n}`,
      tenant: 'org_a',
      sequence: 1,
      data: { userId: `usr_${n}`, orgId: 'org_a', role: 'viewer' },
    });
    await store.fanOutOnce(event, '{}', now);
  }
  return subscription;
}

const engines = [
  { engine: 'pglite' as const, available: true },
  { engine: 'postgres' as const, available: postgresReachable },
];

describe.each(engines)('the notification store on $engine', ({ engine, available }) => {
  const tests: TestDatabase<NotificationSchema>[] = [];
  afterAll(async () => {
    for (const test of tests) await test.dispose();
  });
  /** A store on a fresh, migrated database. */
  const openStore = async () => {
    const test = await createTestDatabase<NotificationSchema>(engine, 'notification');
    tests.push(test);
    await test.database.migrate(notificationMigrations);
    return { test, store: createPostgresNotificationStore(test.database, createSecretBox(undefined)) };
  };

  it.skipIf(!available)(
    'dead-letters the deliveries still pending when their subscription is disabled, instead of leaving them pending',
    async () => {
      const { store } = await openStore();
      const now = new Date();
      const subscription = await subscriptionWithDeliveries(store, 2, now);
      const [first] = await store.claimDue(now, 1, new Date(now.getTime() + 60_000));

      const events = await store.recordAttempt(deadLetter(first!, now), (current) =>
        recordDeadLetter(current, { disableAfter: 1 }, now),
      );

      expect(events.map((event) => event.type)).toEqual(['notification.subscription.disabled']);
      const deliveries = await store.listDeliveries('org_a', subscription.id, { limit: 10 });
      expect(deliveries?.map((delivery) => delivery.status)).toEqual(['dead_lettered', 'dead_lettered']);
      const untried = deliveries?.find((delivery) => delivery.id !== first!.id);
      expect(untried).toMatchObject({ attempts: 0, lastError: 'subscription disabled' });
      expect(await store.claimDue(new Date(now.getTime() + 3_600_000), 10, new Date())).toEqual([]);
    },
  );

  it.skipIf(!available)(
    'counts dead letters recorded together one by one, and disables the subscription once',
    async () => {
      const { test, store } = await openStore();
      const now = new Date();
      const subscription = await subscriptionWithDeliveries(store, 6, now);
      const claimed = await store.claimDue(now, 6, new Date(now.getTime() + 60_000));
      const policy = { disableAfter: 3 };

      const recorded = await Promise.all(
        claimed.map((delivery) =>
          store.recordAttempt(deadLetter(delivery, now), (current) => recordDeadLetter(current, policy, now)),
        ),
      );

      expect(recorded.flat()).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ deadLetteredDeliveries: 3 }) }),
      ]);
      const [stored] = await store.listSubscriptions('org_a');
      expect(stored).toMatchObject({ id: subscription.id, status: 'disabled', consecutiveDeadLetters: 6 });
      expect(stored?.version).toBe(subscription.version + 1);
      const outbox = await sql<{ type: string; sequence: number }>`
        select type, (envelope->>'sequence')::int as sequence from outbox`.execute(test.database.db);
      expect(outbox.rows).toEqual([
        { type: 'notification.subscription.disabled', sequence: stored?.version },
      ]);

      // A delivery that lands starts the run over, and disables nothing.
      await store.recordAttempt(
        { ...deadLetter(claimed[0]!, now), attempt: 2, verdict: { status: 'delivered' } },
        recordDelivered,
      );
      expect((await store.listSubscriptions('org_a'))[0]?.consecutiveDeadLetters).toBe(0);
    },
  );

  it.skipIf(!available)(
    'refuses an organisation a subscription past the limit, even when they arrive together',
    async () => {
      const { store } = await openStore();
      const subscribe = (orgId: string, n: number) =>
        store.createSubscription({
          orgId,
          channel: 'webhook',
          url: `https://erp.example.com/hooks/${n}`,
          events: ['fiscal.invoice.archived'],
          secret: 'whsec_AAAA',
        });
      const attempts = await Promise.allSettled(
        Array.from({ length: maxSubscriptionsPerOrganisation + 5 }, (_, n) => subscribe('org_a', n)),
      );
      const refused = attempts.filter((attempt) => attempt.status === 'rejected');
      expect(refused).toHaveLength(5);
      for (const attempt of refused)
        expect(attempt.reason).toMatchObject({ kind: 'conflict', code: 'subscription_limit_reached' });
      expect(await store.listSubscriptions('org_a')).toHaveLength(maxSubscriptionsPerOrganisation);
      // Another organisation has its own room, and a deletion makes room again.
      await expect(subscribe('org_b', 1)).resolves.toMatchObject({ orgId: 'org_b' });
      const [first] = await store.listSubscriptions('org_a');
      await store.deleteSubscription('org_a', first!.id);
      await expect(subscribe('org_a', 999)).resolves.toMatchObject({ orgId: 'org_a' });
    },
  );
});
