import type { EventEnvelope } from '@fiscal/contracts';
import type { ClaimedDelivery, Delivery } from './delivery.js';
import type { AttemptVerdict } from './retry-schedule.js';
import type { Channel, Subscription } from './subscription.js';
import type { SubscriptionChange, SubscriptionEvent } from './subscription-dead-letters.js';

export interface NewSubscription {
  orgId: string;
  channel: Channel;
  url: string;
  events: readonly string[];
  secret: string | null;
}

export interface AttemptRecord {
  deliveryId: string;
  /** The delivery's subscription, as it was claimed. */
  subscriptionId: string;
  attempt: number;
  attemptedAt: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  verdict: AttemptVerdict;
}

/** An event to fan out, with the payload each of its deliveries sends. */
export interface Notification {
  event: EventEnvelope;
  payload: string;
}

export interface FanOut {
  /** Events never seen before: the others were redelivered. */
  applied: number;
  /** Deliveries created for them. */
  deliveries: number;
}

/** The port over subscriptions, deliveries and their log. */
export interface NotificationStore {
  /**
   * Refuses (SubscriptionLimitReached) a subscription past maxSubscriptionsPerOrganisation, counted
   * under a lock on the organisation so concurrent creations cannot pass the limit together.
   */
  createSubscription(subscription: NewSubscription): Promise<Subscription>;
  listSubscriptions(orgId: string): Promise<Subscription[]>;
  /** False when the organisation has no such subscription. */
  deleteSubscription(orgId: string, id: string): Promise<boolean>;
  /** Newest first, those older than `beforeId`; undefined when the organisation has no such subscription. */
  listDeliveries(
    orgId: string,
    subscriptionId: string,
    page: { limit: number; beforeId?: string | undefined },
  ): Promise<Delivery[] | undefined>;
  /**
   * In one transaction that records every event id (inbox), for each event never seen before: one
   * pending delivery per active subscription of the event's tenant that wants its type, at most one
   * per subscription and event. A redelivered event has no second effect.
   */
  fanOutBatchOnce(notifications: readonly Notification[], now: Date): Promise<FanOut>;
  /** `fanOutBatchOnce` of one event: the deliveries created, or 'duplicate'. */
  fanOutOnce(event: EventEnvelope, payload: string, now: Date): Promise<number | 'duplicate'>;
  /**
   * Leases up to `limit` due deliveries of active subscriptions until `leaseUntil`; rows another
   * dispatcher holds are skipped, not waited for.
   */
  claimDue(now: Date, limit: number, leaseUntil: Date): Promise<ClaimedDelivery[]>;
  /**
   * Records an attempt and its verdict and releases the lease. With `change`, in the same
   * transaction: loads the subscription first, locked so that attempts finishing together take
   * turns (no count is lost, nothing is disabled twice), applies `change` and saves the subscription
   * it returns with its events (outbox). A subscription saved disabled has its deliveries still
   * pending dead-lettered: nothing would send them. Returns the events saved.
   */
  recordAttempt(
    record: AttemptRecord,
    change?: (subscription: Subscription) => SubscriptionChange,
  ): Promise<SubscriptionEvent[]>;
  /** Releases the lease without an attempt: the delivery is tried again at `until`. */
  postpone(deliveryId: string, until: Date): Promise<void>;
}
