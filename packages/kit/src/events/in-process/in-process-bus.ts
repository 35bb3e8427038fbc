import { EventEmitter } from 'node:events';
import type { EventEnvelope } from '@fiscal/contracts';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createWakeableSleep } from '../../lifecycle/wakeable-sleep.js';
import { defaultPrefetch, type EventBus, type Subscriber, type Subscription } from '../event-bus.js';
import { batchSizeOf, checkEnvelopeShape, handleDeliveries } from '../handle-delivery.js';
import { eventMetrics } from '../metrics.js';
import type { LeasedMessage, QueueStore } from './queue-store.js';

export interface InProcessBusOptions {
  store: QueueStore;
  logger: Logger;
  registry: Registry;
  /** Contract check on publish and on consume; the composition root passes `parseEvent`. */
  validate?: (value: unknown) => EventEnvelope;
  /** How long a delivery may stay unacknowledged before it is handed out again. */
  leaseMs?: number;
  /** Fallback poll for retries coming due; new events wake consumers at once. */
  pollIntervalMs?: number;
  /**
   * Release every lease when the bus starts. Right when this process is the store's only user
   * (embedded mode): leases left by a killed process would otherwise hold messages until expiry.
   */
  reclaimLeasesOnStart?: boolean;
  /**
   * Publish resolves only once every group the events reached has handled them (acknowledged or
   * dead-lettered), and waits until `open()` is called. For a store that keeps its queues in
   * memory while each publisher's outbox keeps the events (embedded mode): an event is marked
   * published only when nothing can lose it any more, and a crash before that publishes it again.
   * The gate lets every consumer bind before the first event is routed, since memory keeps no
   * bindings across a restart.
   */
  publishWaitsForHandling?: boolean;
}

/**
 * The event bus of embedded mode. Same contract as the RabbitMQ adapter: publish resolves once the
 * events are committed to the durable queue store; each group's queue is consumed with bounded
 * concurrency; ack after the handler resolves; retries with back-off; dead letters with their error.
 */
export interface InProcessBus extends EventBus {
  /**
   * Stops every consumer at once, abandoning deliveries in flight as a killed process would; their
   * leases expire and the messages are delivered again. For fault drills and tests.
   */
  halt(): void;
  /** Lets publishes through once every consumer subscribed (with `publishWaitsForHandling`). */
  open(): void;
  /** Set with `publishWaitsForHandling`: how many batches a relay should hand over at once. */
  readonly publishConcurrency?: number;
}

/** A publish whose events a stopped consumer will not handle: its publisher keeps them for later. */
export class ConsumerStopped extends Error {
  constructor(readonly group: string) {
    super(`the consumer group ${group} stopped before handling the event`);
  }
}

interface Settlement {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function settlement(): Settlement {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // A publisher that gave up waiting must not leave an unhandled rejection behind.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export function createInProcessBus(options: InProcessBusOptions): InProcessBus {
  const { store, logger } = options;
  const metrics = eventMetrics(options.registry);
  const validate = options.validate ?? checkEnvelopeShape;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const signals = new EventEmitter().setMaxListeners(0);
  const subscribers = new Set<Subscriber>();
  const subscribedGroups = new Set<string>();
  const halts = new Set<() => void>();
  const ready = options.reclaimLeasesOnStart ? store.releaseLeases() : Promise.resolve();
  const waitsForHandling = options.publishWaitsForHandling ?? false;
  let openGate: () => void = () => undefined;
  const gate = waitsForHandling ? new Promise<void>((resolve) => (openGate = resolve)) : Promise.resolve();
  /** By group, then event id: the publishes waiting for that group to handle that event. */
  const unsettled = new Map<string, Map<string, Settlement>>();
  /** Running consumers by group: an event routed to a group without one cannot be handled now. */
  const live = new Map<string, number>();

  function awaitHandling(group: string, eventId: string): Promise<void> {
    if (!live.get(group)) return Promise.reject(new ConsumerStopped(group));
    let byEvent = unsettled.get(group);
    if (!byEvent) {
      byEvent = new Map();
      unsettled.set(group, byEvent);
    }
    let waiting = byEvent.get(eventId);
    if (!waiting) {
      waiting = settlement();
      byEvent.set(eventId, waiting);
    }
    return waiting.promise;
  }

  function settled(group: string, eventIds: readonly string[]) {
    const byEvent = unsettled.get(group);
    if (!byEvent) return;
    for (const eventId of eventIds) {
      byEvent.get(eventId)?.resolve();
      byEvent.delete(eventId);
    }
  }

  function abandon(group: string) {
    const consumers = (live.get(group) ?? 1) - 1;
    live.set(group, consumers);
    if (consumers > 0) return;
    const byEvent = unsettled.get(group);
    if (!byEvent) return;
    unsettled.delete(group);
    for (const waiting of byEvent.values()) waiting.reject(new ConsumerStopped(group));
  }

  async function refreshDeadLetterDepth(group: string) {
    metrics.deadLetterDepth.set({ group }, await store.deadLetterDepth(group));
  }

