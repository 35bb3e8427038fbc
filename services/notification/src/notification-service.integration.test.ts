import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@connectrpc/connect';
import { createEvent, type EventEnvelope } from '@fiscal/contracts';
import { NotificationService } from '@fiscal/contracts/rpc/notification';
import { createTestTokenIssuer } from '@fiscal/kit/auth/testing';
import { createInProcessBus, createMemoryQueueStore, type InProcessBus } from '@fiscal/kit/events';
import type { ServiceModule } from '@fiscal/kit/runtime';
import { createTestDatabase, probeService, type TestDatabase } from '@fiscal/kit/testing';
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotificationService, type NotificationSchema, type NotificationSettings } from './main.js';
import { startReceiver } from './testing/receivers.js';

const logger = pino({ level: 'silent' });
const postgresReachable = await probeService('postgres');
const requireServices = process.env.FISCAL_REQUIRE_SERVICES === '1';
if (!postgresReachable && requireServices)
  throw new Error('PostgreSQL is required (FISCAL_REQUIRE_SERVICES=1)');
if (!postgresReachable)
  console.warn('PostgreSQL not reachable on 127.0.0.1:5432: its notification tests are skipped');
const engines = postgresReachable ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

const archivedData = {
  invoiceId: '0193a1b2-0000-7000-8000-000000000001',
  uuid: '5c1a7a34-6f8b-4d5e-9b44-2f8f0a1e7c11',
  issuer: 'EKU9003173C9',
  amount: '1160.00',
  currency: 'MXN',
  originalSize: 5596,
  compressedSize: 2210,
  storageKey: 'org_a/EKU9003173C9/2026/11/5c1a7a34.xml.br',
  archivedAt: '2026-11-24T12:00:01.000Z',
  processingMs: 840,
};

function archived(tenant: string, sequence = 1): EventEnvelope {
  return createEvent({
    type: 'fiscal.invoice.archived',
    source: 'fiscal/invoice',
    subject: archivedData.invoiceId,
    tenant,
    sequence,
    data: archivedData,
  });
}

/** The receiver's side of Standard Webhooks, written from the spec, not from the service's code. */
function verifyStandardWebhook(secret: string, headers: Record<string, unknown>, body: string): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  const signatures = String(headers['webhook-signature']).split(' ');
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && signatures.some((signature) => signature === `v1,${expected}`);
}

