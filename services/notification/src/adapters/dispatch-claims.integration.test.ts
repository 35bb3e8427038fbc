import { createEvent } from '@fiscal/contracts';
import { createDatabase } from '@fiscal/kit/db';
import { createTestDatabase, probeService } from '@fiscal/kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from '../domain/index.js';
import { startReceiver } from '../testing/receivers.js';
import { createHttpWebhookSender } from './http-webhook-sender.js';
import { notificationMigrations } from './migrations.js';
import { createPostgresNotificationStore, type NotificationSchema } from './postgres-notification-store.js';
import { createSecretBox } from './secret-box.js';

const postgresReachable = await probeService('postgres');
if (!postgresReachable && process.env.FISCAL_REQUIRE_SERVICES === '1')
  throw new Error('PostgreSQL is required');

describe.skipIf(!postgresReachable)('claiming due deliveries on PostgreSQL', () => {
  const disposals: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const dispose of disposals.reverse()) await dispose();
  });

  it('gives two replicas claiming at once disjoint deliveries that cover every due one', async () => {
    const test = await createTestDatabase<NotificationSchema>('postgres', 'notification');
    disposals.push(test.dispose);
    await test.database.migrate(notificationMigrations);
    const replica = await createDatabase<NotificationSchema>({
      engine: 'postgres',
      url: test.url!,
      schema: 'notification',
    });
    disposals.push(() => replica.close());
    const box = createSecretBox(undefined);
    const first = createPostgresNotificationStore(test.database, box);
    const second = createPostgresNotificationStore(replica, box);
    await first.createSubscription({
      orgId: 'org_a',
      channel: 'webhook',
      url: 'https://erp.example.com/',
      events: ['auth.user.created'],
      secret: 'whsec_AAAA',
    });
    const now = new Date();
    for (let index = 0; index < 40; index++) {
      const event = createEvent({
        type: 'auth.user.created',
        source: 'fiscal/auth',
        subject: `usr_${index}`,
        tenant: 'org_a',
        sequence: 1,
        data: { userId: `usr_${index}`, orgId: 'org_a', role: 'viewer' },
      });
      await first.fanOutOnce(event, '{}', now);
    }

    const lease = new Date(now.getTime() + 60_000);
    const claims = await Promise.all([
      first.claimDue(now, 25, lease),
      second.claimDue(now, 25, lease),
      first.claimDue(now, 25, lease),
    ]);
    const ids = claims.flat().map((delivery) => delivery.id);

    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(40);
    expect(await second.claimDue(now, 25, lease)).toEqual([]);
  });
});

describe('webhook sender', () => {
  it('refuses a loopback receiver that is not allowed, without reaching it', async () => {
    const receiver = await startReceiver(() => 200);
    const sender = createHttpWebhookSender();
    const delivery: ClaimedDelivery = {
      id: 'd1',
      subscriptionId: 's1',
      orgId: 'org_a',
      channel: 'webhook',
      url: receiver.url,
      secret: 'whsec_AAAA',
      eventType: 'auth.user.created',
      payload: '{}',
      attempts: 0,
    };
    const refusal = await sender
      .send(delivery, new AbortController().signal)
      .catch((error: unknown) => error);
    await sender.close();
    await receiver.close();

    expect(refusal).toMatchObject({ name: 'DeliveryFailure', statusCode: null });
    expect((refusal as Error).message).toMatch(/^forbidden_address/);
    // The tenant reads the message in its delivery log: no address; the operators' log has it.
    expect((refusal as Error).message).not.toMatch(/127\.0\.0\.1|::1|localhost/);
    expect((refusal as { detail?: string }).detail).toMatch(/127\.0\.0\.1|::1/);
    expect(receiver.received).toEqual([]);
  });

  it("tells the tenant a network failure by its code only, the resolver's words going to the log", async () => {
    const sender = createHttpWebhookSender({ allowHosts: ['unresolvable.invalid'] });
    const refusal = await sender
      .send(
        {
          id: 'd2',
          subscriptionId: 's1',
          orgId: 'org_a',
          channel: 'webhook',
          url: 'https://unresolvable.invalid/hooks',
          secret: 'whsec_AAAA',
          eventType: 'auth.user.created',
          payload: '{}',
          attempts: 0,
        },
        new AbortController().signal,
      )
      .catch((error: unknown) => error);
    await sender.close();
    expect((refusal as Error).message).toMatch(/^network: (ENOTFOUND|EAI_AGAIN|connection failed)$/);
    expect((refusal as { detail?: string }).detail).toBeTruthy();
  });

  it("refuses a receiver on one of the platform's own ports on this machine, though it is allowed", async () => {
    const receiver = await startReceiver(() => 200);
    const port = Number(new URL(receiver.url).port);
    const listed = [receiver.host, `localhost:${port}`];
    const sender = createHttpWebhookSender({ allowHosts: listed, platformPorts: [port] });
    const delivery = (url: string): ClaimedDelivery => ({
      id: 'd1',
      subscriptionId: 's1',
      orgId: 'org_a',
      channel: 'webhook',
      url,
      secret: 'whsec_AAAA',
      eventType: 'auth.user.created',
      payload: '{}',
      attempts: 0,
    });
    const refusals = [];
    for (const url of [`${receiver.url}/dead-letters/x/purge`, `http://localhost:${port}/`]) {
      refusals.push(await sender.send(delivery(url), new AbortController().signal).catch((error) => error));
    }
    const elsewhere = createHttpWebhookSender({ allowHosts: listed });
    const delivered = await elsewhere.send(delivery(receiver.url), new AbortController().signal);
    await sender.close();
    await elsewhere.close();
    await receiver.close();

    for (const refusal of refusals) expect((refusal as Error).message).toMatch(/^forbidden_address/);
    expect(delivered).toEqual({ statusCode: 200 });
    expect(receiver.received).toHaveLength(1);
  });
});
