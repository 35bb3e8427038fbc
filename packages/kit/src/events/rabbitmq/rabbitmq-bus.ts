import type { EventEnvelope } from '@fiscal/contracts';
import amqp, {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type GetMessage,
  type Options,
} from 'amqplib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  type DeadLetter,
  type DeadLetterSelection,
  defaultPrefetch,
  defaultRetryPolicy,
  type EventBus,
  requireFound,
  type Subscriber,
  type Subscription,
  selectedIds,
} from '../event-bus.js';
import { batchSizeOf, checkEnvelopeShape, handleDeliveries } from '../handle-delivery.js';
import { eventMetrics } from '../metrics.js';
import { declareGroup, domainOf, type GroupNames, groupNames } from './topology.js';

export interface RabbitMqBusOptions {
  url: string;
  /** Prefix of every exchange and queue, to keep environments (and test runs) apart on one broker. */
  namePrefix?: string;
  logger: Logger;
  registry: Registry;
  validate?: (value: unknown) => EventEnvelope;
  /** How long a publish waits for the broker during an outage before it fails. */
  publishTimeoutMs?: number;
}

export interface RabbitMqBus extends EventBus {
  /** Drops the connection at once, as a killed process would: unacknowledged deliveries go back. */
  halt(): Promise<void>;
  /** Exchanges and queues this instance declared (tests delete them afterwards). */
  declared(): { exchanges: string[]; queues: string[] };
}

const attemptHeader = 'x-fiscal-attempt';
const contentType = 'application/cloudevents+json';
/**
 * CloudEvents' batched content mode: one message carries several events of one type (a JSON array),
 * so the broker stores, routes and delivers once per batch instead of once per event, most of its
 * cost. Consumers settle each event on its own; a retried or dead-lettered one travels alone.
 */
const batchContentType = 'application/cloudevents-batch+json';
/**
 * Events per batched message. A message goes to one member of a group, so larger messages would
 * cost the broker less but share a burst among a group's members less evenly.
 */
const mostEventsPerMessage = 16;

/** The next message of a queue; a queue that was never declared (an unknown group) has none. */
async function getOrNothing(channel: Channel, queue: string): Promise<GetMessage | false> {
  try {
    return await channel.get(queue, { noAck: false });
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return false;
    throw error;
  }
}

interface Consumer {
  subscription: Subscription;
  names: GroupNames;
  channel?: Channel;
  consumerTag?: string;
  /** The connection the consumer is attached to: setup and subscribe must not both attach it. */
  attachedTo?: ChannelModel;
  inFlight: Set<Promise<void>>;
  /** Events received and not yet handed to the handler, in delivery order. */
  waiting: WaitingEvent[];
  /** Events handed to the handler and not yet settled: at most the subscription's prefetch. */
  eventsInFlight: number;
  pumpScheduled: boolean;
  stopped: boolean;
}

/**
 * The event bus on RabbitMQ (DESIGN §5): a durable topic exchange per domain, a quorum queue per
 * consumer group bound by event type, delayed retries through per-attempt TTL queues that route
 * back to the group queue, a dead-letter exchange and queue per group, publisher confirms, bounded
 * prefetch, acknowledgement only after the handler resolved, and automatic reconnection that
 * redeclares the topology and resumes every subscription.
 */
