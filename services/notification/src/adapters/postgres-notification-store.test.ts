import { createEvent } from '@fiscal/contracts';
import { createTestDatabase, probeService, type TestDatabase } from '@fiscal/kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
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
});
