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
}

export function createInProcessBus(options: InProcessBusOptions): InProcessBus {
  const { store, logger } = options;
  const metrics = eventMetrics(options.registry);
  const validate = options.validate ?? checkEnvelopeShape;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const signals = new EventEmitter().setMaxListeners(0);
  const subscribers = new Set<Subscriber>();
  const halts = new Set<() => void>();
  const ready = options.reclaimLeasesOnStart ? store.releaseLeases() : Promise.resolve();

  async function refreshDeadLetterDepth(group: string) {
    metrics.deadLetterDepth.set({ group }, await store.deadLetterDepth(group));
  }

  function consume(subscription: Subscription): Subscriber {
    const prefetch = subscription.prefetch ?? defaultPrefetch;
    const batchSize = Math.min(prefetch, batchSizeOf(subscription));
    const context = { subscription, metrics, logger, validate };
    const group = subscription.group;
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
      let deadLettered = false;
      for (const [index, verdict] of verdicts.entries()) {
        const message = messages[index]!;
        if (verdict.action === 'ack') acknowledged.push(message.id);
        else if (verdict.action === 'retry') {
          await store.retryLater(group, message.id, verdict.delayMs, verdict.error);
          setTimeout(() => signals.emit(group), verdict.delayMs).unref();
        } else {
          await store.deadLetter(group, message.id, verdict.error);
          deadLettered = true;
        }
      }
      await store.ack(group, acknowledged);
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
        subscribers.delete(subscriber);
        halts.delete(halt);
      },
    };
    return subscriber;
  }

  return {
    async publish(events) {
      const valid = events.map((event) => validate(event));
      const groups = await store.enqueue(valid);
      for (const event of valid) metrics.published.inc({ type: event.type });
      for (const group of groups) signals.emit(group);
    },

    async subscribe(subscription) {
      await store.bind(subscription.group, subscription.types);
      const subscriber = consume(subscription);
      subscribers.add(subscriber);
      return subscriber;
    },

    deadLetters: {
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
  };
}