export function createRabbitMqBus(options: RabbitMqBusOptions): RabbitMqBus {
  const { logger } = options;
  const prefix = options.namePrefix ?? '';
  const metrics = eventMetrics(options.registry);
  const validate = options.validate ?? checkEnvelopeShape;
  const publishTimeoutMs = options.publishTimeoutMs ?? 10_000;
  const consumers = new Set<Consumer>();
  const subscribedGroups = new Set<string>();
  const declaredExchanges = new Set<string>();
  const declaredQueues = new Set<string>();
  let model: ChannelModel | undefined;
  let publisher: ConfirmChannel | undefined;
  let publisherExchanges = new Set<string>();
  const publisherWaiters: (() => void)[] = [];
  let closed = false;

  const connection = amqp.connect(options.url, {
    // Without it a message that ends a burst waits behind Nagle's algorithm for the broker's
    // delayed ACK (40 ms): with few, larger messages per publish, that wait was most of a confirm.
    noDelay: true,
    recovery: {
      initialDelay: 100,
      maxDelay: 5_000,
      async setup(connected: ChannelModel) {
        model = connected;
        const channel = await connected.createConfirmChannel();
        channel.on('error', (error) => logger.warn({ err: error }, 'publisher channel error'));
        channel.on('close', () => {
          if (publisher === channel) publisher = undefined;
        });
        publisher = channel;
        publisherExchanges = new Set();
        for (const wake of publisherWaiters.splice(0)) wake();
        for (const consumer of consumers) await attach(consumer, connected);
        logger.info({ consumers: consumers.size }, 'connected to RabbitMQ');
      },
    },
  });
  void connection.then(
    (recovering) => {
      recovering.on('disconnect', (error: Error) => {
        model = undefined;
        publisher = undefined;
        if (!closed) logger.warn({ err: error }, 'lost the RabbitMQ connection; reconnecting');
      });
      recovering.on('error', (error: Error) => logger.warn({ err: error }, 'RabbitMQ connection error'));
    },
    () => undefined,
  );

  async function publisherChannel(): Promise<ConfirmChannel> {
    const deadline = Date.now() + publishTimeoutMs;
    await connection;
    while (!publisher) {
      if (closed) throw new Error('the event bus is closed');
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`RabbitMQ unreachable for ${publishTimeoutMs} ms; events not published`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 250));
        publisherWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return publisher;
  }

  function confirm(send: (callback: (error: unknown) => void) => void): Promise<void> {
    return new Promise((resolve, reject) => send((error) => (error ? reject(error) : resolve())));
  }

  async function publishConfirmed(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
  ) {
    const channel = await publisherChannel();
    if (exchange !== '' && !publisherExchanges.has(exchange)) {
      await channel.assertExchange(exchange, exchange.endsWith('.dlx') ? 'fanout' : 'topic', {
        durable: true,
      });
      publisherExchanges.add(exchange);
      declaredExchanges.add(exchange);
    }
    await confirm((callback) => channel.publish(exchange, routingKey, content, properties, callback));
  }

  function propertiesOf(envelope: EventEnvelope, headers: Record<string, unknown> = {}): Options.Publish {
    return {
      persistent: true,
      messageId: envelope.id,
      contentType,
      type: envelope.type,
      timestamp: Math.floor(Date.parse(envelope.time) / 1_000),
      headers: { traceparent: envelope.traceparent, ...headers },
    };
  }

  /** One message per event type (in order of first appearance), batched when a type has several. */
  function messagesOf(
    envelopes: readonly EventEnvelope[],
  ): { type: string; body: unknown; properties: Options.Publish }[] {
    const byType = new Map<string, EventEnvelope[]>();
    for (const envelope of envelopes) {
      const group = byType.get(envelope.type);
      if (group) group.push(envelope);
      else byType.set(envelope.type, [envelope]);
    }
    return [...byType].flatMap(([type, group]) => {
      const messages = [];
      for (let first = 0; first < group.length; first += mostEventsPerMessage) {
        const slice = group.slice(first, first + mostEventsPerMessage);
        messages.push(
          slice.length === 1
            ? { type, body: slice[0], properties: propertiesOf(slice[0]!) }
            : {
                type,
                body: slice,
                properties: { ...propertiesOf(slice[0]!), contentType: batchContentType },
              },
        );
      }
      return messages;
    });
  }

  async function attach(consumer: Consumer, connected: ChannelModel): Promise<void> {
    if (consumer.stopped || consumer.attachedTo === connected) return;
    consumer.attachedTo = connected;
    const { subscription } = consumer;
    const channel = await connected.createChannel();
    channel.on('error', (error) =>
      logger.warn({ err: error, group: subscription.group }, 'consumer channel error'),
    );
    await channel.prefetch(subscription.prefetch ?? defaultPrefetch);
    const { names, exchanges } = await declareGroup(
      channel,
      prefix,
      subscription.group,
      subscription.types,
      subscription.retry ?? defaultRetryPolicy,
    );
    for (const exchange of [...exchanges, names.deadLetterExchange]) declaredExchanges.add(exchange);
    for (const queue of [names.queue, names.deadLetterQueue, ...names.retryQueues.map((retry) => retry.name)])
      declaredQueues.add(queue);
    consumer.names = names;
    consumer.channel = channel;
    const { consumerTag } = await channel.consume(names.queue, (message) => {
      if (message) onMessage(consumer, channel, message);
    });
    consumer.consumerTag = consumerTag;
  }

  /**
   * A message's events wait until a batch is full or the socket has nothing more to hand over at
   * once (the next turn of the event loop); then they go to the handler, never more in flight than
   * the subscription's prefetch counts in events, whatever the messages carry.
   */
  function onMessage(consumer: Consumer, channel: Channel, message: ConsumeMessage): void {
    const { events } = unpack(message);
    const progress: MessageProgress = { message, channel, unsettled: events.length };
    const attempt = attemptOf(message);
    const delivery = { attempt, redelivered: message.fields.redelivered || attempt > 1 };
    for (const raw of events) consumer.waiting.push({ progress, raw, delivery });
    if (consumer.waiting.length >= batchSizeOf(consumer.subscription)) pump(consumer);
    else if (!consumer.pumpScheduled) {
      consumer.pumpScheduled = true;
      setImmediate(() => {
        consumer.pumpScheduled = false;
        pump(consumer);
      });
    }
  }

  function pump(consumer: Consumer): void {
    const limit = consumer.subscription.prefetch ?? defaultPrefetch;
    const size = batchSizeOf(consumer.subscription);
    // Events of a channel that closed come again on the new one: handling them now would be twice.
    consumer.waiting = consumer.waiting.filter(({ progress }) => progress.channel === consumer.channel);
    while (consumer.waiting.length > 0 && consumer.eventsInFlight < limit) {
      const batch = consumer.waiting.splice(0, Math.min(size, limit - consumer.eventsInFlight));
      consumer.eventsInFlight += batch.length;
      const work = settle(consumer, batch)
        .catch((error) =>
          // Not acknowledged: the broker hands the messages out again (after a reconnect at the latest).
          logger.error({ err: error, group: consumer.subscription.group }, 'could not settle a delivery'),
        )
        .finally(() => {
          consumer.eventsInFlight -= batch.length;
          consumer.inFlight.delete(work);
          pump(consumer);
        });
      consumer.inFlight.add(work);
    }
  }

  /** Waits until every event received is settled: what a stopping consumer took, it finishes. */
  async function drain(consumer: Consumer): Promise<void> {
    pump(consumer);
    while (consumer.inFlight.size > 0) await Promise.allSettled([...consumer.inFlight]);
  }

  /**
   * Hands a batch of events to the handler, then settles each: a retried or dead-lettered one is
   * published alone (to a retry queue or the dead letters), and a message is acknowledged once
   * every event it carries is settled.
   */
  async function settle(consumer: Consumer, batch: readonly WaitingEvent[]) {
    const { subscription, names } = consumer;
    const verdicts = await handleDeliveries({ subscription, metrics, logger, validate }, batch);
    for (const [index, verdict] of verdicts.entries()) {
      const { progress, raw } = batch[index]!;
      const { message } = progress;
      if (verdict.action !== 'ack') {
        const attempt = attemptOf(message);
        const headers = message.properties.headers ?? {};
        // A whole message that was no JSON has no event to single out: it travels as it came.
        const alone = raw === undefined ? message.content : Buffer.from(JSON.stringify(raw));
        const properties = { ...message.properties, contentType, ...identityOf(raw) };
        if (verdict.action === 'retry') {
          const retryQueue = names.retryQueues[Math.min(attempt, names.retryQueues.length) - 1];
          if (retryQueue) {
            await publishConfirmed('', retryQueue.name, alone, {
              ...properties,
              headers: { ...headers, [attemptHeader]: attempt + 1, 'x-last-error': verdict.error },
            });
          }
        } else {
          await publishConfirmed(names.deadLetterExchange, '', alone, {
            ...properties,
            headers: {
              ...headers,
              'x-error': verdict.error,
              'x-handler': subscription.group,
              'x-attempts': attempt,
              'x-failed-at': new Date().toISOString(),
            },
          });
          void refreshDeadLetterDepth(subscription.group);
        }
      }
      progress.unsettled -= 1;
      if (progress.unsettled === 0) progress.channel.ack(message);
    }
  }

  async function withChannel<T>(work: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    await publisherChannel();
    if (!model) throw new Error('RabbitMQ is not connected');
    const channel = await model.createConfirmChannel();
    // A refused operation (a queue that does not exist) closes the channel and rejects the call;
    // unheard, the channel's error event would take the whole connection down with it.
    channel.on('error', () => undefined);
    try {
      return await work(channel);
    } finally {
      // Closing returns whatever was fetched but not acknowledged to its queue.
      await channel.close().catch(() => undefined);
    }
  }

  async function refreshDeadLetterDepth(group: string): Promise<void> {
    try {
      const depth = await withChannel(async (channel) => {
        const { messageCount } = await channel.checkQueue(groupNames(prefix, group).deadLetterQueue);
        return messageCount;
      });
      metrics.deadLetterDepth.set({ group }, depth);
    } catch {
      // Depth is informational; the next dead letter refreshes it.
    }
  }

  /**
   * Acts on the selected dead letters of a group: all of them as they are fetched, or, for named
   * ids, only once every id was found (closing the channel returns what was fetched, so a missing
   * id leaves every letter in place). Letters not selected go back when the channel closes.
   */
  async function sweepDeadLetters(
    group: string,
    selection: DeadLetterSelection,
    act: (channel: ConfirmChannel, message: GetMessage) => Promise<void>,
  ): Promise<number> {
    const queue = groupNames(prefix, group).deadLetterQueue;
    const ids = selectedIds(selection);
    const wanted = ids === undefined ? undefined : new Set(ids);
    const count = await withChannel(async (channel) => {
      let acted = 0;
      const chosen: GetMessage[] = [];
      for (;;) {
        const message = await getOrNothing(channel, queue);
        if (message === false) break;
        if (wanted === undefined) {
          await act(channel, message);
          channel.ack(message);
          acted += 1;
        } else if (wanted.has(String(message.properties.messageId))) chosen.push(message);
      }
      if (wanted === undefined) return acted;
      requireFound(
        group,
        selection,
        chosen.map((message) => String(message.properties.messageId)),
      );
      for (const message of chosen) {
        await act(channel, message);
        channel.ack(message);
      }
      return chosen.length;
    });
    await refreshDeadLetterDepth(group);
    return count;
  }

  return {
    async publish(events) {
      const valid = events.map((event) => validate(event));
      await Promise.all(
        messagesOf(valid).map((message) =>
          publishConfirmed(
            `${prefix}${domainOf(message.type)}`,
            message.type,
            Buffer.from(JSON.stringify(message.body)),
            message.properties,
          ),
        ),
      );
      for (const envelope of valid) metrics.published.inc({ type: envelope.type });
    },

    async subscribe(subscription) {
      const consumer: Consumer = {
        subscription,
        names: groupNames(prefix, subscription.group, subscription.retry),
        inFlight: new Set(),
        waiting: [],
        eventsInFlight: 0,
        pumpScheduled: false,
        stopped: false,
      };
      consumers.add(consumer);
      subscribedGroups.add(subscription.group);
      await publisherChannel();
      if (model) await attach(consumer, model);
      const subscriber: Subscriber = {
        async stop() {
          if (consumer.stopped) return;
          consumer.stopped = true;
          consumers.delete(consumer);
          if (consumer.channel && consumer.consumerTag) {
            await consumer.channel.cancel(consumer.consumerTag).catch(() => undefined);
          }
          // Events received and waiting are handled too, not left unacknowledged.
          await drain(consumer);
          await consumer.channel?.close().catch(() => undefined);
        },
      };
      return subscriber;
    },

    deadLetters: {
      groups: () => [...subscribedGroups],

      async list(group, { limit = 100 } = {}) {
        const queue = groupNames(prefix, group).deadLetterQueue;
        return withChannel(async (channel) => {
          const letters: DeadLetter[] = [];
          while (letters.length < limit) {
            const message = await getOrNothing(channel, queue);
            if (message === false) break;
            const headers = message.properties.headers ?? {};
            letters.push({
              id: String(message.properties.messageId),
              group,
              envelope: JSON.parse(message.content.toString('utf8')),
              error: String(headers['x-error'] ?? 'rejected by the broker'),
              attempts: Number(headers['x-attempts'] ?? headers['x-delivery-count'] ?? 0),
              failedAt: String(headers['x-failed-at'] ?? ''),
            });
          }
          return letters;
        });
      },

      redrive(group, selection) {
        const queue = groupNames(prefix, group).queue;
        return sweepDeadLetters(group, selection, async (channel, message) => {
          const {
            [attemptHeader]: _attempt,
            'x-error': _error,
            ...headers
          } = message.properties.headers ?? {};
          await confirm((callback) =>
            channel.sendToQueue(queue, message.content, { ...message.properties, headers }, callback),
          );
        });
      },

      purge(group, selection) {
        return sweepDeadLetters(group, selection, async () => {});
      },
    },

    async close() {
      if (closed) return;
      await Promise.all(
        [...consumers].map(async (consumer) => {
          consumer.stopped = true;
          if (consumer.channel && consumer.consumerTag) {
            await consumer.channel.cancel(consumer.consumerTag).catch(() => undefined);
          }
          // Events received and waiting are handled too, not left unacknowledged.
          await drain(consumer);
        }),
      );
      closed = true;
      consumers.clear();
      await (await connection.catch(() => undefined))?.close().catch(() => undefined);
    },

    async halt() {
      closed = true;
      consumers.clear();
      await (await connection.catch(() => undefined))?.close().catch(() => undefined);
    },

    declared: () => ({ exchanges: [...declaredExchanges], queues: [...declaredQueues] }),
  };
}

