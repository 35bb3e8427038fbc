import type { Channel } from 'amqplib';
import { defaultRetryPolicy, type RetryPolicy } from '../event-bus.js';

/** The exchange (domain) of an event type: `fiscal.invoice.created` → `fiscal.invoice`, `auth.login.failed` → `auth`. */
export function domainOf(type: string): string {
  const segments = type.split('.');
  return segments[0] === 'fiscal' ? segments.slice(0, 2).join('.') : (segments[0] ?? type);
}

export interface GroupNames {
  queue: string;
  deadLetterExchange: string;
  deadLetterQueue: string;
  /** One retry queue per attempt, each holding messages for that attempt's delay. */
  retryQueues: { attempt: number; delayMs: number; name: string }[];
}

/**
 * Retry delays per attempt. Each retry queue has one fixed TTL, because RabbitMQ expires messages
 * only at the head of a queue: mixed TTLs in one queue would hold short delays behind long ones.
 * The spread that jitter gives in process comes here from the failures' own timing.
 */
export function retryDelays(retry: RetryPolicy): number[] {
  return Array.from({ length: Math.max(0, retry.maxAttempts - 1) }, (_, index) =>
    Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** index),
  );
}

export function groupNames(
  prefix: string,
  group: string,
  retry: RetryPolicy = defaultRetryPolicy,
): GroupNames {
  const queue = `${prefix}${group}`;
  return {
    queue,
    deadLetterExchange: `${queue}.dlx`,
    deadLetterQueue: `${queue}.dead`,
    retryQueues: retryDelays(retry).map((delayMs, index) => ({
      attempt: index + 1,
      delayMs,
      name: `${queue}.retry.${delayMs}ms`,
    })),
  };
}

/** Messages a broker-side failure (e.g. a consumer crashing on one message again and again) dead-letters. */
const deliveryLimit = 50;

/** Declares (idempotently) everything one consumer group needs. Returns the names it declared. */
export async function declareGroup(
  channel: Channel,
  prefix: string,
  group: string,
  types: readonly string[],
  retry: RetryPolicy,
): Promise<{ names: GroupNames; exchanges: string[] }> {
  const names = groupNames(prefix, group, retry);
  await channel.assertExchange(names.deadLetterExchange, 'fanout', { durable: true });
  await channel.assertQueue(names.deadLetterQueue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum' },
  });
  await channel.bindQueue(names.deadLetterQueue, names.deadLetterExchange, '');
  await channel.assertQueue(names.queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': names.deadLetterExchange,
      'x-delivery-limit': deliveryLimit,
    },
  });
  for (const retryQueue of names.retryQueues) {
    await channel.assertQueue(retryQueue.name, {
      durable: true,
      arguments: {
        'x-message-ttl': retryQueue.delayMs,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': names.queue,
      },
    });
  }
  const exchanges = [...new Set(types.map((type) => `${prefix}${domainOf(type)}`))];
  for (const exchange of exchanges) await channel.assertExchange(exchange, 'topic', { durable: true });
  for (const type of types) await channel.bindQueue(names.queue, `${prefix}${domainOf(type)}`, type);
  return { names, exchanges };
}
