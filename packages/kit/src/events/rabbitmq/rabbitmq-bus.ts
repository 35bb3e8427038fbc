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
  /** Deliveries received and not yet handed to a handler, and the channel they came on. */
  pending: { channel: Channel; messages: UnpackedMessage[] } | undefined;
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
   * Deliveries are gathered until the batch is full or the socket has nothing more to hand over
   * at once (the next turn of the event loop), then settled together; one-at-a-time handlers get
   * batches of one. A batched message counts as all the events it carries.
   */
  function onMessage(consumer: Consumer, channel: Channel, message: ConsumeMessage): void {
    if (consumer.pending?.channel !== channel) {
      consumer.pending = { channel, messages: [] };
      setImmediate(() => flush(consumer, channel));
    }
    consumer.pending.messages.push(unpack(message));
    const gathered = consumer.pending.messages.reduce((sum, { events }) => sum + events.length, 0);
    if (gathered >= batchSizeOf(consumer.subscription)) flush(consumer, channel);
  }

  function flush(consumer: Consumer, channel: Channel): void {
    const pending = consumer.pending;
    if (pending?.channel !== channel || pending.messages.length === 0) return;
    consumer.pending = undefined;
    const work = settle(consumer, channel, pending.messages).catch((error) =>
      // Not acknowledged: the broker hands the messages out again (after a reconnect at the latest).
      logger.error({ err: error, group: consumer.subscription.group }, 'could not settle a delivery'),
    );
    consumer.inFlight.add(work);
    void work.finally(() => consumer.inFlight.delete(work));
  }

  /**
   * Hands the messages' events to the handler in batches of its size, then settles each event: a
   * retried or dead-lettered one is published alone (to a retry queue or the dead letters), and a
   * message is acknowledged once every event it carries is settled.
   */
  async function settle(consumer: Consumer, channel: Channel, messages: readonly UnpackedMessage[]) {
    const { subscription, names } = consumer;
    const deliveries = messages.flatMap(({ message, events }) => {
      const attempt = attemptOf(message);
      const delivery = { attempt, redelivered: message.fields.redelivered || attempt > 1 };
      return events.map((raw) => ({ message, raw, delivery }));
    });
    const size = batchSizeOf(subscription);
    for (let first = 0; first < deliveries.length; first += size) {
      const batch = deliveries.slice(first, first + size);
      const verdicts = await handleDeliveries({ subscription, metrics, logger, validate }, batch);
      for (const [index, verdict] of verdicts.entries()) {
        const { message, raw } = batch[index]!;
        if (verdict.action === 'ack') continue;
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
    }
    for (const { message } of messages) channel.ack(message);
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
        pending: undefined,
        stopped: false,
      };
      consumers.add(consumer);
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
          // Deliveries gathered for a batch are handled too, not left unacknowledged.
          if (consumer.pending) flush(consumer, consumer.pending.channel);
          await Promise.allSettled([...consumer.inFlight]);
          await consumer.channel?.close().catch(() => undefined);
        },
      };
      return subscriber;
    },

    deadLetters: {
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
          // Deliveries gathered for a batch are handled too, not left unacknowledged.
          if (consumer.pending) flush(consumer, consumer.pending.channel);
          await Promise.allSettled([...consumer.inFlight]);
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

/** A delivered message and the events it carries (raw: each is checked against its contract later). */
interface UnpackedMessage {
  message: ConsumeMessage;
  /** `undefined` for a message that is no JSON at all, dead-lettered as it came. */
  events: unknown[];
}

function unpack(message: ConsumeMessage): UnpackedMessage {
  let body: unknown;
  try {
    body = JSON.parse(message.content.toString('utf8'));
  } catch {
    return { message, events: [undefined] };
  }
  if (message.properties.contentType === batchContentType && Array.isArray(body) && body.length > 0) {
    return { message, events: body };
  }
  return { message, events: [body] };
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