/** A delivered message and how many of its events are not settled yet; acknowledged at none. */
interface MessageProgress {
  message: ConsumeMessage;
  channel: Channel;
  unsettled: number;
}

/** One event of a delivered message, raw: it is checked against its contract when handled. */
interface WaitingEvent {
  progress: MessageProgress;
  raw: unknown;
  delivery: { attempt: number; redelivered: boolean };
}

/** The events a message carries; a message that is no JSON at all is one `undefined`, dead-lettered as it came. */
function unpack(message: ConsumeMessage): { events: unknown[] } {
  let body: unknown;
  try {
    body = JSON.parse(message.content.toString('utf8'));
  } catch {
    return { events: [undefined] };
  }
  if (message.properties.contentType === batchContentType && Array.isArray(body) && body.length > 0) {
    return { events: body };
  }
  return { events: [body] };
}

/** The message properties that name one event of a batch when it travels alone. */
function identityOf(raw: unknown): { messageId?: string; type?: string } {
  if (typeof raw !== 'object' || raw === null) return {};
  const { id, type } = raw as { id?: unknown; type?: unknown };
  return {
    ...(typeof id === 'string' ? { messageId: id } : {}),
    ...(typeof type === 'string' ? { type } : {}),
  };
}

function attemptOf(message: ConsumeMessage): number {
  return Number(message.properties.headers?.[attemptHeader] ?? 1);
}
