import { defineConfig, duration, integer, list, secret, string, url } from '@fiscal/kit/config';
import { standardRetrySchedule } from './domain/index.js';

/** The notification service: webhooks, email and SMS. */
export const notificationConfig = defineConfig({
  webhookRetrySchedule: {
    env: 'FISCAL_WEBHOOK_RETRY_SCHEDULE',
    type: list(duration()),
    default: [...standardRetrySchedule],
    doc: 'Delays before each retry of a failed delivery, e.g. `5s,5m,30m,2h,5h,10h,10h` (the default); when spent, the delivery is dead-lettered.',
  },
  webhookAllowHosts: {
    env: 'FISCAL_WEBHOOK_ALLOW_HOSTS',
    type: list(string({ minLength: 1 })),
    default: [] as string[],
    doc: "Hosts (name, IP, or host:port) webhooks may reach even on private or loopback addresses; without a port only the scheme's default port (80 for http, 443 for https) is open, `host:port` opens exactly that port. The platform's own ports on this machine (loopback, its own addresses) stay closed whatever is listed: 8080, 9090, 50051 and the process's configured HTTP, admin and gRPC ports.",
  },
  webhookConnectTimeout: {
    env: 'FISCAL_WEBHOOK_CONNECT_TIMEOUT',
    type: duration(),
    default: 5_000,
    doc: 'Deadline for connecting to a webhook receiver.',
  },
  webhookResponseTimeout: {
    env: 'FISCAL_WEBHOOK_RESPONSE_TIMEOUT',
    type: duration(),
    default: 15_000,
    doc: "Deadline for a webhook receiver's answer, from sending the request.",
  },
  webhookBreakerFailures: {
    env: 'FISCAL_WEBHOOK_BREAKER_FAILURES',
    type: integer({ min: 1, max: 1_000 }),
    default: 5,
    doc: "Failed deliveries in a row (5xx, 429, timeouts, network) that open an endpoint's breaker; deliveries to it are postponed meanwhile, not counted.",
  },
  webhookBreakerPause: {
    env: 'FISCAL_WEBHOOK_BREAKER_PAUSE',
    type: duration(),
    default: 60_000,
    doc: "How long an endpoint's open breaker holds deliveries back before one trial.",
  },
  disableAfterDeadLetters: {
    env: 'FISCAL_NOTIFICATION_DISABLE_AFTER',
    type: integer({ min: 1, max: 10_000 }),
    default: 5,
    doc: 'Dead-lettered deliveries in a row that disable a subscription (and publish notification.subscription.disabled).',
  },
  secretKey: {
    env: 'FISCAL_NOTIFICATION_SECRET_KEY',
    type: secret({ minLength: 44 }),
    default: undefined,
    doc: 'Base64 of 32 bytes sealing webhook signing secrets at rest (AES-256-GCM); unset: stored unsealed.',
  },
  dispatchBatchSize: {
    env: 'FISCAL_NOTIFICATION_BATCH_SIZE',
    type: integer({ min: 1, max: 1_000 }),
    default: 50,
    doc: 'Deliveries one dispatcher claims and sends at once.',
  },
  dispatchPollInterval: {
    env: 'FISCAL_NOTIFICATION_POLL_INTERVAL',
    type: duration(),
    default: 1_000,
    doc: 'How often the dispatcher looks for due deliveries when idle.',
  },
  dispatchLease: {
    env: 'FISCAL_NOTIFICATION_LEASE',
    type: duration(),
    default: 120_000,
    doc: "How long a dispatcher's claim on a delivery holds; a crashed replica's deliveries are sent after it.",
  },
  smtpUrl: {
    env: 'FISCAL_SMTP_URL',
    type: url({ protocols: ['smtp', 'smtps'] }),
    default: undefined,
    doc: 'SMTP server of the email channel, e.g. `smtp://user:pass@mail:587`; unset: email subscriptions are not delivered.',
  },
  emailFrom: {
    env: 'FISCAL_EMAIL_FROM',
    type: string({ minLength: 3 }),
    default: 'Fiscal <notifications@localhost>',
    doc: 'Sender of notification emails.',
  },
  smsProviderUrl: {
    env: 'FISCAL_SMS_PROVIDER_URL',
    type: url({ protocols: ['http', 'https'] }),
    default: undefined,
    doc: 'SMS gateway endpoint (`POST {to, text}`); unset: SMS subscriptions are not delivered.',
  },
  smsProviderToken: {
    env: 'FISCAL_SMS_PROVIDER_TOKEN',
    type: secret(),
    default: '',
    doc: 'Bearer token of the SMS gateway.',
  },
});

export interface NotificationSettings {
  webhookRetrySchedule: readonly number[];
  webhookAllowHosts: string[];
  webhookConnectTimeout: number;
  webhookResponseTimeout: number;
  webhookBreakerFailures: number;
  webhookBreakerPause: number;
  disableAfterDeadLetters: number;
  secretKey: string | undefined;
  dispatchBatchSize: number;
  dispatchPollInterval: number;
  dispatchLease: number;
  smtpUrl: string | undefined;
  emailFrom: string;
  smsProviderUrl: string | undefined;
  smsProviderToken: string;
}
