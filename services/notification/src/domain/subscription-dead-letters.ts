import type { SubscriptionDisabledData } from '@fiscal/contracts';
import type { Subscription } from './subscription.js';

/** When a receiver is taken to be gone for good: `disableAfter` dead-lettered deliveries in a row. */
export interface DeadLetterPolicy {
  disableAfter: number;
}

export type SubscriptionEvent = {
  type: 'notification.subscription.disabled';
  data: SubscriptionDisabledData;
};

/** A subscription's new state and the events the change raised; the store saves both at once. */
export interface SubscriptionChange {
  subscription: Subscription;
  events: SubscriptionEvent[];
}

/** A delivery landed: the receiver is alive, and its run of dead letters starts over. */
export function recordDelivered(subscription: Subscription): SubscriptionChange {
  return { subscription: { ...subscription, consecutiveDeadLetters: 0 }, events: [] };
}

/**
 * A delivery was dead-lettered: the run grows by one. An active subscription whose run reaches the
 * policy's limit is disabled, so nothing more is sent to a receiver that takes nothing, and says
 * so with `notification.subscription.disabled`; a disabled one only counts.
 */
export function recordDeadLetter(
  subscription: Subscription,
  policy: DeadLetterPolicy,
  at: Date,
): SubscriptionChange {
  const consecutiveDeadLetters = subscription.consecutiveDeadLetters + 1;
  const counted = { ...subscription, consecutiveDeadLetters };
  if (subscription.status !== 'active' || consecutiveDeadLetters < policy.disableAfter) {
    return { subscription: counted, events: [] };
  }
  return {
    subscription: { ...counted, status: 'disabled', version: subscription.version + 1 },
    events: [
      {
        type: 'notification.subscription.disabled',
        data: {
          subscriptionId: subscription.id,
          orgId: subscription.orgId,
          channel: subscription.channel,
          reason: 'consecutive_dead_letters',
          deadLetteredDeliveries: consecutiveDeadLetters,
          disabledAt: at.toISOString(),
        },
      },
    ],
  };
}