const baseSettings: NotificationSettings = {
  webhookRetrySchedule: [30, 30, 30, 30, 30, 30],
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

interface Running {
  service: ServiceModule;
  bus: InProcessBus;
  test: TestDatabase<NotificationSchema>;
  registry: Registry;
  client: ReturnType<typeof createClient<typeof NotificationService>>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startService(engine: 'pglite' | 'postgres', settings: Partial<NotificationSettings>) {
  const test = await createTestDatabase<NotificationSchema>(engine, 'notification');
  const bus = createInProcessBus({
    store: createMemoryQueueStore(),
    logger,
    registry: new Registry(),
    pollIntervalMs: 10,
  });
  const registry = new Registry();
  const service = await createNotificationService({
    database: test.database,
    bus,
    registry,
    logger,
    settings: { ...baseSettings, ...settings },
  });
  await service.start();
  // Every call acts for an admin of org_a, as the gateway forwards one.
  const transport = (await createTestTokenIssuer()).transport((router) => service.registerRpc?.(router), {});
  cleanups.push(async () => {
    await service.stop();
    await service.flush?.();
    await bus.close();
    await test.dispose();
  });
  return {
    service,
    bus,
    test,
    registry,
    client: createClient(NotificationService, transport),
  } satisfies Running;
}

describe.each(engines)('notification service on %s', (engine) => {
  it('signs each webhook so a receiver verifies it with the published algorithm', async () => {
    const receiver = await startReceiver(() => 204);
    cleanups.push(receiver.close);
    const { bus, client } = await startService(engine, { webhookAllowHosts: [receiver.host] });
    const { webhook, secret } = await client.createWebhook({
      url: `${receiver.url}/hooks`,
      events: ['fiscal.invoice.archived'],
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhook).toMatchObject({ channel: 'webhook', status: 'active' });

    await bus.publish([archived('org_a'), archived('org_b')]);
    await expect.poll(() => receiver.received.length).toBe(1);

    const [request] = receiver.received;
    expect(verifyStandardWebhook(secret, request!.headers, request!.body)).toBe(true);
    expect(
      verifyStandardWebhook(`whsec_${Buffer.alloc(32).toString('base64')}`, request!.headers, request!.body),
    ).toBe(false);
    expect(JSON.parse(request!.body)).toEqual({
      type: 'fiscal.invoice.archived',
      timestamp: expect.any(String),
      data: archivedData,
    });
    // The receiver answers before the dispatcher records the outcome: wait for the record.
    const deliveriesOf = async () =>
      (await client.listDeliveries({ webhookId: webhook!.id, limit: 10 })).deliveries;
    await expect.poll(async () => (await deliveriesOf())[0]?.status).toBe('delivered');
    expect(await deliveriesOf()).toMatchObject([{ status: 'delivered', attempts: 1, lastStatusCode: 204 }]);
  });

  it('delivers every event once a receiver that was down recovers, each under one webhook-id', async () => {
    let down = true;
    const receiver = await startReceiver(() => (down ? 503 : 200));
    cleanups.push(receiver.close);
    const { bus, client } = await startService(engine, {
      webhookAllowHosts: [receiver.host],
      webhookRetrySchedule: [20, 40, 80, 160, 320, 640, 1_280],
    });
    const { webhook } = await client.createWebhook({
      url: receiver.url,
      events: ['fiscal.invoice.archived'],
    });
    const events = [archived('org_a'), archived('org_a'), archived('org_a')];
    await bus.publish(events);
    // Each event refused at least twice.
    await expect.poll(() => receiver.received.length).toBeGreaterThanOrEqual(6);
    down = false;

    const delivered = () =>
      new Set(receiver.received.filter((_, index) => index >= 0).map((r) => r.headers['webhook-id']));
    await expect
      .poll(async () => {
        const { deliveries } = await client.listDeliveries({ webhookId: webhook!.id, limit: 10 });
        return deliveries.map((delivery) => delivery.status);
      })
      .toEqual(['delivered', 'delivered', 'delivered']);
    expect(delivered().size).toBe(events.length);
    const bodies = new Set(receiver.received.map((r) => JSON.parse(r.body).data.invoiceId));
    expect(bodies.size).toBe(1);
    const { deliveries } = await client.listDeliveries({ webhookId: webhook!.id, limit: 10 });
    for (const delivery of deliveries) {
      expect(delivery.attemptLog.length).toBe(delivery.attempts);
      expect(delivery.attemptLog[0]).toMatchObject({ attempt: 1, statusCode: 503 });
      expect(delivery.attemptLog.at(-1)).toMatchObject({ statusCode: 200 });
    }
  });

  it('dead-letters deliveries to a receiver down for good and disables its subscription through the outbox', async () => {
    const receiver = await startReceiver(() => 500);
    cleanups.push(receiver.close);
    const { bus, client, test, registry } = await startService(engine, {
      webhookAllowHosts: [receiver.host],
      webhookRetrySchedule: [10, 10],
      disableAfterDeadLetters: 2,
    });
    const { webhook } = await client.createWebhook({
      url: receiver.url,
      events: ['fiscal.invoice.archived'],
    });
    await bus.publish([archived('org_a'), archived('org_a')]);

    await expect.poll(async () => (await client.listWebhooks({})).webhooks[0]?.status).toBe('disabled');
    const { deliveries } = await client.listDeliveries({ webhookId: webhook!.id, limit: 10 });
    expect(deliveries.map((delivery) => [delivery.status, delivery.attempts])).toEqual([
      ['dead_lettered', 3],
      ['dead_lettered', 3],
    ]);
    expect(receiver.received.length).toBe(6);
    const metrics = await registry.metrics();
    expect(metrics).toContain('notification_delivery_attempts_total{channel="webhook",outcome="retry"} 4');
    expect(metrics).toContain(
      'notification_delivery_attempts_total{channel="webhook",outcome="dead_lettered"} 2',
    );
    expect(metrics).toContain('notification_subscriptions_disabled_total 1');
    const outbox = await sql<{
      type: string;
      envelope: EventEnvelope;
    }>`select type, envelope from outbox`.execute(test.database.db);
    expect(outbox.rows).toMatchObject([
      {
        type: 'notification.subscription.disabled',
        envelope: {
          subject: webhook!.id,
          tenant: 'org_a',
          data: { deadLetteredDeliveries: 2, channel: 'webhook' },
        },
      },
    ]);
  });

  it('refuses a webhook to a literal loopback address at creation, naming the field', async () => {
    const { client } = await startService(engine, {});
    const refusal = await client
      .createWebhook({ url: 'http://127.0.0.1:9/hooks', events: ['fiscal.invoice.archived'] })
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 3 });
    expect(String((refusal as Error).message)).toMatch(/not valid/);
  });

  it('emails and texts the chosen events through SMTP and the SMS provider', async () => {
    const mails: { to: string; data: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address).join(','),
            data: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    smtp.listen(0, '127.0.0.1');
    await once(smtp.server, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
    const texts: { authorization: string | undefined; body: unknown }[] = [];
    const provider = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        texts.push({
          authorization: request.headers.authorization,
          body: JSON.parse(Buffer.concat(chunks).toString()),
        });
        response.writeHead(202).end();
      });
    });
    provider.listen(0, '127.0.0.1');
    await once(provider, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => provider.close(() => resolve())));

    const { bus, client } = await startService(engine, {
      smtpUrl: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      smsProviderUrl: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/send`,
      smsProviderToken: 'sms-token',
    });
    const email = await client.createWebhook({
      url: 'mailto:ops@example.com',
      events: ['fiscal.invoice.archived'],
    });
    const sms = await client.createWebhook({ url: 'tel:+525512345678', events: ['fiscal.invoice.archived'] });
    expect([email.webhook?.channel, email.secret, sms.webhook?.channel, sms.secret]).toEqual([
      'email',
      '',
      'sms',
      '',
    ]);

    await bus.publish([archived('org_a')]);
    await expect.poll(() => [mails.length, texts.length]).toEqual([1, 1]);

    expect(mails[0]!.to).toBe('ops@example.com');
    expect(mails[0]!.data).toContain(`Subject: Invoice ${archivedData.uuid} archived`);
    expect(mails[0]!.data.replace(/=\r?\n/g, '')).toContain('from EKU9003173C9 for 1160.00 MXN');
    expect(texts[0]).toEqual({
      authorization: 'Bearer sms-token',
      body: { to: '+525512345678', text: expect.stringContaining(archivedData.uuid) },
    });
  });
});