  function consume(subscription: Subscription): Subscriber {
    const prefetch = subscription.prefetch ?? defaultPrefetch;
    const batchSize = Math.min(prefetch, batchSizeOf(subscription));
    const context = { subscription, metrics, logger, validate };
    const group = subscription.group;
    live.set(group, (live.get(group) ?? 0) + 1);
    let inFlight = 0;
    const batches = new Set<Promise<void>>();
    let running = true;
    // A signal while the loop is busy ends its next pause, so no new message waits a whole interval.
    const pause = createWakeableSleep();
    const onSignal = () => pause.wake();
    signals.on(group, onSignal);

    /** Handles leased messages together (one at a time for plain handlers) and records each outcome. */
    async function settle(messages: readonly LeasedMessage[]) {
      const verdicts = await handleDeliveries(
        context,
        messages.map((message) => ({
          raw: message.envelope,
          delivery: { attempt: message.deliveries, redelivered: message.deliveries > 1 },
        })),
      );
      const acknowledged: string[] = [];
      const handled: string[] = [];
      let deadLettered = false;
      for (const [index, verdict] of verdicts.entries()) {
        const message = messages[index]!;
        const eventId = (message.envelope as { id?: unknown }).id;
        if (verdict.action === 'ack') acknowledged.push(message.id);
        else if (verdict.action === 'retry') {
          await store.retryLater(group, message.id, verdict.delayMs, verdict.error);
          setTimeout(() => signals.emit(group), verdict.delayMs).unref();
          continue;
        } else {
          await store.deadLetter(group, message.id, verdict.error);
          deadLettered = true;
        }
        if (typeof eventId === 'string') handled.push(eventId);
      }
      await store.ack(group, acknowledged);
      settled(group, handled);
      if (deadLettered) await refreshDeadLetterDepth(group);
    }

    function start(messages: LeasedMessage[]) {
      inFlight += messages.length;
      const work = settle(messages).catch((error) =>
        // The store failed to record the outcome: the lease expires and the messages come back.
        logger.error({ err: error, group }, 'could not settle a delivery'),
      );
      batches.add(work);
      void work.finally(() => {
        batches.delete(work);
        inFlight -= messages.length;
        pause.wake();
      });
    }

    async function loop() {
      await ready;
      while (running) {
        let leased: LeasedMessage[] = [];
        const free = prefetch - inFlight;
        if (free > 0) {
          try {
            leased = await store.lease(group, free, leaseMs);
          } catch (error) {
            if (!running) break;
            logger.warn({ err: error, group }, 'could not read the queue; retrying');
          }
        }
        for (let first = 0; first < leased.length; first += batchSize) {
          start(leased.slice(first, first + batchSize));
        }
        if (leased.length > 0 && leased.length === free) continue;
        await pause.sleep(pollIntervalMs);
      }
    }

    const loopDone = loop();
    const halt = () => {
      running = false;
      signals.off(subscription.group, onSignal);
      pause.wake();
      abandon(group);
    };
    halts.add(halt);
    const subscriber: Subscriber = {
      async stop() {
        if (!running) return;
        running = false;
        signals.off(subscription.group, onSignal);
        pause.wake();
        await loopDone;
        await Promise.allSettled([...batches]);
        abandon(group);
        subscribers.delete(subscriber);
        halts.delete(halt);
      },
    };
    return subscriber;
  }

  return {
    // A relay waiting for consumers keeps several batches with them, so they always have work.
    ...(waitsForHandling ? { publishConcurrency: 8 } : {}),

    async publish(events) {
      const valid = events.map((event) => validate(event));
      await gate;
      const routes = await store.enqueue(valid);
      for (const event of valid) metrics.published.inc({ type: event.type });
      const reached = new Set<string>();
      const handling: Promise<void>[] = [];
      for (const [eventId, groups] of routes) {
        for (const group of groups) {
          reached.add(group);
          if (waitsForHandling) handling.push(awaitHandling(group, eventId));
        }
      }
      for (const group of reached) signals.emit(group);
      await Promise.all(handling);
    },

    async subscribe(subscription) {
      await store.bind(subscription.group, subscription.types);
      subscribedGroups.add(subscription.group);
      const subscriber = consume(subscription);
      subscribers.add(subscriber);
      return subscriber;
    },

    deadLetters: {
      groups: () => [...subscribedGroups],
      list: (group, { limit = 100 } = {}) => store.listDeadLetters(group, limit),
      // The depth gauge is refreshed only when letters moved: a group name no consumer uses must
      // not become a metric series.
      async redrive(group, selection) {
        const count = await store.redrive(group, selection);
        if (count > 0) {
          await refreshDeadLetterDepth(group);
          signals.emit(group);
        }
        return count;
      },
      async purge(group, selection) {
        const count = await store.purge(group, selection);
        if (count > 0) await refreshDeadLetterDepth(group);
        return count;
      },
    },

    async close() {
      await Promise.all([...subscribers].map((subscriber) => subscriber.stop()));
      await store.close();
    },

    halt() {
      for (const halt of halts) halt();
      halts.clear();
      subscribers.clear();
    },

    open() {
      openGate();
    },
  };
}
