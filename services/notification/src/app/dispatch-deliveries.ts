import { createWakeableSleep } from '@fiscal/kit/lifecycle';
import { type Policy, PolicyRejection } from '@fiscal/kit/resilience';
import type { Logger } from 'pino';
import {
  type AttemptVerdict,
  type Channel,
  type ChannelSender,
  type ClaimedDelivery,
  type DeadLetterPolicy,
  DeliveryFailure,
  type NotificationStore,
  recordDeadLetter,
  recordDelivered,
  type Subscription,
  type SubscriptionChange,
  verdictAfter,
} from '../domain/index.js';

export interface DispatcherOptions {
  store: NotificationStore;
  senders: Partial<Record<Channel, ChannelSender>>;
  /** The policy (breaker, timeout, retries) a delivery's call goes through; one per endpoint. */
  policyFor(delivery: ClaimedDelivery): Policy;
  /** Delays before each retry; its length + 1 attempts in all. */
  retrySchedule: readonly number[];
  /** When dead-lettered deliveries in a row disable a subscription. */
  deadLetters: DeadLetterPolicy;
  batchSize: number;
  leaseMs: number;
  pollIntervalMs: number;
  logger: Logger;
  clock?: () => Date;
  metrics?: DeliveryMetrics;
}

/** Port: what the dispatcher counts. */
export interface DeliveryMetrics {
  attempted(channel: Channel, outcome: 'delivered' | 'retry' | 'dead_lettered', durationMs: number): void;
  subscriptionDisabled(): void;
}

export interface Dispatcher {
  start(): void;
  /** Wakes the loop now (new deliveries were committed) instead of at its next poll. */
  notify(): void;
  /** Sends one batch of due deliveries; the number claimed. */
  dispatchDue(): Promise<number>;
  /** Ends the loop after the batch in progress. */
  stop(): Promise<void>;
}

/** How long a delivery whose endpoint's breaker is open waits when the breaker gives no hint. */
const breakerPauseMs = 30_000;

/**
 * Sends due deliveries. Each replica runs one; they share the work through leases on the rows, so a
 * crashed replica's claims are simply picked up once they lapse.
 *
 * An attempt refused by an open breaker is postponed to when the breaker may close, and neither
 * counts as an attempt nor is logged: the endpoint was not called, and a host that is down for an
 * hour must not burn every delivery's schedule in that hour.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const clock = options.clock ?? (() => new Date());
  const { store, logger } = options;
  let running = false;
  let loop: Promise<void> | undefined;
  const pause = createWakeableSleep();

  async function deliver(delivery: ClaimedDelivery): Promise<void> {
    const sender = options.senders[delivery.channel];
    const attempt = delivery.attempts + 1;
    const started = clock();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      if (!sender) throw new DeliveryFailure(`the ${delivery.channel} channel is not configured`, null);
      const policy = options.policyFor(delivery);
      ({ statusCode } = await policy.execute((signal) => sender.send(delivery, signal)));
    } catch (failure) {
      if (failure instanceof PolicyRejection && failure.code === 'circuit_open') {
        const pauseMs = (failure.retryAfterSeconds ?? breakerPauseMs / 1000) * 1000;
        await store.postpone(delivery.id, new Date(clock().getTime() + pauseMs));
        return;
      }
      statusCode = failure instanceof DeliveryFailure ? failure.statusCode : null;
      error = tenantReasonOf(failure);
      logger.info(
        {
          deliveryId: delivery.id,
          subscriptionId: delivery.subscriptionId,
          attempt,
          error,
          detail: detailOf(failure),
        },
        'delivery attempt failed',
      );
    }
    const finished = clock();
    const verdict = verdictAfter(attempt, error === null, options.retrySchedule, finished);
    const events = await store.recordAttempt(
      {
        deliveryId: delivery.id,
        subscriptionId: delivery.subscriptionId,
        attempt,
        attemptedAt: started,
        statusCode,
        error,
        durationMs: finished.getTime() - started.getTime(),
        verdict,
      },
      subscriptionChangeAfter(verdict, options.deadLetters, started),
    );
    const disabled = events.find((event) => event.type === 'notification.subscription.disabled');
    options.metrics?.attempted(
      delivery.channel,
      verdict.status === 'pending' ? 'retry' : verdict.status,
      finished.getTime() - started.getTime(),
    );
    const fields = { deliveryId: delivery.id, subscriptionId: delivery.subscriptionId, attempt };
    if (verdict.status === 'dead_lettered') logger.warn({ ...fields, error }, 'delivery dead-lettered');
    if (disabled) {
      logger.warn(
        { subscriptionId: delivery.subscriptionId },
        'subscription disabled after repeated dead letters',
      );
      options.metrics?.subscriptionDisabled();
    }
  }

  async function dispatchDue(): Promise<number> {
    const now = clock();
    const claimed = await store.claimDue(now, options.batchSize, new Date(now.getTime() + options.leaseMs));
    await Promise.all(
      claimed.map((delivery) =>
        deliver(delivery).catch((error: unknown) => {
          // The lease lapses and another pass tries again.
          logger.error({ err: error, deliveryId: delivery.id }, 'could not record a delivery attempt');
        }),
      ),
    );
    return claimed.length;
  }

  async function run(): Promise<void> {
    while (running) {
      let claimed = 0;
      try {
        claimed = await dispatchDue();
      } catch (error) {
        logger.error({ err: error }, 'could not claim due deliveries');
      }
      if (running && claimed < options.batchSize) await pause.sleep(options.pollIntervalMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    notify() {
      pause.wake();
    },
    dispatchDue,
    async stop() {
      running = false;
      pause.wake();
      await loop;
    },
  };
}

/**
 * What an attempt's verdict does to its subscription: a delivery ends its run of dead letters, a
 * dead letter extends it; a retry leaves it alone (and the subscription is not even read).
 */
function subscriptionChangeAfter(
  verdict: AttemptVerdict,
  policy: DeadLetterPolicy,
  at: Date,
): ((subscription: Subscription) => SubscriptionChange) | undefined {
  if (verdict.status === 'delivered') return recordDelivered;
  if (verdict.status === 'dead_lettered') return (subscription) => recordDeadLetter(subscription, policy, at);
  return undefined;
}

/** What the tenant's delivery log says of a failed attempt: general terms, never internal facts. */
function tenantReasonOf(failure: unknown): string {
  if (failure instanceof DeliveryFailure) return failure.message;
  if (failure instanceof PolicyRejection) return failure.code;
  return 'the delivery failed';
}

function detailOf(failure: unknown): string | undefined {
  if (failure instanceof DeliveryFailure) return failure.detail;
  return failure instanceof Error ? failure.message : String(failure);
}
