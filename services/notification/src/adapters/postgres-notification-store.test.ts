import { createEvent } from '@fiscal/contracts';
import { createTestDatabase, probeService, type TestDatabase } from '@fiscal/kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { maxSubscriptionsPerOrganisation } from '../domain/index.js';
import { notificationMigrations } from './migrations.js';
import { createPostgresNotificationStore, type NotificationSchema } from './postgres-notification-store.js';
import { createSecretBox } from './secret-box.js';

const postgresReachable = await probeService('postgres');
const engines = [
  { engine: 'pglite' as const, available: true },
  { engine: 'postgres' as const, available: postgresReachable },
];

describe.each(engines)('the notification store on $engine', ({ engine, available }) => {
  const tests: TestDatabase<NotificationSchema>[] = [];
  afterAll(async () => {
    for (const test of tests) await test.dispose();
  });

  it.skipIf(!available)(
    'dead-letters the deliveries still pending when their subscription is disabled, instead of leaving them pending',
    async () => {
      const test = await createTestDatabase<NotificationSchema>(engine, 'notification');
      tests.push(test);
      await test.database.migrate(notificationMigrations);
      const store = createPostgresNotificationStore(test.database, createSecretBox(undefined));
      const subscription = await store.createSubscription({
        orgId: 'org_a',
        channel: 'webhook',
        url: 'https://erp.example.com/hooks',
        events: ['auth.user.created'],
        secret: 'whsec_AAAA',
      });
      const now = new Date();
      for (const user of ['usr_1', 'usr_2']) {
        const event = createEvent({
          type: 'auth.user.created',
          source: 'fiscal/auth',
          subject: user,
          tenant: 'org_a',
          sequence: 1,
          data: { userId: user, orgId: 'org_a', role: 'viewer' },
        });
        await store.fanOutOnce(event, '{}', now);
      }
      const [first] = await store.claimDue(now, 1, new Date(now.getTime() + 60_000));

      const disabled = await store.recordAttempt(
        {
          deliveryId: first!.id,
          attempt: 1,
          attemptedAt: now,
          statusCode: 500,
          error: 'HTTP 500',
          durationMs: 3,
          verdict: { status: 'dead_lettered' },
        },
        1,
      );

      expect(disabled?.type).toBe('notification.subscription.disabled');
      const deliveries = await store.listDeliveries('org_a', subscription.id, { limit: 10 });
      expect(deliveries?.map((delivery) => delivery.status)).toEqual(['dead_lettered', 'dead_lettered']);
      const untried = deliveries?.find((delivery) => delivery.id !== first!.id);
      expect(untried).toMatchObject({ attempts: 0, lastError: 'subscription disabled' });
      expect(await store.claimDue(new Date(now.getTime() + 3_600_000), 10, new Date())).toEqual([]);
    },
  );

  it.skipIf(!available)(
    'refuses an organisation a subscription past the limit, even when they arrive together',
    async () => {
      const test = await createTestDatabase<NotificationSchema>(engine, 'notification');
      tests.push(test);
      await test.database.migrate(notificationMigrations);
      const store = createPostgresNotificationStore(test.database, createSecretBox(undefined));
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
