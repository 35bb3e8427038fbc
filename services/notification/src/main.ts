import type { Database } from '@fiscal/kit/db';
import type { EventBus, Subscriber } from '@fiscal/kit/events';
import { createAllowList } from '@fiscal/kit/net';
import { createOutboxRelay } from '@fiscal/kit/outbox';
import { createPolicy, createPolicyRegistry, type Policy } from '@fiscal/kit/resilience';
import type { ServiceModule } from '@fiscal/kit/runtime';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createHttpSmsProvider } from './adapters/http-sms-provider.js';
import { createHttpWebhookSender } from './adapters/http-webhook-sender.js';
import { notificationMigrations } from './adapters/migrations.js';
import {
  createPostgresNotificationStore,
  type NotificationSchema,
  notificationGroup,
} from './adapters/postgres-notification-store.js';
import { createPrometheusDeliveryMetrics } from './adapters/prometheus-delivery-metrics.js';
import { createSecretBox } from './adapters/secret-box.js';
import { createSmsSender } from './adapters/sms-sender.js';
import { createSmtpEmailSender } from './adapters/smtp-email-sender.js';
import { registerNotificationRpc } from './api/notification-rpc.js';
import { createDispatcher } from './app/dispatch-deliveries.js';
import { fanOutBatchSize, fanOutEventsHandler, fanOutPrefetch } from './app/fan-out-event.js';
import {
  createSubscriptionHandler,
  deleteSubscriptionHandler,
  listDeliveriesHandler,
} from './app/manage-subscriptions.js';
import {
  type ChannelSender,
  type ClaimedDelivery,
  notifiableEventTypes,
  type SmsProvider,
} from './domain/index.js';
import type { NotificationSettings } from './settings.js';

export interface NotificationServiceDependencies {
  database: Database<NotificationSchema>;
  bus: EventBus;
  registry: Registry;
  logger: Logger;
  settings: NotificationSettings;
  /** The only process on this database (embedded mode): outbox claims of a killed run are void. */
  exclusiveDatabase?: boolean;
  /** Replaces the HTTP SMS provider of the settings (another gateway's API). */
  smsProvider?: SmsProvider;
  /** This process's own ports (HTTP, admin, gRPC): webhooks never reach them on this machine. */
  platformPorts?: readonly number[];
}

/** Email and SMS calls: a few quick retries inside each attempt, then the delivery schedule. */
const channelRetry = { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 2_000 };

/**
 * Composition root of the notification service: subscriptions (webhook, email, SMS), the consumer
 * that turns events into deliveries, the dispatcher that sends them, and the outbox of its own events.
 */
export async function createNotificationService({
  database,
  bus,
  registry,
  logger,
  settings,
  exclusiveDatabase,
  smsProvider,
  platformPorts = [],
}: NotificationServiceDependencies): Promise<ServiceModule> {
  await database.migrate(notificationMigrations);
  const store = createPostgresNotificationStore(database, createSecretBox(settings.secretKey));
  const allowed = createAllowList(settings.webhookAllowHosts, { platformPorts });
  const clock = () => new Date();

  const webhookSender = createHttpWebhookSender({
    allowHosts: settings.webhookAllowHosts,
    platformPorts,
    connectTimeoutMs: settings.webhookConnectTimeout,
    responseTimeoutMs: settings.webhookResponseTimeout,
  });
  const emailSender = settings.smtpUrl
    ? createSmtpEmailSender({ smtpUrl: settings.smtpUrl, from: settings.emailFrom })
    : undefined;
  const sms =
    smsProvider ??
    (settings.smsProviderUrl
      ? createHttpSmsProvider({ url: settings.smsProviderUrl, token: settings.smsProviderToken })
      : undefined);
  const senders: Partial<Record<'webhook' | 'email' | 'sms', ChannelSender>> = {
    webhook: webhookSender,
    ...(emailSender ? { email: emailSender } : {}),
    ...(sms ? { sms: createSmsSender(sms) } : {}),
  };

  const breaker = {
    consecutiveFailures: settings.webhookBreakerFailures,
    halfOpenAfterMs: settings.webhookBreakerPause,
  };
  // One breaker per receiving host: one dead endpoint must not hold back the others.
  const webhookPolicies = createPolicyRegistry({
    name: 'webhook',
    registry,
    timeoutMs: settings.webhookConnectTimeout + settings.webhookResponseTimeout,
    breaker,
  });
  const channelPolicy = (name: string): Policy =>
    createPolicy({ name, registry, timeoutMs: 30_000, retry: channelRetry, breaker });
  const emailPolicy = channelPolicy('smtp');
  const smsPolicy = channelPolicy('sms-provider');
  const policyFor = (delivery: ClaimedDelivery): Policy => {
    if (delivery.channel === 'email') return emailPolicy;
    if (delivery.channel === 'sms') return smsPolicy;
    return webhookPolicies.forKey(new URL(delivery.url).host);
  };

  const relay = createOutboxRelay({
    database,
    publisher: bus,
    logger: logger.child({ component: 'outbox-relay' }),
    registry,
    exclusive: exclusiveDatabase ?? false,
  });
  const dispatcher = createDispatcher({
    store,
    senders,
    policyFor,
    retrySchedule: settings.webhookRetrySchedule,
    deadLetters: { disableAfter: settings.disableAfterDeadLetters },
    batchSize: settings.dispatchBatchSize,
    leaseMs: settings.dispatchLease,
    pollIntervalMs: settings.dispatchPollInterval,
    logger: logger.child({ component: 'dispatcher' }),
    metrics: createPrometheusDeliveryMetrics(registry),
  });
  const fanOut = fanOutEventsHandler(store, clock);
  let consumer: Subscriber | undefined;
  let flushed: Promise<void> | undefined;

  return {
    name: 'notification',
    registerRpc: (router) =>
      registerNotificationRpc(router, {
        create: createSubscriptionHandler(store, allowed),
        list: (orgId) => store.listSubscriptions(orgId),
        delete: deleteSubscriptionHandler(store),
        deliveries: listDeliveriesHandler(store),
      }),
    async start() {
      relay.start();
      dispatcher.start();
      consumer = await bus.subscribe({
        group: notificationGroup,
        types: notifiableEventTypes,
        prefetch: fanOutPrefetch,
        batchSize: fanOutBatchSize,
        handleBatch: async (batch) => {
          const { deliveries } = await fanOut(batch.map((item) => item.event));
          if (deliveries > 0) dispatcher.notify();
        },
      });
    },
    async stop() {
      await consumer?.stop();
      await dispatcher.stop();
      await webhookSender.close();
      emailSender?.close();
    },
    flush() {
      flushed ??= relay.flush().then(() => relay.stop());
      return flushed;
    },
    readinessChecks: { 'notification-database': () => database.ping() },
  };
}

export { type NotificationSettings, notificationConfig } from './settings.js';
export type { NotificationSchema };
export { notifiableEventTypes, notificationGroup, notificationMigrations };
